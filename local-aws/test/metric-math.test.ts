import { describe, expect, it } from "vitest";
import { type AlarmRule, judge } from "../src/cloudwatch/alarm-evaluation.js";
import { evaluate, MetricMathError, parseExpression } from "../src/cloudwatch/metric-math.js";
import { decodeQuery, queryError, toXml } from "../src/protocol/query.js";

const RATE = "IF(req >= 20, 100 * (FILL(t5, 0) + FILL(e5, 0)) / req, 0)";

describe("metric math", () => {
  it.each([
    { values: { req: 100, t5: 2, e5: 1 }, expected: 3 },
    { values: { req: 100, t5: undefined, e5: undefined }, expected: 0 },
    { values: { req: 10, t5: 10, e5: 0 }, expected: 0 },
    { values: { req: 20, t5: 1, e5: undefined }, expected: 5 },
    { values: { req: undefined, t5: 3, e5: 0 }, expected: undefined },
  ])("the reference's rate with $values is $expected", ({ values, expected }) => {
    expect(evaluate(parseExpression(RATE), values)).toBe(expected);
  });

  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["-2 + 5", 3],
    ["1 / 0", undefined],
    ["2 > 1 AND 1 > 2", 0],
    ["2 > 1 OR 1 > 2", 1],
    ["IF(0, 1)", undefined],
  ])("%s is %s", (text, expected) => {
    expect(evaluate(parseExpression(text), {})).toBe(expected);
  });

  it.each(["SUM(a)", "IF(a)", "1 +", "a $ b", "(1"])("refuses %s", (text) => {
    expect(() => parseExpression(text)).toThrow(MetricMathError);
  });
});

const rule: AlarmRule = {
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  threshold: 1,
  comparison: "GreaterThanThreshold",
  treatMissingData: "missing",
};

describe("M out of N", () => {
  it.each([
    { points: [5, 5, 0], missing: "missing", state: "ALARM" },
    { points: [5, 0, 0], missing: "missing", state: "OK" },
    { points: [5, undefined, undefined], missing: "breaching", state: "ALARM" },
    { points: [5, undefined, undefined], missing: "notBreaching", state: "OK" },
    { points: [undefined, undefined, undefined], missing: "missing", state: "INSUFFICIENT_DATA" },
    { points: [undefined, undefined, undefined], missing: "ignore", state: "ALARM" },
    { points: [1, 1, 1], missing: "missing", state: "OK" },
  ] as const)("$points with $missing is $state", ({ points, missing, state }) => {
    expect(judge({ ...rule, treatMissingData: missing }, [...points], "ALARM").state).toBe(state);
  });
});

describe("awsQuery", () => {
  it("decodes member lists in index order and nested structures", () => {
    const body =
      "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.2=b&AlarmNames.member.1=a&X.Y.member.1.Z=1";
    expect(decodeQuery(body)).toEqual({
      action: "DescribeAlarms",
      version: "2010-08-01",
      params: { AlarmNames: ["a", "b"], X: { Y: [{ Z: "1" }] } },
    });
  });

  it("writes lists as member elements, dates as ISO 8601, and escapes text", () => {
    expect(toXml("A", { L: ["x<y"], D: new Date(0), N: 2, U: undefined })).toBe(
      "<A><L><member>x&lt;y</member></L><D>1970-01-01T00:00:00.000Z</D><N>2</N></A>",
    );
  });

  it("answers errors with the model's wire code and the fault side for 5xx", () => {
    const xml = queryError("TargetGroupNotFoundException", "gone", 400, "ns", "id");
    expect(xml).toContain("<Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>gone</Message>");
    expect(queryError("InternalFailure", "x", 500, "ns", "id")).toContain("<Type>Receiver</Type>");
  });
});
