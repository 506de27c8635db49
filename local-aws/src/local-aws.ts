import type { Server } from "node:http";
import { join } from "node:path";
import {
  defaultSettings,
  type LocalAwsConfig,
  loadConfigFile,
  parseConfig,
  stopGraceSeconds,
} from "./config/config.js";
import type { ContainerRuntime } from "./docker/container-runtime.js";
import { DockerCli } from "./docker/docker-cli.js";
import { stopAndRemove } from "./docker/graceful.js";
import { EcrService } from "./ecr/ecr-service.js";
import type { RegistryBackend } from "./ecr/registry.js";
import { RegistryProcess } from "./ecr/registry-process.js";
import { FaultController, FaultError, type FaultSpec, parseFaultSpec } from "./faults/faults.js";
import { Certificates } from "./lightsail/certificates.js";
import { LogArchive } from "./lightsail/container-logs.js";
import { DeploymentRunner } from "./lightsail/deployment-runner.js";
import { type LightsailDeps, realSleep } from "./lightsail/deps.js";
import { type HttpProbe, httpProbe } from "./lightsail/health-probe.js";
import { LightsailService } from "./lightsail/lightsail-service.js";
import { LocalAuthority } from "./lightsail/local-authority.js";
import { portsOf, roundRobin } from "./lightsail/nodes.js";
import { ServiceProxy } from "./lightsail/service-proxy.js";
import { pullerRoleArn, serviceArn } from "./lightsail/service-view.js";
import { type DomainRoute, TlsFront } from "./lightsail/tls-front.js";
import { freePort, isPortFree } from "./ports.js";
import { answerRecorder } from "./protocol/answer-recorder.js";
import { type AdminHandler, createApiServer } from "./protocol/api-server.js";
import { RequestStats } from "./protocol/request-stats.js";
import { syncParameters } from "./ssm/parameter-store.js";
import { SsmService } from "./ssm/ssm-service.js";
import { currentDeployment, type PersistedState } from "./state/state.js";
import { StateStore } from "./state/state-store.js";

export interface LocalAwsOptions {
  /** Where state, registry storage, captured logs and the stand-in's DOCKER_CONFIG live. */
  stateDir: string;
  /** A JSON config file; or pass `config` (the same shape as an object). */
  configFile?: string;
  config?: unknown;
  /** API port on 127.0.0.1; default: the last one used by this state dir if free, else a free one. */
  apiPort?: number;
  /** Registry port on 127.0.0.1; default as for apiPort (image URIs in saved deployments name it). */
  registryPort?: number;
  /** Appends every AWS answer to this JSONL file, for `checkConformance` (also `--record-answers`). */
  recordAnswers?: string;
  /** Progress lines (deployment steps, registry output); silent by default. */
  log?: (line: string) => void;
  /** Replaces real parts; unit tests pass fakes, production uses the defaults. */
  overrides?: {
    runtime?: ContainerRuntime;
    startRegistry?: (port: number) => Promise<RegistryBackend>;
    probe?: HttpProbe;
    sleep?: (ms: number) => Promise<void>;
    /** The wait between health checks of ACTIVE deployments; real time unless given (tests step it). */
    monitorSleep?: (ms: number) => Promise<void>;
    now?: () => number;
  };
}

export interface LocalAws {
  /** `http://127.0.0.1:<apiPort>`: the value for AWS_ENDPOINT_URL_{LIGHTSAIL,ECR,SSM} and `--endpoint-url`. */
  endpoint: string;
  /** `http://127.0.0.1:<registryPort>`: ECR's proxyEndpoint. */
  registryEndpoint: string;
  apiPort: number;
  registryPort: number;
  config: LocalAwsConfig;
  /** Label value `local-aws.instance` on every container this state dir created. */
  instanceId: string;
  /** `http://127.0.0.1:<publicPort>/` of a declared service. */
  serviceUrl(name: string): string;
  /**
   * The custom domains' HTTPS listener on 127.0.0.1 (any attached domain, picked by SNI), and the local
   * certificate authority that issued its certificates (`<stateDir>/tls/ca.pem`), for clients to trust.
   */
  https: { port: number; caFile: string };
  /** Faults applied to the next matching requests or deployments (same as `POST /_local/faults`). */
  faults: FaultController;
  /** AWS requests received per `api:Operation` since start or the last reset (same as `GET /_local/stats`). */
  stats: RequestStats;
  /** Resolves when no deployment or update is in progress. */
  idle(): Promise<void>;
  /** Stops the API, proxies and registry; containers keep running unless `removeContainers` (which also
   * removes the images it pulled into the engine). */
  stop(options?: { removeContainers?: boolean }): Promise<void>;
}

