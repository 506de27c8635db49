import { mkdirSync } from "node:fs";
import type { ContainerRunSpec, ContainerRuntime, ContainerStatus } from "./container-runtime.js";
import { type Exec, execCommand } from "./exec.js";

/** Docker CLI with its own DOCKER_CONFIG, so a client's `docker logout` never logs the stand-in out. */
export class DockerCli implements ContainerRuntime {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    dockerConfigDir: string,
    private readonly exec: Exec = execCommand,
  ) {
    mkdirSync(dockerConfigDir, { recursive: true, mode: 0o700 });
    this.env = { ...process.env, DOCKER_CONFIG: dockerConfigDir, DOCKER_BUILDKIT: "0" };
  }

  private async docker(args: string[], input?: string): Promise<string> {
    const result = await this.exec("docker", args, {
      env: this.env,
      ...(input === undefined ? {} : { input }),
    });
    if (result.code !== 0) {
      throw new Error(
        `docker ${args[0]} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
    return result.stdout;
  }

  async pull(image: string, registry: { host: string; username: string; password: string }): Promise<void> {
    await this.docker(
      ["login", "--username", registry.username, "--password-stdin", registry.host],
      registry.password,
    );
    await this.docker(["pull", "--quiet", image]);
  }

  async run(spec: ContainerRunSpec): Promise<void> {
    const args = ["run", "--detach", "--network", "host", "--name", spec.name];
    for (const [key, value] of Object.entries(spec.labels)) args.push("--label", `${key}=${value}`);
    for (const [key, value] of Object.entries(spec.env)) args.push("--env", `${key}=${value}`);
    args.push(spec.image, ...(spec.command ?? []));
    await this.docker(args);
  }

  async status(name: string): Promise<ContainerStatus | undefined> {
    const format = '{{.State.Running}} {{.State.ExitCode}} {{index .Config.Labels "local-aws.instance"}}';
    const result = await this.exec("docker", ["inspect", "--format", format, name], { env: this.env });
    if (result.code !== 0) return undefined;
    const [running, exitCode, instance] = result.stdout.trim().split(" ");
    return { running: running === "true", exitCode: Number(exitCode), instance: instance ?? "" };
  }

  async logs(name: string): Promise<string> {
    const result = await this.exec("docker", ["logs", "--timestamps", name], { env: this.env });
    if (result.code !== 0) return "";
    // stdout and stderr of the container come back on the CLI's stdout and stderr; both are log lines.
    return `${result.stdout}\n${result.stderr}`;
  }

  async stop(name: string, graceSeconds: number): Promise<void> {
    // Docker itself kills after the grace; the timeout only bounds a hung engine.
    await this.exec("docker", ["stop", "--time", String(graceSeconds), name], {
      env: this.env,
      timeoutMs: (graceSeconds + 30) * 1000,
    });
  }

  async remove(name: string): Promise<void> {
    await this.exec("docker", ["rm", "--force", name], { env: this.env });
  }

  async removeImage(image: string): Promise<void> {
    await this.exec("docker", ["rmi", image], { env: this.env });
  }

  async listByLabel(label: string, value: string): Promise<string[]> {
    const out = await this.docker([
      "ps",
      "--all",
      "--filter",
      `label=${label}=${value}`,
      "--format",
      "{{.Names}}",
    ]);
    return out.split("\n").filter((line) => line.length > 0);
  }
}
