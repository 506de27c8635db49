/** Counts the AWS requests the server received, per `api:Operation` (faulted ones included): bench input. */
export class RequestStats {
  private counts = new Map<string, number>();

  record(api: string, operation: string): void {
    const key = `${api}:${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): { total: number; byOperation: Record<string, number> } {
    const byOperation = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.counts.values()].reduce((sum, n) => sum + n, 0), byOperation };
  }

  reset(): void {
    this.counts = new Map();
  }
}
