import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import {
  type AlarmRule,
  COMPARISONS,
  type Dimension,
  type MetricQuery,
  type MetricSpec,
  MISSING_DATA,
} from "./alarm-evaluation.js";
import { MetricMathError, parseExpression, referencedIds } from "./metric-math.js";

/** CloudWatch answers bad input to PutMetricAlarm with the query protocol's common `ValidationError`. */
export const VALIDATION = "ValidationError";

const ID = /^[a-z][a-zA-Z0-9_]*$/;

export interface AlarmInput {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  rule: AlarmRule;
}

/** PutMetricAlarm's request, validated into what the store keeps; the error names the member at fault. */
export function parseAlarmInput(body: unknown): AlarmInput {
  const p = Params.of(body, VALIDATION);
  for (const actions of ["AlarmActions", "OKActions", "InsufficientDataActions"]) {
    if ((p.list(actions) ?? []).length > 0)
      throw p.fail(actions, p.list(actions), "alarm actions are not emulated by local-aws");
  }
  const evaluationPeriods = p.integer("EvaluationPeriods", 1, 1440);
  if (evaluationPeriods === undefined) throw p.fail("EvaluationPeriods", null, "Member must not be null");
  const threshold = p.number("Threshold");
  if (threshold === undefined)
    throw p.fail("Threshold", null, "Member must not be null (anomaly detection is not emulated)");
  const datapointsToAlarm = p.integer("DatapointsToAlarm", 1, evaluationPeriods) ?? evaluationPeriods;
  const { metric, queries, period } = p.has("Metrics") ? metricMath(p) : singleMetric(p);
  if (period * evaluationPeriods > 86_400)
    throw p.fail(
      "EvaluationPeriods",
      evaluationPeriods,
      "Period * EvaluationPeriods must not exceed 86400 seconds",
    );
  const description = p.string("AlarmDescription", false, 1024);
  return {
    name: p.string("AlarmName", true, 255),
    ...(description === undefined ? {} : { description }),
    actionsEnabled: p.boolean("ActionsEnabled") ?? true,
    rule: {
      period,
      evaluationPeriods,
      datapointsToAlarm,
      threshold,
      comparison: p.oneOf("ComparisonOperator", COMPARISONS, true) ?? "GreaterThanThreshold",
      treatMissingData: p.oneOf("TreatMissingData", MISSING_DATA) ?? "missing",
      ...(metric ? { metric } : {}),
      ...(queries ? { queries } : {}),
    },
  };
}

function period(p: Params, name: string): number {
  const value = p.integer(name, 10, 86_400);
  if (value === undefined) throw p.fail(name, null, "Member must not be null");
  if (![10, 20, 30].includes(value) && value % 60 !== 0)
    throw p.fail(name, value, "Member must be 10, 20, 30 or a multiple of 60");
  return value;
}

function statistic(p: Params, name: string): void {
  const stat = p.string(name, true);
  if (stat !== "Sum") throw p.fail(name, stat, "only the Sum statistic is emulated by local-aws");
}

function dimensions(p: Params): Dimension[] {
  return (p.list("Dimensions", 30) ?? []).map((item, index) => {
    const d = p.object(`Dimensions[${index}]`, item);
    return { Name: d.string("Name", true, 255), Value: d.string("Value", true, 1024) };
  });
}

function singleMetric(p: Params): { metric: MetricSpec; period: number; queries?: undefined } {
  statistic(p, "Statistic");
  const metric = {
    namespace: p.string("Namespace", true, 255),
    metricName: p.string("MetricName", true, 255),
    dimensions: dimensions(p),
  };
  return { metric, period: period(p, "Period") };
}

function metricMath(p: Params): { queries: MetricQuery[]; period: number; metric?: undefined } {
  if (p.has("MetricName"))
    throw p.fail("MetricName", p.string("MetricName"), "not allowed together with Metrics");
  const periods = new Set<number>();
  const queries = (p.list("Metrics", 10) ?? []).map((item, index) => {
    const q = p.object(`Metrics[${index}]`, item);
    const id = q.string("Id", true, 255);
    if (!ID.test(id))
      throw q.fail("Id", id, "Member must start with a lower-case letter, then letters, digits, _");
    const returnData = q.boolean("ReturnData") ?? true;
    if (q.has("Expression") === q.has("MetricStat"))
      throw q.fail(
        "Expression",
        q.string("Expression"),
        "exactly one of Expression and MetricStat is required",
      );
    if (q.has("Expression")) return { id, expression: q.string("Expression", true, 2048), returnData };
    const stat = q.object("MetricStat");
    statistic(stat, "Stat");
    periods.add(period(stat, "Period"));
    const metric = stat.object("Metric");
    const spec = {
      namespace: metric.string("Namespace", true, 255),
      metricName: metric.string("MetricName", true, 255),
      dimensions: dimensions(metric),
    };
    return { id, metric: spec, returnData };
  });
  checkQueries(p, queries);
  if (periods.size !== 1)
    throw p.fail("Metrics", [...periods], "every MetricStat must have one and the same Period");
  return { queries, period: [...periods][0] ?? 60 };
}

function checkQueries(p: Params, queries: MetricQuery[]): void {
  if (queries.filter((query) => query.returnData).length !== 1)
    throw p.fail(
      "Metrics",
      queries.map((q) => q.id),
      "exactly one metric must have ReturnData true",
    );
  // Metrics may be listed after the expression that reads them (the reference alarm does so).
  const seen = new Set(queries.filter((query) => query.metric).map((query) => query.id));
  for (const query of queries) {
    if (query.expression !== undefined) checkExpression(p, query.expression, seen);
    seen.add(query.id);
  }
}

function checkExpression(p: Params, expression: string, known: Set<string>): void {
  try {
    const unknown = referencedIds(parseExpression(expression)).filter((id) => !known.has(id));
    if (unknown.length > 0) throw new MetricMathError(`unknown metric ids ${unknown.join(", ")}`);
  } catch (error) {
    if (error instanceof AwsError) throw error;
    throw p.fail("Metrics.Expression", expression, (error as Error).message);
  }
}
