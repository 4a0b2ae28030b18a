import { type ChildProcess, spawn } from 'node:child_process';
import { AxigenEmulator, DEFAULT_ADMIN } from '../../src/emulators/axigen/index.js';
import { FIXTURE as CALAGOPUS, startCalagopusEmulator } from '../../src/emulators/calagopus/index.js';
import { startDci6Emulator } from '../../src/emulators/dcimanager6/index.js';
import { startEasyMailArchiveEmulator } from '../../src/emulators/easymailarchive/index.js';
import type { ControlledEmulator } from '../../src/emulators/index.js';
import type { LoggedRequest } from '../../src/emulators/kit/request-log.js';
import { startStoreGridEmulator } from '../../src/emulators/storegrid/index.js';
import { closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import type { Dialect } from '../../src/store/database.js';
import { openTestStore } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/**
 * The five emulators (in this process, so a test holds their handles), one database, and an
 * engine that only sets data up and reads results: its runner never starts. The engine that does
 * the work is a child process (`engine-child.ts`), killed with SIGKILL and started again on the
 * same database.
 */
export const MODULE_IDS = ['axigen', 'calagopus', 'dcimanager6', 'easymailarchive', 'storegrid'] as const;
export type ModuleId = (typeof MODULE_IDS)[number];

/** One product of the world: its module and the settings a lifecycle on it needs. */
export const PRODUCTS = {
  'axigen-domain': {
    module: 'axigen',
    productType: 'domain',
    settings: { maxAccounts: 50, defaultQuotaMb: 1024 },
  },
  'axigen-account': {
    module: 'axigen',
    productType: 'account',
    settings: { targetDomain: 'example.com', accountClass: 'gold', storageQuotaMb: 2048 },
  },
  calagopus: {
    module: 'calagopus',
    settings: {
      nestUuid: CALAGOPUS.nestMinecraft,
      eggUuid: CALAGOPUS.eggPaper,
      nodeUuid: CALAGOPUS.nodeEu1,
      serverNamePrefix: 'MC-',
    },
  },
  dcimanager6: {
    module: 'dcimanager6',
    settings: {
      configuration: 'E-2146G-64Gb-1920SSD',
      osTemplate: 'Ubuntu 22.04',
      ipv4Pool: '1',
      locationId: '1',
    },
  },
  easymailarchive: { module: 'easymailarchive', settings: {} },
  'storegrid-reseller': {
    module: 'storegrid',
    settings: { action: 'reseller', storageAllottedBytes: 100 * 1024 ** 3 },
  },
  'storegrid-customer': {
    module: 'storegrid',
    settings: { action: 'customer', resellerName: 'demo-reseller', storageAllottedBytes: 5 * 1024 ** 3 },
  },
} as const satisfies Record<
  string,
  { module: ModuleId; productType?: string; settings: Record<string, unknown> }
>;
export type ProductKey = keyof typeof PRODUCTS;
export const PRODUCT_KEYS = Object.keys(PRODUCTS) as ProductKey[];

export interface SpawnOptions {
  leaseMs?: number;
  concurrency?: number;
  operationTimeoutMs?: number;
  /** Write the engine's log (info and up) to this file descriptor; silent otherwise. */
  logFd?: number;
}

/** An engine process, with the lease owner name its runner claims under. */
export type EngineProcess = ChildProcess & { owner: string };

export interface World {
  setup: TestEngine;
  emulators: Record<ModuleId, ControlledEmulator>;
  serverIds: Record<ModuleId, number>;
  productIds: Record<ProductKey, number>;
  /** A new client and a pending service of this product. */
  newService(product: ProductKey): Promise<number>;
  /** An engine process on this world's database. */
  spawnEngine(options?: SpawnOptions): Promise<EngineProcess>;
  close(): Promise<void>;
}

export async function startEmulators(seed: number): Promise<Record<ModuleId, ControlledEmulator>> {
  const [axigen, calagopus, dcimanager6, easymailarchive, storegrid] = await Promise.all([
    AxigenEmulator.start({ seed }),
    startCalagopusEmulator({ seed }),
    startDci6Emulator({ seed }),
    startEasyMailArchiveEmulator({ seed }),
    startStoreGridEmulator({ seed }),
  ]);
  // Installs and diagnostics end at once: the engine's first check finds them done, so no
  // operation parks for the module's poll interval (minutes of wall time in a child process).
  dcimanager6.setDuration('os_install', 0);
  dcimanager6.setDuration('diag', 0);
  return { axigen, calagopus, dcimanager6, easymailarchive, storegrid };
}

/** A server record for each emulator, as `engine.servers.create` takes it. */
export function serverInputs(
  emulators: Record<ModuleId, ControlledEmulator>,
): Record<ModuleId, Parameters<TestEngine['engine']['servers']['create']>[0]> {
  const axigen = emulators.axigen as AxigenEmulator;
  const ema = emulators.easymailarchive as unknown as { apiKey: string; baseDomain: string; port: number };
  const sg = emulators.storegrid as unknown as { credentials: { username: string; password: string } };
  return {
    axigen: {
      name: 'axigen',
      module: 'axigen',
      hostname: '127.0.0.1',
      port: axigen.port,
      secure: false,
      username: DEFAULT_ADMIN.username,
      secret: DEFAULT_ADMIN.password,
      settings: { commandTimeoutSeconds: 3, connectTimeoutSeconds: 3 },
    },
    calagopus: {
      name: 'calagopus',
      module: 'calagopus',
      hostname: '127.0.0.1',
      port: emulators.calagopus.port,
      secure: false,
      secret: CALAGOPUS.apiKey,
    },
    dcimanager6: {
      name: 'dcimanager6',
      module: 'dcimanager6',
      hostname: '127.0.0.1',
      port: emulators.dcimanager6.port,
      secure: false,
      username: 'admin@example.com',
      secret: 'secret',
    },
    easymailarchive: {
      name: 'easymailarchive',
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      port: ema.port,
      secure: false,
      secret: ema.apiKey,
      settings: { baseDomain: ema.baseDomain },
    },
    storegrid: {
      name: 'storegrid',
      module: 'storegrid',
      hostname: '127.0.0.1',
      port: emulators.storegrid.port,
      secure: false,
      username: sg.credentials.username,
      secret: sg.credentials.password,
    },
  };
}

let serial = 0;

export async function startWorld(
  options: { dialect?: Dialect; seed?: number; maxAttempts?: number } = {},
): Promise<World> {
  const emulators = await startEmulators(options.seed ?? 1);
  const setup = await createTestEngine({
    modules: [...BUILTIN_MODULES],
    start: false,
    testStore: await openTestStore(options.dialect ?? 'sqlite'),
    // Recorded on each operation at enqueue: the engine processes honour it.
    runner: { maxAttempts: options.maxAttempts ?? 4 },
  });
  const { engine } = setup;
  const servers = serverInputs(emulators);
  const serverIds = {} as Record<ModuleId, number>;
  const groupIds = {} as Record<ModuleId, number>;
  for (const id of MODULE_IDS) {
    serverIds[id] = (await engine.servers.create(servers[id])).id;
    groupIds[id] = (
      await engine.serverGroups.create({ name: id, fillType: 'least-full', serverIds: [serverIds[id]] })
    ).id;
  }
  const productIds = {} as Record<ProductKey, number>;
  for (const key of PRODUCT_KEYS) {
    const product = PRODUCTS[key] as { module: ModuleId; productType?: string; settings: object };
    productIds[key] = (
      await engine.products.create({
        name: key,
        module: product.module,
        ...(product.productType ? { productType: product.productType } : {}),
        serverGroupId: groupIds[product.module],
        settings: product.settings as Record<string, unknown>,
      })
    ).id;
  }

  const children = new Set<ChildProcess>();
  const world: World = {
    setup,
    emulators,
    serverIds,
    productIds,
    async newService(key) {
      const n = ++serial;
      const client = await engine.clients.create({
        email: `client${n}@example.net`,
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: `Company ${n}`,
      });
      const product = PRODUCTS[key] as { module: ModuleId; productType?: string };
      const password = `Pw-${n}-secret!`;
      const fields: Record<string, unknown> =
        key === 'axigen-account'
          ? { username: `user${n}` }
          : key.startsWith('storegrid')
            ? { username: `sg${n}` }
            : product.module === 'calagopus'
              ? {}
              : { domain: `site${n}.test` };
      const service = await engine.services.create({
        clientId: client.id,
        productId: productIds[key],
        password,
        ...fields,
      });
      return service.id;
    },
    async spawnEngine(spawnOptions = {}) {
      const child = await spawnEngine(setup, spawnOptions);
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async close() {
      await Promise.all([...children].map((child) => killEngine(child)));
      await setup.close();
      await closeAxigenSessionPools();
      await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
    },
  };
  return world;
}

/** Starts an engine process on `setup`'s database; resolves once its runner has started. */
export function spawnEngine(setup: TestEngine, options: SpawnOptions = {}): Promise<EngineProcess> {
  const { testStore } = setup;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/engine-child.ts'], {
    env: {
      ...process.env,
      CHILD_SECRET_KEY: setup.secretKey.toString('hex'),
      CHILD_LEASE_MS: String(options.leaseMs ?? 1_000),
      CHILD_CONCURRENCY: String(options.concurrency ?? 8),
      ...(options.operationTimeoutMs
        ? { CHILD_OPERATION_TIMEOUT_MS: String(options.operationTimeoutMs) }
        : {}),
      ...(options.logFd !== undefined ? { CHILD_LOG_LEVEL: 'info' } : {}),
      ...(testStore.dialect === 'sqlite'
        ? { CHILD_SQLITE_PATH: testStore.location }
        : { CHILD_DATABASE_URL: testStore.databaseUrl, CHILD_PG_SCHEMA: testStore.location }),
    },
    // stdin: the child's lifeline (it exits when the pipe closes with this process).
    stdio: ['pipe', 'pipe', options.logFd ?? 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`engine process exited early with ${code}`));
    child.once('exit', early);
    child.stdout!.once('data', (chunk: Buffer) => {
      child.off('exit', early);
      const owner = /ready (\S+)/.exec(chunk.toString())?.[1] ?? '';
      resolve(Object.assign(child, { owner }));
    });
  });
}

