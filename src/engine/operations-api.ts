import { fail } from '../core/error-catalogue.js';
import { checkTransition, type OperationStatus } from '../core/lifecycle.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as servicesRepo from '../store/repositories/services.js';
import { type EnqueueRequest, type EnqueueResult, enqueueOperation } from './enqueue.js';
import { lifecycleActionOf } from './outcomes.js';
import { type EngineScope, notFound } from './scope.js';
import { applyOperationSuccess } from './service-effects.js';

const TERMINAL: readonly OperationStatus[] = ['succeeded', 'failed', 'cancelled'];

export function createOperationsApi(scope: EngineScope) {
  const { deps, store, db, clock, events, runner, finishWaiters, requireOperation } = scope;
  return {
    enqueue: async (request: EnqueueRequest): Promise<EnqueueResult> => {
      const result = await enqueueOperation(deps, request);
      if (result.created) runner.announce();
      return result;
    },
    get: requireOperation,
    getByIdempotencyKey: (key: string) => opsRepo.getOperationByIdempotencyKey(db, key),
    list: (filter: opsRepo.OperationFilter = {}) => opsRepo.listOperations(db, filter),
    /** Resolves when the operation has ended, or with its current state after `timeoutMs`. */
    async waitFor(id: number, waitOptions: { timeoutMs: number }): Promise<opsRepo.OperationRecord> {
      const deadline = performance.now() + waitOptions.timeoutMs;
      for (;;) {
        const operation = await requireOperation(id);
        const left = deadline - performance.now();
        if (TERMINAL.includes(operation.status) || left <= 0) return operation;
        await new Promise<void>((resolve) => {
          const waiters = finishWaiters.get(id) ?? new Set();
          finishWaiters.set(id, waiters);
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            if (waiters.size === 0) finishWaiters.delete(id);
            resolve();
          };
          // Poll too: another node may run it, and a wait parks without "finishing".
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.add(wake);
        });
      }
    },
    /** Failed → queued again; finished steps stay finished (the journal is kept). */
    async retry(id: number) {
      await store.write(async (trx) => {
        const operation = await opsRepo.getOperation(trx, id);
        if (!operation) throw notFound('operation', id);
        if (operation.status !== 'failed')
          throw fail(
            'operation.not_failed',
            `operation ${id} is ${operation.status}; only failed operations can be retried`,
          );
        const service = await servicesRepo.getService(trx, operation.serviceId);
        const transition = service && checkTransition(service.status, lifecycleActionOf(operation.action));
        if (!transition?.allowed)
          throw fail(
            'lifecycle.transition_forbidden',
            `operation ${id} can no longer run: ${transition?.reason ?? 'its service is gone'}`,
          );
        const active = await opsRepo.getActiveOperationForService(trx, operation.serviceId);
        if (active)
          throw fail(
            'operation.already_active',
            `service ${operation.serviceId} has operation ${active.id} in progress`,
          );
        const journal = {
          ...operation.journal,
          lookupFirst: operation.errorKind === 'unknown-outcome' || operation.journal.lookupFirst === true,
        };
        await opsRepo.updateOperation(trx, id, {
          status: 'queued',
          attempts: 0,
          run_at: clock.now(),
          finished_at: null,
          resolved_at: null,
          resolution: null,
          journal: opsRepo.journalJson(journal),
          updated_at: clock.now(),
        });
      });
      runner.announce();
      return requireOperation(id);
    },
    /** Takes a failure off the failed-actions queue; `markSucceeded` applies its effect as if it had worked. */
    async resolve(id: number, input: { markSucceeded?: boolean; note?: string } = {}) {
      await store.write(async (trx) => {
        const operation = await opsRepo.getOperation(trx, id);
        if (!operation) throw notFound('operation', id);
        if (operation.status !== 'failed' || operation.resolvedAt !== null)
          throw fail('operation.not_failed', `operation ${id} is not an unresolved failure`);
        const now = clock.now();
        const resolution = input.markSucceeded
          ? `marked succeeded${input.note ? `: ${input.note}` : ''}`
          : input.note || 'resolved';
        await opsRepo.updateOperation(trx, id, {
          resolved_at: now,
          resolution,
          updated_at: now,
          ...(input.markSucceeded ? { status: 'succeeded' } : {}),
        });
        if (input.markSucceeded) await applyOperationSuccess(deps, trx, operation);
      });
      events.poke();
      return requireOperation(id);
    },
    /** Queued or waiting → cancelled. A running action cannot be cancelled halfway. */
    async cancel(id: number) {
      const now = clock.now();
      const result = await db
        .updateTable('operations')
        .set({
          status: 'cancelled',
          finished_at: now,
          updated_at: now,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'waiting'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        const operation = await requireOperation(id);
        throw fail(
          'operation.not_cancellable',
          `operation ${id} is ${operation.status}; only queued or waiting operations can be cancelled`,
        );
      }
      return requireOperation(id);
    },
  };
}

/** The operations part of the engine facade. */
export type OperationsApi = ReturnType<typeof createOperationsApi>;
