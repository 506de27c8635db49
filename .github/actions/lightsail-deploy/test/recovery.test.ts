import { describe, expect, test } from "vitest";
import { run } from "../src/entry/run.js";
import { GetParametersByPathCommand, PutParameterCommand } from "../src/platform/ssm-sdk.js";
import { EMPTY_RECORD, serializeRecord } from "../src/release/record/release-record.js";
import { ssmRecordStore } from "../src/release/record/ssm-record-store.js";
import type { LightsailDeps as Deps } from "../src/targets/lightsail/clients.js";
import {
  CreateContainerServiceDeploymentCommand,
  GetContainerServiceDeploymentsCommand,
  GetContainerServicesCommand,
} from "../src/targets/lightsail/lightsail-sdk.js";
import { verdictEntry, withVerdict } from "../src/targets/lightsail/release/record-view.js";
import {
  awsError,
  deployment,
  fakeDeps,
  fakeRecordParameter,
  REPOSITORY_URI,
  service,
  statefulLightsail,
} from "./fakes.js";

const inputs = { "service-name": "demo", repository: "app" };
const NEW_IMAGE = `${REPOSITORY_URI}:0123456`;
const refusedBusy = () =>
  awsError("InvalidInputException", 'The container service is in a transition state ("DEPLOYING").');
const throttled = () =>
  Object.assign(awsError("ThrottlingException", "Rate exceeded"), { $metadata: { httpStatusCode: 400 } });

/** The probe fails while `bad` images serve. */
function probeFailsFor(
  deps: Deps,
  lightsail: ReturnType<typeof statefulLightsail>,
  bad: (image: string) => boolean,
) {
  deps.httpGet = async () => ({ status: bad(lightsail.servingImage() ?? "") ? 500 : 200 });
}

/** After the fake service was created: only verdicts given since then are about it. */
const VERDICT_TIME = new Date(1_700_000_000_000);

function recordWith(verdicts: [ReturnType<typeof deployment>, "good" | "rejected"][]): string {
  return serializeRecord(
    verdicts.reduce((r, [d, verdict]) => withVerdict(r, d, verdict, "test", VERDICT_TIME), EMPTY_RECORD),
  );
}

const creates = (aws: ReturnType<typeof fakeDeps>["aws"]) =>
  aws.mocks.lightsail.commandCalls(CreateContainerServiceDeploymentCommand).map((c) => c.args[0].input);

describe("a lost Create answer is not reported as refused", () => {
  test("a good release whose Create answer was lost is found by its id, verified and reported deployed", async () => {
    const { deps, aws, log } = fakeDeps();
    const lightsail = statefulLightsail(aws, { lostAnswers: [refusedBusy()] });
    const result = await run(inputs, deps);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe("deployed");
    expect(result.deploymentVersion).toBe(4);
    expect(lightsail.servingImage()).toBe(NEW_IMAGE);
    expect(creates(aws)).toHaveLength(1);
    expect(log.lines.join("\n")).toMatch(/but the deployment was created: version 4 carries this run's id/);
  });

  test("a bad release whose Create answer was lost is rolled back", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws, { lostAnswers: [refusedBusy()] });
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
  });

  test("a Create that created nothing says nothing was changed, after checking", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws);
    aws.mocks.lightsail
      .on(CreateContainerServiceDeploymentCommand)
      .rejects(awsError("InvalidInputException", "bad port"));
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      "CreateContainerServiceDeployment was refused (InvalidInputException: bad port), at deploy; nothing was changed (no deployment carries this run's id)",
    );
  });

  test("when the deployments cannot be read after a failed Create, it does not claim nothing changed", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws);
    aws.mocks.lightsail.on(CreateContainerServiceDeploymentCommand).rejects(refusedBusy());
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .resolvesOnce({ deployments: [deployment(3, "ACTIVE")] })
      .rejects(throttled());
    const result = await run({ ...inputs, "wait-timeout": "30s" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("whether it created a deployment could not be read");
    expect(result.error).not.toContain("nothing was changed");
  });
});

