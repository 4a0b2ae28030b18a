import type { Clock } from '../core/clock.js';
import { fail, notFound } from '../core/error-catalogue.js';
import { Redactor } from '../core/redaction.js';
import type { SecretBox } from '../core/secret-box.js';
import type { AnyModule, ServerContext } from '../modules/contract.js';
import * as clientsRepo from '../store/repositories/clients.js';
import * as logRepo from '../store/repositories/module-log.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as productsRepo from '../store/repositories/products.js';
import * as groupsRepo from '../store/repositories/server-groups.js';
import * as serversRepo from '../store/repositories/servers.js';
import * as servicesRepo from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildServerContext } from './action-context.js';
import { type AuditApi, createAuditApi } from './audit-api.js';
import type { EngineDeps, EngineObserver } from './deps.js';
import type { EventBus as EventBusType } from './events.js';
import type { AppLogger } from './logger.js';
import { requireModule } from './operation-loader.js';
import type { OperationRunner } from './operation-runner.js';

/** What the engine's per-area APIs share: the dependencies and the lookups every area needs. */
export interface EngineScope {
  deps: EngineDeps;
  store: EngineDeps['store'];
  db: EngineDeps['store']['db'];
  box: SecretBox;
  clock: Clock;
  logger: AppLogger;
  events: EventBusType;
  runner: OperationRunner;
  observer: EngineObserver;
  /** The audit trail: who did what to which record. */
  audit: AuditApi;
  /** Resolvers of `waitFor` by operation id, woken when the runner finishes one. */
  finishWaiters: Map<number, Set<() => void>>;
  requireServer(
    id: number,
  ): ReturnType<typeof serversRepo.getServer> extends Promise<infer R> ? Promise<NonNullable<R>> : never;
  requireProduct(id: number): Promise<productsRepo.ProductRecord>;
  requireService(id: number): Promise<servicesRepo.ServiceRecord>;
  requireClient(id: number): Promise<clientsRepo.ClientRecord>;
  requireGroup(id: number): Promise<groupsRepo.ServerGroupRecord>;
  requireOperation(id: number): Promise<opsRepo.OperationRecord>;
  /** Whether another record of `table` (not `ownId`) has this name. */
  nameTaken(
    table: 'servers' | 'server_groups' | 'products',
    name: unknown,
    ownId?: number | null,
  ): Promise<boolean>;
  refuseIfReferenced(
    what: 'client' | 'server' | 'product',
    id: number,
    column: 'server_id' | 'product_id' | 'client_id',
    advice?: string,
  ): Promise<void>;
  withServerContext<T>(
    serverId: number,
    action: string,
    fn: (ctx: ServerContext, module: AnyModule) => Promise<T>,
  ): Promise<T>;
}

export { notFound };

export function createEngineScope(parts: {
  deps: EngineDeps;
  runner: OperationRunner;
  observer: EngineObserver;
  finishWaiters: Map<number, Set<() => void>>;
}): EngineScope {
  const { deps, runner, observer, finishWaiters } = parts;
  const { store, box, clock, logger, events } = deps;
  const { db } = store;
  const requireServer = async (id: number) =>
    (await serversRepo.getServer(db, id)) ?? Promise.reject(notFound('server', id));
  const requireProduct = async (id: number) =>
    (await productsRepo.getProduct(db, box, id)) ?? Promise.reject(notFound('product', id));
  const requireService = async (id: number) =>
    (await servicesRepo.getService(db, id)) ?? Promise.reject(notFound('service', id));
  const requireClient = async (id: number) =>
    (await clientsRepo.getClient(db, box, id)) ?? Promise.reject(notFound('client', id));
  const requireGroup = async (id: number) =>
    (await groupsRepo.getServerGroup(db, id)) ?? Promise.reject(notFound('server group', id));
  const requireOperation = async (id: number) =>
    (await opsRepo.getOperation(db, id)) ?? Promise.reject(notFound('operation', id));

  /** Names of servers, groups and products are unique (the schema says so too; this says it clearly). */
  async function nameTaken(
    table: 'servers' | 'server_groups' | 'products',
    name: unknown,
    ownId: number | null = null,
  ): Promise<boolean> {
    if (typeof name !== 'string') return false;
    const found = await db.selectFrom(table).select('id').where('name', '=', name).executeTakeFirst();
    return found !== undefined && found.id !== ownId;
  }

  /** Refuses to delete a record that services or products still point at: history must stay whole. */
  async function refuseIfReferenced(
    what: 'client' | 'server' | 'product',
    id: number,
    column: 'server_id' | 'product_id' | 'client_id',
    advice = '',
  ) {
    const row = await db
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', id)
      .executeTakeFirst();
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      throw fail(
        `${what}.in_use`,
        `${what} ${id} is used by ${n} service${n === 1 ? '' : 's'} and cannot be deleted${advice}`,
      );
    }
  }

  /** A server context outside any operation (test connection, loaders, views, usage). */
  async function withServerContext<T>(
    serverId: number,
    action: string,
    fn: (ctx: ReturnType<typeof buildServerContext>, module: AnyModule) => Promise<T>,
  ) {
    const connection = await serversRepo.getServerConnection(db, box, serverId);
    if (!connection) throw notFound('server', serverId);
    const module = requireModule(deps, connection.module);
    const rows: ModuleLogRow[] = [];
    const ctx = buildServerContext({
      module,
      server: connection,
      action,
      operationId: null,
      redactor: new Redactor(),
      signal: AbortSignal.timeout(60_000),
      clock,
      appLogger: logger,
      writeLog: (row) => rows.push(row),
      observeCall: (call) => observer.remoteCall?.(module.id, serverId, call),
    });
    try {
      return await fn(ctx, module);
    } finally {
      await logRepo.insertModuleLogRows(db, rows);
    }
  }

  const audit = createAuditApi({ db, clock });
  return {
    audit,
    deps,
    store,
    db,
    box,
    clock,
    logger,
    events,
    runner,
    observer,
    finishWaiters,
    requireServer,
    requireProduct,
    requireService,
    requireClient,
    requireGroup,
    requireOperation,
    nameTaken,
    refuseIfReferenced,
    withServerContext,
  };
}
