import { ACCOUNT_ID } from "../model/account.js";
import { type ScaledClock, scaledMs } from "../model/clock.js";
import { type AlarmRule, datapoint, judge, type MetricSource, type StateValue } from "./alarm-evaluation.js";

export interface AlarmRecord {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  configuredAt: number;
  state: StateValue;
  stateReason: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
  rule: AlarmRule;
  /** The end of the last period evaluated: CloudWatch judges once per period, not continuously. */
  evaluatedUntil?: number;
}

/**
 * The one owner of alarm state: PutMetricAlarm and SetAlarmState write through it, and `evaluate` (called by
 * the stand-in's tick) judges each alarm once per completed period on the counts the metric source gives.
 */
export class AlarmStore {
  private readonly alarms = new Map<string, AlarmRecord>();

  constructor(
    private readonly clock: ScaledClock,
    private readonly region: string,
    private readonly source: MetricSource,
  ) {}

  put(name: string, rule: AlarmRule, description: string | undefined, actionsEnabled: boolean): void {
    const now = this.clock.now();
    const existing = this.alarms.get(name);
    this.alarms.set(name, {
      name,
      arn: `arn:aws:cloudwatch:${this.region}:${ACCOUNT_ID}:alarm:${name}`,
      ...(description === undefined ? {} : { description }),
      actionsEnabled,
      configuredAt: now,
      // A changed alarm keeps its state until the next evaluation, as CloudWatch does.
      state: existing?.state ?? "INSUFFICIENT_DATA",
      stateReason: existing?.stateReason ?? "Unchecked: Initial alarm creation",
      stateUpdatedAt: existing?.stateUpdatedAt ?? now,
      stateTransitionedAt: existing?.stateTransitionedAt ?? now,
      rule,
    });
  }

  get(name: string): AlarmRecord | undefined {
    return this.alarms.get(name);
  }

  list(): AlarmRecord[] {
    return [...this.alarms.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  delete(name: string): void {
    this.alarms.delete(name);
  }

  /** SetAlarmState: holds until the next period's evaluation, as on AWS. */
  setState(alarm: AlarmRecord, state: StateValue, reason: string): void {
    this.transition(alarm, state, reason);
  }

  /** Judges every alarm whose period has completed since it was last judged. */
  evaluate(): void {
    for (const alarm of this.alarms.values()) this.evaluateOne(alarm);
  }

  private evaluateOne(alarm: AlarmRecord): void {
    const periodMs = scaledMs(this.clock, alarm.rule.period);
    const end = Math.floor(this.clock.now() / periodMs) * periodMs;
    if (alarm.evaluatedUntil !== undefined && end <= alarm.evaluatedUntil) return;
    // The first evaluation starts after the alarm exists: periods before it were not watched.
    if (alarm.evaluatedUntil === undefined && end <= alarm.configuredAt) return;
    alarm.evaluatedUntil = end;
    const points = [];
    for (let index = alarm.rule.evaluationPeriods; index >= 1; index -= 1) {
      const start = end - index * periodMs;
      points.push(datapoint(alarm.rule, this.source, start, start + periodMs));
    }
    const verdict = judge(alarm.rule, points, alarm.state);
    if (verdict.reason) this.transition(alarm, verdict.state, verdict.reason);
  }

  private transition(alarm: AlarmRecord, state: StateValue, reason: string): void {
    const now = this.clock.now();
    if (alarm.state !== state) alarm.stateTransitionedAt = now;
    alarm.state = state;
    alarm.stateReason = reason;
    alarm.stateUpdatedAt = now;
  }
}
