import type { Deps } from "./deps.js";
import { DeployError, describeError, type Phase } from "./errors.js";

export interface PhaseTiming {
  phase: string;
  ms: number;
}

export type PhaseRunner = <T>(phase: Phase, title: string, body: () => Promise<T>) => Promise<T>;

/** Runs each phase in its own log group, records its duration, and gives stray errors a phase. */
export function phaseRunner(timings: PhaseTiming[], deps: Deps): PhaseRunner {
  return async (phase, title, body) => {
    const start = deps.now();
    try {
      return await deps.log.group(title, body);
    } catch (error) {
      if (error instanceof DeployError) throw error;
      deps.log.debug(error instanceof Error && error.stack ? error.stack : String(error));
      throw new DeployError(
        describeError(error),
        phase,
        "see the log above; re-run with debug logging for details",
        { cause: error },
      );
    } finally {
      timings.push({ phase: title, ms: deps.now() - start });
    }
  };
}
