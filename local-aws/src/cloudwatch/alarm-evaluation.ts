import { evaluate, parseExpression, type Value } from "./metric-math.js";

export type StateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export const COMPARISONS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"] as const;
export type TreatMissingData = (typeof MISSING_DATA)[number];

export interface Dimension {
  Name: string;
  Value: string;
}

/** One series: where the counts come from. Only `Sum` is emulated (the statistic the ALB count metrics take). */
export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

/** One `Metrics[]` entry of a metric-math alarm. */
export interface MetricQuery {
  id: string;
  metric?: MetricSpec;
  expression?: string;
  returnData: boolean;
}

/** What an alarm evaluates; the store keeps this next to the API's view of the alarm. */
export interface AlarmRule {
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: Comparison;
  treatMissingData: TreatMissingData;
  /** A single-metric alarm… */
  metric?: MetricSpec;
  /** …or metric math. */
  queries?: MetricQuery[];
}

/** Sums the metric's datapoints in [startMs, endMs); undefined when the series has none (not reported). */
export type MetricSource = (metric: MetricSpec, startMs: number, endMs: number) => number | undefined;

/** The value of the alarm's series for one period. */
export function datapoint(rule: AlarmRule, source: MetricSource, startMs: number, endMs: number): Value {
  if (rule.metric) return source(rule.metric, startMs, endMs);
  const values: Record<string, Value> = {};
  const queries = rule.queries ?? [];
  // Metrics first, then expressions in listed order: an expression reads any metric and the expressions above it.
  for (const query of queries) if (query.metric) values[query.id] = source(query.metric, startMs, endMs);
  for (const query of queries) {
    if (query.expression !== undefined)
      values[query.id] = evaluate(parseExpression(query.expression), values);
  }
  const result = queries.find((query) => query.returnData);
  return result ? values[result.id] : undefined;
}

function breaches(rule: AlarmRule, value: number): boolean {
  switch (rule.comparison) {
    case "GreaterThanOrEqualToThreshold":
      return value >= rule.threshold;
    case "GreaterThanThreshold":
      return value > rule.threshold;
    case "LessThanThreshold":
      return value < rule.threshold;
    default:
      return value <= rule.threshold;
  }
}

export interface Verdict {
  state: StateValue;
  reason: string;
}

/**
 * M out of N: ALARM when at least `datapointsToAlarm` of the last `evaluationPeriods` datapoints breach, with
 * missing ones treated as `treatMissingData` says; `current` stays when `ignore` leaves nothing to judge.
 */
export function judge(rule: AlarmRule, points: Value[], current: StateValue): Verdict {
  const present = points.filter((point): point is number => point !== undefined);
  const missing = points.length - present.length;
  let breaching = present.filter((point) => breaches(rule, point)).length;
  if (rule.treatMissingData === "breaching") breaching += missing;
  const shown = `[${present.map((point) => point.toFixed(1)).join(", ")}]`;
  if (present.length === 0 && rule.treatMissingData === "missing")
    return {
      state: "INSUFFICIENT_DATA",
      reason: "Insufficient Data: no datapoints were received for the last periods.",
    };
  if (present.length === 0 && rule.treatMissingData === "ignore") return { state: current, reason: "" };
  const where = `${breaching} out of the last ${points.length} datapoints ${shown}`;
  if (breaching >= rule.datapointsToAlarm)
    return {
      state: "ALARM",
      reason: `Threshold Crossed: ${where} were ${describe(rule)} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoints for OK -> ALARM transition).`,
    };
  return {
    state: "OK",
    reason: `Threshold Crossed: ${where} were not ${describe(rule)} the threshold (${rule.threshold}).`,
  };
}

function describe(rule: AlarmRule): string {
  const words: Record<Comparison, string> = {
    GreaterThanOrEqualToThreshold: "greater than or equal to",
    GreaterThanThreshold: "greater than",
    LessThanThreshold: "less than",
    LessThanOrEqualToThreshold: "less than or equal to",
  };
  return words[rule.comparison];
}
