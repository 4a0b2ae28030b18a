import type { ProvisioningError } from '../core/errors.js';
import { Redactor } from '../core/redaction.js';
import type { RemoteState } from '../modules/contract.js';
import { completeLeasedOperation, type LeasedCompletion } from '../store/repositories/completions.js';
import {
  type Journal,
  journalJson,
  type OperationPatch,
  type OperationRecord,
} from '../store/repositories/operations.js';
import { serviceRowPatch } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { LeaseLostError, type WaitSignal } from './action-context.js';
import type { BackoffPolicy } from './backoff.js';
import type { EngineDeps } from './deps.js';
import type { LoadedOperation } from './operation-loader.js';
import { decideAfterError } from './outcomes.js';
import { successEffects } from './service-effects.js';

/** What ended a run. */
export type RunEnd =
  | { kind: 'succeeded'; adopted?: Readonly<Record<string, string>>; remoteStatus?: RemoteState['status'] }
  | { kind: 'wait'; signal: WaitSignal }
  | { kind: 'error'; error: ProvisioningError }
  | { kind: 'released' }
  | { kind: 'lease-lost' };

export interface FinishedRun {
  operation: OperationRecord;
  journal: Journal;
  logRows: readonly ModuleLogRow[];
  end: RunEnd;
  loaded: LoadedOperation | undefined;
}

/** Writes the run's end with the operation's new columns, and what goes with them; false: lease lost. */
type Complete = (patch: OperationPatch, extra?: Pick<LeasedCompletion, 'service' | 'event'>) => Promise<void>;

/**
 * Writes how a run ended in one transaction — operation row, module log, service effects, events —
 * fenced by the lease: a worker that lost its lease writes nothing. Returns the operation when it
 * ended (succeeded or failed), undefined when it goes on later or was not ours any more.
 */
export async function recordRunEnd(
  deps: EngineDeps,
  retry: BackoffPolicy,
  run: FinishedRun,
): Promise<OperationRecord | undefined> {
  const { operation, journal, logRows, end, loaded } = run;
  if (end.kind === 'lease-lost') {
    deps.logger.warn({ operation: operation.id }, 'lease lost: another worker owns this operation now');
    return undefined;
  }
  const now = deps.clock.now();
  const release = { lease_owner: null, lease_expires_at: null, updated_at: now };
  // On PostgreSQL the completion is one statement (completions.ts); unless a success must read
  // its service first (adopted ids, or nothing loaded), the whole write is that one statement.
  const oneStatement =
    deps.store.dialect === 'postgres' && !(end.kind === 'succeeded' && (end.adopted || !loaded));
  const write = oneStatement ? deps.store.writeStatement : deps.store.write;
  try {
    return await write(async (trx) => {
      const complete: Complete = async (patch, extra = {}) => {
        const kept = await completeLeasedOperation(trx, deps.store.dialect, {
          operationId: operation.id,
          lease: operation.leaseOwner!,
          patch: { ...release, journal: journalJson(journal), ...patch },
          logRows,
          ...extra,
        });
        if (!kept) throw new LeaseLostError(operation.id);
      };
      switch (end.kind) {
        case 'succeeded': {
          const effects = await successEffects(deps, trx, operation, {
            adopted: end.adopted,
            remoteStatus: end.remoteStatus,
            known: loaded,
          });
          await complete(
            {
              status: 'succeeded',
              finished_at: now,
              progress_fraction: 1,
              // An earlier attempt's "retrying in 4 s: …" is not what a success says.
              progress_message: null,
              error_kind: null,
              error_code: null,
              error_message: null,
            },
            effects && {
              service: { id: effects.serviceId, patch: serviceRowPatch(deps.box, effects.patch, now) },
              event: { ...effects.event, at: now },
            },
          );
          return { ...operation, status: 'succeeded' as const, finishedAt: now };
        }
        case 'wait':
          await complete({
            status: 'waiting',
            run_at: end.signal.nextCheckAt,
            progress_message: (loaded?.redactor ?? new Redactor()).redactText(
              end.signal.progressMessage ?? `waiting for ${end.signal.waitName}`,
            ),
          });
          return undefined;
        case 'released':
          journal.lookupFirst = true;
          await complete({ status: 'queued', run_at: now, attempts: Math.max(0, operation.attempts - 1) });
          return undefined;
        case 'error':
          return recordError(retry, run, end.error, complete, now);
      }
    });
  } catch (error) {
    if (error instanceof LeaseLostError) return undefined;
    throw error;
  }
}

async function recordError(
  retry: BackoffPolicy,
  run: FinishedRun,
  error: ProvisioningError,
  complete: Complete,
  now: number,
): Promise<OperationRecord | undefined> {
  const { operation, journal } = run;
  const errorFields = { error_kind: error.kind, error_code: error.code, error_message: error.message };
  const decision = decideAfterError(error, operation, retry);
  if (decision.kind === 'retry') {
    if (decision.lookupFirst) journal.lookupFirst = true;
    await complete({
      status: 'queued',
      run_at: now + decision.delayMs,
      ...errorFields,
      progress_message: decision.progressMessage,
    });
    return undefined;
  }
  await complete(
    { status: 'failed', finished_at: now, ...errorFields, error_message: decision.message },
    {
      event: {
        type: 'operation.failed',
        payload: {
          operationId: operation.id,
          serviceId: operation.serviceId,
          action: operation.action,
          errorKind: error.kind,
          errorCode: error.code,
          message: decision.message,
        },
        at: now,
      },
    },
  );
  return {
    ...operation,
    status: 'failed',
    finishedAt: now,
    errorKind: error.kind,
    errorMessage: decision.message,
  };
}
