/**
 * Lightsail's container-log filter syntax: `""` matches all, `ERROR` requires a term, `-ERROR` excludes it,
 * `A B` requires both, `?A ?B` requires either; `"a phrase"` quotes spaces. Matching is case-sensitive.
 */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const tokens = tokenize(pattern ?? "");
  const required = tokens.filter((t) => !t.startsWith("?") && !t.startsWith("-"));
  const excluded = tokens.filter((t) => t.startsWith("-") && t.length > 1).map((t) => t.slice(1));
  const anyOf = tokens.filter((t) => t.startsWith("?") && t.length > 1).map((t) => t.slice(1));
  return (message) =>
    required.every((term) => message.includes(term)) &&
    !excluded.some((term) => message.includes(term)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term)));
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  const matcher = /([?-]?)"([^"]*)"|(\S+)/g;
  for (const match of pattern.matchAll(matcher)) {
    if (match[3] !== undefined) tokens.push(match[3]);
    else tokens.push(`${match[1]}${match[2]}`);
  }
  return tokens.filter((t) => t.length > 0);
}

/** Parses one `docker logs --timestamps` line: `2026-11-21T23:10:50.123456789Z message`. */
export function parseDockerLogLine(line: string): { createdAt: number; message: string } | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) ?(.*)$/.exec(line);
  if (!match) return undefined;
  const fraction = match[2] ? Number(`0${match[2]}`) : 0;
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  if (Number.isNaN(seconds)) return undefined;
  return { createdAt: Math.floor(seconds) + Math.round(fraction * 1000) / 1000, message: match[4] ?? "" };
}

export function parseDockerLogs(text: string): { createdAt: number; message: string }[] {
  return text
    .split("\n")
    .map((line) => parseDockerLogLine(line.replace(/\r$/, "")))
    .filter((event): event is { createdAt: number; message: string } => event !== undefined);
}
