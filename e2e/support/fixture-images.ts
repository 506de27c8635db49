import type { TestProject } from "vitest/node";
import { ensureBaseImage } from "../../scripts/harness/base-image.js";
import { buildImage, removeImages } from "../../scripts/harness/images.js";
import { missingPrerequisites } from "./prerequisites.js";
import type { FixtureImages } from "./stage.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The failing releases every stage deploys; null where the e2e prerequisites are missing (tests skip). */
    fixtureImages: FixtureImages | null;
  }
}

/**
 * The e2e project's globalSetup: builds the fixture images every end-to-end file deploys once per run (not
 * once per file) and gives their names to the files through `inject("fixtureImages")`. Tagged with this run's
 * process id, so runs from other clones on the same engine never share or remove them; removed after the run.
 * Each file still has its own stand-in, registry, services and containers.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if ((await missingPrerequisites()).length > 0) {
    project.provide("fixtureImages", null);
    return undefined;
  }
  const baseImage = await ensureBaseImage(() => {});
  const run = `run-${process.pid}`;
  const images: FixtureImages = {
    broken: `e2e-broken-release:${run}`,
    degrading: `e2e-degrading-release:${run}`,
    rehearsal: {
      good: `e2e-rehearsal-good:${run}`,
      wrongPort: `e2e-rehearsal-wrong-port:${run}`,
      missingVariable: `e2e-rehearsal-missing-variable:${run}`,
    },
  };
  const dockerfiles: [string, string][] = [
    [images.broken, "broken"],
    [images.degrading, "degrading"],
    [images.rehearsal.good, "rehearsal-good"],
    [images.rehearsal.wrongPort, "rehearsal-wrong-port"],
    [images.rehearsal.missingVariable, "rehearsal-missing-variable"],
  ];
  for (const [image, name] of dockerfiles)
    await buildImage(baseImage, image, `e2e/fixtures/${name}.Dockerfile`, "e2e/fixtures");
  project.provide("fixtureImages", images);
  return () => removeImages(...dockerfiles.map(([image]) => image));
}
