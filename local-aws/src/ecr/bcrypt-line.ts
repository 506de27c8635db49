import type { Exec } from "../docker/exec.js";

// Python's crypt module uses the system libxcrypt, which does bcrypt; Debian's awscli already needs python3.
const PYTHON_BCRYPT =
  "import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))";

/**
 * One htpasswd line `<user>:<bcrypt hash>`, the password passed on stdin so it never shows in a process list.
 * Uses `htpasswd` (apache2-utils) when present, else python3's crypt (same bcrypt, cost 5).
 */
export async function bcryptHtpasswdLine(exec: Exec, user: string, password: string): Promise<string> {
  const errors: string[] = [];
  try {
    const result = await exec("htpasswd", ["-niB", user], { input: password });
    if (result.code === 0) return result.stdout.trim();
    errors.push(`htpasswd exited ${result.code}: ${result.stderr.trim()}`);
  } catch (error) {
    errors.push(`htpasswd: ${(error as Error).message}`);
  }
  try {
    const result = await exec("python3", ["-W", "ignore", "-c", PYTHON_BCRYPT], { input: password });
    const hash = result.stdout.trim();
    if (result.code === 0 && hash.startsWith("$2")) return `${user}:${hash}`;
    errors.push(`python3 crypt exited ${result.code}: ${result.stderr.trim() || hash}`);
  } catch (error) {
    errors.push(`python3: ${(error as Error).message}`);
  }
  throw new Error(
    `cannot make a bcrypt htpasswd entry for the registry (install apache2-utils): ${errors.join("; ")}`,
  );
}
