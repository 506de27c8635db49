/** Cost-tracking tags carried by every taggable resource. */
export type StackTags = Readonly<Record<"project" | "stack" | "owner", string>>;

export function stackTags(input: { project: string; stack: string; owner: string }): StackTags {
  return { project: input.project, stack: input.stack, owner: input.owner };
}
