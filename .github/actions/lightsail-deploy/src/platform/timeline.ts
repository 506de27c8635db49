/** The phases a person reads the run's time by, in the order a release goes through them. */
export const TIMELINE_PHASES = [
  "pre-flight",
  "login",
  "build",
  "push",
  "deployment",
  "activation",
  "probe",
  "bake",
  "rollback",
] as const;

export type TimelinePhase = (typeof TIMELINE_PHASES)[number];

export interface Span {
  phase: TimelinePhase;
  /** Epoch milliseconds (the injected clock). */
  start: number;
  ms: number;
}

/** Collects the spans of one run; spans may overlap (the automatic rollback holds its own activation). */
export interface Timeline {
  readonly spans: Span[];
  time<T>(phase: TimelinePhase, body: () => Promise<T>): Promise<T>;
}

export function newTimeline(now: () => number): Timeline {
  const spans: Span[] = [];
  return {
    spans,
    async time(phase, body) {
      // Listed when it starts, so that spans keep the order they began in (a fake clock starts many at once).
      const span: Span = { phase, start: now(), ms: 0 };
      spans.push(span);
      try {
        return await body();
      } finally {
        span.ms = now() - span.start;
      }
    },
  };
}

/** Times `body` on the run's timeline when there is one (tests of a single phase have none). */
export function timed<T>(
  deps: { timeline?: Timeline },
  phase: TimelinePhase,
  body: () => Promise<T>,
): Promise<T> {
  return deps.timeline ? deps.timeline.time(phase, body) : body();
}

function ordered(spans: readonly Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A Mermaid Gantt chart (GitHub renders it in job summaries): one bar per span at its real start time
 * (`dateFormat x` reads epoch milliseconds) and duration.
 */
export function renderGantt(spans: readonly Span[]): string {
  if (spans.length === 0) return "";
  const lines = ordered(spans).map(
    (span, i) =>
      // Mermaid cannot draw a bar of zero length; its tasks are named up to the first colon.
      `    ${span.phase} ${seconds(span.ms)} :t${i}, ${span.start}, ${span.start + Math.max(1, span.ms)}`,
  );
  return [
    "```mermaid",
    "gantt",
    "    title Timeline (UTC)",
    "    dateFormat x",
    "    axisFormat %H:%M:%S",
    "    section Run",
    ...lines,
    "```",
  ].join("\n");
}

/** The same timeline for a terminal: offset from the start, duration and a bar on a 40-column scale. */
export function renderTimelineText(spans: readonly Span[]): string {
  if (spans.length === 0) return "";
  const sorted = ordered(spans);
  const origin = Math.min(...sorted.map((s) => s.start));
  const end = Math.max(...sorted.map((s) => s.start + s.ms));
  const total = Math.max(1, end - origin);
  const width = 40;
  const name = Math.max(...TIMELINE_PHASES.map((p) => p.length));
  const rows = sorted.map((span) => {
    const from = Math.floor(((span.start - origin) / total) * width);
    const length = Math.max(1, Math.round((span.ms / total) * width));
    const bar = `${" ".repeat(from)}${"█".repeat(Math.min(length, width - from) || 1)}`;
    return `  +${seconds(span.start - origin).padStart(8)}  ${span.phase.padEnd(name)}  ${seconds(span.ms).padStart(8)}  |${bar.padEnd(width)}|`;
  });
  return [`Timeline (${seconds(total)} from ${new Date(origin).toISOString()})`, ...rows].join("\n");
}
