/*
 * Writes dist/licenses.txt from ncc's module stats: every bundled package with its version and licence,
 * and each distinct licence text once. ncc's own --license output repeats the Apache-2.0 text for each
 * of the ~20 AWS SDK packages (214 kB of a 1.05 MB dist/); the deduplicated file carries the same texts.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

interface StatsModule {
  name?: string;
  modules?: StatsModule[];
}

interface Entry {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** Module names in the stats are relative to `baseDir`, the directory ncc ran in. */
export function writeLicenses(statsPath: string, outPath: string, baseDir: string): string {
  const moduleNames = new Set<string>();
  const walk = (modules: StatsModule[] = []) => {
    for (const m of modules) {
      if (m.modules) walk(m.modules);
      else if (m.name) moduleNames.add(m.name);
    }
  };
  walk((JSON.parse(readFileSync(statsPath, "utf8")) as StatsModule).modules);

  const packageDirs = new Set<string>();
  for (const name of moduleNames) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(name.replace(/^\.\//, ""));
    if (match?.[1]) packageDirs.add(resolve(baseDir, match[1]));
  }

  const entries: Entry[] = [...packageDirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : "(no licence file in the package)";
    return { name: pkg.name, version: pkg.version, license: pkg.license ?? "UNKNOWN", text };
  });
  entries.sort((a, b) => a.name.localeCompare(b.name));

  // The Apache-2.0 texts differ only in whitespace from package to package; compare them normalised.
  const key = (text: string) => text.replace(/\s+/g, " ");
  const texts = new Map<string, { text: string; users: string[] }>();
  for (const entry of entries) {
    const k = key(entry.text);
    const found = texts.get(k) ?? { text: entry.text, users: [] };
    found.users.push(entry.name);
    texts.set(k, found);
  }

  const lines = [
    "Third-party software bundled in index.js",
    "",
    ...entries.map((e) => `${e.name}@${e.version}  ${e.license}`),
    "",
    ...[...texts.values()].flatMap(({ text, users }) => [
      "=".repeat(78),
      `Used by: ${users.join(", ")}`,
      "",
      text,
      "",
    ]),
  ];
  writeFileSync(outPath, `${lines.join("\n")}`);
  return `${entries.length} packages, ${texts.size} distinct licence texts`;
}
