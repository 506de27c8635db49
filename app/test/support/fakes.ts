// Test doubles for the app's seams: a clock moved by hand, a logger that keeps its lines, a config builder.
import type { Clock } from "../../src/clock.js";
import { type AppConfig, parseConfig } from "../../src/config.js";
import { createJsonLogger, type Logger } from "../../src/logger.js";

export class ManualClock implements Clock {
  private pending: Array<{ at: number; controller: AbortController }> = [];

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.pending.push({ at: this.current + ms, controller });
    return controller.signal;
  }

  /** Moves time forward and fires every timeout that is now due. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.pending.filter((entry) => entry.at <= this.current);
    this.pending = this.pending.filter((entry) => entry.at > this.current);
    for (const { controller } of due) {
      controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
    }
  }
}

export interface RecordingLogger extends Logger {
  lines: string[];
  entries(): Array<Record<string, unknown>>;
}

export function recordingLogger(now: () => number = () => 0): RecordingLogger {
  const lines: string[] = [];
  const logger = createJsonLogger((line) => lines.push(line), now);
  return {
    ...logger,
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return parseConfig({
    AUTHORIZER_URL: "https://authorizer.test/authorize",
    APP_VERSION: "test-version",
    ...env,
  });
}

/** Resolves on the next turn of the event loop, so pending promise chains can run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
