import type { Phase } from "./errors.js";

/**
 * What a release is: a deploy (a new image or configuration) or a rollback (an earlier release again). The
 * one name for it; as a Phase it is where a failure is reported.
 */
export type ReleaseKind = Extract<Phase, "deploy" | "rollback">;
