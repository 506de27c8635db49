import type { ChildProcess } from "node:child_process";
import type { RunActionOptions } from "../../scripts/harness/github-runner.js";

type OnLine = NonNullable<RunActionOptions["onLine"]>;

/** A point in a run, found in its live step log: the first line matching `pattern`. */
export interface LogPoint {
  onLine: OnLine;
  /** The line that matched, once it has shown (undefined if the run never got there). */
  readonly line: string | undefined;
}

/** Calls `act` once, at the first line of the live step log that matches `pattern`. */
export function atLine(pattern: RegExp, act: (line: string, child: ChildProcess) => void): LogPoint {
  let matched: string | undefined;
  return {
    onLine(line, child) {
      if (matched !== undefined || !pattern.test(line)) return;
      matched = line;
      act(line, child);
    },
    get line() {
      return matched;
    },
  };
}

/** Kills the runner's process with SIGKILL at the first line matching `pattern`: no cleanup, no report. */
export function killAt(pattern: RegExp): LogPoint {
  return atLine(pattern, (_line, child) => child.kill("SIGKILL"));
}