async function choosePort(requested: number | undefined, previous: number | undefined): Promise<number> {
  if (requested !== undefined && requested !== 0) return requested;
  if (previous !== undefined && (await isPortFree(previous))) return previous;
  return freePort();
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/** Brings the state in line with the config: declared repositories and services exist, others go. */
async function syncDeclarations(
  state: PersistedState,
  config: LocalAwsConfig,
  now: number,
): Promise<string[]> {
  for (const repository of config.repositories) {
    if (!state.repositories[repository.name]) {
      state.repositories[repository.name] = {
        name: repository.name,
        createdAt: now,
        ...(repository.policyText ? { policyText: repository.policyText } : {}),
      };
    }
  }
  for (const name of Object.keys(state.repositories)) {
    const declared = config.repositories.some((r) => r.name === name);
    if (!declared && !state.repositories[name]?.createdByApi) delete state.repositories[name];
  }
  for (const service of config.services) {
    const existing = state.services[service.name];
    const publicPort =
      service.publicPort !== 0 ? service.publicPort : (existing?.publicPort ?? (await freePort()));
    if (existing) {
      existing.publicPort = publicPort;
      continue;
    }
    state.services[service.name] = {
      name: service.name,
      arn: serviceArn(config.region, service.name),
      createdAt: now,
      power: service.power,
      scale: service.scale,
      isDisabled: false,
      state: "READY",
      registryAccess: {
        isActive: service.privateRegistryAccess,
        principalArn: service.privateRegistryAccess ? pullerRoleArn(config.region, service.name) : "",
      },
      publicPort,
      publicDomainNames: {},
      deployments: [],
      events: [],
    };
  }
  const undeclared = Object.keys(state.services).filter(
    (name) => !config.services.some((s) => s.name === name),
  );
  for (const name of undeclared) delete state.services[name];
  return undeclared;
}

/**
 * Removes every container created for this state dir (label `local-aws.instance=<id>`) and the images it
 * pulled into the engine (the registry keeps them).
 */
export async function removeInstanceContainers(
  runtime: ContainerRuntime,
  state: Pick<PersistedState, "instanceId" | "pulledImages" | "stopGraceSeconds">,
): Promise<{ containers: string[]; images: string[] }> {
  const containers = await runtime.listByLabel("local-aws.instance", state.instanceId);
  const grace = state.stopGraceSeconds ?? stopGraceSeconds(defaultSettings);
  await Promise.all(containers.map((name) => stopAndRemove(runtime, name, grace)));
  const images = state.pulledImages ?? [];
  for (const image of images) await runtime.removeImage(image);
  state.pulledImages = [];
  return { containers, images };
}

/** Starts the registry, re-adopts containers from the state dir, and serves the API and service URLs. */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const config = options.configFile ? loadConfigFile(options.configFile) : parseConfig(options.config ?? {});
  const log = options.log ?? (() => {});
  const overrides = options.overrides ?? {};
  const now = overrides.now ?? Date.now;
  const store = new StateStore(options.stateDir);
  const state = store.state;
  const registryPort = await choosePort(options.registryPort, state.ports.registry);
  const registry = overrides.startRegistry
    ? await overrides.startRegistry(registryPort)
    : await RegistryProcess.start({ stateDir: options.stateDir, port: registryPort });
  const runtime = overrides.runtime ?? new DockerCli(join(options.stateDir, "docker-config"));
  const faults = new FaultController();
  const undeclared = await syncDeclarations(state, config, Math.floor(now() / 1000));
  syncParameters(state, config.parameters, Math.floor(now() / 1000));
  for (const name of undeclared) {
    for (const container of await runtime.listByLabel("local-aws.service", name))
      await stopAndRemove(runtime, container, stopGraceSeconds(config.settings));
  }
  const deps: LightsailDeps = {
    store,
    region: config.region,
    settings: config.settings,
    registry,
    runtime,
    faults,
    probe: overrides.probe ?? httpProbe,
    freePort,
    now,
    sleep: overrides.sleep ?? realSleep,
    monitorSleep: overrides.monitorSleep ?? realSleep,
    logDir: join(options.stateDir, "logs"),
    log,
  };
  const archive = new LogArchive(deps.logDir);
  const runner = new DeploymentRunner(deps, archive);
  const lightsail = new LightsailService(deps, runner, archive);
  const authority = new LocalAuthority(options.stateDir);
  await authority.ensure();
  const certificates = new Certificates(store, config.region, authority, config.dnsServers, now);
  const ecr = new EcrService(store, registry, config.region, now);
  const ssm = new SsmService(store, config.region, now);
  const proxies: ServiceProxy[] = [];
  const stats = new RequestStats();
  const server = createApiServer({
    handlers: {
      ecr: ecr.handlers,
      lightsail: {
        ...lightsail.handlers,
        ...certificates.handlers,
        UpdateContainerService: async (body) => {
          await certificates.checkPublicDomains(body);
          return lightsail.handlers.UpdateContainerService?.(body);
        },
      },
      ssm: ssm.handlers,
    },
    faults,
    stats,
    ...(options.recordAnswers ? { record: answerRecorder(options.recordAnswers) } : {}),
    admin: adminHandler(faults, stats, () => ({
      endpoint: `http://127.0.0.1:${apiPort}`,
      registryEndpoint: registry.endpoint,
      services: Object.fromEntries(
        Object.values(state.services).map((s) => [
          s.name,
          { state: s.state, url: `http://127.0.0.1:${s.publicPort}/` },
        ]),
      ),
    })),
    log,
  });
  let apiPort = 0;
  let tlsFront: TlsFront | undefined;
  try {
    for (const service of Object.values(state.services)) await runner.resume(service);
    for (const { name, publicPort } of Object.values(state.services)) {
      const nextNode = roundRobin();
      const proxy = ServiceProxy.start(publicPort, () => {
        // Looked up per request: DeleteContainerService and CreateContainerService replace the record.
        const service = state.services[name];
        if (!service) return { unavailable: `the container service "${name}" does not exist` };
        if (service.isDisabled) return { unavailable: `the container service "${service.name}" is disabled` };
        const active = currentDeployment(service);
        const endpoint = active?.publicEndpoint;
        if (!active || !endpoint)
          return {
            unavailable: `the container service "${service.name}" has no active deployment with a public endpoint`,
          };
        if (faults.flapsDown(service.name, "proxy")) return { unavailable: "injected flapping-health fault" };
        const node = nextNode(active);
        if (node === undefined)
          return { unavailable: "no node of the active deployment passes its health check" };
        if (faults.nodeFails(service.name, active.version, node, "proxy"))
          return { unavailable: `injected node fault on node ${node + 1}` };
        const port = portsOf(active, node)[endpoint.containerName];
        return port ? { port } : { unavailable: "the public container has no port yet" };
      });
      proxies.push(
        await proxy.catch((error: Error) => {
          throw new Error(
            `local-aws: cannot serve the URL of service "${name}" on 127.0.0.1:${publicPort} (${error.message}); change services[].publicPort in the config`,
          );
        }),
      );
    }
    tlsFront = await TlsFront.start(0, (domain) => domainRoute(state, certificates, domain));
    apiPort = await listen(server, await choosePort(options.apiPort, state.ports.api));
  } catch (error) {
    await tlsFront?.stop();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await registry.stop();
    throw error;
  }
  state.ports = { api: apiPort, registry: registryPort };
  state.stopGraceSeconds = stopGraceSeconds(config.settings);
  store.save();
  log(`local-aws: API http://127.0.0.1:${apiPort}, registry ${registry.endpoint}`);

  return {
    endpoint: `http://127.0.0.1:${apiPort}`,
    registryEndpoint: registry.endpoint,
    apiPort,
    registryPort,
    config,
    instanceId: state.instanceId,
    serviceUrl(name) {
      const service = state.services[name];
      if (!service) throw new Error(`local-aws: no service named ${JSON.stringify(name)} in the config`);
      return `http://127.0.0.1:${service.publicPort}/`;
    },
    https: { port: tlsFront.port, caFile: authority.caFile },
    faults,
    stats,
    idle: () => runner.idle(),
    async stop(stopOptions = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runner.stop();
      await tlsFront?.stop();
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      await registry.stop();
      if (stopOptions.removeContainers) await removeInstanceContainers(runtime, state);
      store.save();
    },
  };
}

