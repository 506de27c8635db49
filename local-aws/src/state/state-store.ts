import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PersistedState } from "./state.js";

/** Keeps the whole state in memory and writes it atomically to `<stateDir>/state.json` on every change. */
export class StateStore {
  readonly file: string;
  readonly state: PersistedState;

  constructor(readonly stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.file = join(stateDir, "state.json");
    this.state = this.load();
  }

  private load(): PersistedState {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return {
        formatVersion: 1,
        instanceId: randomBytes(6).toString("hex"),
        ports: {},
        services: {},
        repositories: {},
      };
    }
    const parsed = JSON.parse(text) as PersistedState;
    if (parsed.formatVersion !== 1) {
      throw new Error(
        `local-aws: ${this.file} has formatVersion ${String(parsed.formatVersion)}; expected 1`,
      );
    }
    return parsed;
  }

  save(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
