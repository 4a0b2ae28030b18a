import type { ActionContext, AnyModule, SettingValue } from '../modules/contract.js';
import * as logRepo from '../store/repositories/module-log.js';
import * as opsRepo from '../store/repositories/operations.js';
import type { ServiceRecord } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildActionContext, buildServerContext } from './action-context.js';
import type { EngineDeps } from './deps.js';
import { type LoadedOperation, loadOperation } from './operation-loader.js';

/**
 * A module context for one service outside any operation (views, login links): everything the
 * module reads, nothing it could write (steps, waits, progress, remote ids and service updates
 * need an operation and refuse here). Remote calls still go to the module log.
 */
export async function withServiceContext<T>(
  deps: EngineDeps,
  service: ServiceRecord & { serverId: number },
  module: AnyModule,
  action: string,
  fn: (ctx: ActionContext<Record<string, SettingValue>>, loaded: LoadedOperation) => Promise<T>,
): Promise<T> {
  const loaded = await loadOperation(deps, {
    id: null,
    serviceId: service.id,
    serverId: service.serverId,
    module: module.id,
    args: {},
    hasSecretArgs: false,
  });
  const rows: ModuleLogRow[] = [];
  const server = buildServerContext({
    module,
    server: loaded.server,
    action,
    operationId: null,
    redactor: loaded.redactor,
    signal: AbortSignal.timeout(30_000),
    clock: deps.clock,
    appLogger: deps.logger,
    writeLog: (row) => rows.push(row),
  });
  const ctx = buildActionContext({
    server,
    db: deps.store.db,
    box: deps.box,
    clock: deps.clock,
    operationId: 0,
    action,
    attempt: 0,
    service: loaded.service,
    password: loaded.password,
    client: loaded.client,
    product: loaded.product,
    module,
    args: {},
    journal: opsRepo.emptyJournal(),
    persistence: null,
  });
  try {
    return await fn(ctx, loaded);
  } finally {
    await logRepo.insertModuleLogRows(deps.store.db, rows);
  }
}
