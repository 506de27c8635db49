import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface ActionField {
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
}

interface ActionMetadata {
  inputs?: Record<string, ActionField>;
  outputs?: Record<string, ActionField>;
}

export const TABLE_START = "<!-- action-table:start (generated from action.yml by `npm run docs`) -->";
export const TABLE_END = "<!-- action-table:end -->";

/** The READMEs that show the action's inputs and outputs (repository root relative). */
export const READMES_WITH_ACTION_TABLES = ["README.md", ".github/actions/lightsail-deploy/README.md"];

function cell(text: string): string {
  return text.replace(/\s+/g, " ").trim().replaceAll("|", "\\|");
}

function defaultCell(field: ActionField): string {
  if (field.default === undefined || field.default === "") return field.required ? "required" : "";
  return `\`${cell(String(field.default))}\``;
}

/** Renders the inputs and outputs tables that the README shows, from the action's metadata. */
export function renderActionTables(actionYaml: string): string {
  const metadata = parse(actionYaml) as ActionMetadata;
  const lines = ["| input | default | description |", "| --- | --- | --- |"];
  for (const [name, field] of Object.entries(metadata.inputs ?? {})) {
    lines.push(`| \`${name}\` | ${defaultCell(field)} | ${cell(field.description ?? "")} |`);
  }
  lines.push("", "| output | description |", "| --- | --- |");
  for (const [name, field] of Object.entries(metadata.outputs ?? {})) {
    lines.push(`| \`${name}\` | ${cell(field.description ?? "")} |`);
  }
  return lines.join("\n");
}

/** Returns the README text between the table markers, or undefined when the markers are missing. */
export function readmeTables(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}

export function replaceReadmeTables(readme: string, tables: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${tables}\n\n${readme.slice(end)}`;
}

export function readActionYaml(root: string): string {
  return readFileSync(`${root}/.github/actions/lightsail-deploy/action.yml`, "utf8");
}
