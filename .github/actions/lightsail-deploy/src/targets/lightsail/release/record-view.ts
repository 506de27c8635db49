// The release record (release/record/) read and written with Lightsail deployments.
import type { ContainerServiceDeployment } from "@aws-sdk/client-lightsail";
import type {
  DeploymentRef,
  RecordScope,
  ReleaseImage,
  ReleaseRecord,
  ReleaseVerdict,
} from "../../../release/record/release-record.js";
import * as record from "../../../release/record/release-record.js";
import { deployIdOf } from "./deployment-id.js";

/** A deployment as the record knows it: its version and the deploy id in its public container. */
export function releaseRef(deployment: ContainerServiceDeployment): DeploymentRef {
  return { version: deployment.version, id: deployIdOf(deployment) };
}

export function verdictOf(
  known: ReleaseRecord,
  deployment: ContainerServiceDeployment | undefined,
): ReleaseVerdict | undefined {
  return record.verdictOf(known, deployment && releaseRef(deployment));
}

export function verdictEntry(
  deployment: ContainerServiceDeployment,
  verdict: ReleaseVerdict,
  why: string,
  at: Date,
  image: ReleaseImage = {},
  scope?: RecordScope,
) {
  return record.verdictEntry(releaseRef(deployment), verdict, why, at, image, scope);
}

export function withVerdict(
  known: ReleaseRecord,
  deployment: ContainerServiceDeployment,
  verdict: ReleaseVerdict,
  why: string,
  at: Date,
  image: ReleaseImage = {},
): ReleaseRecord {
  return record.withVerdict(known, releaseRef(deployment), verdict, why, at, image);
}

export function newestVerified(
  known: ReleaseRecord,
  deployments: readonly ContainerServiceDeployment[],
  accept?: (deployment: ContainerServiceDeployment) => boolean,
): ContainerServiceDeployment | undefined {
  return record.newestVerified(known, deployments, releaseRef, accept);
}

export function restoreTarget(
  known: ReleaseRecord,
  deployments: readonly ContainerServiceDeployment[],
  servedBefore: ContainerServiceDeployment | undefined,
  failedVersion: number,
): ContainerServiceDeployment | undefined {
  return record.restoreTarget(known, deployments, servedBefore, failedVersion, releaseRef);
}
