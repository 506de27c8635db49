import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Exec, execCommand } from "../docker/exec.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "../../conformance/check_models.py");

export interface ConformanceResult {
  /** Answers read from the file. */
  checked: number;
  /** One line per answer that does not keep to the AWS models: `file:line api:Operation status: what`. */
  violations: string[];
}

export interface ConformanceOptions {
  /** The Python with botocore (pip) to run; default `python3`. */
  python?: string;
  exec?: Exec;
}

/**
 * Checks the answers recorded by `startLocalAws({ recordAnswers })` against the botocore service models,
 * with `conformance/check_models.py`. Throws when the checker cannot run (no python3 or no botocore).
 */
export async function checkConformance(
  file: string,
  options: ConformanceOptions = {},
): Promise<ConformanceResult> {
  const python = options.python ?? "python3";
  const exec = options.exec ?? execCommand;
  const result = await exec(python, [SCRIPT, "--json", file], { timeoutMs: 120_000 });
  if (result.code !== 0 && result.code !== 1) {
    throw new Error(
      `local-aws conformance: ${python} ${SCRIPT} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return JSON.parse(result.stdout) as ConformanceResult;
}
