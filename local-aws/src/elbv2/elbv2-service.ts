import type { Handler } from "../protocol/api-server.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import type { LoadBalancer } from "./load-balancer.js";
import type { TargetGroup } from "./target-group.js";

const VALIDATION = "ValidationError";
const VPC = "vpc-00000000000000000";

function loadBalancerView(lb: LoadBalancer) {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: `127.0.0.1:${lb.port}`,
    CanonicalHostedZoneId: "Z32O12XQLNTSW2",
    CreatedTime: new Date(lb.createdAt),
    LoadBalancerName: lb.spec.name,
    Scheme: "internet-facing",
    VpcId: VPC,
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: [],
    SecurityGroups: [],
    IpAddressType: "ipv4",
  };
}

function targetGroupView(lb: LoadBalancer, tg: TargetGroup) {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: "HTTP",
    Port: tg.port,
    VpcId: VPC,
    HealthCheckProtocol: "HTTP",
    HealthCheckPort: "traffic-port",
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.matcher },
    LoadBalancerArns: [lb.arn],
    TargetType: "ip",
    ProtocolVersion: "HTTP1",
    IpAddressType: "ipv4",
  };
}

function forwardAction(lb: LoadBalancer) {
  const groups = lb
    .targetGroups()
    .map((tg) => ({ TargetGroupArn: tg.arn, Weight: lb.weights.get(tg.arn) ?? 0 }));
  return {
    Type: "forward",
    Order: 1,
    ForwardConfig: { TargetGroups: groups, TargetGroupStickinessConfig: { Enabled: false } },
  };
}

function ruleView(lb: LoadBalancer) {
  return {
    RuleArn: lb.ruleArn,
    Priority: "default",
    Conditions: [],
    Actions: [forwardAction(lb)],
    IsDefault: true,
  };
}

function listenerView(lb: LoadBalancer) {
  return {
    ListenerArn: lb.listenerArn,
    LoadBalancerArn: lb.arn,
    Port: 80,
    Protocol: "HTTP",
    DefaultActions: [forwardAction(lb)],
  };
}

function healthView(tg: TargetGroup) {
  return tg.targets.map((target) => ({
    Target: { Id: target.id, Port: target.port },
    HealthCheckPort: String(target.port),
    TargetHealth: {
      State: target.state,
      ...(target.reason ? { Reason: target.reason } : {}),
      ...(target.description ? { Description: target.description } : {}),
    },
  }));
}

/** Finds the requested items, or throws the not-found error ELBv2 answers when any one is missing. */
function select<T>(all: T[], key: (item: T) => string, wanted: string[] | undefined, missing: AwsError): T[] {
  if (!wanted) return all;
  return wanted.map((value) => {
    const found = all.find((item) => key(item) === value);
    if (!found) throw missing;
    return found;
  });
}

/** The read side of ELBv2 the deploy needs: balancers, target groups, listeners, rules and target health. */
export function elbv2Handlers(balancers: () => LoadBalancer[]): Record<string, Handler> {
  const groups = () => balancers().flatMap((lb) => lb.targetGroups().map((tg) => ({ lb, tg })));
  const lbMissing = new AwsError("LoadBalancerNotFoundException", "One or more load balancers not found");
  const tgMissing = new AwsError("TargetGroupNotFoundException", "One or more target groups not found");
  return {
    DescribeLoadBalancers: async (body) => {
      const p = Params.of(body, VALIDATION);
      const byArn = select(balancers(), (lb) => lb.arn, p.strings("LoadBalancerArns", 20), lbMissing);
      const found = select(byArn, (lb) => lb.spec.name, p.strings("Names", 20), lbMissing);
      return { LoadBalancers: found.map(loadBalancerView) };
    },
    DescribeTargetGroups: async (body) => {
      const p = Params.of(body, VALIDATION);
      const lbArn = p.string("LoadBalancerArn");
      if (lbArn !== undefined && !balancers().some((lb) => lb.arn === lbArn)) throw lbMissing;
      const inLb = groups().filter((entry) => lbArn === undefined || entry.lb.arn === lbArn);
      const byArn = select(inLb, (entry) => entry.tg.arn, p.strings("TargetGroupArns"), tgMissing);
      const found = select(byArn, (entry) => entry.tg.name, p.strings("Names"), tgMissing);
      return { TargetGroups: found.map((entry) => targetGroupView(entry.lb, entry.tg)) };
    },
    DescribeListeners: async (body) => {
      const p = Params.of(body, VALIDATION);
      const lbArn = p.string("LoadBalancerArn");
      const arns = p.strings("ListenerArns");
      if (lbArn === undefined && !arns)
        throw p.fail("LoadBalancerArn", null, "LoadBalancerArn or ListenerArns is required");
      if (lbArn !== undefined && !balancers().some((lb) => lb.arn === lbArn)) throw lbMissing;
      const inLb = balancers().filter((lb) => lbArn === undefined || lb.arn === lbArn);
      const missing = new AwsError("ListenerNotFoundException", "One or more listeners not found");
      return { Listeners: select(inLb, (lb) => lb.listenerArn, arns, missing).map(listenerView) };
    },
    DescribeRules: async (body) => describeRules(balancers(), body),
    DescribeTargetHealth: async (body) => {
      const p = Params.of(body, VALIDATION);
      const arn = p.string("TargetGroupArn", true);
      const entry = groups().find((candidate) => candidate.tg.arn === arn);
      if (!entry) throw tgMissing;
      return { TargetHealthDescriptions: healthView(entry.tg) };
    },
  };
}

function describeRules(balancers: LoadBalancer[], body: unknown) {
  const p = Params.of(body, VALIDATION);
  const listenerArn = p.string("ListenerArn");
  const ruleArns = p.strings("RuleArns");
  if (listenerArn === undefined && !ruleArns)
    throw p.fail("ListenerArn", null, "ListenerArn or RuleArns is required");
  const onListener = balancers.filter((lb) => listenerArn === undefined || lb.listenerArn === listenerArn);
  if (listenerArn !== undefined && onListener.length === 0)
    throw new AwsError("ListenerNotFoundException", "One or more listeners not found");
  const missing = new AwsError("RuleNotFoundException", "One or more rules not found");
  return { Rules: select(onListener, (lb) => lb.ruleArn, ruleArns, missing).map(ruleView) };
}
