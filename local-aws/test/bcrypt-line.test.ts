import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { bcryptHtpasswdLine } from "../src/ecr/bcrypt-line.js";

describe("the registry's htpasswd line", () => {
  it("is `<user>:<bcrypt hash>` at cost 5 that matches the password and nothing else", async () => {
    const line = await bcryptHtpasswdLine("AWS", "s3cr3t-password");
    const [user, hash = ""] = line.split(":");
    expect(user).toBe("AWS");
    expect(hash).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    expect(bcrypt.compareSync("s3cr3t-password", hash)).toBe(true);
    expect(bcrypt.compareSync("s3cr3t-passwor", hash)).toBe(false);
  });

  it("salts every line", async () => {
    expect(await bcryptHtpasswdLine("AWS", "same")).not.toBe(await bcryptHtpasswdLine("AWS", "same"));
  });

  it("refuses a user htpasswd cannot hold and a password bcrypt would truncate", async () => {
    await expect(bcryptHtpasswdLine("A:WS", "x")).rejects.toThrow(/without ":"/);
    await expect(bcryptHtpasswdLine("AWS", "x".repeat(73))).rejects.toThrow(/72 bytes/);
  });
});
