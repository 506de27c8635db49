/** Thrown out of a wait when the stand-in stops; the interrupted work is resumed on the next start. */
export class Cancelled extends Error {}

/**
 * The runner's background work: every task is remembered so `idle()` and `stop()` can wait for it, and every
 * wait is cut short by `stop()`.
 */
export class BackgroundWork {
  private readonly tasks = new Set<Promise<void>>();
  private stopping = false;
  private stopSignal!: () => void;
  private readonly stopped = new Promise<void>((resolve) => {
    this.stopSignal = resolve;
  });

  constructor(
    private readonly sleepFor: (ms: number) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs `work` in the background; a failure is logged (a cancellation is not a failure). */
  track(work: () => Promise<void>): Promise<void> {
    const task: Promise<void> = work()
      .catch((error: unknown) => {
        if (!(error instanceof Cancelled)) this.log(`local-aws: background task failed: ${String(error)}`);
      })
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
    return task;
  }

  /** Resolves when no background work is left (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** From now on every wait ends at once with Cancelled. */
  interrupt(): void {
    this.stopping = true;
    this.stopSignal();
  }

  async sleep(ms: number): Promise<void> {
    if (this.stopping) throw new Cancelled();
    if (ms > 0) await Promise.race([this.sleepFor(ms), this.stopped]);
    if (this.stopping) throw new Cancelled();
  }
}
