import { createHash } from "node:crypto";
import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";

/**
 * The simulation's model of what AWS holds: one Lightsail container service with its deployments, one ECR
 * repository, and Parameter Store. Plain data, so that a run killed mid-way leaves it as AWS would be left,
 * and a re-run starts from exactly that. Lightsail semantics follow /work/shared/reference/lightsail-ecr-api.md
 * and local-aws/src/lightsail (the stand-in): a Create while a deployment is ACTIVATING is refused with
 * InvalidInputException (transition state); ACTIVATING ends ACTIVE (the previous ACTIVE turns INACTIVE) or
 * FAILED (the previous keeps serving); the latest 50 versions are kept; the service is DEPLOYING meanwhile.
 */

export const SERVICE = "demo";
export const REGION = "eu-west-1";
export const REPOSITORY = "app";
export const REPOSITORY_URI = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/app";
export const PRINCIPAL =
  "arn:aws:iam::111111111111:role/amazon/lightsail/eu-west-1/containers/demo/private-repo-access/x";
export const SSM_PATH = "/demo/env/";
export const KEPT_VERSIONS = 50;

/** What an image does once it serves: the truth the invariants judge the action's claims by. */
export type Quality =
  /** Answers 2xx. */
  | "good"
  /** Its containers fail Lightsail's health check: the deployment ends FAILED. */
  | "fails-health"
  /** Passes Lightsail's health check (ACTIVE) but answers 500 to the action's probe. */
  | "fails-probe"
  /** Answers the first BAKE_GRACE requests, then 500: only a bake window catches it. */
  | "fails-bake";

export const BAKE_GRACE = 30;

export interface Image {
  digest: string;
  /** The config digest (`docker image inspect` Id of the local image it was pushed from). */
  configDigest: string;
  tags: string[];
  quality: Quality;
  /** Lines the app prints at start (what GetContainerLog returns for a deployment running it). */
  logLines: string[];
}

export interface SimDeployment {
  version: number;
  state: "ACTIVATING" | "ACTIVE" | "INACTIVE" | "FAILED";
  createdAt: number;
  /** Model time at which an ACTIVATING deployment settles. */
  settleAt: number;
  containers: NonNullable<ContainerServiceDeployment["containers"]>;
  publicEndpoint: ContainerServiceDeployment["publicEndpoint"];
  /** Requests the public endpoint answered while this deployment served (fails-bake counts them). */
  served: number;
}

export interface Parameter {
  value: string;
  version: number;
  type: string;
}

export interface World {
  now: number;
  deployments: SimDeployment[];
  /** ECR: digest → image; and the tag index. */
  images: Map<string, Image>;
  tags: Map<string, string>;
  parameters: Map<string, Parameter>;
  ecrPassword: string;
  /** How long a new deployment takes to settle (model ms), drawn per scenario. */
  activationMs: number;
  /** The next image a `docker push` of the local image `local/app:<tag>` creates, by tag. */
  localImages: Map<string, { configDigest: string; quality: Quality; logLines: string[] }>;
}

export function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

export function imageRef(tag: string): string {
  return `${REPOSITORY_URI}:${tag}`;
}

export function publicImageOf(
  d:
    | { containers?: SimDeployment["containers"]; publicEndpoint?: SimDeployment["publicEndpoint"] }
    | undefined,
): string | undefined {
  if (!d?.containers) return undefined;
  const name = d.publicEndpoint?.containerName ?? Object.keys(d.containers)[0] ?? "";
  return d.containers[name]?.image;
}

/** The image a reference names in the repository (by digest or tag), if ECR holds it. */
export function resolveImage(world: World, reference: string | undefined): Image | undefined {
  if (!reference) return undefined;
  const at = reference.indexOf("@");
  if (at >= 0) return world.images.get(reference.slice(at + 1));
  if (!reference.startsWith(`${REPOSITORY_URI}:`)) return undefined;
  const digest = world.tags.get(reference.slice(REPOSITORY_URI.length + 1));
  return digest ? world.images.get(digest) : undefined;
}

export function qualityOf(world: World, d: SimDeployment | undefined): Quality | undefined {
  return d ? (resolveImage(world, publicImageOf(d))?.quality ?? "fails-health") : undefined;
}

export function active(world: World): SimDeployment | undefined {
  return world.deployments.find((d) => d.state === "ACTIVE");
}

/** Lightsail moves on with time: every ACTIVATING deployment whose time has come settles. */
export function settle(world: World): void {
  for (const d of [...world.deployments].sort((a, b) => a.version - b.version)) {
    if (d.state !== "ACTIVATING" || d.settleAt > world.now) continue;
    if (qualityOf(world, d) === "fails-health") {
      d.state = "FAILED";
      continue;
    }
    const previous = active(world);
    if (previous) previous.state = "INACTIVE";
    d.state = "ACTIVE";
  }
}

export function serviceState(world: World): "RUNNING" | "READY" | "DEPLOYING" {
  if (world.deployments.some((d) => d.state === "ACTIVATING")) return "DEPLOYING";
  return active(world) ? "RUNNING" : "READY";
}

export function pushImage(world: World, tag: string): void {
  const local = world.localImages.get(tag);
  if (!local) throw new Error(`no local image for tag ${tag}`);
  const digest = sha256(`manifest:${local.configDigest}`);
  const existing = world.images.get(digest);
  const previous = world.tags.get(tag);
  if (previous && previous !== digest) {
    const old = world.images.get(previous);
    if (old) old.tags = old.tags.filter((t) => t !== tag);
  }
  world.tags.set(tag, digest);
  if (existing) {
    if (!existing.tags.includes(tag)) existing.tags.push(tag);
    return;
  }
  world.images.set(digest, {
    digest,
    configDigest: local.configDigest,
    tags: [tag],
    quality: local.quality,
    logLines: local.logLines,
  });
}

/** An image already in ECR (the scenario's history). */
export function addImage(world: World, tag: string, quality: Quality, logLines: string[] = []): Image {
  const configDigest = sha256(`config:${tag}`);
  world.localImages.set(tag, { configDigest, quality, logLines });
  pushImage(world, tag);
  return world.images.get(world.tags.get(tag) as string) as Image;
}

export function deploymentOf(
  version: number,
  state: SimDeployment["state"],
  image: string,
  environment: Record<string, string>,
  createdAt: number,
): SimDeployment {
  return {
    version,
    state,
    createdAt,
    settleAt: createdAt,
    served: 0,
    containers: { app: { image, environment, ports: { "8080": "HTTP" } } },
    publicEndpoint: {
      containerName: "app",
      containerPort: 8080,
      healthCheck: { path: "/health", intervalSeconds: 5, healthyThreshold: 2, successCodes: "200-299" },
    },
  };
}

/** What a client sees: the API's shape, dates as Dates, copies so the action cannot change the model. */
export function deploymentView(d: SimDeployment): ContainerServiceDeployment {
  return {
    version: d.version,
    state: d.state,
    createdAt: new Date(d.createdAt),
    // Copies (the action must not change the model), by hand: structuredClone dominated the profile.
    containers: Object.fromEntries(
      Object.entries(d.containers).map(([name, c]) => [
        name,
        { ...c, environment: { ...c.environment }, ports: { ...c.ports } },
      ]),
    ),
    publicEndpoint: d.publicEndpoint && {
      ...d.publicEndpoint,
      healthCheck: { ...d.publicEndpoint.healthCheck },
    },
  };
}
