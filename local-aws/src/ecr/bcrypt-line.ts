import bcrypt from "bcryptjs";

/**
 * Cost 5, what `htpasswd -B` uses by default: the registry checks the password on every request of a push, and
 * the password is 32 random characters kept in a 0600 file, so a higher cost would only slow pushes down.
 */
const COST = 5;

/**
 * One htpasswd line `<user>:<bcrypt hash>` for the registry's htpasswd auth, hashed in-process with bcryptjs
 * (no `htpasswd` binary, no Python `crypt`), so the password never reaches a process list or another program.
 */
export async function bcryptHtpasswdLine(user: string, password: string): Promise<string> {
  if (user === "" || user.includes(":"))
    throw new Error(`htpasswd user "${user}" must be non-empty without ":"`);
  // bcrypt reads at most 72 bytes: a longer password would let every password with the same start in.
  if (bcrypt.truncates(password)) throw new Error("the registry password is longer than bcrypt's 72 bytes");
  return `${user}:${await bcrypt.hash(password, COST)}`;
}
