import { expect, test } from "vitest";
import { GetContainerLogCommand } from "../src/targets/lightsail/lightsail-sdk.js";
import { fetchDeploymentLogs } from "../src/targets/lightsail/release/verify/logs.js";
import { deployment, fakeAws } from "./fakes.js";

const event = (i: number) => ({
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
  message: `line ${i}`,
});

test("reads every page for the deployment's window and keeps the last 100 lines", async () => {
  const aws = fakeAws();
  aws.mocks.lightsail
    .on(GetContainerLogCommand)
    .resolvesOnce({ logEvents: Array.from({ length: 80 }, (_, i) => event(i)), nextPageToken: "p2" })
    .resolvesOnce({ logEvents: Array.from({ length: 70 }, (_, i) => event(80 + i)) });
  const created = deployment(4, "FAILED", "new", 1_700_000_000);
  const end = new Date(1_700_000_600_000);
  const lines = await fetchDeploymentLogs(aws.clients, "demo", created, end);
  expect(lines).toHaveLength(100);
  expect(lines[0]).toBe("app | 2026-01-01T00:00:50.000Z line 50");
  expect(lines.at(-1)).toBe("app | 2026-01-01T00:00:29.000Z line 149");
  const calls = aws.mocks.lightsail.commandCalls(GetContainerLogCommand).map((c) => c.args[0].input);
  expect(calls).toEqual([
    {
      serviceName: "demo",
      containerName: "app",
      startTime: new Date(1_700_000_000_000),
      endTime: end,
      pageToken: undefined,
    },
    {
      serviceName: "demo",
      containerName: "app",
      startTime: new Date(1_700_000_000_000),
      endTime: end,
      pageToken: "p2",
    },
  ]);
});

test("each container of the deployment is read; an empty log says so", async () => {
  const aws = fakeAws();
  aws.mocks.lightsail
    .on(GetContainerLogCommand, { containerName: "app" })
    .resolves({ logEvents: [event(1)] });
  aws.mocks.lightsail.on(GetContainerLogCommand, { containerName: "worker" }).resolves({ logEvents: [] });
  const d = deployment(4, "FAILED");
  d.containers = { ...d.containers, worker: { image: "w:1" } };
  expect(await fetchDeploymentLogs(aws.clients, "demo", d, new Date())).toEqual([
    "app | 2026-01-01T00:00:01.000Z line 1",
    "worker | (no log lines since the deployment started)",
  ]);
});
