/**
 * `npm run bench -- reconcile [--accounts N] [--tenants N] [--latency MS] [--baseline-sample N]`
 *
 * Reconcile (issue 16) through the real engine over real sockets:
 * 1. one Axigen server holding N mailboxes (default 20,000), each the object of an Account
 *    service placed on that server (services written straight into the store);
 * 2. one Easy Mail Archive reseller with N tenants (default 5,000), each claimed by a service.
 * Each is measured twice in the same run: `engine.reconcile.run` (one paged listing of the
 * backend, one transaction for the findings) and the naive baseline, one module `lookup` per
 * service (what a reconcile without `listRemote` would do), run with the same parallelism the
 * module's listing uses, its remote calls written to the module log as the engine writes them.
 * Requests are the module-log rows each made (one per CLI command or HTTP request). `--baseline-sample` measures the baseline on that many services and scales it up
 * (default: every service).
 */
import { Redactor } from '../src/core/redaction.js';
import { AxigenEmulator, DEFAULT_ADMIN } from '../src/emulators/axigen/index.js';
import { newAccount } from '../src/emulators/axigen/state.js';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../src/emulators/easymailarchive/index.js';
import { buildServerContext } from '../src/engine/action-context.js';
import type { Engine } from '../src/engine/engine.js';
import { axigenModule, closeAxigenSessionPools } from '../src/modules/axigen/index.js';
import type { ActionContext, AnyModule, ServiceView } from '../src/modules/contract.js';
import { ownershipMark } from '../src/modules/contract.js';
import { easymailarchiveModule } from '../src/modules/easymailarchive/index.js';
import { insertModuleLogRows } from '../src/store/repositories/module-log.js';
import { getServerConnection } from '../src/store/repositories/servers.js';
import { insertService, listServices, updateService } from '../src/store/repositories/services.js';
import type { ModuleLogRow } from '../src/transport/module-log.js';
import { createTestEngine } from '../test/support/engine.js';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
}

interface Measured {
  seconds: number;
  requests: number;
  objects?: number;
  findings?: number;
}

/** Services written straight into the store, as the WHMCS bridge registers existing ones. */
async function placeServices(
  engine: Engine,
  count: number,
  place: { productId: number; serverId: number },
  remoteIdsOf: (serviceId: number, index: number) => Record<string, string>,
  username?: (index: number) => string,
): Promise<number[]> {
  const client = await engine.clients.create({ email: 'bench@example.net', firstName: 'B', lastName: 'N' });
  const now = engine.clock.now();
  return engine.store.write(async (trx) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const service = await insertService(
        trx,
        engine.deps.box,
        { clientId: client.id, ...place, ...(username ? { username: username(i) } : {}) },
        now,
      );
      await updateService(
        trx,
        engine.deps.box,
        service.id,
        { status: 'active', remoteIds: remoteIdsOf(service.id, i) },
        now,
      );
      ids.push(service.id);
    }
    return ids;
  });
}

/**
 * The naive reconcile: `lookup` for every service on the server, `parallel` at a time, through
 * the same kind of server context the engine builds, counting the requests it makes.
 */
async function lookupEach(
  engine: Engine,
  module: AnyModule,
  serverId: number,
  sample: number,
  parallel: number,
): Promise<Measured & { scaledFrom: number; total: number }> {
  const { db } = engine.store;
  const connection = (await getServerConnection(db, engine.deps.box, serverId))!;
  const services = await listServices(db, { serverId, statuses: ['active', 'suspended'] });
  const chosen = services.slice(0, sample);
  // The engine writes every remote call to the module log: the baseline does too, to be fair.
  const rows: ModuleLogRow[] = [];
  const ctx = buildServerContext({
    module,
    server: connection,
    action: 'lookup',
    operationId: null,
    redactor: new Redactor(),
    signal: AbortSignal.timeout(3_600_000),
    clock: engine.clock,
    appLogger: engine.logger,
    writeLog: (row) => rows.push(row),
  });
  const productCache = new Map<number, Awaited<ReturnType<Engine['products']['get']>>>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < chosen.length) {
      const service = chosen[next++]!;
      let product = productCache.get(service.productId);
      if (!product) {
        product = await engine.products.get(service.productId);
        productCache.set(product.id, product);
      }
      const remote = new Map(Object.entries(service.remoteIds));
      const view: ServiceView = {
        id: service.id,
        status: service.status,
        domain: service.domain,
        username: service.username,
        password: null,
        configOptions: {},
        customFields: {},
        dedicatedIp: null,
        assignedIps: [],
      };
      const action: ActionContext = {
        ...ctx,
        operationId: 0,
        action: 'lookup',
        attempt: 1,
        service: view,
        client: {
          id: service.clientId,
          externalId: null,
          email: 'bench@example.net',
          firstName: 'B',
          lastName: 'N',
          company: '',
          emailVerified: true,
          customFields: {},
        },
        product: {
          id: product.id,
          name: product.name,
          module: product.module,
          productType: product.productType,
        },
        settings: product.settings as ActionContext['settings'],
        configOptions: {},
        args: {},
        remote: {
          get: (key) => remote.get(key),
          all: () => Object.fromEntries(remote),
          set: async (key, value) => void remote.set(key, value),
          delete: async (key) => void remote.delete(key),
        },
        step: (_name, fn) => fn(),
        wait: async () => {
          throw new Error('lookup never waits');
        },
        progress: async () => undefined,
        warn: async () => undefined,
        updateService: async () => undefined,
        updateClient: async () => undefined,
      };
      await module.lookup(action);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  await engine.store.write((trx) => insertModuleLogRows(trx, rows));
  const seconds = (performance.now() - started) / 1000;
  const requests = rows.length;
  const scale = services.length / chosen.length;
  return {
    seconds: seconds * scale,
    requests: Math.round(requests * scale),
    scaledFrom: chosen.length,
    total: services.length,
  };
}

