/** Types of check-node.js, which stays plain JavaScript so that an old Node can run it and explain itself. */
export function npmHasNode(platform: string, arch: string): boolean;
export function nodeProblem(options: {
  wanted: string;
  running: string;
  platform: string;
  arch: string;
}): string | undefined;
