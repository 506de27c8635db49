import { ACCOUNT_ID } from "../model/account.js";
import { AwsError } from "../protocol/errors.js";
import { Params } from "../protocol/params.js";
import { CONTAINER_DEFINITION_MEMBERS, TASK_DEFINITION_MEMBERS } from "./model-members.js";

export const ECS_INVALID = "InvalidParameterException";

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  [member: string]: unknown;
}

export interface TaskDefinitionRecord {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containerDefinitions: ContainerDefinition[];
  registeredAt: number;
  /** The other TaskDefinition members exactly as registered (networkMode, cpu, roles, volumes, …). */
  rest: Record<string, unknown>;
  tags: { key: string; value: string }[];
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

function clientError(message: string): AwsError {
  return new AwsError("ClientException", message);
}

function checkContainer(p: Params, raw: unknown, index: number): ContainerDefinition {
  const c = p.object(`containerDefinitions[${index}]`, raw);
  for (const key of Object.keys(raw as object)) {
    if (!CONTAINER_DEFINITION_MEMBERS.includes(key))
      throw c.fail(key, "(member)", "Member is not in ContainerDefinition");
  }
  const name = c.string("name", false, 255);
  if (!name) throw clientError("Container.name should not be null or empty.");
  if (!c.string("image", false, 2048)) throw clientError("Container.image should not be null or empty.");
  c.boolean("essential");
  c.strings("command", 1000);
  for (const [i, item] of (c.list("environment", 1000) ?? []).entries()) {
    const env = c.object(`environment[${i}]`, item);
    env.string("name", true, 255);
    env.string("value", false, 65_536);
  }
  for (const [i, item] of (c.list("secrets", 1000) ?? []).entries()) {
    const secret = c.object(`secrets[${i}]`, item);
    secret.string("name", true, 255);
    secret.string("valueFrom", true, 2048);
  }
  for (const [i, item] of (c.list("portMappings", 100) ?? []).entries()) {
    const mapping = c.object(`portMappings[${i}]`, item);
    mapping.integer("containerPort", 1, 65_535);
    mapping.integer("hostPort", 0, 65_535);
  }
  return raw as ContainerDefinition;
}

/** The task definition families and their revisions (in memory; see the README). */
export class TaskDefinitions {
  private readonly byFamily = new Map<string, TaskDefinitionRecord[]>();

  constructor(
    private readonly region: string,
    private readonly now: () => number,
  ) {}

  register(body: unknown): TaskDefinitionRecord {
    const p = Params.of(body, ECS_INVALID);
    for (const key of Object.keys(body as object)) {
      if (!TASK_DEFINITION_MEMBERS.includes(key) && key !== "tags")
        throw p.fail(key, "(member)", "Member is not in RegisterTaskDefinitionRequest");
    }
    const family = p.string("family", true, 255);
    if (!FAMILY.test(family)) throw p.fail("family", family, "Member must match [A-Za-z0-9_-]{1,255}");
    const containers = p.list("containerDefinitions", 10) ?? [];
    if (containers.length === 0) throw clientError("Container list cannot be empty.");
    const containerDefinitions = containers.map((raw, index) => checkContainer(p, raw, index));
    const fargate = (p.strings("requiresCompatibilities") ?? []).includes("FARGATE");
    if (fargate && p.string("networkMode") !== "awsvpc")
      throw clientError("Fargate only supports network mode 'awsvpc'.");
    if (fargate && (!p.has("cpu") || !p.has("memory")))
      throw clientError("Fargate requires that 'cpu' be defined at the task level.");
    const revisions = this.byFamily.get(family) ?? [];
    const revision = revisions.length + 1;
    const rest = Object.fromEntries(
      Object.entries(body as Record<string, unknown>).filter(
        ([key]) => key !== "family" && key !== "containerDefinitions" && key !== "tags",
      ),
    );
    const record: TaskDefinitionRecord = {
      taskDefinitionArn: `arn:aws:ecs:${this.region}:${ACCOUNT_ID}:task-definition/${family}:${revision}`,
      family,
      revision,
      containerDefinitions,
      registeredAt: this.now(),
      rest,
      tags: (p.list("tags") ?? []) as { key: string; value: string }[],
    };
    this.byFamily.set(family, [...revisions, record]);
    return record;
  }

  /** `family` (the latest revision), `family:revision`, or the ARN; ClientException when there is none. */
  find(reference: string): TaskDefinitionRecord {
    const name = reference.startsWith("arn:") ? (reference.split("task-definition/")[1] ?? "") : reference;
    const [family = "", revision] = name.split(":");
    const revisions = this.byFamily.get(family) ?? [];
    const found = revision === undefined ? revisions.at(-1) : revisions[Number(revision) - 1];
    if (!found) throw clientError("Unable to describe task definition.");
    return found;
  }
}

/** The model's TaskDefinition. */
export function taskDefinitionView(record: TaskDefinitionRecord) {
  return {
    taskDefinitionArn: record.taskDefinitionArn,
    family: record.family,
    revision: record.revision,
    containerDefinitions: record.containerDefinitions,
    ...record.rest,
    status: "ACTIVE",
    compatibilities: ["EC2", "FARGATE"],
    registeredAt: new Date(record.registeredAt),
    registeredBy: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/local-deploy/local-aws`,
  };
}
