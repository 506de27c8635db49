import type * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { ALARM_PERIOD_SECONDS, fiveXxRateQueries, REQUEST_FLOOR } from "../src/ecs/alarm-queries.js";

describe("the 5xx-rate alarm's metric math", () => {
  const queries = fiveXxRateQueries("app/vidos-prod/0123456789abcdef");

  it("is typed as @pulumi/aws 7.48 takes it (MetricAlarm.metricQueries)", () => {
    const typed: aws.types.input.cloudwatch.MetricAlarmMetricQuery[] = queries;
    expect(typed).toHaveLength(4);
  });

  it("returns only the rate, over both 5xx counts and the requests, with a request floor", () => {
    expect(queries.filter((q) => q.returnData).map((q) => q.id)).toEqual(["rate"]);
    expect(queries[0]?.expression).toBe(
      `IF(req >= ${REQUEST_FLOOR}, 100 * (FILL(t5, 0) + FILL(e5, 0)) / req, 0)`,
    );
    expect(REQUEST_FLOOR).toBeGreaterThan(1);
  });

  it("reads the load balancer's three metrics as 60-second sums, on the load balancer only", () => {
    expect(queries.slice(1).map((q) => [q.id, q.metric?.metricName])).toEqual([
      ["t5", "HTTPCode_Target_5XX_Count"],
      ["e5", "HTTPCode_ELB_5XX_Count"],
      ["req", "RequestCount"],
    ]);
    for (const query of queries.slice(1))
      expect(query.metric).toMatchObject({
        namespace: "AWS/ApplicationELB",
        stat: "Sum",
        period: 60,
        dimensions: { LoadBalancer: "app/vidos-prod/0123456789abcdef" },
      });
    expect(ALARM_PERIOD_SECONDS).toBe(60);
  });
});
