/*
 * What ncc bundles into dist/bundle.js: everything the two entry points start. One bundle for both, since
 * each would otherwise carry its own copy of @actions/core and the undici it imports (~490 kB).
 */

export { run as post } from "./entry/post.js";
export { runInTerminal } from "./entry/terminal.js";
export { run as main } from "./main.js";
