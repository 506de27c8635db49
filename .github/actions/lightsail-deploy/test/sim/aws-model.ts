import type { AwsClients } from "../../src/targets/lightsail/clients.js";
import { type FaultKind, faultError, refusal, type Service } from "./faults.js";
import {
  active,
  deploymentView,
  KEPT_VERSIONS,
  PRINCIPAL,
  REGION,
  REPOSITORY,
  REPOSITORY_URI,
  resolveImage,
  SERVICE,
  type SimDeployment,
  serviceState,
  settle,
  type World,
} from "./world.js";

/** Thrown at every call once the schedule kills the run: its promise chain stops there. */
export class Killed extends Error {
  constructor() {
    super("the runner was killed");
    this.name = "Killed";
  }
}

/** A fault on the `nth` to `nth + times - 1` calls (0-based, this run) of one AWS operation. */
export interface CallFault {
  command: string;
  nth: number;
  times: number;
  kind: FaultKind;
}

/** A write to the release record by someone else, before the run's `at`-th step. */
export type RecordOpKind = "empty" | "corrupt-legacy" | "corrupt-entry" | "fill" | "concurrent";
export interface RecordOp {
  at: number;
  kind: RecordOpKind;
}

/** Which (operation × fault) pairs the schedule reached, and how often; "ok" for a call that went through. */
export type Coverage = Map<string, Map<string, number>>;

export function countCoverage(coverage: Coverage, command: string, what: string): void {
  const row = coverage.get(command) ?? new Map<string, number>();
  row.set(what, (row.get(what) ?? 0) + 1);
  coverage.set(command, row);
}

/** One run's view of the world: its schedule of faults, its kill point, and its step counter. */
export class Session {
  steps = 0;
  killed = false;
  private readonly calls = new Map<string, number>();
  constructor(
    readonly world: World,
    private readonly faults: readonly CallFault[],
    private readonly killAt: number | undefined,
    private readonly recordOps: readonly RecordOp[],
    readonly coverage: Coverage,
    private readonly applyRecordOp: (kind: RecordOpKind) => void,
  ) {}

  /** Every side effect of the run passes here: a kill point, someone else's record write, time's effects. */
  step(): void {
    if (this.killed) throw new Killed();
    for (const op of this.recordOps) if (op.at === this.steps) this.applyRecordOp(op.kind);
    this.steps++;
    if (this.killAt !== undefined && this.steps > this.killAt) {
      this.killed = true;
      throw new Killed();
    }
    settle(this.world);
  }

  /** The fault scheduled for this call of `command`, if any. */
  faultFor(command: string): FaultKind | undefined {
    const n = this.calls.get(command) ?? 0;
    this.calls.set(command, n + 1);
    return this.faults.find((f) => f.command === command && n >= f.nth && n < f.nth + f.times)?.kind;
  }
}

type Handler = (input: Record<string, unknown>, world: World) => unknown;

function lightsailHandlers(): Record<string, Handler> {
  const transition = () =>
    refusal(
      "lightsail",
      "InvalidInputException",
      `Cannot create a deployment: the container service "${SERVICE}" is in a transition state ("DEPLOYING"). Wait until it is READY or RUNNING, then try again.`,
    );
  const notFound = (name: unknown) =>
    refusal(
      "lightsail",
      "NotFoundException",
      `The container service "${String(name)}" does not exist in ${REGION}.`,
    );
  const serviceView = (world: World) => {
    const current = active(world);
    const next = world.deployments.find((d) => d.state === "ACTIVATING");
    return {
      containerServiceName: SERVICE,
      state: serviceState(world),
      power: "nano",
      scale: 1,
      isDisabled: false,
      url: "https://demo.abc123.eu-west-1.cs.amazonlightsail.com/",
      ...(current ? { currentDeployment: deploymentView(current) } : {}),
      ...(next ? { nextDeployment: deploymentView(next) } : {}),
      privateRegistryAccess: { ecrImagePullerRole: { isActive: true, principalArn: PRINCIPAL } },
    };
  };
  return {
    GetContainerServicesCommand: (input, world) => {
      if (input.serviceName !== SERVICE) throw notFound(input.serviceName);
      return { containerServices: [serviceView(world)] };
    },
    GetContainerServiceDeploymentsCommand: (input, world) => {
      if (input.serviceName !== SERVICE) throw notFound(input.serviceName);
      // Newest first, as the stand-in answers; the action sorts by version itself.
      return {
        deployments: [...world.deployments].sort((a, b) => b.version - a.version).map(deploymentView),
      };
    },
    CreateContainerServiceDeploymentCommand: (input, world) => {
      if (input.serviceName !== SERVICE) throw notFound(input.serviceName);
      if (serviceState(world) === "DEPLOYING") throw transition();
      const version = Math.max(0, ...world.deployments.map((d) => d.version)) + 1;
      const created: SimDeployment = {
        version,
        state: "ACTIVATING",
        createdAt: world.now,
        settleAt: world.now + world.activationMs,
        served: 0,
        containers: structuredClone(input.containers) as SimDeployment["containers"],
        publicEndpoint: structuredClone(input.publicEndpoint) as SimDeployment["publicEndpoint"],
      };
      world.deployments.push(created);
      const sorted = [...world.deployments].sort((a, b) => b.version - a.version);
      const dropped = sorted.slice(KEPT_VERSIONS).filter((d) => d.state !== "ACTIVE");
      world.deployments = world.deployments.filter((d) => !dropped.includes(d));
      return { containerService: serviceView(world) };
    },
    GetContainerLogCommand: (input, world) => {
      const start = input.startTime instanceof Date ? input.startTime.getTime() : 0;
      const logEvents = world.deployments
        .filter((d) => d.createdAt >= start && String(input.containerName) in d.containers)
        .flatMap((d) =>
          (resolveImage(world, d.containers[input.containerName as string]?.image)?.logLines ?? []).map(
            (message) => ({ createdAt: new Date(d.createdAt + 1000), message }),
          ),
        );
      return { logEvents };
    },
    GetContainerServicePowersCommand: () => ({ powers: [{ name: "nano", powerId: "nano-1", price: 7 }] }),
  };
}

