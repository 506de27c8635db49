/** The rehearsal's outcome, with the cause a reviewer acts on. */
export interface Verdict {
  passed: boolean;
  cause: string;
}

export interface VerdictInput {
  actionExitCode: number;
  /** The action's step log, masked, and the private stand-in's log of the container (with its events). */
  actionLog: string;
  containerLog: string;
  containerName: string;
  port: string;
  healthPath: string;
  missing: string[];
}

const EXITED =
  /Container "[^"]+"(?: on node \d+)? exited with code (\d+) before the deployment became healthy/;
const UNHEALTHY =
  /Health check of container "[^"]+"(?: on node \d+)? on path (\S+) failed (\d+) times in a row \(last: ([^;)]*)/;

/** Names the cause from what Lightsail (the stand-in) says about the deployment, then from the action's error. */
export function verdictOf(input: VerdictInput): Verdict {
  const missingNote = input.missing.length
    ? `; variables without a value in the rehearsal: ${input.missing.join(", ")}`
    : "";
  if (input.actionExitCode === 0)
    return { passed: true, cause: `deployed, verified and probed on the rehearsal service${missingNote}` };
  const text = `${input.containerLog}\n${input.actionLog}`;
  const exited = EXITED.exec(text);
  if (exited)
    return {
      passed: false,
      cause: `crash on start: container "${input.containerName}" exited with code ${exited[1]} before it was healthy${missingNote}`,
    };
  const unhealthy = UNHEALTHY.exec(text);
  if (unhealthy)
    return {
      passed: false,
      cause: `no healthy answer on port ${input.port} at ${unhealthy[1]} (${unhealthy[2]} health checks failed, last: ${unhealthy[3]}): a wrong port or a broken health path${missingNote}`,
    };
  const error = input.actionLog.split("\n").findLast((line) => line.startsWith("Error: "));
  return {
    passed: false,
    cause: `${error ?? `the deploy failed (exit ${input.actionExitCode})`}${missingNote}`,
  };
}
