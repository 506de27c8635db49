import type { RehearsalPlan } from "./plan.js";
import type { Verdict } from "./verdict.js";

export interface RehearsalReport {
  service: string;
  image: string;
  verdict: Verdict;
  plan: Pick<RehearsalPlan, "missing" | "notRehearsed" | "values">;
  /** The action's probe and bake lines (masked). */
  probe: string[];
  diff: string[];
  /** The new containers' log (masked), last lines. */
  containerLog: string;
}

const fence = (text: string) => `\`\`\`text\n${text.replace(/```/g, "'''")}\n\`\`\``;

/** The job summary (Markdown); stdout prints the same text. Variable names only, never values. */
export function renderReport(report: RehearsalReport): string {
  const { verdict, plan } = report;
  const lines = [
    `## Deploy rehearsal of \`${report.service}\`: ${verdict.passed ? "passed ✅" : "failed ❌"}`,
    "",
    `**Verdict:** ${verdict.cause}`,
    "",
    `Image: \`${report.image}\``,
    "",
    `Variables with a rehearsal value: ${Object.keys(plan.values).sort().join(", ") || "none"}`,
    `Variables without a value: ${plan.missing.join(", ") || "none"}`,
  ];
  if (plan.notRehearsed.length)
    lines.push(`Containers not recreated (their images stay in AWS): ${plan.notRehearsed.join(", ")}`);
  lines.push("", "### Live deployment → rehearsed request", "");
  lines.push(report.diff.length ? report.diff.map((line) => `- ${line}`).join("\n") : "No difference.");
  lines.push("", "### Probe", "", fence(report.probe.join("\n") || "(no probe ran)"));
  lines.push("", "### New containers' log (masked)", "", fence(report.containerLog || "(empty)"), "");
  return lines.join("\n");
}
