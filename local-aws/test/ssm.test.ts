import {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  paginateGetParametersByPath,
  ValidationException,
} from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_STANDARD_VALUE, SCANNED_PER_CALL } from "../src/ssm/ssm-service.js";
import { type Harness, startHarness } from "./support/harness.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

const put = (
  Name: string,
  Value: string,
  more: { Type?: "String" | "SecureString"; Overwrite?: boolean } = {},
) => h.ssm.send(new PutParameterCommand({ Name, Value, Type: "String", ...more }));
const get = async (Name: string, WithDecryption = false) =>
  (await h.ssm.send(new GetParameterCommand({ Name, WithDecryption }))).Parameter;

describe("PutParameter and GetParameter", () => {
  it("creates version 1, refuses to overwrite unless asked, then counts versions up", async () => {
    const created = await put("/myapp/dev/RELEASE", '{"tag":"v1"}');
    expect(created).toMatchObject({ Version: 1, Tier: "Standard" });
    expect(await get("/myapp/dev/RELEASE")).toMatchObject({
      Name: "/myapp/dev/RELEASE",
      Type: "String",
      Value: '{"tag":"v1"}',
      Version: 1,
      ARN: "arn:aws:ssm:eu-west-1:000000000000:parameter/myapp/dev/RELEASE",
      DataType: "text",
    });
    await expect(put("/myapp/dev/RELEASE", "again")).rejects.toBeInstanceOf(ParameterAlreadyExists);
    const second = await h.ssm.send(
      new PutParameterCommand({ Name: "/myapp/dev/RELEASE", Value: '{"tag":"v2"}', Overwrite: true }),
    );
    expect(second.Version).toBe(2);
    expect(await get("/myapp/dev/RELEASE")).toMatchObject({
      Type: "String",
      Value: '{"tag":"v2"}',
      Version: 2,
    });
    expect((await get("/myapp/dev/RELEASE"))?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("answers ParameterNotFound for a missing name and hides SecureString values unless WithDecryption", async () => {
    await expect(get("/nope")).rejects.toBeInstanceOf(ParameterNotFound);
    await put("/myapp/dev/TOKEN", "t0ps3cret", { Type: "SecureString" });
    expect((await get("/myapp/dev/TOKEN"))?.Value).not.toContain("t0ps3cret");
    expect((await get("/myapp/dev/TOKEN", true))?.Value).toBe("t0ps3cret");
  });

  it.each([
    [
      "a value over 4096 characters",
      { Name: "/x/BIG", Value: "v".repeat(MAX_STANDARD_VALUE + 1), Type: "String" },
      /maximum parameter value of 4096/,
    ],
    ["a new parameter without a Type", { Name: "/x/NEW", Value: "v" }, /parameter type is required/],
    ["an unknown Type", { Name: "/x/T", Value: "v", Type: "Number" }, /String, StringList, SecureString/],
    ["a name prefixed with aws", { Name: "/aws/x", Value: "v", Type: "String" }, /can't be prefixed/],
    ["the advanced tier", { Name: "/x/A", Value: "v", Type: "String", Tier: "Advanced" }, /Standard/],
  ])("rejects %s with ValidationException", async (_what, input, message) => {
    const error = await h.ssm.send(new PutParameterCommand(input as never)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("vvvvvvvv");
  });

  it("accepts exactly 4096 characters", async () => {
    expect((await put("/x/FULL", "v".repeat(MAX_STANDARD_VALUE))).Version).toBe(1);
  });

  it("keeps written parameters across a restart; the config no longer overrides them", async () => {
    await put("/myapp/dev/RELEASE", "r1");
    await h.ssm.send(
      new PutParameterCommand({ Name: "/myapp/dev/LOG_LEVEL", Value: "warn", Overwrite: true }),
    );
    await h.restart();
    expect(await get("/myapp/dev/RELEASE")).toMatchObject({ Value: "r1", Version: 1 });
    expect(await get("/myapp/dev/LOG_LEVEL")).toMatchObject({ Value: "warn", Version: 2 });
    expect(await get("/other/KEY")).toMatchObject({ Value: "x", Version: 1 });
  });
});

describe("GetParametersByPath pages", () => {
  it(`may return fewer than MaxResults with a NextToken: it looks at ${SCANNED_PER_CALL} parameters a call`, async () => {
    for (let i = 0; i < 12; i++) await put(`/deep/nested/P${String(i).padStart(2, "0")}`, String(i));
    await put("/deep/TOP", "top");
    const first = await h.ssm.send(new GetParametersByPathCommand({ Path: "/deep" }));
    expect(first.Parameters).toEqual([]);
    expect(first.NextToken).toBeDefined();
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateGetParametersByPath({ client: h.ssm }, { Path: "/deep" })) {
      pages += 1;
      names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ""));
    }
    expect(names).toEqual(["/deep/TOP"]);
    expect(pages).toBe(2);
    const recursive = await h.ssm.send(
      new GetParametersByPathCommand({ Path: "/deep", Recursive: true, MaxResults: 10 }),
    );
    expect(recursive.Parameters).toHaveLength(10);
  });
});

describe("DeleteParameters", () => {
  it("deletes the names that exist and lists the others as invalid, as AWS does", async () => {
    await put("/rec/a", "1");
    await put("/rec/b", "2");
    const out = await h.ssm.send(new DeleteParametersCommand({ Names: ["/rec/a", "/rec/missing"] }));
    expect(out.DeletedParameters).toEqual(["/rec/a"]);
    expect(out.InvalidParameters).toEqual(["/rec/missing"]);
    await expect(get("/rec/a")).rejects.toBeInstanceOf(ParameterNotFound);
    expect((await get("/rec/b"))?.Value).toBe("2");
    await expect(
      h.ssm.send(new DeleteParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/rec/${i}`) })),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});
