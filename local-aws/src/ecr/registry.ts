/** The image store behind the ECR emulation: a real registry in production, in memory in unit tests. */
export interface Manifest {
  body: string;
  mediaType: string;
  digest: string;
}

export interface RegistryBackend {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** `127.0.0.1:<port>`: the docker login host and the host part of repositoryUri. */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  catalog(): Promise<string[]>;
  /** Tags of a repository; empty when nothing was pushed to it yet. */
  listTags(repository: string): Promise<string[]>;
  /** The manifest for a tag or digest, undefined when it does not exist. */
  getManifest(
    repository: string,
    reference: string,
    accept: readonly string[],
  ): Promise<Manifest | undefined>;
  /**
   * Stores `body` under `tag` (PUT of the manifest, as a push ends); returns its digest. Fails with
   * `missing-blobs` when the manifest names blobs the repository does not hold.
   */
  putManifest(repository: string, tag: string, body: string, mediaType: string): Promise<string>;
  /** When the tag was last pushed (epoch seconds), if known. */
  pushedAt(repository: string, tag: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
] as const;

/** Bytes of an image as ECR counts them: the config and layer blobs the manifest references. */
export function manifestSize(body: string): number {
  try {
    const manifest = JSON.parse(body) as {
      config?: { size?: number };
      layers?: { size?: number }[];
      manifests?: { size?: number }[];
    };
    const parts = [manifest.config, ...(manifest.layers ?? []), ...(manifest.manifests ?? [])];
    return parts.reduce((total, part) => total + (part?.size ?? 0), 0);
  } catch {
    return 0;
  }
}
