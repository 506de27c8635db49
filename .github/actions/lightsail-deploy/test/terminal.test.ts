import { afterEach, expect, test } from "vitest";
import { runInTerminal, type TerminalIO } from "../src/entry/terminal.js";

// Only input errors: they end before any AWS call, so realDeps is built but never reaches the network.
function terminal() {
  const out: string[] = [];
  const err: string[] = [];
  const io: TerminalIO = { out: (t) => out.push(t), err: (t) => err.push(t), debug: false };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

afterEach(() => {
  process.exitCode = undefined;
});

test("flags go through the same input check as the runner's inputs, and the report is printed", async () => {
  const t = terminal();
  await runInTerminal(["--service-name", "demo", "--repository", "app", "--probe-count", "many"], t.io);
  expect(process.exitCode).toBe(1);
  expect(t.err()).toContain('`probe-count` is "many"');
  expect(t.out()).toContain("## lightsail-deploy: ❌ Failed");
  expect(t.out()).toContain("status=failed");
});

test("a misspelt flag is named by the input check, with the inputs it knows", async () => {
  const t = terminal();
  await runInTerminal(["--servce-name", "demo"], t.io);
  expect(process.exitCode).toBe(1);
  expect(t.err()).toContain("unknown input `servce-name`");
});

test("a token given as a flag is masked, even where an error shows an input's value", async () => {
  const t = terminal();
  const token = "ghs_terminaltoken0123456789";
  const args = [
    "--service-name",
    "demo",
    "--rollback-to",
    "previous",
    "--tag",
    token,
    "--github-token",
    token,
  ];
  await runInTerminal(args, t.io);
  expect(t.err()).toContain('conflicts with `tag` ("***")');
  expect(t.out() + t.err()).not.toContain(token);
});

test("a flag that is not --name is a usage error (exit code 2)", async () => {
  const t = terminal();
  await runInTerminal(["demo"], t.io);
  expect(process.exitCode).toBe(2);
  expect(t.err()).toContain("Usage:");
});
