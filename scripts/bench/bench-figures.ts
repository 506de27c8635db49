/** One measured deploy or rollback, from the outside: the step's own clock and the service's events. */
export interface DeployMeasurement {
  label: string;
  startedAt: number;
  /** When the first AWS request reached the API (start-up cost of the tool). */
  firstCallAt?: number;
  finishedAt: number;
  /** The deployment's createdAt and the moment the service reported it steady (ACTIVE). */
  createdAt?: number;
  activeAt?: number;
  apiCalls: number;
}

export interface DeployFigures {
  label: string;
  stepSeconds: number;
  startupMs?: number;
  activationSeconds?: number;
  activeToDoneSeconds?: number;
  overheadSeconds?: number;
  apiCalls: number;
}

/** Pure: the figures the bench prints, from one measurement (times in epoch milliseconds). */
export function deployFigures(m: DeployMeasurement): DeployFigures {
  const seconds = (ms: number) => Math.round(ms / 10) / 100;
  const stepMs = m.finishedAt - m.startedAt;
  const activationMs =
    m.createdAt !== undefined && m.activeAt !== undefined ? m.activeAt - m.createdAt : undefined;
  return {
    label: m.label,
    stepSeconds: seconds(stepMs),
    startupMs: m.firstCallAt !== undefined ? m.firstCallAt - m.startedAt : undefined,
    activationSeconds: activationMs !== undefined ? seconds(activationMs) : undefined,
    activeToDoneSeconds: m.activeAt !== undefined ? seconds(m.finishedAt - m.activeAt) : undefined,
    overheadSeconds: activationMs !== undefined ? seconds(stepMs - activationMs) : undefined,
    apiCalls: m.apiCalls,
  };
}

/** Pure: a Markdown table of figures, one column per run. */
export function figuresTable(rows: DeployFigures[]): string {
  const show = (value: number | undefined, unit: string) => (value === undefined ? "–" : `${value}${unit}`);
  const lines = [
    `| figure | ${rows.map((r) => r.label).join(" | ")} |`,
    `| --- | ${rows.map(() => "---").join(" | ")} |`,
    `| whole step | ${rows.map((r) => show(r.stepSeconds, " s")).join(" | ")} |`,
    `| start-up to first AWS request | ${rows.map((r) => show(r.startupMs, " ms")).join(" | ")} |`,
    `| AWS API calls (retries included) | ${rows.map((r) => String(r.apiCalls)).join(" | ")} |`,
    `| deployment activation (ACTIVATING → ACTIVE) | ${rows.map((r) => show(r.activationSeconds, " s")).join(" | ")} |`,
    `| ACTIVE → step finished | ${rows.map((r) => show(r.activeToDoneSeconds, " s")).join(" | ")} |`,
    `| overhead on top of activation | ${rows.map((r) => show(r.overheadSeconds, " s")).join(" | ")} |`,
  ];
  return lines.join("\n");
}
