import type { MetricSpec } from "../cloudwatch/alarm-evaluation.js";

export interface Answered {
  at: number;
  status: number;
  /** Who made the status: a target, or the balancer itself (502 unreachable, 503 no target). */
  origin: "target" | "balancer";
  /** The target group the request went to; absent when none could be chosen. */
  targetGroup?: string;
}

/** At most this many answers are kept per balancer; the oldest go first (a bounded memory, not AWS's). */
const MAX_ANSWERS = 200_000;

/**
 * The answers a load balancer gave, counted into the `AWS/ApplicationELB` metrics CloudWatch alarms read:
 * `RequestCount` (answers for which a target was chosen), `HTTPCode_Target_<n>XX_Count`,
 * `HTTPCode_ELB_<n>XX_Count` and `HTTPCode_ELB_<code>_Count`. As on AWS, a series has no datapoint in a period
 * where its count is zero.
 */
export class RequestMetrics {
  private answers: Answered[] = [];

  constructor(
    /** The `LoadBalancer` dimension: `app/<name>/<id>`. */
    readonly dimension: string,
    /** Target group ARN → its `TargetGroup` dimension `targetgroup/<name>/<id>`. */
    private readonly targetGroups: Map<string, string>,
  ) {}

  record(answer: Answered): void {
    this.answers.push(answer);
    if (this.answers.length > MAX_ANSWERS) this.answers = this.answers.slice(-MAX_ANSWERS / 2);
  }

  /** The Sum of a metric over [startMs, endMs), or undefined when this balancer does not report it. */
  sum(metric: MetricSpec, startMs: number, endMs: number): number | undefined {
    if (metric.namespace !== "AWS/ApplicationELB") return undefined;
    const dims = new Map(metric.dimensions.map((d) => [d.Name, d.Value]));
    if (dims.get("LoadBalancer") !== this.dimension) return undefined;
    const group = dims.get("TargetGroup");
    if ([...dims.keys()].some((name) => name !== "LoadBalancer" && name !== "TargetGroup")) return undefined;
    const counts = counter(metric.metricName);
    if (!counts) return undefined;
    let total = 0;
    for (const answer of this.answers) {
      if (answer.at < startMs || answer.at >= endMs) continue;
      if (group !== undefined && this.targetGroups.get(answer.targetGroup ?? "") !== group) continue;
      if (counts(answer)) total += 1;
    }
    return total === 0 ? undefined : total;
  }
}

/** Which answers a metric name counts; undefined for a metric the stand-in does not emit. */
function counter(name: string): ((answer: Answered) => boolean) | undefined {
  if (name === "RequestCount") return (answer) => answer.targetGroup !== undefined;
  const match =
    /^HTTPCode_(Target|ELB)_(\d)XX_Count$/.exec(name) ?? /^HTTPCode_(ELB)_(\d{3})_Count$/.exec(name);
  if (!match) return undefined;
  const origin = match[1] === "Target" ? "target" : "balancer";
  const code = match[2] ?? "";
  return (answer) =>
    answer.origin === origin &&
    (code.length === 1 ? Math.floor(answer.status / 100) === Number(code) : answer.status === Number(code));
}
