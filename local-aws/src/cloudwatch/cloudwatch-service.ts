import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import type { MetricSpec } from "./alarm-evaluation.js";
import { parseAlarmInput, VALIDATION } from "./alarm-input.js";
import type { AlarmRecord, AlarmStore } from "./alarms.js";

const STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;

function metricView(metric: MetricSpec) {
  return { Namespace: metric.namespace, MetricName: metric.metricName, Dimensions: metric.dimensions };
}

/** The model's MetricAlarm, with timestamps as Dates (epoch seconds in JSON, ISO 8601 in XML). */
export function alarmView(alarm: AlarmRecord) {
  const { rule } = alarm;
  const single = rule.metric
    ? { ...metricView(rule.metric), Statistic: "Sum", Period: rule.period }
    : {
        Metrics: (rule.queries ?? []).map((query) => ({
          Id: query.id,
          ...(query.expression === undefined ? {} : { Expression: query.expression }),
          ...(query.metric
            ? { MetricStat: { Metric: metricView(query.metric), Period: rule.period, Stat: "Sum" } }
            : {}),
          ReturnData: query.returnData,
        })),
      };
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configuredAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    StateTransitionedTimestamp: new Date(alarm.stateTransitionedAt),
    ...single,
    EvaluationPeriods: rule.evaluationPeriods,
    DatapointsToAlarm: rule.datapointsToAlarm,
    Threshold: rule.threshold,
    ComparisonOperator: rule.comparison,
    TreatMissingData: rule.treatMissingData,
  };
}

function notFound(name: string): AwsError {
  return new AwsError("ResourceNotFound", `Alarm ${name} does not exist`, 404);
}

/** PutMetricAlarm, DescribeAlarms, SetAlarmState and DeleteAlarms over the alarm store. */
export function cloudWatchHandlers(alarms: AlarmStore): Record<string, Handler> {
  return {
    PutMetricAlarm: async (body) => {
      const input = parseAlarmInput(body);
      alarms.put(input.name, input.rule, input.description, input.actionsEnabled);
      return {};
    },
    DescribeAlarms: async (body) => describeAlarms(alarms, body),
    SetAlarmState: async (body) => {
      const p = Params.of(body, VALIDATION);
      const name = p.string("AlarmName", true, 255);
      const state = p.oneOf("StateValue", STATES, true) ?? "OK";
      const reason = p.string("StateReason", true, 1023);
      const alarm = alarms.get(name);
      if (!alarm) throw notFound(name);
      alarms.setState(alarm, state, reason);
      return {};
    },
    DeleteAlarms: async (body) => {
      const names = Params.of(body, VALIDATION).strings("AlarmNames", 100) ?? [];
      const missing = names.find((name) => !alarms.get(name));
      if (missing !== undefined) throw notFound(missing);
      for (const name of names) alarms.delete(name);
      return {};
    },
  };
}

function describeAlarms(alarms: AlarmStore, body: unknown) {
  const p = Params.of(body, VALIDATION);
  const names = p.strings("AlarmNames", 100);
  const prefix = p.string("AlarmNamePrefix", false, 255);
  if (names && prefix !== undefined)
    throw p.fail("AlarmNamePrefix", prefix, "not allowed together with AlarmNames");
  const state = p.oneOf("StateValue", STATES);
  const types = p.strings("AlarmTypes", 2);
  const max = p.integer("MaxRecords", 1, 100) ?? 50;
  const token = p.string("NextToken");
  const offset = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(offset) || offset < 0)
    throw new AwsError("InvalidNextToken", "The service cannot find the token");
  const matching = alarms
    .list()
    .filter((alarm) => (names ? names.includes(alarm.name) : alarm.name.startsWith(prefix ?? "")))
    .filter((alarm) => state === undefined || alarm.state === state);
  // Only metric alarms exist here; asking for composite alarms alone finds none.
  const wanted = types === undefined || types.includes("MetricAlarm") ? matching : [];
  const page = wanted.slice(offset, offset + max);
  const next = offset + max < wanted.length ? { NextToken: String(offset + max) } : {};
  return { MetricAlarms: page.map(alarmView), CompositeAlarms: [], ...next };
}
