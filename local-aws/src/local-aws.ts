import type { Server } from "node:http";
import { join } from "node:path";
import { type LocalAwsConfig, loadConfigFile, parseConfig, stopGraceSeconds } from "./config/config.js";
import type { ContainerRuntime } from "./docker/container-runtime.js";
import { DockerCli } from "./docker/docker-cli.js";
import { stopAndRemove } from "./docker/graceful.js";
import { removeInstanceContainers } from "./docker/instance-containers.js";
import { EcrService } from "./ecr/ecr-service.js";
import type { RegistryBackend } from "./ecr/registry.js";
import { RegistryProcess } from "./ecr/registry-process.js";
import type { EcsEmulation } from "./ecs/ecs-emulation.js";
import { ecsEmulation } from "./ecs-wiring.js";
import { FaultController } from "./faults/faults.js";
import { type HttpProbe, httpProbe } from "./http/health-probe.js";
import { Certificates } from "./lightsail/certificates.js";
import { LogArchive } from "./lightsail/container-logs.js";
import { syncDeclarations } from "./lightsail/declarations.js";
import { DeploymentRunner } from "./lightsail/deployment-runner.js";
import { type LightsailDeps, realSleep } from "./lightsail/deps.js";
import { domainRoute } from "./lightsail/domain-route.js";
import { LightsailService } from "./lightsail/lightsail-service.js";
import { LocalAuthority } from "./lightsail/local-authority.js";
import type { ServiceProxy } from "./lightsail/service-proxy.js";
import { startServiceUrls } from "./lightsail/service-urls.js";
import { TlsFront } from "./lightsail/tls-front.js";
import { choosePort, freePort, listen } from "./ports.js";
import { adminHandler } from "./protocol/admin-handler.js";
import { answerRecorder } from "./protocol/answer-recorder.js";
import { createApiServer } from "./protocol/api-server.js";
import { RequestStats } from "./protocol/request-stats.js";
import { syncParameters } from "./ssm/parameter-store.js";
import { SsmService } from "./ssm/ssm-service.js";
import type { PersistedState } from "./state/state.js";
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
    /** ECS, ELBv2 and CloudWatch advance only when `ecs.tick()` is called (tests step them on virtual time). */
    ecsManualTick?: boolean;
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
  /** The ECS services' load balancers (`loadBalancerUrl(service)`), and `tick` for tests that step time. */
  ecs: Pick<EcsEmulation, "loadBalancerUrl" | "tick" | "idle">;
  /** Stops the API, proxies and registry; containers keep running unless `removeContainers` (which also
   * removes the images it pulled into the engine). */
  stop(options?: { removeContainers?: boolean }): Promise<void>;
}

/** The stand-in's parts, wired: the AWS services on one state store, registry and container runtime. */
interface Parts {
  config: LocalAwsConfig;
  store: StateStore;
  registry: RegistryBackend;
  runtime: ContainerRuntime;
  faults: FaultController;
  stats: RequestStats;
  runner: DeploymentRunner;
  lightsail: LightsailService;
  certificates: Certificates;
  ecr: EcrService;
  ssm: SsmService;
  authority: LocalAuthority;
  ecs: EcsEmulation;
}

/** The listeners a started stand-in holds: the API, the service URLs and the custom domains' TLS front. */
interface Listeners {
  server: Server;
  apiPort: number;
  proxies: ServiceProxy[];
  tlsFront: TlsFront;
}

/** Starts the registry, re-adopts containers from the state dir, and serves the API and service URLs. */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const config = options.configFile ? loadConfigFile(options.configFile) : parseConfig(options.config ?? {});
  const store = new StateStore(options.stateDir);
  const registryPort = await choosePort(options.registryPort, store.state.ports.registry);
  const overrides = options.overrides ?? {};
  const registry = overrides.startRegistry
    ? await overrides.startRegistry(registryPort)
    : await RegistryProcess.start({ stateDir: options.stateDir, port: registryPort });
  const runtime = overrides.runtime ?? new DockerCli(join(options.stateDir, "docker-config"));
  await applyDeclarations(store.state, config, runtime, (overrides.now ?? Date.now)());
  const parts = await assemble(options, config, store, registry, runtime);
  const listeners = await listenAll(options, parts);
  store.state.ports = { api: listeners.apiPort, registry: registryPort };
  store.state.stopGraceSeconds = stopGraceSeconds(config.settings);
  store.save();
  (options.log ?? (() => {}))(
    `local-aws: API http://127.0.0.1:${listeners.apiPort}, registry ${registry.endpoint}`,
  );
  return handle(parts, listeners, registryPort);
}

