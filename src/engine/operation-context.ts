import type { ActionContext, SettingValue } from '../modules/contract.js';
import { insertModuleLogRows } from '../store/repositories/module-log.js';
import {
  type Journal,
  journalJson,
  type OperationRecord,
  updateLeasedOperation,
} from '../store/repositories/operations.js';
import { updateService } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildActionContext, buildServerContext, LeaseLostError } from './action-context.js';
import type { EngineDeps } from './deps.js';
import type { LoadedOperation } from './operation-loader.js';

/**
 * The context a claimed operation's action runs with: every write it makes (journal, warnings,
 * progress) is fenced by the lease, and module-log rows are buffered to be written with the next
 * journal save or with the end of the run.
 */
export function buildOperationContext(
  deps: EngineDeps,
  operation: OperationRecord,
  loaded: LoadedOperation,
  journal: Journal,
  logRows: ModuleLogRow[],
  signal: AbortSignal,
): ActionContext<Record<string, SettingValue>> {
  const lease = operation.leaseOwner!;
  const warnings = [...operation.warnings];
  const fencedUpdate = async (patch: Parameters<typeof updateLeasedOperation>[3]) => {
    if (!(await updateLeasedOperation(deps.store.db, operation.id, lease, patch)))
      throw new LeaseLostError(operation.id);
  };
  const server = buildServerContext({
    module: loaded.module,
    server: loaded.server,
    action: operation.action,
    operationId: operation.id,
    redactor: loaded.redactor,
    signal,
    clock: deps.clock,
    appLogger: deps.logger,
    writeLog: (row) => logRows.push(row),
    observeCall: (call) => deps.observer.remoteCall?.(loaded.module.id, loaded.server.id, call),
  });
  return buildActionContext({
    server,
    db: deps.store.db,
    box: deps.box,
    clock: deps.clock,
    operationId: operation.id,
    action: operation.action,
    attempt: operation.attempts,
    service: loaded.service,
    password: loaded.password,
    client: loaded.client,
    product: loaded.product,
    module: loaded.module,
    args: operation.args,
    journal,
    persistence: {
      saveJournal: async (next) => {
        const rows = logRows.splice(0);
        const kept = await deps.store.write(async (trx) => {
          const updated = await updateLeasedOperation(trx, operation.id, lease, {
            journal: journalJson(next),
            updated_at: deps.clock.now(),
          });
          if (updated) await insertModuleLogRows(trx, rows);
          return updated;
        });
        if (!kept) throw new LeaseLostError(operation.id);
      },
      saveWarning: async (message) => {
        warnings.push({ at: deps.clock.now(), message: loaded.redactor.redactText(message) });
        await fencedUpdate({ warnings: JSON.stringify(warnings) });
      },
      saveRemoteIds: async (remoteIds) => {
        // One statement: alone it commits by itself; concurrent saves share one commit.
        await deps.store.writeStatement((db) =>
          updateService(db, deps.box, loaded.service.id, { remoteIds }, deps.clock.now()),
        );
      },
      saveProgress: async (message, fraction) => {
        await fencedUpdate({
          progress_message: loaded.redactor.redactText(message),
          progress_fraction: fraction,
          updated_at: deps.clock.now(),
        });
      },
    },
  });
}
