import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bcryptHtpasswdLine } from "./bcrypt-line.js";
import { MANIFEST_MEDIA_TYPES, type Manifest, type RegistryBackend } from "./registry.js";

export interface RegistryProcessOptions {
  stateDir: string;
  port: number;
  binary?: string;
}

const USERNAME = "AWS";

/** Reads the registry password kept in the state dir, creating it (mode 0600) on first use. */
function registryPassword(dir: string): string {
  const file = join(dir, "password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(24).toString("base64url");
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/** Debian's docker-registry on 127.0.0.1 with htpasswd (bcrypt) auth and storage under the state dir. */
export class RegistryProcess implements RegistryBackend {
  readonly endpoint: string;
  readonly host: string;
  readonly username = USERNAME;

  private constructor(
    readonly password: string,
    private readonly storageDir: string,
    port: number,
    private readonly child: ChildProcess,
  ) {
    this.host = `127.0.0.1:${port}`;
    this.endpoint = `http://${this.host}`;
  }

  static async start(options: RegistryProcessOptions): Promise<RegistryProcess> {
    const dir = join(options.stateDir, "registry");
    const storageDir = join(dir, "storage");
    mkdirSync(storageDir, { recursive: true });
    const password = registryPassword(dir);
    const htpasswdFile = join(dir, "htpasswd");
    writeFileSync(htpasswdFile, `${await bcryptHtpasswdLine(USERNAME, password)}\n`, { mode: 0o600 });
    const configFile = join(dir, "config.yml");
    // JSON is valid YAML, which is what the registry reads.
    const config = {
      version: 0.1,
      log: { level: "warn", accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${options.port}`, secret: randomBytes(16).toString("hex") },
      auth: { htpasswd: { realm: "local-aws", path: htpasswdFile } },
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
    const child = spawn(options.binary ?? "/usr/bin/docker-registry", ["serve", configFile], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    // The registry's own log goes to a file: its auth-challenge warnings are normal and would drown ours.
    const logFile = createWriteStream(join(dir, "registry.log"), { flags: "a" });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = `${output}${chunk.toString("utf8")}`.slice(-4000);
      logFile.write(chunk);
    };
    child.on("exit", () => logFile.end());
    let spawnError: Error | undefined;
    child.on("error", (error) => {
      spawnError = error;
    });
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const registry = new RegistryProcess(password, storageDir, options.port, child);
    await registry.waitUntilAnswering(
      () => (spawnError ? `${spawnError.message} ${output}` : output),
      () => spawnError,
    );
    return registry;
  }

  private async waitUntilAnswering(output: () => string, spawnError: () => Error | undefined): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const error = spawnError();
      if (error)
        throw new Error(`cannot run the registry binary: ${error.message} (apt-get install docker-registry)`);
      if (this.child.exitCode !== null) {
        throw new Error(`docker-registry exited with code ${this.child.exitCode}: ${output().trim()}`);
      }
      try {
        const response = await fetch(`${this.endpoint}/v2/`, { headers: this.authHeader() });
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child.kill("SIGTERM");
    throw new Error(`docker-registry did not answer on ${this.endpoint} within 15 s: ${output().trim()}`);
  }

  private authHeader(): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}` };
  }

  private async get(path: string, accept?: readonly string[]): Promise<Response> {
    const headers: Record<string, string> = this.authHeader();
    if (accept) headers.Accept = accept.join(", ");
    return fetch(`${this.endpoint}${path}`, { headers });
  }

  async catalog(): Promise<string[]> {
    const response = await this.get("/v2/_catalog?n=1000");
    if (!response.ok) throw new Error(`registry catalog answered ${response.status}`);
    return ((await response.json()) as { repositories?: string[] }).repositories ?? [];
  }

  async listTags(repository: string): Promise<string[]> {
    const response = await this.get(`/v2/${repository}/tags/list`);
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`registry tags/list for ${repository} answered ${response.status}`);
    return ((await response.json()) as { tags?: string[] | null }).tags ?? [];
  }

  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[],
  ): Promise<Manifest | undefined> {
    const response = await this.get(
      `/v2/${repository}/manifests/${reference}`,
      accept.length ? accept : MANIFEST_MEDIA_TYPES,
    );
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`registry manifest ${repository}:${reference} answered ${response.status}`);
    const body = await response.text();
    return {
      body,
      mediaType: response.headers.get("content-type") ?? MANIFEST_MEDIA_TYPES[0],
      digest: response.headers.get("docker-content-digest") ?? "",
    };
  }

  async putManifest(repository: string, tag: string, body: string, mediaType: string): Promise<string> {
    const response = await fetch(`${this.endpoint}/v2/${repository}/manifests/${tag}`, {
      method: "PUT",
      headers: { ...this.authHeader(), "Content-Type": mediaType },
      body,
    });
    if (response.status === 400 && (await response.text()).includes("BLOB_UNKNOWN"))
      throw new Error("missing-blobs");
    if (!response.ok)
      throw new Error(`registry manifest PUT ${repository}:${tag} answered ${response.status}`);
    return response.headers.get("docker-content-digest") ?? "";
  }

  async pushedAt(repository: string, tag: string): Promise<number | undefined> {
    const link = join(
      this.storageDir,
      "docker/registry/v2/repositories",
      repository,
      "_manifests/tags",
      tag,
      "current/link",
    );
    try {
      return Math.floor(statSync(link).mtimeMs) / 1000;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
