import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { newTimeline, renderGantt, renderTimelineText, timed } from "../src/platform/timeline.js";
import { renderSummary } from "../src/report/report.js";
import { fakeClock, fakeDeps, fakeRecordParameter, statefulLightsail } from "./fakes.js";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("the timeline from a fake clock", () => {
  test("spans record real start times and durations; the chart draws them in order", async () => {
    const clock = fakeClock(T0);
    const timeline = newTimeline(clock.now);
    await timed({ timeline }, "pre-flight", () => clock.sleep(1_500));
    await timed({ timeline }, "build", () => clock.sleep(42_000));
    await timed({ timeline }, "push", () => clock.sleep(8_000)).catch(() => undefined);
    await expect(
      timed({ timeline }, "deployment", async () => {
        await clock.sleep(700);
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(timeline.spans).toEqual([
      { phase: "pre-flight", start: T0, ms: 1_500 },
      { phase: "build", start: T0 + 1_500, ms: 42_000 },
      { phase: "push", start: T0 + 43_500, ms: 8_000 },
      { phase: "deployment", start: T0 + 51_500, ms: 700 },
    ]);
    expect(renderGantt(timeline.spans)).toBe(
      [
        "```mermaid",
        "gantt",
        "    title Timeline (UTC)",
        "    dateFormat x",
        "    axisFormat %H:%M:%S",
        "    section Run",
        `    pre-flight 1.5 s :t0, ${T0}, ${T0 + 1_500}`,
        `    build 42.0 s :t1, ${T0 + 1_500}, ${T0 + 43_500}`,
        `    push 8.0 s :t2, ${T0 + 43_500}, ${T0 + 51_500}`,
        `    deployment 0.7 s :t3, ${T0 + 51_500}, ${T0 + 52_200}`,
        "```",
      ].join("\n"),
    );
  });

  test("the terminal gets the same spans as text: offset, duration and a bar", () => {
    const text = renderTimelineText([
      { phase: "pre-flight", start: T0, ms: 2_000 },
      { phase: "activation", start: T0 + 2_000, ms: 18_000 },
    ]);
    expect(text.split("\n")).toEqual([
      "Timeline (20.0 s from 2026-01-02T03:04:05.000Z)",
      `  +   0.0 s  pre-flight     2.0 s  |████${" ".repeat(36)}|`,
      `  +   2.0 s  activation    18.0 s  |    ${"█".repeat(36)}|`,
    ]);
  });

  test("a zero-length span still gets a bar Mermaid can draw", () => {
    expect(renderGantt([{ phase: "login", start: T0, ms: 0 }])).toContain(
      `login 0.0 s :t0, ${T0}, ${T0 + 1}`,
    );
  });

  test("no spans, no chart", () => {
    expect(renderGantt([])).toBe("");
    expect(renderTimelineText([])).toBe("");
  });
});

describe("a run's timeline", () => {
  test("a deploy's summary starts with the chart of its phases, in order, from the injected clock", async () => {
    const { deps, aws } = fakeDeps();
    fakeRecordParameter(aws);
    statefulLightsail(aws);
    const result = await run({ "service-name": "demo", repository: "app" }, deps);
    expect(result.status).toBe("deployed");
    const phases = (result.timeline ?? []).map((s) => s.phase);
    expect(phases).toEqual(["pre-flight", "build", "login", "push", "deployment", "activation", "probe"]);
    const activation = result.timeline?.find((s) => s.phase === "activation");
    // The fake Lightsail settles on the second listing: one poll interval (5 s) of fake time.
    expect(activation?.ms).toBe(5_000);
    const summary = renderSummary(result);
    expect(summary.startsWith("```mermaid\ngantt\n")).toBe(true);
    expect(summary).toMatch(/ {4}activation 5\.0 s :t5, \d+, \d+/);
    expect(summary.indexOf("## lightsail-deploy: ✅ Deployed")).toBeGreaterThan(summary.indexOf("```\n"));
    expect(renderSummary(result, "text")).toMatch(/^Timeline \(/);
    expect(renderSummary(result, "text")).not.toContain("mermaid");
  });
});
