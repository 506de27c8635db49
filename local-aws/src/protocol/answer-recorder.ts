import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AwsAnswer } from "./api-server.js";

/**
 * Appends every AWS answer to a JSONL file, one `{api, operation, status, errorShape?, body}` a line, for
 * `checkConformance`. Synchronous appends keep the lines whole and in order.
 */
export function answerRecorder(file: string): (answer: AwsAnswer) => void {
  mkdirSync(dirname(file), { recursive: true });
  return (answer) => {
    const line = {
      api: answer.api ?? null,
      operation: answer.operation ?? null,
      status: answer.status,
      ...(answer.errorShape ? { errorShape: answer.errorShape } : {}),
      body: answer.body,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
}
