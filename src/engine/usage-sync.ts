import { fail } from '../core/error-catalogue.js';
import { toProvisioningError } from '../core/errors.js';
import { Redactor } from '../core/redaction.js';
import type { ServiceRef, UsageReport } from '../modules/contract.js';
import { insertModuleLogRows } from '../store/repositories/module-log.js';
import { getProduct } from '../store/repositories/products.js';
import { getServerConnection, listServers } from '../store/repositories/servers.js';
import { listServices, writeServiceUsage } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildServerContext } from './action-context.js';
import type { EngineDeps } from './deps.js';

export interface UsageSyncOptions {
  /** Only this server (default: every enabled server whose module reads usage). */
  serverId?: number;
  /** Servers read at once. */
  concurrency?: number;
  /** Time limit of one server's batch. */
  timeoutMs?: number;
  onServerDone?: (result: ServerUsageResult, done: number, total: number) => void;
}

export interface ServerUsageResult {
  serverId: number;
  serverName: string;
  services: number;
  updated: number;
  error?: string;
}

/**
 * Usage is read per server in one batch (the module's `usage`), servers in parallel up to a
 * bound, and written in one transaction per server: a 5,000-service server costs one remote pass
 * and one commit, not 5,000.
 */
export async function syncUsage(
  deps: EngineDeps,
  options: UsageSyncOptions = {},
): Promise<ServerUsageResult[]> {
  const servers = (await listServers(deps.store.db, { enabled: true })).filter(
    (server) =>
      (options.serverId === undefined || server.id === options.serverId) &&
      deps.modules.get(server.module)?.usage,
  );
  if (options.serverId !== undefined && servers.length === 0) {
    throw fail(
      'usage.no_server',
      `server ${options.serverId} does not exist, is disabled, or its module does not report usage`,
    );
  }
  const results: ServerUsageResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < servers.length) {
      const server = servers[next++]!;
      const result = await syncServer(deps, server.id, options.timeoutMs ?? 120_000);
      results.push(result);
      options.onServerDone?.(result, results.length, servers.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results.sort((a, b) => a.serverId - b.serverId);
}

async function syncServer(deps: EngineDeps, serverId: number, timeoutMs: number): Promise<ServerUsageResult> {
  const { db } = deps.store;
  const connection = (await getServerConnection(db, deps.box, serverId))!;
  const module = deps.modules.get(connection.module)!;
  const services = await listServices(db, { serverId, statuses: ['active', 'suspended'] });
  const productTypes = new Map<number, string | null>();
  for (const productId of new Set(services.map((s) => s.productId))) {
    productTypes.set(productId, (await getProduct(db, deps.box, productId))?.productType ?? null);
  }
  const refs: ServiceRef[] = services.map((s) => ({
    serviceId: s.id,
    domain: s.domain,
    username: s.username,
    remoteIds: s.remoteIds,
    productType: productTypes.get(s.productId) ?? null,
  }));
  const base = { serverId, serverName: connection.name, services: refs.length };
  if (refs.length === 0) return { ...base, updated: 0 };

  const logRows: ModuleLogRow[] = [];
  const ctx = buildServerContext({
    module,
    server: connection,
    action: 'usage',
    operationId: null,
    redactor: new Redactor(),
    signal: AbortSignal.timeout(timeoutMs),
    clock: deps.clock,
    appLogger: deps.logger,
    writeLog: (row) => logRows.push(row),
    observeCall: (call) => deps.observer.remoteCall?.(module.id, serverId, call),
  });
  let reports: UsageReport[];
  try {
    reports = await module.usage!(ctx, refs);
  } catch (error) {
    await insertModuleLogRows(db, logRows);
    return { ...base, updated: 0, error: toProvisioningError(error).message };
  }
  const known = new Set(refs.map((r) => r.serviceId));
  const now = deps.clock.now();
  const updated = await deps.store.write(async (trx) => {
    await insertModuleLogRows(trx, logRows);
    let count = 0;
    for (const report of reports) {
      if (!known.has(report.serviceId)) continue;
      const { serviceId, ...usage } = report;
      await writeServiceUsage(trx, serviceId, usage, now);
      count++;
    }
    return count;
  });
  return { ...base, updated };
}
