import { Redactor } from '../../src/core/redaction.js';
import { type StoreGridEmulator, startStoreGridEmulator } from '../../src/emulators/storegrid/index.js';
import type { EmulatorStartOptions } from '../../src/emulators/types.js';
import { buildActionContext, buildServerContext } from '../../src/engine/action-context.js';
import type { Engine } from '../../src/engine/engine.js';
import { loadOperation } from '../../src/engine/operation-loader.js';
import type { ActionContext, ServerConnection, ServerContext } from '../../src/modules/contract.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import type { StoreGridSettings } from '../../src/modules/storegrid/settings.js';
import { emptyJournal } from '../../src/store/repositories/operations.js';
import { getServerConnection } from '../../src/store/repositories/servers.js';
import { createTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';

/**
 * One StoreGrid emulator, one real engine with the storegrid module, a server pointed at the
 * emulator's plain-HTTP port and a group, plus helpers for products, clients and services, and
 * the emulator's log as literal wire lines.
 */
export interface StoreGridRig {
  emulator: StoreGridEmulator;
  test: TestEngine;
  engine: Engine;
  serverId: number;
  groupId: number;
  newProduct(settings: Record<string, unknown>, extra?: { welcomeTemplate?: string }): Promise<number>;
  newClient(input?: { email?: string; company?: string; firstName?: string }): Promise<number>;
  newService(
    productId: number,
    input?: { username?: string; clientId?: number; password?: string },
  ): Promise<number>;
  /** `METHOD /path?query body` of every console call since the last clear, in order. */
  wire(): string[];
  /** `METHOD /path` only. */
  calls(): string[];
  close(): Promise<void>;
}

let serial = 0;

export const RESELLER = { action: 'reseller', storageAllottedBytes: 100 * 1024 ** 3 } as const;
export const CUSTOMER = {
  action: 'customer',
  resellerName: 'demo-reseller',
  storageAllottedBytes: 5 * 1024 ** 3,
} as const;

/** A server record pointed at the emulator's plain-HTTP port; `fields` override any of it. */
export async function addStoreGridServer(
  engine: Engine,
  emulator: StoreGridEmulator,
  fields: Record<string, unknown> = {},
): Promise<number> {
  const server = await engine.servers.create({
    name: `backup-${++serial}`,
    module: 'storegrid',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    username: emulator.credentials.username,
    secret: emulator.credentials.password,
    ...fields,
  });
  return server.id;
}

export async function startStoreGridRig(
  options: { emulator?: EmulatorStartOptions; engine?: Partial<TestEngineOptions> } = {},
): Promise<StoreGridRig> {
  const emulator = await startStoreGridEmulator(options.emulator ?? {});
  const test = await createTestEngine({ modules: [storegridModule], ...options.engine });
  const { engine } = test;
  const serverId = await addStoreGridServer(engine, emulator, { name: `backup-${++serial}` });
  const group = await engine.serverGroups.create({
    name: `backup-${serial}`,
    fillType: 'least-full',
    serverIds: [serverId],
  });
  const newClient: StoreGridRig['newClient'] = async (input = {}) =>
    (
      await engine.clients.create({
        email: input.email ?? 'grace@example.com',
        firstName: input.firstName ?? 'Grace',
        lastName: 'Hopper',
        company: input.company ?? 'Backups & Co',
      })
    ).id;
  return {
    emulator,
    test,
    engine,
    serverId,
    groupId: group.id,
    newProduct: async (settings, extra = {}) =>
      (
        await engine.products.create({
          name: `Backup ${++serial}`,
          module: 'storegrid',
          serverGroupId: group.id,
          settings,
          ...extra,
        })
      ).id,
    newClient,
    newService: async (productId, input = {}) =>
      (
        await engine.services.create({
          clientId: input.clientId ?? (await newClient()),
          productId,
          ...(input.username ? { username: input.username } : {}),
          ...(input.password ? { password: input.password } : {}),
        })
      ).id,
    wire: () =>
      emulator.requests().map((r) => `${r.method} ${r.path}${r.query}${r.body ? ` ${r.body}` : ''}`),
    calls: () => emulator.requests().map((r) => `${r.method} ${r.path}`),
    async close() {
      await test.close();
      await emulator.close();
    },
  };
}

/**
 * A module context for a service outside any operation, built as the engine builds a view's
 * (nothing in it can write): to call one module function directly, without the engine's own
 * lookup in front of it.
 */
export async function moduleContext(
  rig: StoreGridRig,
  serviceId: number,
  action: string,
  args: Record<string, unknown> = {},
): Promise<ActionContext<StoreGridSettings>> {
  const { engine } = rig;
  const service = await engine.services.get(serviceId);
  const loaded = await loadOperation(engine.deps, {
    id: null,
    serviceId,
    serverId: service.serverId ?? rig.serverId,
    module: 'storegrid',
    args,
    hasSecretArgs: false,
  });
  const server = serverContextFor(engine, loaded.server, loaded.redactor, action);
  return buildActionContext({
    server,
    db: engine.store.db,
    box: engine.deps.box,
    clock: engine.clock,
    operationId: 0,
    action,
    attempt: 1,
    service: loaded.service,
    password: loaded.password,
    client: loaded.client,
    product: loaded.product,
    module: storegridModule,
    args,
    journal: emptyJournal(),
    persistence: null,
  }) as unknown as ActionContext<StoreGridSettings>;
}

function serverContextFor(
  engine: Engine,
  server: ServerConnection,
  redactor: Redactor,
  action: string,
): ServerContext {
  return buildServerContext({
    module: storegridModule,
    server,
    action,
    operationId: null,
    redactor,
    signal: AbortSignal.timeout(30_000),
    clock: engine.clock,
    appLogger: engine.logger,
    writeLog: () => {},
  });
}

/** A server context for the rig's server (listRemote, usage), as reconcile would get one. */
export async function serverContext(rig: StoreGridRig): Promise<ServerContext> {
  const server = await getServerConnection(rig.engine.store.db, rig.engine.deps.box, rig.serverId);
  return serverContextFor(rig.engine, server!, new Redactor(), 'reconcile');
}
