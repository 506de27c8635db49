import { run } from "./main.js";
import { runInTerminal } from "./terminal.js";

// Flags mean a person at a terminal; none means the GitHub runner (inputs in INPUT_* variables).
const argv = process.argv.slice(2);
await (argv.length > 0 ? runInTerminal(argv) : run());
