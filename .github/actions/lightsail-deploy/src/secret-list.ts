/** The secrets registered so far, and a function that replaces each of them in a text by ***. */
export function secretList(): { add(value: string): void; mask(text: string): string } {
  const secrets: string[] = [];
  return {
    add: (value) => {
      if (!value || secrets.includes(value)) return;
      secrets.push(value);
      // Longest first, so a secret containing another is masked whole.
      secrets.sort((a, b) => b.length - a.length);
    },
    mask: (text) => secrets.reduce((masked, secret) => masked.split(secret).join("***"), text),
  };
}
