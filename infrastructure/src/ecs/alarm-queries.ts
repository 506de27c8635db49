/**
 * The 5xx-rate alarm ECS blue/green rolls back on (ecs-target.md §3), as pure values. On the load balancer,
 * not a target group: the live target group alternates between deploys.
 */
export interface AlarmMetricQuery {
  id: string;
  returnData?: boolean;
  expression?: string;
  metric?: {
    namespace: "AWS/ApplicationELB";
    metricName: string;
    stat: "Sum";
    period: number;
    dimensions: { LoadBalancer: string };
  };
}

/** ALB metrics arrive once a minute. */
export const ALARM_PERIOD_SECONDS = 60;
/** Below this many requests a minute the rate counts as 0, so one error on a quiet service cannot roll back. */
export const REQUEST_FLOOR = 20;
/** Percent of answers that are 5xx, above which the alarm fires. */
export const FIVE_XX_PERCENT_THRESHOLD = 1;

/** Metric math: 100 × (target 5xx + load balancer 5xx) / requests, for `LoadBalancer` = the ALB's ARN suffix. */
export function fiveXxRateQueries(loadBalancerArnSuffix: string): AlarmMetricQuery[] {
  const metric = (id: string, metricName: string): AlarmMetricQuery => ({
    id,
    metric: {
      namespace: "AWS/ApplicationELB",
      metricName,
      stat: "Sum",
      period: ALARM_PERIOD_SECONDS,
      dimensions: { LoadBalancer: loadBalancerArnSuffix },
    },
  });
  return [
    {
      id: "rate",
      returnData: true,
      // The 5xx counts are reported only when non-zero: FILL turns their gaps into 0.
      expression: `IF(req >= ${REQUEST_FLOOR}, 100 * (FILL(t5, 0) + FILL(e5, 0)) / req, 0)`,
    },
    metric("t5", "HTTPCode_Target_5XX_Count"),
    metric("e5", "HTTPCode_ELB_5XX_Count"),
    metric("req", "RequestCount"),
  ];
}