/** Brings the state in line with the config, and stops the containers of services it no longer declares. */
async function applyDeclarations(
  state: PersistedState,
  config: LocalAwsConfig,
  runtime: ContainerRuntime,
  nowMs: number,
): Promise<void> {
  const undeclared = await syncDeclarations(state, config, Math.floor(nowMs / 1000));
  syncParameters(state, config.parameters, Math.floor(nowMs / 1000));
  for (const name of undeclared) {
    for (const container of await runtime.listByLabel("local-aws.service", name))
      await stopAndRemove(runtime, container, stopGraceSeconds(config.settings));
  }
}

/** Builds the services on the shared deps (real clock, sleep and probe unless overridden). */
async function assemble(
  options: LocalAwsOptions,
  config: LocalAwsConfig,
  store: StateStore,
  registry: RegistryBackend,
  runtime: ContainerRuntime,
): Promise<Parts> {
  const overrides = options.overrides ?? {};
  const now = overrides.now ?? Date.now;
  const faults = new FaultController();
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
    log: options.log ?? (() => {}),
  };
  const archive = new LogArchive(deps.logDir);
  const runner = new DeploymentRunner(deps, archive);
  const authority = new LocalAuthority(options.stateDir);
  await authority.ensure();
  return {
    ...{ config, store, registry, runtime, faults, runner, authority },
    stats: new RequestStats(),
    lightsail: new LightsailService(deps, runner, archive),
    certificates: new Certificates(store, config.region, authority, config.dnsServers, now),
    ecr: new EcrService(store, registry, config.region, now),
    ssm: new SsmService(store, config.region, now),
    ecs: ecsEmulation(options.log, config, store, deps),
  };
}

/** The API server: every service's handlers (domains checked before an update), faults, stats, admin. */
function apiServer(options: LocalAwsOptions, parts: Parts, apiPort: () => number): Server {
  const { lightsail, certificates, faults, stats, store, registry } = parts;
  return createApiServer({
    handlers: {
      ecr: parts.ecr.handlers,
      lightsail: {
        ...lightsail.handlers,
        ...certificates.handlers,
        UpdateContainerService: async (body) => {
          await certificates.checkPublicDomains(body);
          return lightsail.handlers.UpdateContainerService?.(body);
        },
      },
      ssm: parts.ssm.handlers,
      ...parts.ecs.handlers(),
    },
    faults,
    stats,
    ...(options.recordAnswers ? { record: answerRecorder(options.recordAnswers) } : {}),
    admin: adminHandler(faults, stats, () => ({
      endpoint: `http://127.0.0.1:${apiPort()}`,
      registryEndpoint: registry.endpoint,
      services: Object.fromEntries(
        Object.values(store.state.services).map((s) => [
          s.name,
          { state: s.state, url: `http://127.0.0.1:${s.publicPort}/` },
        ]),
      ),
      loadBalancers: Object.fromEntries(parts.ecs.balancers.map((lb) => [lb.spec.name, lb.url])),
    })),
    log: options.log ?? (() => {}),
  });
}

/** Resumes the services, then opens every listener; on a failure, closes what it opened and the registry. */
async function listenAll(options: LocalAwsOptions, parts: Parts): Promise<Listeners> {
  const { store, runner, faults, certificates, registry } = parts;
  const services = Object.values(store.state.services);
  let apiPort = 0;
  const server = apiServer(options, parts, () => apiPort);
  const proxies: ServiceProxy[] = [];
  let tlsFront: TlsFront | undefined;
  try {
    for (const service of services) await runner.resume(service);
    await parts.ecs.start({ manual: options.overrides?.ecsManualTick === true, sleep: realSleep });
    await startServiceUrls(store.state, faults, proxies);
    tlsFront = await TlsFront.start(0, (domain) => domainRoute(store.state, certificates, domain));
    apiPort = await listen(server, await choosePort(options.apiPort, store.state.ports.api));
  } catch (error) {
    await tlsFront?.stop();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await parts.ecs.stop();
    await registry.stop();
    throw error;
  }
  return { server, apiPort, proxies, tlsFront };
}

/** The running stand-in as its callers see it. */
function handle(parts: Parts, listeners: Listeners, registryPort: number): LocalAws {
  const { config, store, registry, runtime, runner, faults, stats } = parts;
  const { server, apiPort, proxies, tlsFront } = listeners;
  return {
    endpoint: `http://127.0.0.1:${apiPort}`,
    registryEndpoint: registry.endpoint,
    apiPort,
    registryPort,
    config,
    instanceId: store.state.instanceId,
    serviceUrl(name) {
      const service = store.state.services[name];
      if (!service) throw new Error(`local-aws: no service named ${JSON.stringify(name)} in the config`);
      return `http://127.0.0.1:${service.publicPort}/`;
    },
    https: { port: tlsFront.port, caFile: parts.authority.caFile },
    faults,
    stats,
    idle: () => runner.idle(),
    ecs: parts.ecs,
    async stop(stopOptions = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runner.stop();
      await parts.ecs.stop();
      await tlsFront.stop();
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      await registry.stop();
      if (stopOptions.removeContainers) await removeInstanceContainers(runtime, store.state);
      store.save();
    },
  };
}