describe("H1: one classification of errors, and the truth after a Create", () => {
  const network = (code: string) => Object.assign(new Error(`connect ${code} 1.2.3.4:443`), { code });

  test.each(["ENETUNREACH", "EHOSTUNREACH", "ENOTFOUND", "ECONNABORTED"])(
    "%s on the restore's Create is outlasted: the automatic rollback completes",
    async (code) => {
      const { deps, aws } = fakeDeps();
      const lightsail = statefulLightsail(aws);
      probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
      let createCalls = 0;
      const real = lightsail.create;
      aws.mocks.lightsail.on(CreateContainerServiceDeploymentCommand).callsFake(async (input) => {
        createCalls++;
        // The restore's first two Creates never reach AWS.
        if (createCalls === 2 || createCalls === 3) throw network(code);
        return real(input);
      });
      const result = await run(inputs, deps);
      expect(result.status).toBe("rolled-back");
      expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    },
  );

  test("a restore refused for good says so, not 'before wait-timeout'", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    let createCalls = 0;
    const real = lightsail.create;
    aws.mocks.lightsail.on(CreateContainerServiceDeploymentCommand).callsFake(async (input) => {
      createCalls++;
      if (createCalls > 1) throw awsError("AccessDeniedException", "no more deploys");
      return real(input);
    });
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("the automatic rollback was refused");
    expect(result.error).not.toContain("before `wait-timeout`");
    expect(result.error).toContain("version 4 is serving");
  });

  test("a role that cannot list deployments fails pre-flight, before anything changes", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws);
    aws.mocks.lightsail
      .on(GetContainerServiceDeploymentsCommand)
      .rejects(awsError("AccessDeniedException", "not allowed"));
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("access denied while listing the service's deployments");
    expect(result.error).toContain("at preflight");
    expect(creates(aws)).toHaveLength(0);
  });

  test("an exception after the Create still reads back and says what serves", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws);
    const sleep = deps.sleep;
    deps.sleep = async (ms) => {
      if (creates(aws).length > 0) throw new TypeError("the runner's clock broke");
      return sleep(ms);
    };
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      "deployment version 4 was created, then the run failed before judging it (TypeError: the runner's clock broke); version 3 is serving",
    );
    expect(result.deploymentVersion).toBe(4);
    expect(result.servingVersion).toBe(3);
  });
});

