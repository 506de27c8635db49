import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AwsAnswer } from "./api-server.js";
import { QUERY_ERROR_CODES } from "./query.js";

/**
 * Appends every AWS answer to a JSONL file, one `{api, operation, status, errorShape?, wire?, wireCode?, body}` a line, for
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
      // How it went on the wire: the checker holds a query error's <Code> to the model's error code.
      ...(answer.wire && answer.wire !== "json1.1" ? { wire: answer.wire } : {}),
      ...(answer.wire === "query" && answer.errorShape
        ? { wireCode: QUERY_ERROR_CODES[answer.errorShape] ?? answer.errorShape }
        : {}),
      body: answer.body,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
}