/** SIGKILL, and wait until the process is gone (its sockets closed). */
export function killEngine(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Stops an engine process gracefully (SIGTERM) and waits for it to exit. */
export function stopEngine(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const AXIGEN_MUTATING = /^(COMMIT|SAVE CONFIG|DELETE|DISABLE|ENABLE|REMOVE|RENAME)\b/i;

/**
 * Whether a logged request changes the backend: any HTTP method but GET (DCImanager's log-in and
 * log-out left out: a session is not an effect), and the Axigen commands that take effect
 * (COMMIT of a context, SAVE CONFIG, DELETE, DISABLE, ENABLE…; SET inside a context does nothing
 * until its COMMIT).
 */
export function isMutating(request: LoggedRequest): boolean {
  if (request.method === 'CLI') return AXIGEN_MUTATING.test(request.path);
  return request.method !== 'GET' && request.method !== 'HEAD' && !request.path.startsWith('/auth/v4/');
}

/**
 * A request with the parts that name one service (ids, uuids, names with digits) made generic,
 * so two runs of one action on two services compare: `POST /dci/v3/server/#/diag`,
 * `domain-create# COMMIT`.
 */
export function effectKey(request: LoggedRequest): string {
  const generic = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':uuid')
      .replace(/\d+/g, '#');
  if (request.method === 'CLI') {
    const words = request.path.split(/\s+/).slice(0, 2).join(' ');
    const verb = /^(COMMIT|SAVE CONFIG)$/i.test(request.path.trim()) ? request.path.trim() : words;
    return generic(`${request.context ?? ''} ${verb}`);
  }
  return generic(`${request.method} ${request.path}`);
}