async function reconcileOnce(engine: Engine, serverId: number): Promise<Measured> {
  const started = performance.now();
  const [run] = await engine.reconcile.run({ serverId, trigger: 'bench' });
  if (!run || run.error) throw new Error(`reconcile failed: ${run?.error}`);
  return {
    seconds: (performance.now() - started) / 1000,
    requests: run.requests,
    objects: run.objectsSeen,
    findings: run.findingsOpen,
  };
}

async function axigen(accounts: number, latencyMs: number, sample: number) {
  const sessions = 4;
  const emulator = await AxigenEmulator.start({ latencyMs });
  const harness = await createTestEngine({ modules: [axigenModule] });
  try {
    const { engine } = harness;
    const server = await engine.servers.create({
      name: 'bench-axigen',
      module: 'axigen',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      username: DEFAULT_ADMIN.username,
      secret: DEFAULT_ADMIN.password,
      settings: { maxSessions: sessions },
    });
    const group = await engine.serverGroups.create({
      name: 'bench',
      fillType: 'least-full',
      serverIds: [server.id],
    });
    const product = await engine.products.create({
      name: 'bench mailbox',
      module: 'axigen',
      productType: 'account',
      serverGroupId: group.id,
      settings: { targetDomain: 'example.com', accountClass: '', storageQuotaMb: 0 },
    });
    const ids = await placeServices(
      engine,
      accounts,
      { productId: product.id, serverId: server.id },
      (_id, i) => ({ domain: 'example.com', account: `mbox${i}` }),
      (i) => `mbox${i}`,
    );
    const domain = emulator.state.domains.get('example.com')!;
    for (const [i, id] of ids.entries()) {
      const account = newAccount(emulator.state, `mbox${i}`, 'x');
      account.attrs.customerReference = ownershipMark(id);
      domain.accounts.set(`mbox${i}`, account);
    }
    const listed = await reconcileOnce(engine, server.id);
    const naive = await lookupEach(engine, axigenModule, server.id, sample, sessions);
    return { listed, naive };
  } finally {
    await harness.close();
    await closeAxigenSessionPools();
    await emulator.close();
  }
}

async function easyMailArchive(tenants: number, latencyMs: number, sample: number) {
  const emulator: EasyMailArchiveEmulator = await startEasyMailArchiveEmulator({
    fixtures: false,
    latencyMs,
  });
  const harness = await createTestEngine({ modules: [easymailarchiveModule] });
  try {
    const { engine } = harness;
    const server = await engine.servers.create({
      name: 'bench-archive',
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      secret: emulator.apiKey,
      settings: { baseDomain: emulator.baseDomain },
    });
    const group = await engine.serverGroups.create({
      name: 'bench',
      fillType: 'least-full',
      serverIds: [server.id],
    });
    const product = await engine.products.create({
      name: 'bench archive',
      module: 'easymailarchive',
      serverGroupId: group.id,
    });
    emulator.seedTenants(tenants, { prefix: 'bench-' });
    await placeServices(engine, tenants, { productId: product.id, serverId: server.id }, (id, i) => ({
      slug: `bench-${i + 1}`,
      claim: ownershipMark(id),
      claimState: 'confirmed',
    }));
    const listed = await reconcileOnce(engine, server.id);
    // The lookup is one GET per tenant, sequential in the module; run a few at once as a worker pool would.
    const naive = await lookupEach(engine, easymailarchiveModule, server.id, sample, 4);
    return { listed, naive };
  } finally {
    await harness.close();
    await emulator.close();
  }
}

function report(name: string, listed: Measured, naive: Measured & { scaledFrom: number; total: number }) {
  const scaled =
    naive.scaledFrom < naive.total
      ? ` (measured on ${naive.scaledFrom}, scaled ×${(naive.total / naive.scaledFrom).toFixed(1)})`
      : '';
  console.log(`\n${name}`);
  console.log(
    `  reconcile (listRemote pages): ${listed.seconds.toFixed(2)} s, ${listed.requests} requests, ${listed.objects} objects, ${listed.findings} open findings`,
  );
  console.log(
    `  naive (one lookup per service): ${naive.seconds.toFixed(2)} s, ${naive.requests} requests${scaled}`,
  );
  console.log(
    `  ratio naive / reconcile: time ×${(naive.seconds / listed.seconds).toFixed(1)}, requests ×${(naive.requests / Math.max(1, listed.requests)).toFixed(1)}`,
  );
}

export async function run(args: string[]): Promise<void> {
  const accounts = option(args, 'accounts', 20_000);
  const tenants = option(args, 'tenants', 5_000);
  const latency = option(args, 'latency', 1);
  const sample = option(args, 'baseline-sample', Number.POSITIVE_INFINITY);
  console.log(
    `reconcile bench: ${accounts} Axigen mailboxes, ${tenants} Easy Mail Archive tenants, ${latency} ms latency per request`,
  );
  const mail = await axigen(accounts, latency, Math.min(sample, accounts));
  report(`Axigen, ${accounts} mailboxes on one server`, mail.listed, mail.naive);
  const archive = await easyMailArchive(tenants, latency, Math.min(sample, tenants));
  report(`Easy Mail Archive, ${tenants} tenants on one reseller`, archive.listed, archive.naive);
}
