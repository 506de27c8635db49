import { publishImage } from "../../../image/image.js";
import { imageUri } from "../../../image/image-tag.js";
import { digestOfTag } from "../../../preflight/promotion.js";
import type { StepOutcome } from "../../deploy-target.js";
import { containerImageList } from "./create/container-images.js";
import { checkDeployImages, planDeploy } from "./create/deploy.js";
import { describeRequest } from "./create/deployment-request.js";
import { release } from "./release.js";
import { deploying, type ReleaseContext } from "./release-context.js";
import { dryRun } from "./step-outcome.js";

export async function deployStep(ctx: ReleaseContext): Promise<StepOutcome> {
  const { inputs, checked, aws, deps, phase } = ctx;
  const tag = checked.tag ?? "";
  const repositoryUri = checked.repository.repositoryUri ?? "";
  await checkOtherImages(ctx);
  const image = inputs.dryRun
    ? { uri: imageUri(repositoryUri, tag), tag }
    : await phase("image", "Image", () =>
        publishImage(
          inputs.source,
          { repositoryUri, tag, exists: checked.imageExists },
          aws,
          deps,
          inputs.buildCache,
        ),
      );
  const notes = checked.imageExists
    ? [`${image.uri} was already in ECR, so build and push were skipped.`]
    : [];
  const request = await phase("deploy", "Deployment request", async () => {
    const planned = await planDeploy(inputs, checked, image.uri, aws, deps);
    deps.log.debug(describeRequest(planned));
    return planned;
  });
  if (inputs.dryRun) return dryRun(request, image.uri, deps, notes[0]);
  const repositoryName = checked.repository.repositoryName ?? inputs.repository ?? "";
  const digest = await digestOfTag(repositoryName, image.tag, aws, (m) => deps.log.warning(m));
  const deployed = { uri: image.uri, digest, from: undefined };
  const outcome = await release(deploying(ctx, deployed), request, "deploy", image.uri);
  outcome.notes.unshift(...notes);
  return { kind: "released", outcome, deployed, containers: containerImageList(request) };
}

/** `images` (other containers' new images) checked before anything is pushed or deployed. */
export async function checkOtherImages({ inputs, checked, aws, phase }: ReleaseContext): Promise<void> {
  if (Object.keys(inputs.images).length === 0) return;
  await phase("preflight", "Container images", () => checkDeployImages(inputs, checked, aws));
}
