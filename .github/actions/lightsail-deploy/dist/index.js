// dist/index.js (action.yml runs.main) is this file as tsc compiles it, beside the bundle ncc makes.
import { main, runInTerminal } from "./bundle.js";
// Flags mean a person at a terminal; none means the GitHub runner (inputs in INPUT_* variables).
const argv = process.argv.slice(2);
await (argv.length > 0 ? runInTerminal(argv) : main());
