/**
 * `superseded`: another deployment replaced this run's before it could be judged; nothing was rolled back.
 * Every status but `deployed` (and `rolled-back` from a requested rollback) fails the step.
 */
export type Status = "deployed" | "rolled-back" | "failed" | "superseded";