function imageIdOf(id: Record<string, unknown>) {
  return typeof id.imageDigest === "string" ? id.imageDigest : `tag:${String(id.imageTag)}`;
}

function findImage(world: World, id: Record<string, unknown>) {
  if (typeof id.imageDigest === "string") return world.images.get(id.imageDigest);
  const digest = world.tags.get(String(id.imageTag));
  return digest ? world.images.get(digest) : undefined;
}

function manifestOf(configDigest: string): string {
  return JSON.stringify({ schemaVersion: 2, config: { digest: configDigest } });
}

function ecrHandlers(): Record<string, Handler> {
  const checkRepository = (input: Record<string, unknown>) => {
    if (input.repositoryName !== REPOSITORY)
      throw refusal(
        "ecr",
        "RepositoryNotFoundException",
        `The repository '${String(input.repositoryName)}' does not exist`,
      );
  };
  return {
    DescribeRepositoriesCommand: () => ({
      repositories: [
        {
          repositoryName: REPOSITORY,
          repositoryUri: REPOSITORY_URI,
          repositoryArn: `arn:aws:ecr:${REGION}:111111111111:repository/${REPOSITORY}`,
        },
      ],
    }),
    GetRepositoryPolicyCommand: () => ({
      policyText: JSON.stringify({
        Version: "2008-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: PRINCIPAL },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          },
        ],
      }),
    }),
    DescribeImagesCommand: (input, world) => {
      checkRepository(input);
      const ids = (input.imageIds as Record<string, unknown>[] | undefined) ?? [];
      const imageDetails = ids.map((id) => {
        const image = findImage(world, id);
        if (!image)
          throw refusal(
            "ecr",
            "ImageNotFoundException",
            `The image with imageId {${imageIdOf(id)}} does not exist within the repository with name '${REPOSITORY}'`,
          );
        return { imageDigest: image.digest, imageTags: [...image.tags] };
      });
      return { imageDetails };
    },
    BatchGetImageCommand: (input, world) => {
      checkRepository(input);
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of (input.imageIds as Record<string, unknown>[]) ?? []) {
        const image = findImage(world, id);
        if (image)
          images.push({
            imageId: { imageDigest: image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
            imageManifest: manifestOf(image.configDigest),
            imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
          });
        else
          failures.push({
            imageId: id,
            failureCode: "ImageNotFound",
            failureReason: "Requested image not found",
          });
      }
      return { images, failures };
    },
    PutImageCommand: (input, world) => {
      checkRepository(input);
      const digest = input.imageDigest as string;
      const image = world.images.get(digest);
      if (!image) throw refusal("ecr", "ImageDigestDoesNotMatchException", "no such manifest");
      const tag = input.imageTag as string;
      if (world.tags.get(tag) === digest)
        throw refusal(
          "ecr",
          "ImageAlreadyExistsException",
          `Image with digest '${digest}' and tag '${tag}' already exists`,
        );
      const previous = world.tags.get(tag);
      const old = previous ? world.images.get(previous) : undefined;
      if (old) old.tags = old.tags.filter((t) => t !== tag);
      image.tags.push(tag);
      world.tags.set(tag, digest);
      return { image: { imageId: { imageDigest: digest, imageTag: tag } } };
    },
    GetAuthorizationTokenCommand: (_input, world) => ({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${world.ecrPassword}`).toString("base64"),
          proxyEndpoint: `https://${REPOSITORY_URI.split("/")[0]}`,
        },
      ],
    }),
  };
}

