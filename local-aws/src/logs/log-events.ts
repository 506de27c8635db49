import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";

export interface LogEvent {
  timestamp: number;
  message: string;
}

/** The engine's output of a log stream, or undefined when no container writes to that group and stream. */
export type LogSource = (group: string, stream: string) => Promise<string | undefined>;

const LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) ?(.*)$/;

/**
 * `docker logs --timestamps` output as log events, oldest first. stdout and stderr come back one after the
 * other, so the lines are merged by their timestamps; lines without one are dropped.
 */
export function parseDockerLogs(text: string): LogEvent[] {
  const events: LogEvent[] = [];
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    const timestamp = match ? Date.parse(match[1] ?? "") : Number.NaN;
    if (match && Number.isFinite(timestamp)) events.push({ timestamp, message: match[2] ?? "" });
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** Tokens are positions: `f/<n>` reads on from event n, `b/<n>` reads back to it (the end repeats the token). */
function position(token: string | undefined, fallback: number): number {
  if (token === undefined) return fallback;
  const match = /^[fb]\/(\d+)$/.exec(token);
  if (!match)
    throw new AwsError("InvalidParameterException", `The specified nextToken is not valid: ${token}`);
  return Number(match[1]);
}

/** CloudWatch Logs GetLogEvents over the containers' output (the awslogs driver's streams). */
export function logsHandlers(source: LogSource): Record<string, Handler> {
  return {
    GetLogEvents: async (body) => {
      const p = Params.of(body, "InvalidParameterException");
      const group = p.string("logGroupName", false, 512) ?? p.string("logGroupIdentifier", false, 2048);
      if (group === undefined)
        throw p.fail("logGroupName", null, "logGroupName or logGroupIdentifier is required");
      const stream = p.string("logStreamName", true, 512);
      const text = await source(group, stream);
      if (text === undefined)
        throw new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
      const start = p.integer("startTime", 0) ?? 0;
      const end = p.integer("endTime", 0) ?? Number.MAX_SAFE_INTEGER;
      const limit = p.integer("limit", 1, 10_000) ?? 10_000;
      const all = parseDockerLogs(text).filter((event) => event.timestamp >= start && event.timestamp < end);
      const fromHead = p.boolean("startFromHead") ?? false;
      const at = position(p.string("nextToken"), fromHead ? 0 : Math.max(0, all.length - limit));
      const page = all.slice(at, at + limit);
      const events = page.map((event) => ({ ...event, ingestionTime: event.timestamp }));
      return {
        events,
        nextForwardToken: `f/${at + page.length}`,
        nextBackwardToken: `b/${Math.max(0, at - limit)}`,
      };
    },
  };
}