describe("the automatic rollback keeps trying", () => {
  test("service reads throttled past wait-timeout: the step says the rollback was not done, never 'nothing was changed'", async () => {
    const { deps, aws, log } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    let probed = false;
    const probe = deps.httpGet;
    deps.httpGet = async (url, timeout) => {
      probed = true;
      return probe(url, timeout);
    };
    aws.mocks.lightsail.on(GetContainerServicesCommand).callsFake(async () => {
      if (probed) throw throttled();
      return { containerServices: [service({ currentDeployment: lightsail.serving() })] };
    });
    const result = await run({ ...inputs, "wait-timeout": "1m" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(
      /the automatic rollback could not be completed before `wait-timeout` \(reading the Lightsail service kept failing/,
    );
    expect(result.error).toContain("which version is serving could not be read");
    const said = [result.error ?? "", ...log.lines].join("\n");
    expect(said).not.toMatch(/nothing was changed|at preflight/);
  });

  test("through a minute of throttling on its reads and a refused Create, until the release is restored", async () => {
    const { deps, aws, clock } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const started = clock.now();
    let probed = false;
    const probe = deps.httpGet;
    deps.httpGet = async (url, timeout) => {
      probed = true;
      return probe(url, timeout);
    };
    // Once the probe has run, Lightsail throttles every service read for 60 s of (fake) time.
    const serviceReads = aws.mocks.lightsail.on(GetContainerServicesCommand);
    serviceReads.callsFake(async () => {
      if (probed && clock.now() - started < 60_000) throw throttled();
      return { containerServices: [service({ currentDeployment: lightsail.serving() })] };
    });
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(result.error).not.toContain("preflight");
    expect(result.error).toContain("rolled back: version 5");
  });

  test("when AWS never recovers, it says the rollback was not done and which version serves", async () => {
    const { deps, aws, log } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    let creates = 0;
    aws.mocks.lightsail.on(CreateContainerServiceDeploymentCommand).callsFake(async (input) => {
      creates++;
      if (creates > 1) throw throttled();
      lightsail.deployments.push({
        version: 4,
        state: "ACTIVATING",
        containers: input.containers,
        publicEndpoint: input.publicEndpoint,
      });
      return { containerService: service({ nextDeployment: { version: 4, state: "ACTIVATING" } }) };
    });
    const result = await run({ ...inputs, "wait-timeout": "2m" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/the automatic rollback could not be completed before `wait-timeout`/);
    expect(result.error).toContain("version 4 is serving");
    expect(result.error).not.toMatch(/nothing was changed|preflight/);
    expect(result.servingVersion).toBe(4);
    expect(creates).toBeGreaterThan(3);
    expect(log.lines.join("\n")).toMatch(
      /CreateContainerServiceDeployment failed \(ThrottlingException: .*\) and created nothing; trying again in \d+ ms/,
    );
  });

  test("a serving version that cannot be read is reported as unknown, never as none", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws, { settle: () => "FAILED" });
    let reads = 0;
    aws.mocks.lightsail.on(GetContainerServicesCommand).callsFake(async () => {
      if (++reads > 1)
        throw Object.assign(awsError("ServiceException", "unavailable"), {
          $metadata: { httpStatusCode: 503 },
        });
      return { containerServices: [service()] };
    });
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      "which version is serving could not be read (ServiceException: unavailable)",
    );
    expect(result.error).not.toContain("no version is serving");
    expect(result.servingUnknown).toBe("ServiceException: unavailable");
  });
});

describe("the record decides what a rollback returns to", () => {
  test("a re-run after a killed runner restores the verified release, not the unverified one serving", async () => {
    const { deps, aws } = fakeDeps();
    // v3 was verified; the killed run's bad release v4 went ACTIVE and was never judged.
    const v3 = deployment(3, "INACTIVE", "v3");
    const v4 = deployment(4, "ACTIVE", "0123456", undefined, "1234.1-deadbeef");
    const lightsail = statefulLightsail(aws, { deployments: [v3, v4] });
    fakeRecordParameter(aws, recordWith([[v3, "good"]]));
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    expect(creates(aws)[1]?.containers?.app?.image).toBe(`${REPOSITORY_URI}:v3`);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(result.error).toContain("the configuration of verified version 3");
  });

  test("rollback-to previous after an automatic rollback skips the release that failed", async () => {
    const { deps, aws } = fakeDeps();
    const [v1, v2, v3, v4] = [
      deployment(1, "INACTIVE", "one"),
      deployment(2, "INACTIVE", "two"),
      deployment(3, "INACTIVE", "bad", undefined, "9.1-aaaaaaaa"),
      deployment(4, "ACTIVE", "two", undefined, "9.1-bbbbbbbb"),
    ];
    statefulLightsail(aws, { deployments: [v1, v2, v3, v4] });
    fakeRecordParameter(
      aws,
      recordWith([
        [v1, "good"],
        [v2, "good"],
        [v3, "rejected"],
        [v4, "good"],
      ]),
    );
    const result = await run({ "service-name": "demo", "rollback-to": "previous" }, deps);
    expect(result.status).toBe("rolled-back");
    expect(result.imageUri).toBe(`${REPOSITORY_URI}:one`);
  });

  test("a manual rollback that fails its probe is itself rolled back to the last verified release", async () => {
    const { deps, aws } = fakeDeps();
    const [v2, v3] = [deployment(2, "INACTIVE", "two"), deployment(3, "ACTIVE", "three")];
    const lightsail = statefulLightsail(aws, { deployments: [v2, v3] });
    fakeRecordParameter(
      aws,
      recordWith([
        [v2, "good"],
        [v3, "good"],
      ]),
    );
    probeFailsFor(deps, lightsail, (image) => image.endsWith(":two"));
    const result = await run({ "service-name": "demo", "rollback-to": "2" }, deps);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:three`);
    expect(result.status).toBe("rolled-back");
    expect(result.error).toContain("deployment version 4 went ACTIVE but failed the probe");
    expect(result.error).toContain(
      "rolled back: version 5 (the configuration of verified version 3) is serving",
    );
  });

  test("with no verified release left to return to, it does not roll back to an unverified one, and says so", async () => {
    const { deps, aws } = fakeDeps();
    // The record verified only version 1, which Lightsail no longer lists; v3 serving was never verified.
    const v3 = deployment(3, "ACTIVE", "v3", undefined, "77.1-cccccccc-1");
    const lightsail = statefulLightsail(aws, { deployments: [v3] });
    fakeRecordParameter(aws, recordWith([[deployment(1, "INACTIVE", "one"), "good"]]));
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(creates(aws)).toHaveLength(1);
    expect(result.error).toContain(
      "not rolled back: the release record holds no verified-good release to return to; version 4 is serving",
    );
  });

  test("a record in another form is refused at pre-flight, before anything changes", async () => {
    const { deps, aws } = fakeDeps();
    statefulLightsail(aws);
    fakeRecordParameter(aws, "not json");
    const result = await run(inputs, deps);
    expect(result.error).toContain(
      "the release record `release-record` (/lightsail-deploy/demo/releases) is not in the form",
    );
    expect(creates(aws)).toHaveLength(0);
  });

  test("H2: a record that cannot be written fails pre-flight, before anything changes", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    aws.mocks.ssm.on(PutParameterCommand).rejects(awsError("AccessDeniedException", "not allowed"));
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain(
      "the release record `release-record` (/lightsail-deploy/demo/releases) cannot be written (AccessDeniedException: not allowed)",
    );
    expect(result.error).toContain("at preflight; nothing was changed");
    expect(creates(aws)).toHaveLength(0);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
  });

  test("H2: an empty record never trusts a release carrying this action's id: no rollback to a killed run's release", async () => {
    const { deps, aws, log } = fakeDeps();
    // The record was deleted; v4 serves, made by a run killed before its verdict (it carries an id).
    const v3 = deployment(3, "INACTIVE", "v3", undefined, "5.1-aaaaaaaa-1");
    const v4 = deployment(4, "ACTIVE", "unjudged", undefined, "6.1-bbbbbbbb-1");
    const lightsail = statefulLightsail(aws, { deployments: [v3, v4] });
    const record = fakeRecordParameter(aws);
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("failed");
    expect(creates(aws)).toHaveLength(1);
    expect(record.entries().find((e) => e.version === 4)).toBeUndefined();
    expect(log.lines.join("\n")).toMatch(
      /Version 4 serves and carries this action's LIGHTSAIL_DEPLOY_ID but no verdict/,
    );
    expect(result.error).toContain("not rolled back: the release record holds no verified-good release");
  });

  test("H2: rollback-to previous with an empty record refuses, names what to pass, and changes nothing", async () => {
    const { deps, aws } = fakeDeps();
    // v3 was the failed release, rolled back by v4 (a copy of v2); the record was then deleted.
    const [v2, v3, v4] = [
      deployment(2, "INACTIVE", "two", undefined, "1.1-aaaaaaaa-1"),
      deployment(3, "INACTIVE", "bad", undefined, "2.1-bbbbbbbb-1"),
      deployment(4, "ACTIVE", "two", undefined, "2.1-bbbbbbbb-2"),
    ];
    const lightsail = statefulLightsail(aws, { deployments: [v2, v3, v4] });
    fakeRecordParameter(aws);
    const result = await run({ "service-name": "demo", "rollback-to": "previous" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("holds no verified-good release of this service");
    expect(result.error).toContain("`rollback-to: 3`");
    expect(creates(aws)).toHaveLength(0);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:two`);
  });

  test("a re-created service (a paused environment) is not vouched for by verdicts on the old service's versions", async () => {
    const { deps, aws } = fakeDeps();
    // The old service's v1 was judged good, with no deploy id (trusted on first use). The service was then
    // deleted and re-created: its own v1 and v2 were deployed by hand and carry no id either.
    const [v1, v2] = [deployment(1, "INACTIVE", "handmade-1"), deployment(2, "ACTIVE", "handmade-2")];
    const lightsail = statefulLightsail(aws, {
      deployments: [v1, v2],
      serviceCreatedAt: new Date(1_700_000_050_000),
    });
    const record = fakeRecordParameter(aws);
    record.verdict(v1, "good");
    const result = await run({ "service-name": "demo", "rollback-to": "previous" }, deps);
    expect(result.status).toBe("failed");
    expect(result.error).toContain("holds no verified-good release of this service");
    expect(creates(aws)).toHaveLength(0);
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:handmade-2`);
  });

  test("H2 upgrade: a legacy record's rejection holds, and its unjudged release is not trusted", async () => {
    const { deps, aws } = fakeDeps();
    const [v2, v3] = [
      deployment(2, "INACTIVE", "two", undefined, "1.1-aaaaaaaa-1"),
      deployment(3, "ACTIVE", "bad", undefined, "2.1-bbbbbbbb-1"),
    ];
    statefulLightsail(aws, { deployments: [v2, v3] });
    fakeRecordParameter(aws, recordWith([[v2, "rejected"]]));
    const result = await run({ "service-name": "demo", "rollback-to": "previous" }, deps);
    expect(result.status).toBe("failed");
    expect(creates(aws)).toHaveLength(0);
  });

  test("L5: verdicts of another service sharing the record path do not count for this one", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    const record = fakeRecordParameter(aws);
    // Another service's good verdict under the same path: with one shared list it switched off this
    // service's first-use trust, so its first failure had nothing to return to.
    record.verdict(deployment(9, "ACTIVE", "nine", undefined, "9.1-cccccccc-1"), "good", {
      service: "other",
      region: "eu-west-1",
    });
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
    expect(
      record
        .entries()
        .filter((e) => e.service === "demo")
        .map((e) => [e.version, e.verdict]),
    ).toEqual([
      [3, "good"],
      [4, "rejected"],
      [5, "good"],
    ]);
  });

  test("M1: the automatic rollback goes by the record read at the start, even when it becomes unreadable", async () => {
    const { deps, aws } = fakeDeps();
    const v3 = deployment(3, "ACTIVE", "v3", undefined, "1.1-aaaaaaaa-1");
    const lightsail = statefulLightsail(aws, { deployments: [v3] });
    const record = fakeRecordParameter(aws);
    record.verdict(v3, "good");
    let reads = 0;
    aws.mocks.ssm.on(GetParametersByPathCommand).callsFake(async (input) => {
      reads++;
      if (reads > 1) throw awsError("AccessDeniedException", "revoked");
      return {
        Parameters: [...record.parameters.entries()]
          .filter(([name]) => name.startsWith(`${input.Path}/`))
          .map(([Name, Value]) => ({ Name, Value })),
      };
    });
    probeFailsFor(deps, lightsail, (image) => image === NEW_IMAGE);
    const result = await run(inputs, deps);
    expect(result.status).toBe("rolled-back");
    expect(lightsail.servingImage()).toBe(`${REPOSITORY_URI}:v3`);
  });

  test("M3: two runs writing verdicts at once both keep theirs", async () => {
    const { aws } = fakeDeps();
    fakeRecordParameter(aws);
    const scope = { service: "demo", region: "eu-west-1" };
    const a = ssmRecordStore(aws.clients, "/lightsail-deploy/demo/releases", scope);
    const b = ssmRecordStore(aws.clients, "/lightsail-deploy/demo/releases", scope);
    const seenByA = await a.read();
    const seenByB = await b.read();
    const at = new Date(0);
    await a.add(
      verdictEntry(deployment(4, "ACTIVE", "four", undefined, "1.1-aaaaaaaa-1"), "good", "probe passed", at),
    );
    await b.add(
      verdictEntry(deployment(5, "ACTIVE", "five", undefined, "2.1-bbbbbbbb-1"), "rejected", "FAILED", at),
    );
    expect(seenByA.entries).toEqual(seenByB.entries);
    const after = await a.read();
    expect(after.entries.map((e) => [e.version, e.verdict]).sort()).toEqual([
      [4, "good"],
      [5, "rejected"],
    ]);
  });
});

describe("a verdict belongs to one version", () => {
  test("another deployment that takes over during the probe: superseded, no rollback", async () => {
    const { deps, aws } = fakeDeps();
    const lightsail = statefulLightsail(aws);
    let requests = 0;
    deps.httpGet = async () => {
      // Halfway through the probe, another pipeline's release (version 5) takes over and fails.
      if (++requests === 10) {
        const mine = lightsail.serving();
        if (mine) mine.state = "INACTIVE";
        lightsail.deployments.push({ ...deployment(5, "ACTIVE", "theirs"), createdAt: new Date() });
      }
      return { status: requests >= 10 ? 500 : 200 };
    };
    const result = await run(inputs, deps);
    expect(result.status).toBe("superseded");
    expect(creates(aws)).toHaveLength(1);
    expect(result.error).toContain("deployment version 4 was superseded by version 5");
    expect(result.error).toContain("nothing was rolled back; version 5 is serving");
    expect(result.servingVersion).toBe(5);
  });
});
