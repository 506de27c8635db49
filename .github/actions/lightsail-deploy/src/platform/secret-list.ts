/**
 * Values shorter than this are never masked, in any mode and any form: a 1–3 character value is no secret,
 * and masking it would blank every such string (`1`, `on`, `dev`) throughout the log. The one minimum.
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * The base64 of `bytes` as it appears inside a longer base64 text (`user:secret`, a docker config): the
 * secret can start at any of 3 byte alignments, and only the 4-character groups made of its bytes alone
 * are the same whatever surrounds it. The runner masks these same cores; a terminal has no runner.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const start = Math.ceil(offset / 3) * 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    if (end > start) cores.push(encoded.slice(start, end));
  }
  return cores;
}

/**
 * Every form in which a secret can reach a log: itself, each of its lines (a PEM key's middle line, printed
 * alone), its JSON and URL escapes, its base64 whole and at the three alignments. No library does this for
 * a text that is not a GitHub runner's log, hence by hand. Forms shorter than MIN_MASKED_LENGTH are left out.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_MASKED_LENGTH) return [];
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  const url = encodeURIComponent(value);
  const bytes = Buffer.from(value, "utf8");
  const forms = [
    value,
    ...lines,
    JSON.stringify(value).slice(1, -1),
    url,
    url.replace(/%20/g, "+"),
    bytes.toString("base64"),
    bytes.toString("base64url"),
    ...base64Cores(bytes),
  ];
  return [...new Set(forms)].filter((form) => form.length >= MIN_MASKED_LENGTH);
}

/** The secrets registered so far, and a function that replaces each of their forms in a text by ***. */
export function secretList(): { add(value: string): string[]; mask(text: string): string } {
  const forms: string[] = [];
  // Every deployment listing repeats the same environment values: each is turned into its forms once.
  const values = new Set<string>();
  return {
    /** Registers every form of the value; returns the forms not known before (none when too short). */
    add: (value) => {
      if (values.has(value)) return [];
      values.add(value);
      const added = secretForms(value).filter((form) => !forms.includes(form));
      if (added.length === 0) return [];
      forms.push(...added);
      // Longest first, so a form containing another is masked whole.
      forms.sort((a, b) => b.length - a.length);
      return added;
    },
    mask: (text) => forms.reduce((masked, form) => masked.split(form).join("***"), text),
  };
}
