import type { RawInputs } from "../inputs/schema.js";
import { runWith } from "../pipeline/sequence.js";
import type { RunResult } from "../report/report.js";
import type { LightsailDeps } from "../targets/lightsail/clients.js";
import { lightsailTarget } from "../targets/lightsail/target.js";

/** The action's run on its one target today, Lightsail: inputs in, result out. Never throws. */
export function run(raw: RawInputs, deps: LightsailDeps): Promise<RunResult> {
  return runWith(lightsailTarget, raw, deps);
}
