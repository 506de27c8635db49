import { describe, expect, it } from "vitest";
import { parseDockerLogs } from "../src/logs/log-events.js";

describe("docker logs as CloudWatch Logs events", () => {
  it("merges stdout and stderr by time, keeps nanosecond stamps to the millisecond, drops unstamped lines", () => {
    const stdout =
      "2026-12-05T19:00:00.300000000Z migrated 3 tables\n2026-12-05T19:00:00.100000000Z starting";
    const stderr = "2026-12-05T19:00:00.200123456Z warning: slow\nno stamp here\n";
    expect(parseDockerLogs(`${stdout}\n${stderr}`)).toEqual([
      { timestamp: Date.UTC(2026, 11, 5, 19, 0, 0, 100), message: "starting" },
      { timestamp: Date.UTC(2026, 11, 5, 19, 0, 0, 200), message: "warning: slow" },
      { timestamp: Date.UTC(2026, 11, 5, 19, 0, 0, 300), message: "migrated 3 tables" },
    ]);
  });
});