/** The service a domain is attached to (through an ISSUED certificate), and that certificate's files. */
function domainRoute(
  state: PersistedState,
  certificates: Certificates,
  domain: string,
): DomainRoute | undefined {
  for (const service of Object.values(state.services)) {
    for (const [name, domains] of Object.entries(service.publicDomainNames)) {
      if (!domains.some((d) => d.toLowerCase() === domain)) continue;
      const issued = certificates.issued(name)?.issued;
      if (issued)
        return { servicePort: service.publicPort, certFile: issued.certFile, keyFile: issued.keyFile };
    }
  }
  return undefined;
}

function adminHandler(faults: FaultController, stats: RequestStats, health: () => unknown): AdminHandler {
  return async (method, path, body) => {
    if (path === "/_local/stats" && method === "GET") return { status: 200, body: stats.snapshot() };
    if (path === "/_local/stats" && method === "DELETE") {
      stats.reset();
      return { status: 200, body: stats.snapshot() };
    }
    if (method === "GET" && path === "/_local/health")
      return { status: 200, body: { ok: true, ...(health() as object) } };
    if (path === "/_local/faults" && method === "GET")
      return { status: 200, body: { faults: faults.list() } };
    if (path === "/_local/faults" && method === "DELETE") {
      const removed = faults.list().length;
      faults.clear();
      return { status: 200, body: { removed } };
    }
    if (path === "/_local/faults" && method === "POST") {
      const raw = body as { faults?: unknown } | unknown[];
      const list = Array.isArray(raw)
        ? raw
        : Array.isArray((raw as { faults?: unknown }).faults)
          ? (raw as { faults: unknown[] }).faults
          : [raw];
      try {
        const specs: FaultSpec[] = list.map(parseFaultSpec);
        return { status: 201, body: { faults: specs.map((spec) => faults.add(spec)) } };
      } catch (error) {
        if (error instanceof FaultError) return { status: 400, body: { message: error.message } };
        throw error;
      }
    }
    const match = /^\/_local\/faults\/(\d+)$/.exec(path);
    if (match && method === "DELETE") {
      return faults.remove(Number(match[1]))
        ? { status: 200, body: { removed: 1 } }
        : { status: 404, body: { message: `no fault ${match[1]}` } };
    }
    return undefined;
  };
}
