// Collects a child process's output line by line and lets a test wait for a given line.

export interface LineCollector {
  lines: string[];
  /** Resolves with the first line (already seen or still to come) that matches. */
  waitFor(matches: (line: string) => boolean): Promise<string>;
  /** Resolves when the stream has ended. */
  ended: Promise<void>;
}

export function collectLines(stream: ReadableStream<Uint8Array>): LineCollector {
  const lines: string[] = [];
  let watchers: Array<{ matches: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const push = (line: string) => {
    lines.push(line);
    const hit = watchers.filter((watcher) => watcher.matches(line));
    watchers = watchers.filter((watcher) => !watcher.matches(line));
    for (const watcher of hit) watcher.resolve(line);
  };
  const ended = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) push(part);
    }
    if (pending) push(pending);
  })();
  return {
    lines,
    ended,
    waitFor: (matches) => {
      const seen = lines.find(matches);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ matches, resolve }));
    },
  };
}
