import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";

/** The environment a GitHub runner gives a JavaScript action: `INPUT_<NAME>` with spaces as `_`, hyphens kept. */
export function inputEnv(inputs: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  return env;
}

/** Parses a `GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER … DELIMITER` blocks. */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1) {
        value.push(lines[index] as string);
      }
      outputs[name] = value.join("\n");
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/**
 * Turns an action's raw output into what a person sees in the step log, line by line: the runner consumes
 * `::add-mask::` and from then on shows each registered secret as `***` (a secret printed before it was
 * masked stays visible, as on GitHub); groups become headings; debug lines are hidden.
 */
export class StepLogRenderer {
  private readonly masks: string[] = [];
  private pending = "";

  /** Feeds raw output; returns the complete lines it finished, rendered (each ending in a newline). */
  push(chunk: string): string {
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop() ?? "";
    return lines.map((line) => this.renderLine(line)).join("");
  }

  /** Renders whatever partial line is left at the end of the output. */
  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest ? this.renderLine(rest) : "";
  }

  private renderLine(line: string): string {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    const show = (text: string) =>
      `${this.masks.reduce((out, secret) => out.split(secret).join("***"), text)}\n`;
    if (!command) return show(line);
    const [, name, escaped = ""] = command;
    // The runner undoes the escaping of command data (@actions/core's escapeData).
    const value = escaped.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
    switch (name) {
      case "add-mask":
        if (value) this.masks.push(value);
        return "";
      case "group":
        return show(`▶ ${value}`);
      case "endgroup":
      case "debug":
        return "";
      case "error":
        return show(`Error: ${value}`);
      case "warning":
        return show(`Warning: ${value}`);
      case "notice":
        return show(`Notice: ${value}`);
      default:
        return show(line);
    }
  }
}

/** The whole step log as a person sees it (see StepLogRenderer). */
export function renderStepLog(raw: string): string {
  const renderer = new StepLogRenderer();
  return renderer.push(raw) + renderer.flush();
}

export interface ActionRun {
  exitCode: number;
  /** The signal that ended the process (SIGKILL when a test killed it), else null. */
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as the step log shows them (masks applied, see renderStepLog). */
  log: string;
  /** The raw output, workflow commands included. */
  rawLog: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file left under RUNNER_TEMP when the step ended (path relative to it → content). */
  leftInTemp: Record<string, string>;
  durationMs: number;
}

export interface RunActionOptions {
  actionPath: string;
  inputs: Record<string, string | undefined>;
  env: Record<string, string>;
  cwd: string;
  /** Also copy the step log to this stream as it is written (the terminal, for `deploy:local`). */
  echo?: NodeJS.WritableStream;
  /**
   * Called with each line of the step log as a person would see it live (without its newline), and the
   * action's process: a test reacts to a point in the run, e.g. `child.kill("SIGKILL")` once it shows.
   */
  onLine?: (line: string, child: ChildProcess) => void;
}

/** Every regular file below `dir`, by path relative to it, with its content. */
export function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = readFileSync(path, "utf8");
  }
  return files;
}

/**
 * Runs `node <args>` with this environment, handing each chunk of its stdout and stderr to `onData`;
 * resolves with how it ended. The action's steps and the terminal runs of the e2e tests both use it.
 */
export function runNode(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
  onData: (data: string, stream: "stdout" | "stderr", child: ChildProcess) => void,
): Promise<{ code: number; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (data: Buffer) => onData(data.toString(), "stdout", child));
  child.stderr.on("data", (data: Buffer) => onData(data.toString(), "stderr", child));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? 1, signal }));
  });
}

/** `STATE_<name>` variables for the post step, from what the main step saved to GITHUB_STATE. */
export function stateEnv(stateFileText: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseGithubOutput(stateFileText)).map(([name, value]) => [`STATE_${name}`, value]),
  );
}

/**
 * Runs the bundled action (`dist/index.js`, the file GitHub runs) the way a runner does: the main step,
 * then, whatever became of it (failed, killed), the post step (`dist/post.js`) with the state it saved.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "gha-step-"));
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary");
  const stateFile = join(dir, "state");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  writeFileSync(stateFile, "");
  const started = Date.now();
  const env = {
    ...options.env,
    ...inputEnv(options.inputs),
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    RUNNER_TEMP: dir,
  };
  try {
    const chunks: string[] = [];
    const live = new StepLogRenderer();
    const show = (rendered: string, child?: ChildProcess) => {
      options.echo?.write(rendered);
      if (options.onLine && child)
        for (const line of rendered.split("\n").slice(0, -1)) options.onLine(line, child);
    };
    const collect = (data: string, child?: ChildProcess) => {
      chunks.push(data);
      show(live.push(data), child);
    };
    const main = join(options.actionPath, "dist", "index.js");
    const exit = await runNode([main], { cwd: options.cwd, env }, (data, _, child) => collect(data, child));
    show(live.flush());
    const post = join(options.actionPath, "dist", "post.js");
    if (existsSync(post)) {
      collect(`::group::Post ${basename(options.actionPath)}\n`);
      await runNode(
        [post],
        { cwd: options.cwd, env: { ...env, ...stateEnv(readFileSync(stateFile, "utf8")) } },
        (data, _, child) => collect(data, child),
      );
      collect("::endgroup::\n");
      show(live.flush());
    }
    const rawLog = chunks.join("");
    return {
      exitCode: exit.code,
      signal: exit.signal,
      log: renderStepLog(rawLog),
      rawLog,
      outputs: parseGithubOutput(readFileSync(outputFile, "utf8")),
      summary: readFileSync(summaryFile, "utf8"),
      leftInTemp: filesUnder(dir),
      durationMs: Date.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
