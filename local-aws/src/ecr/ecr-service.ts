import { createHash } from "node:crypto";
import { ACCOUNT_ID } from "../model/account.js";
import { REPOSITORY_NAME } from "../model/limits.js";
import { AwsError } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";
import type { RepositoryRecord } from "../state/state.js";
import type { StateStore } from "../state/state-store.js";
import {
  configMediaType,
  decodeToken,
  encodeToken,
  type ImageId,
  imageIdText,
  manifestMediaType,
  readImageIds,
  readRegistryId,
  repositoryNameRules,
} from "./ecr-fields.js";
import { MANIFEST_MEDIA_TYPES, type Manifest, manifestSize, type RegistryBackend } from "./registry.js";
import { repositoryPolicyHandlers } from "./repository-policies.js";

const TOKEN_LIFETIME_SECONDS = 12 * 3600;
/** DescribeRepositories and DescribeImages return up to 100 results when maxResults is not given (model docs). */
const DEFAULT_PAGE_SIZE = 100;

/** ECR operations answered from the real registry's HTTP API plus the repository records in the state. */
export class EcrService {
  constructor(
    private readonly store: StateStore,
    private readonly registry: RegistryBackend,
    private readonly region: string,
    private readonly now: () => number,
  ) {}

  private repository(name: string): RepositoryRecord {
    const record = this.store.state.repositories[name];
    if (!record) {
      throw new AwsError(
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT_ID}'`,
      );
    }
    return record;
  }

  private describeRepository(record: RepositoryRecord) {
    return {
      repositoryArn: `arn:aws:ecr:${this.region}:${ACCOUNT_ID}:repository/${record.name}`,
      registryId: ACCOUNT_ID,
      repositoryName: record.name,
      repositoryUri: `${this.registry.host}/${record.name}`,
      createdAt: record.createdAt,
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: "AES256" },
    };
  }

  readonly handlers: Record<string, (body: unknown) => Promise<unknown>> = {
    GetAuthorizationToken: async (body) => {
      const fields = Fields.of("ecr", body);
      const ids = fields.stringList("registryIds", {
        min: 1,
        max: 10,
        item: { pattern: /^[0-9]{12}$/, patternText: "[0-9]{12}" },
      });
      const token = Buffer.from(`${this.registry.username}:${this.registry.password}`).toString("base64");
      const expiresAt = Math.floor(this.now() / 1000) + TOKEN_LIFETIME_SECONDS;
      return {
        authorizationData: (ids ?? [ACCOUNT_ID]).map(() => ({
          authorizationToken: token,
          expiresAt,
          proxyEndpoint: this.registry.endpoint,
        })),
      };
    },

    DescribeRepositories: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const names = fields.stringList("repositoryNames", {
        min: 1,
        max: 100,
        item: { min: 2, max: 256, pattern: REPOSITORY_NAME },
      });
      const maxResults = fields.integer("maxResults", { min: 1, max: 1000 });
      const nextToken = fields.string("nextToken");
      if (names && (maxResults !== undefined || nextToken !== undefined)) {
        throw fields.fail(
          "maxResults",
          maxResults ?? nextToken,
          "cannot be used together with repositoryNames",
        );
      }
      if (names) return { repositories: names.map((name) => this.describeRepository(this.repository(name))) };
      const all = Object.values(this.store.state.repositories).sort((a, b) => a.name.localeCompare(b.name));
      const offset = decodeToken(nextToken, fields);
      const page = all.slice(offset, offset + (maxResults ?? DEFAULT_PAGE_SIZE));
      const end = offset + page.length;
      return {
        repositories: page.map((record) => this.describeRepository(record)),
        ...(end < all.length ? { nextToken: encodeToken(end) } : {}),
      };
    },

    CreateRepository: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      fields.string("imageTagMutability", { oneOf: ["MUTABLE", "IMMUTABLE"] });
      if (this.store.state.repositories[name]) {
        throw new AwsError(
          "RepositoryAlreadyExistsException",
          `The repository with name '${name}' already exists in the registry with id '${ACCOUNT_ID}'`,
        );
      }
      const record: RepositoryRecord = { name, createdAt: Math.floor(this.now() / 1000), createdByApi: true };
      this.store.state.repositories[name] = record;
      this.store.save();
      return { repository: this.describeRepository(record) };
    },

    DescribeImages: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const imageIds = readImageIds(fields, false);
      const maxResults = fields.integer("maxResults", { min: 1, max: 1000 });
      const nextToken = fields.string("nextToken");
      const tagStatus = fields
        .object("filter")
        ?.string("tagStatus", { oneOf: ["TAGGED", "UNTAGGED", "ANY"] });
      if (imageIds && (maxResults !== undefined || nextToken !== undefined)) {
        throw fields.fail("maxResults", maxResults ?? nextToken, "cannot be used together with imageIds");
      }
      this.repository(name);
      const details = await this.imageDetails(name);
      if (imageIds) {
        return {
          imageDetails: imageIds.map((id) => {
            const found = details.find(
              (d) =>
                (id.imageDigest === undefined || d.imageDigest === id.imageDigest) &&
                (id.imageTag === undefined || d.imageTags.includes(id.imageTag)),
            );
            if (!found) {
              throw new AwsError(
                "ImageNotFoundException",
                `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${name}' in the registry with id '${ACCOUNT_ID}'`,
              );
            }
            return found;
          }),
        };
      }
      // The registry API cannot list untagged manifests, so UNTAGGED finds nothing.
      const listed = tagStatus === "UNTAGGED" ? [] : details;
      const offset = decodeToken(nextToken, fields);
      const page = listed.slice(offset, offset + (maxResults ?? DEFAULT_PAGE_SIZE));
      const end = offset + page.length;
      return { imageDetails: page, ...(end < listed.length ? { nextToken: encodeToken(end) } : {}) };
    },

    BatchGetImage: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const imageIds = readImageIds(fields, true) as ImageId[];
      const accepted = fields.stringList("acceptedMediaTypes", {
        min: 1,
        max: 100,
        item: { min: 1, max: 255 },
      });
      this.repository(name);
      const accept = accepted ?? [MANIFEST_MEDIA_TYPES[0], MANIFEST_MEDIA_TYPES[1]];
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds) {
        const failure = (failureCode: string, failureReason: string) =>
          failures.push({ imageId: id, failureCode, failureReason });
        if (!id.imageTag && !id.imageDigest) {
          failure("MissingDigestAndTag", "Requested image digest and tag are both missing");
          continue;
        }
        const manifest = await this.registry.getManifest(
          name,
          (id.imageDigest ?? id.imageTag) as string,
          accept,
        );
        if (!manifest) {
          failure("ImageNotFound", "Requested image not found");
          continue;
        }
        if (id.imageDigest && id.imageTag) {
          const tagged = await this.registry.getManifest(name, id.imageTag, accept);
          if (tagged?.digest !== manifest.digest) {
            failure("ImageTagDoesNotMatchDigest", "Invalid image tag for the provided digest");
            continue;
          }
        }
        images.push({
          registryId: ACCOUNT_ID,
          repositoryName: name,
          imageId: { imageDigest: manifest.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
          imageManifest: manifest.body,
          imageManifestMediaType: manifest.mediaType,
        });
      }
      return { images, failures };
    },

    // Only what a deploy needs: a tag for a manifest already in the repository, or a manifest whose blobs
    // were pushed (docker push ends that way). Tags are mutable here (see README, "ECR").
    PutImage: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const imageManifest = fields.string("imageManifest", { required: true, min: 1, max: 4_194_304 });
      const mediaType = fields.string("imageManifestMediaType");
      const imageTag = fields.string("imageTag", { min: 1, max: 300 });
      const imageDigest = fields.string("imageDigest");
      this.repository(name);
      const digest = `sha256:${createHash("sha256").update(imageManifest).digest("hex")}`;
      if (imageDigest !== undefined && imageDigest !== digest) {
        throw new AwsError(
          "ImageDigestDoesNotMatchException",
          `The image digest '${imageDigest}' does not match the digest '${digest}' of the image manifest`,
        );
      }
      const type = mediaType ?? manifestMediaType(imageManifest);
      const reference = imageTag ?? digest;
      const existing = await this.registry.getManifest(name, reference, MANIFEST_MEDIA_TYPES);
      if (existing?.digest === digest) {
        throw new AwsError(
          "ImageAlreadyExistsException",
          `Image with digest '${digest}'${imageTag ? ` and tag '${imageTag}'` : ""} already exists in the repository with name '${name}' in registry with id '${ACCOUNT_ID}'`,
        );
      }
      try {
        await this.registry.putManifest(name, reference, imageManifest, type);
      } catch (error) {
        if ((error as Error).message !== "missing-blobs") throw error;
        throw new AwsError(
          "LayersNotFoundException",
          "The image manifest references layers that are not in the repository; push them first",
        );
      }
      return {
        image: {
          registryId: ACCOUNT_ID,
          repositoryName: name,
          imageId: { imageDigest: digest, ...(imageTag ? { imageTag } : {}) },
          imageManifest,
          imageManifestMediaType: type,
        },
      };
    },
    ...repositoryPolicyHandlers({
      repository: (name) => this.repository(name),
      save: () => this.store.save(),
    }),
  };

  /** One entry per digest, tags grouped, size from the manifest, push time from the registry's storage. */
  private async imageDetails(name: string) {
    const tags = await this.registry.listTags(name);
    const byDigest = new Map<string, { manifest: Manifest; tags: string[]; pushedAt: number }>();
    for (const tag of tags.sort()) {
      const manifest = await this.registry.getManifest(name, tag, MANIFEST_MEDIA_TYPES);
      if (!manifest) continue;
      const pushedAt = (await this.registry.pushedAt(name, tag)) ?? Math.floor(this.now() / 1000);
      const entry = byDigest.get(manifest.digest);
      if (entry) {
        entry.tags.push(tag);
        entry.pushedAt = Math.max(entry.pushedAt, pushedAt);
      } else {
        byDigest.set(manifest.digest, { manifest, tags: [tag], pushedAt });
      }
    }
    return [...byDigest.values()]
      .sort((a, b) => b.pushedAt - a.pushedAt)
      .map(({ manifest, tags: imageTags, pushedAt }) => ({
        registryId: ACCOUNT_ID,
        repositoryName: name,
        imageDigest: manifest.digest,
        imageTags,
        imageSizeInBytes: manifestSize(manifest.body),
        imagePushedAt: pushedAt,
        imageManifestMediaType: manifest.mediaType,
        artifactMediaType: configMediaType(manifest.body),
      }));
  }
}
