/** A reason a deployment FAILED, written to the container log. */
export class ActivationFailure extends Error {}