/** Parameter Store: names, values, Overwrite, by-path reads (10 a page, direct children unless Recursive). */
function ssmHandlers(): Record<string, Handler> {
  const PAGE = 10;
  return {
    GetParameterCommand: (input, world) => {
      const parameter = world.parameters.get(input.Name as string);
      if (!parameter) throw refusal("ssm", "ParameterNotFound", "");
      return {
        Parameter: {
          Name: input.Name,
          Value: parameter.value,
          Type: parameter.type,
          Version: parameter.version,
        },
      };
    },
    GetParametersByPathCommand: (input, world) => {
      const path = (input.Path as string).endsWith("/") ? (input.Path as string) : `${input.Path as string}/`;
      const names = [...world.parameters.keys()]
        .filter(
          (name) =>
            name.startsWith(path) && (input.Recursive === true || !name.slice(path.length).includes("/")),
        )
        .sort();
      const offset = input.NextToken === undefined ? 0 : Number(input.NextToken);
      const page = names.slice(offset, offset + PAGE);
      const next = offset + PAGE < names.length ? String(offset + PAGE) : undefined;
      return {
        Parameters: page.map((name) => {
          const p = world.parameters.get(name) as { value: string; type: string; version: number };
          return { Name: name, Value: p.value, Type: p.type, Version: p.version };
        }),
        ...(next ? { NextToken: next } : {}),
      };
    },
    PutParameterCommand: (input, world) => {
      const name = input.Name as string;
      const value = input.Value as string;
      if (Buffer.byteLength(value) > 4096)
        throw refusal(
          "ssm",
          "ValidationException",
          "Standard tier parameters support a maximum parameter value of 4096 characters.",
        );
      const existing = world.parameters.get(name);
      if (existing && input.Overwrite !== true)
        throw refusal(
          "ssm",
          "ParameterAlreadyExists",
          "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
        );
      const version = (existing?.version ?? 0) + 1;
      world.parameters.set(name, { value, type: (input.Type as string) ?? "String", version });
      return { Version: version, Tier: "Standard" };
    },
    DeleteParametersCommand: (input, world) => {
      const names = (input.Names as string[]) ?? [];
      const deleted = names.filter((name) => world.parameters.delete(name));
      return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
    },
  };
}

const HANDLERS: Record<Service, Record<string, Handler>> = {
  lightsail: lightsailHandlers(),
  ecr: ecrHandlers(),
  ssm: ssmHandlers(),
};

/** Every operation the model answers, by service (the schedule draws its faults from these). */
export const OPERATIONS: Record<Service, string[]> = {
  lightsail: Object.keys(HANDLERS.lightsail),
  ecr: Object.keys(HANDLERS.ecr),
  ssm: Object.keys(HANDLERS.ssm),
};

/** A client whose `send` is the model (with the schedule's faults): what the action's `Deps.aws` returns. */
function client(service: Service, session: Session) {
  return {
    send: async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      session.step();
      const name = command.constructor.name;
      const handler = HANDLERS[service][name];
      if (!handler) throw new Error(`the simulation does not model ${service} ${name}`);
      const answer = () => handler(structuredClone(command.input), session.world);
      const fault = session.faultFor(name);
      countCoverage(session.coverage, name, fault ?? "ok");
      if (fault === undefined) return answer();
      if (fault !== "lost-answer") throw faultError(fault, service, name);
      // Processed, answer lost; the SDK's retry is processed as well, and its answer (or refusal) stands.
      try {
        answer();
      } catch {
        // The first attempt's own refusal was lost with its answer.
      }
      return answer();
    },
  };
}

export function modelClients(session: Session): AwsClients {
  const ssm = client("ssm", session);
  return {
    lightsail: client("lightsail", session) as unknown as AwsClients["lightsail"],
    ecr: client("ecr", session) as unknown as AwsClients["ecr"],
    ssm: async () => ssm as unknown as Awaited<ReturnType<AwsClients["ssm"]>>,
  };
}
