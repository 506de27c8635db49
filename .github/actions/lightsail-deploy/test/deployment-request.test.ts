import { describe, expect, test } from "vitest";
import {
  buildDeploymentRequest,
  type DeploymentChanges,
  describeRequest,
  requestFromDeployment,
} from "../src/targets/lightsail/release/create/deployment-request.js";
import { deployment } from "./fakes.js";

const changes = (over: Partial<DeploymentChanges> = {}): DeploymentChanges => ({
  serviceName: "demo",
  containerName: undefined,
  image: "127.0.0.1:5000/app:new",
  environment: {},
  containerPort: undefined,
  healthCheck: {},
  ...over,
});

describe("buildDeploymentRequest", () => {
  test("keeps the current configuration and replaces only the image", () => {
    const current = deployment(3, "ACTIVE");
    current.containers = { ...current.containers, worker: { image: "worker:1", command: ["run"] } };
    expect(buildDeploymentRequest(current, changes())).toEqual({
      serviceName: "demo",
      containers: {
        app: { image: "127.0.0.1:5000/app:new", environment: { MODE: "prod" }, ports: { "8080": "HTTP" } },
        worker: { image: "worker:1", command: ["run"] },
      },
      publicEndpoint: {
        containerName: "app",
        containerPort: 8080,
        healthCheck: { path: "/health", intervalSeconds: 10, successCodes: "200-299" },
      },
    });
  });

  test("does not modify the current deployment it starts from", () => {
    const current = deployment(3, "ACTIVE");
    const before = structuredClone(current);
    buildDeploymentRequest(current, changes({ environment: { A: "1" }, containerPort: 9000 }));
    expect(current).toEqual(before);
  });

  test("applies environment, port and health-check overrides", () => {
    const request = buildDeploymentRequest(
      deployment(3, "ACTIVE"),
      changes({
        environment: { MODE: "staging", NEW: "1" },
        containerPort: 3000,
        healthCheck: { path: "/ready", healthyThreshold: 3, timeoutSeconds: undefined },
      }),
    );
    expect(request.containers?.app).toEqual({
      image: "127.0.0.1:5000/app:new",
      environment: { MODE: "staging", NEW: "1" },
      ports: { "3000": "HTTP" },
    });
    expect(request.publicEndpoint).toEqual({
      containerName: "app",
      containerPort: 3000,
      healthCheck: { path: "/ready", intervalSeconds: 10, successCodes: "200-299", healthyThreshold: 3 },
    });
  });

  test("first deployment: container `app` with the given port", () => {
    expect(buildDeploymentRequest(undefined, changes({ containerPort: 8080 }))).toEqual({
      serviceName: "demo",
      containers: { app: { image: "127.0.0.1:5000/app:new", ports: { "8080": "HTTP" } } },
      publicEndpoint: { containerName: "app", containerPort: 8080 },
    });
  });

  test("first deployment without a port is rejected, naming `container-port`", () => {
    expect(() => buildDeploymentRequest(undefined, changes())).toThrow(/at deploy; set `container-port`/);
  });

  test("a named container gets the image; the endpoint stays where it was", () => {
    const current = deployment(3, "ACTIVE");
    current.containers = { ...current.containers, sidecar: { image: "proxy:1" } };
    const request = buildDeploymentRequest(current, changes({ containerName: "sidecar" }));
    expect(request.containers?.sidecar?.image).toBe("127.0.0.1:5000/app:new");
    expect(request.containers?.app?.image).toBe("127.0.0.1:5000/app:v3");
    expect(request.publicEndpoint?.containerName).toBe("app");
  });
});

test("requestFromDeployment recreates an earlier deployment exactly", () => {
  const old = deployment(2, "INACTIVE", "old");
  expect(requestFromDeployment("demo", old)).toEqual({
    serviceName: "demo",
    containers: old.containers,
    publicEndpoint: old.publicEndpoint,
  });
});

test("describeRequest shows environment names but no values", () => {
  const request = buildDeploymentRequest(
    deployment(3, "ACTIVE"),
    changes({ environment: { DB_PASSWORD: "hunter2" } }),
  );
  const text = describeRequest(request);
  expect(text).not.toContain("hunter2");
  expect(text).not.toContain("prod");
  expect(JSON.parse(text).containers.app).toEqual({
    image: "127.0.0.1:5000/app:new",
    environment: { MODE: "***", DB_PASSWORD: "***" },
    ports: { "8080": "HTTP" },
  });
});
