import { fail } from '../core/error-catalogue.js';
import { toProvisioningError } from '../core/errors.js';
import { Redactor } from '../core/redaction.js';
import type { AnyModule, ServiceRef } from '../modules/contract.js';
import { insertModuleLogRows } from '../store/repositories/module-log.js';
import { getProduct, type ProductRecord } from '../store/repositories/products.js';
import {
  applyPass,
  type FindingRecord,
  finishRun,
  insertRun,
  type RunRecord,
} from '../store/repositories/reconcile.js';
import { getServerConnection, listServers } from '../store/repositories/servers.js';
import { listServices } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildServerContext } from './action-context.js';
import type { EngineDeps } from './deps.js';
import { type ElsewhereService, type PlacedService, ReconcilePass } from './reconcile-classify.js';

export interface ReconcileOptions {
  /** Only this server (default: every enabled server whose module lists its objects). */
  serverId?: number;
  /** Servers read at once. */
  concurrency?: number;
  /** Time limit of one server's listing. */
  timeoutMs?: number;
  /** Who asked: `schedule`, `api`, `cli` (kept on the run). */
  trigger?: string;
  onServerDone?: (result: ServerReconcileResult, done: number, total: number) => void;
}

export interface ServerReconcileResult {
  serverId: number;
  serverName: string;
  run: RunRecord;
  /** Remote calls the listing made (module log rows). */
  requests: number;
  /** The server's unclosed findings after the pass (open and ignored). */
  findings: FindingRecord[];
  error?: string;
}

/** Enabled servers whose module can list its objects (`listRemote` and `remoteKeyOf`). */
async function reconcilableServers(deps: EngineDeps, serverId: number | undefined) {
  const servers = (await listServers(deps.store.db, { enabled: true })).filter((server) => {
    const module = deps.modules.get(server.module);
    return (serverId === undefined || server.id === serverId) && !!module?.listRemote && !!module.remoteKeyOf;
  });
  if (serverId !== undefined && servers.length === 0) {
    throw fail(
      'reconcile.no_server',
      `server ${serverId} does not exist, is disabled, or its module cannot list its objects`,
    );
  }
  return servers;
}

/**
 * Compares each server's backend with the services placed there and stores what differs
 * (reconcile-classify.ts says what a difference is). One listing per server, in the module's
 * pages, and one transaction per server for the findings: a 20,000-account server costs one pass
 * over its listing, not 20,000 lookups (`npm run bench -- reconcile` measures both). Never repairs
 * anything: an operator chooses (reconcile-repair.ts).
 */
export async function reconcile(
  deps: EngineDeps,
  options: ReconcileOptions = {},
): Promise<ServerReconcileResult[]> {
  const servers = await reconcilableServers(deps, options.serverId);
  const results: ServerReconcileResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < servers.length) {
      const server = servers[next++]!;
      const result = await reconcileServer(deps, server.id, {
        timeoutMs: options.timeoutMs ?? 600_000,
        trigger: options.trigger ?? 'api',
      });
      results.push(result);
      options.onServerDone?.(result, results.length, servers.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return results.sort((a, b) => a.serverId - b.serverId);
}

async function placedServices(
  deps: EngineDeps,
  module: AnyModule,
  serverId: number,
): Promise<PlacedService[]> {
  const { db } = deps.store;
  const services = await listServices(db, { serverId });
  const products = new Map<number, ProductRecord | undefined>();
  for (const productId of new Set(services.map((s) => s.productId)))
    products.set(productId, await getProduct(db, deps.box, productId));
  return services.map((service) => {
    const product = products.get(service.productId);
    const ref: ServiceRef = {
      serviceId: service.id,
      domain: service.domain,
      username: service.username,
      remoteIds: service.remoteIds,
      productType: product?.productType ?? null,
    };
    const settings = product?.settings ?? {};
    return {
      id: service.id,
      status: service.status,
      claim: product ? (module.remoteKeyOf?.(ref, settings) ?? null) : null,
      drift: (object) => (product && module.packageDrift ? module.packageDrift(settings, object) : []),
    };
  });
}

async function servicesElsewhere(deps: EngineDeps, ids: readonly number[]) {
  const found = new Map<number, ElsewhereService>();
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await deps.store.db
      .selectFrom('services')
      .select(['id', 'status', 'server_id'])
      .where('id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const row of rows)
      found.set(row.id, {
        id: row.id,
        status: row.status as ElsewhereService['status'],
        serverId: row.server_id,
      });
  }
  return found;
}

async function reconcileServer(
  deps: EngineDeps,
  serverId: number,
  options: { timeoutMs: number; trigger: string },
): Promise<ServerReconcileResult> {
  const { db } = deps.store;
  const connection = (await getServerConnection(db, deps.box, serverId))!;
  const module = deps.modules.get(connection.module)!;
  const run = await insertRun(db, serverId, options.trigger, deps.clock.now());
  const base = { serverId, serverName: connection.name };
  const logRows: ModuleLogRow[] = [];
  const ctx = buildServerContext({
    module,
    server: connection,
    action: 'reconcile',
    operationId: null,
    redactor: new Redactor(),
    signal: AbortSignal.timeout(options.timeoutMs),
    clock: deps.clock,
    appLogger: deps.logger,
    writeLog: (row) => logRows.push(row),
    observeCall: (call) => deps.observer.remoteCall?.(module.id, serverId, call),
  });
  let pass: ReconcilePass;
  let services: PlacedService[];
  try {
    services = await placedServices(deps, module, serverId);
    pass = new ReconcilePass(services, { changePackage: !!module.changePackage, adopt: !!module.adopt });
    for await (const page of module.listRemote!(ctx)) pass.see(page);
  } catch (error) {
    // A listing cut short proves nothing about what it did not reach: close no finding.
    const message = toProvisioningError(error).message;
    await insertModuleLogRows(db, logRows);
    const failed = await finishRun(db, run.id, { status: 'failed', error: message }, deps.clock.now());
    deps.logger.warn({ server: serverId, err: message }, 'reconcile: listing failed');
    return { ...base, run: failed, requests: logRows.length, findings: [], error: message };
  }
  const drafts = pass.finish(await servicesElsewhere(deps, pass.unplacedMarks()));
  const now = deps.clock.now();
  const { outcome, finished } = await deps.store.write(async (trx) => {
    await insertModuleLogRows(trx, logRows);
    const outcome = await applyPass(trx, serverId, run.id, drafts, now);
    const finished = await finishRun(
      trx,
      run.id,
      {
        status: 'succeeded',
        objectsSeen: pass.objectsSeen,
        servicesSeen: services.length,
        pages: pass.pages,
        findingsOpen: outcome.findings.filter((f) => f.status === 'open').length,
        findingsNew: outcome.opened,
        findingsClosed: outcome.closed,
      },
      now,
    );
    return { outcome, finished };
  });
  return { ...base, run: finished, requests: logRows.length, findings: outcome.findings };
}
