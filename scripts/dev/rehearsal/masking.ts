/** The secrets the action registered (`::add-mask::`) in its raw output. */
export function registeredMasks(rawLog: string): string[] {
  return rawLog
    .split("\n")
    .flatMap((line) => (line.startsWith("::add-mask::") ? [line.slice("::add-mask::".length)] : []))
    .filter((value) => value.length > 0);
}

/** Every form of a value a log can show: whole, each line, and base64 (as the action masks). */
export function secretForms(values: string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < 3) continue;
    forms.add(value);
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 3) forms.add(line);
    forms.add(Buffer.from(value, "utf8").toString("base64"));
  }
  // Longest first, so a value containing another is masked whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every form with `***`, and defuses lines a runner would read as workflow commands. */
export function maskText(text: string, forms: string[]): string {
  const masked = forms.reduce((out, form) => out.split(form).join("***"), text);
  return masked.replace(/^::/gm, ": :");
}
