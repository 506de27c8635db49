/** The secrets registered so far, and a function that replaces each of them in a text by ***. */
export function secretList(): { add(value: string): boolean; mask(text: string): string } {
  const secrets: string[] = [];
  return {
    /** Registers the value; false when it was empty or already known. */
    add: (value) => {
      if (!value || secrets.includes(value)) return false;
      secrets.push(value);
      // Longest first, so a secret containing another is masked whole.
      secrets.sort((a, b) => b.length - a.length);
      return true;
    },
    mask: (text) => secrets.reduce((masked, secret) => masked.split(secret).join("***"), text),
  };
}
