import { DeployError } from "../platform/errors.js";
import { parseImageReference } from "./image-reference.js";

// Lightsail container names, as in inputs.ts: 1–53 of a-z, 0-9 and -, no hyphen at either end.
const CONTAINER_NAME = /^(?:[a-z0-9]{1,2}|[a-z0-9][a-z0-9-]{1,51}[a-z0-9])$/;

function bad(line: number, what: string): DeployError {
  return new DeployError(`\`images\` line ${line} ${what}`, "inputs", "fix `images`");
}

/**
 * The `images` input: one `container=image` line per container whose image this deployment replaces, next
 * to the one the action builds (`worker=123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:4f2a9c1`). Blank
 * lines and `#` comments are skipped. The image is a full reference (registry, repository, tag or digest).
 */
export function parseContainerImages(value: string | undefined): Record<string, string> {
  const images: Record<string, string> = {};
  for (const [index, raw] of (value ?? "").split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    if (equals === -1) throw bad(index + 1, `(${JSON.stringify(line)}) is not a container=image line`);
    const name = line.slice(0, equals).trim();
    const image = line.slice(equals + 1).trim();
    if (!CONTAINER_NAME.test(name))
      throw bad(
        index + 1,
        `names container ${JSON.stringify(name)}, which is not a Lightsail container name`,
      );
    if (images[name] !== undefined) throw bad(index + 1, `names container \`${name}\` a second time`);
    const ref = parseImageReference(image);
    if (!ref?.registry || (!ref.tag && !ref.digest)) {
      throw bad(
        index + 1,
        `gives container \`${name}\` the image ${JSON.stringify(image)}, which is not a full image reference with a registry and a tag or digest`,
      );
    }
    images[name] = image;
  }
  return images;
}
