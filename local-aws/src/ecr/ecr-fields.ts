import { REPOSITORY_NAME } from "../model/limits.js";
import { Fields } from "../protocol/fields.js";
import { MANIFEST_MEDIA_TYPES } from "./registry.js";

// The request fields ECR's operations share, and what an answer reads from a manifest.

export interface ImageId {
  imageTag?: string;
  imageDigest?: string;
}

export const repositoryNameRules = {
  required: true as const,
  min: 2,
  max: 256,
  pattern: REPOSITORY_NAME,
  patternText: "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
};
export const DIGEST = /^[0-9a-z-+.]+:[0-9a-f]{32,128}$/;

export function readRegistryId(fields: Fields): void {
  fields.string("registryId", { pattern: /^[0-9]{12}$/, patternText: "[0-9]{12}" });
}

export function readImageIds(fields: Fields, required: boolean): ImageId[] | undefined {
  const raw = fields.array("imageIds", { min: 1, max: 100, required });
  return raw?.map((item, index) => {
    const id = Fields.of("ecr", item, `imageIds[${index}]`);
    const imageTag = id.string("imageTag", { min: 1, max: 300 });
    const imageDigest = id.string("imageDigest", { pattern: DIGEST, patternText: "sha256:<hex>" });
    return { ...(imageTag ? { imageTag } : {}), ...(imageDigest ? { imageDigest } : {}) };
  });
}

export function decodeToken(token: string | undefined, field: Fields): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isInteger(offset) || offset < 0)
    throw field.fail("nextToken", token, "must be a token from a previous response");
  return offset;
}

export function encodeToken(offset: number): string {
  return Buffer.from(String(offset)).toString("base64url");
}

export function imageIdText(id: ImageId): string {
  return `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;
}

/** The manifest's own `mediaType`, else Docker's v2 manifest (what the registry assumes too). */
export function manifestMediaType(body: string): string {
  try {
    return (JSON.parse(body) as { mediaType?: string }).mediaType ?? MANIFEST_MEDIA_TYPES[0];
  } catch {
    return MANIFEST_MEDIA_TYPES[0];
  }
}

export function configMediaType(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { config?: { mediaType?: string } }).config?.mediaType;
  } catch {
    return undefined;
  }
}
