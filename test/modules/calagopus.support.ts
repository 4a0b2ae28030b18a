import { Redactor } from '../../src/core/redaction.js';
import { type CalagopusEmulator, FIXTURE } from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import type { AnyModule, ServerContext } from '../../src/modules/contract.js';
import { createMemoryModuleLog } from '../../src/transport/module-log.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/** Raw HTTP against the emulator, for wire-level assertions. */
export async function rawCall(
  emulator: CalagopusEmulator,
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    key?: string | null;
    contentType?: string | null;
  } = {},
): Promise<{
  status: number;
  json: { errors?: string[] } & Record<string, unknown>;
  text: string;
  headers: Headers;
}> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key !== null) headers.authorization ??= `Bearer ${options.key ?? FIXTURE.apiKey}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && options.contentType !== null)
    headers['content-type'] ??= options.contentType ?? 'application/json';
  // Bytes, not a string: fetch would add `text/plain` to a string body.
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : new TextEncoder().encode(body),
  });
  const text = await response.text();
  let json = {} as { errors?: string[] } & Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    // plain-text answers keep json empty
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** `METHOD /path` of every logged request, for ordered-call assertions. */
export function calls(emulator: CalagopusEmulator): string[] {
  return emulator.requests().map((r) => `${r.method} ${r.path}`);
}

/** A ServerContext for calling the client or a module function directly (no engine). */
export function contextFor(
  port: number,
  secret: string = FIXTURE.apiKey,
): { ctx: ServerContext; moduleLog: ReturnType<typeof createMemoryModuleLog> } {
  const moduleLog = createMemoryModuleLog(new Redactor([secret]));
  const ctx = {
    server: {
      id: 1,
      name: 'panel',
      module: 'calagopus',
      hostname: '127.0.0.1',
      ip: null,
      host: '127.0.0.1',
      port,
      secure: false,
      username: '',
      secret,
      tls: { verify: true },
      maxAccounts: null,
      settings: {},
    },
    moduleLog,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    addSecret() {},
    now: () => Date.now(),
  } satisfies ServerContext;
  return { ctx, moduleLog };
}

/** A valid node-mode create body for the fixture panel. */
export function nodeCreateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    node_uuid: FIXTURE.nodeEu1,
    owner_uuid: FIXTURE.adminUser,
    egg_uuid: FIXTURE.eggPaper,
    allocation_uuids: [],
    start_on_completion: true,
    skip_installer: false,
    external_id: '900',
    name: 'Server-900',
    limits: { cpu: 100, memory: 1024, memory_overhead: 0, swap: 0, disk: 10240 },
    pinned_cpus: [],
    startup: 'java -jar server.jar',
    image: 'ghcr.io/example/java:21',
    hugepages_passthrough_enabled: false,
    kvm_passthrough_enabled: false,
    feature_limits: { allocations: 1, databases: 0, backups: 0, schedules: 0 },
    variables: [],
    ...overrides,
  };
}

/** A deploy-mode create body for the fixture panel. */
export function deployBody(
  locations: string[],
  deployment: Record<string, unknown> = {},
): Record<string, unknown> {
  const { node_uuid: _node, allocation_uuids: _allocations, ...body } = nodeCreateBody();
  return { ...body, deployment: { location_uuids: locations, allow_overallocation: false, ...deployment } };
}

/** A real engine with the emulator registered as a server in its own group. */
export interface PanelWorld {
  harness: TestEngine;
  groupId: number;
  serverId: number;
  product(settings: Record<string, unknown>, name?: string): Promise<number>;
  service(
    productId: number,
    client?: { firstName?: string; lastName?: string; email?: string },
  ): Promise<{ clientId: number; serviceId: number }>;
  /** The same engine with the emulator registered again as another server (other settings). */
  anotherServer(serverSettings: Record<string, string | boolean>): Promise<PanelWorld>;
}

let counter = 0;

async function registerPanel(
  harness: TestEngine,
  emulator: CalagopusEmulator,
  serverSettings: Record<string, string | boolean>,
  concurrency: number | undefined,
): Promise<PanelWorld> {
  const { engine } = harness;
  const server = await engine.servers.create({
    name: `panel-${++counter}`,
    module: 'calagopus',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    secret: FIXTURE.apiKey,
    settings: serverSettings,
    ...(concurrency ? { maxConcurrency: concurrency } : {}),
  });
  const group = await engine.serverGroups.create({
    name: `panel-${counter}`,
    fillType: 'least-full',
    serverIds: [server.id],
  });
  return {
    harness,
    groupId: group.id,
    serverId: server.id,
    async product(settings, name) {
      return (
        await engine.products.create({
          name: name ?? `Game ${++counter}`,
          module: 'calagopus',
          serverGroupId: group.id,
          settings,
        })
      ).id;
    },
    async service(productId, client = {}) {
      const created = await engine.clients.create({
        email: client.email ?? `player${++counter}@example.com`,
        firstName: client.firstName ?? 'Jean-Luc',
        lastName: client.lastName ?? 'Picard',
      });
      const service = await engine.services.create({ clientId: created.id, productId });
      return { clientId: created.id, serviceId: service.id };
    },
    anotherServer: (settings) => registerPanel(harness, emulator, settings, concurrency),
  };
}

/**
 * One engine per panel: provisio's marks name its own service and client ids, so two engines on
 * one panel would claim each other's objects.
 */
export async function panelWorld(
  emulator: CalagopusEmulator,
  options: {
    serverSettings?: Record<string, string | boolean>;
    concurrency?: number;
    modules?: AnyModule[];
  } = {},
): Promise<PanelWorld> {
  const harness = await createTestEngine({
    modules: options.modules ?? [calagopusModule],
    ...(options.concurrency
      ? { runner: { concurrency: options.concurrency, operationTimeoutMs: 60_000 } }
      : {}),
  });
  return registerPanel(harness, emulator, options.serverSettings ?? {}, options.concurrency);
}

export const NODE_PRODUCT = {
  nestUuid: FIXTURE.nestMinecraft,
  eggUuid: FIXTURE.eggPaper,
  nodeUuid: FIXTURE.nodeEu1,
  serverNamePrefix: 'MC-',
  backupLimit: '2',
  customFeatureLimits: 'plugins:5, worlds:3',
  variables: 'SERVER_JARFILE=paper.jar\nMINECRAFT_VERSION = 1.21',
};

export const DEPLOY_PRODUCT = {
  nestUuid: FIXTURE.nestMinecraft,
  eggUuid: FIXTURE.eggPaper,
  locationUuids: `${FIXTURE.locationUs},`,
};
