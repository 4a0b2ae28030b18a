import { fail } from '../core/error-catalogue.js';
import { toProvisioningError, withMessage } from '../core/errors.js';
import type { ActionContext, AnyModule, SettingValue } from '../modules/contract.js';
import type { ClaimedOperation, Journal, OperationRecord } from '../store/repositories/operations.js';
import { updateLeasedOperation } from '../store/repositories/operations.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { LeaseLostError, WaitSignal } from './action-context.js';
import { handlerOf } from './action-handlers.js';
import type { EngineDeps } from './deps.js';
import { buildOperationContext } from './operation-context.js';
import { type LoadedOperation, loadOperation } from './operation-loader.js';
import { decideBeforeRun, OWNERSHIP_STEP } from './outcomes.js';
import { adoptRemoteObject, foreignObjectError } from './ownership.js';
import { type RunEnd, recordRunEnd } from './run-end.js';
import type { RunnerOptions } from './runner-options.js';

/** Aborts a run because the engine stops: the operation is released, no attempt is spent. */
export class ShutdownAbort extends Error {}
class TimeoutAbort extends Error {}

/**
 * One run of one claimed operation: load what it needs, keep the lease alive, run the module's
 * action, and record how it ended. `stopping` tells whether the engine is shutting down (a time
 * limit hit then releases rather than fails).
 */
export async function executeOperation(
  deps: EngineDeps,
  options: RunnerOptions,
  { operation, subject }: ClaimedOperation,
  controller: AbortController,
  stopping: () => boolean,
): Promise<void> {
  const started = performance.now();
  const logRows: ModuleLogRow[] = [];
  const journal: Journal = structuredClone(operation.journal);
  // A takeover of a crashed worker's run: its last remote call may have taken effect.
  if (operation.claimedFrom === 'running') journal.lookupFirst = true;

  const heartbeat = setInterval(
    () => void renewLease(deps, options, operation, controller),
    Math.max(50, options.leaseMs / 3),
  );
  heartbeat.unref();
  let end: RunEnd;
  let loaded: LoadedOperation | undefined;
  try {
    loaded = await loadOperation(deps, operation, subject);
    end = await runAction(deps, options, { operation, loaded, journal, logRows, controller, stopping });
  } catch (error) {
    end = { kind: 'error', error: toProvisioningError(error) };
  } finally {
    clearInterval(heartbeat);
  }
  if (end.kind === 'error' && loaded) {
    // Error messages pass the same redactor as the module log.
    end = { kind: 'error', error: withMessage(end.error, loaded.redactor.redactText(end.error.message)) };
  }
  const finished = await recordRunEnd(deps, options.retry, { operation, journal, logRows, end, loaded });
  if (finished) deps.observer.operationFinished?.(finished, performance.now() - started);
  if (end.kind !== 'lease-lost') deps.events.poke();
}

interface Run {
  operation: OperationRecord;
  loaded: LoadedOperation;
  journal: Journal;
  logRows: ModuleLogRow[];
  controller: AbortController;
  stopping: () => boolean;
}

async function runAction(deps: EngineDeps, options: RunnerOptions, run: Run): Promise<RunEnd> {
  const { operation, loaded, journal, controller } = run;
  const { module } = loaded;
  const timeoutMs = module.timeouts?.[operation.action] ?? options.operationTimeoutMs;
  const timeout = setTimeout(
    () => controller.abort(new TimeoutAbort(`did not finish within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  timeout.unref();
  const ctx = buildOperationContext(deps, operation, loaded, journal, run.logRows, controller.signal);
  try {
    if (operation.action === 'adopt') {
      const state = await adoptRemoteObject(module, ctx);
      return { kind: 'succeeded', adopted: state.remoteIds ?? {}, remoteStatus: state.status };
    }
    if (journal.lookupFirst || !journal.steps[OWNERSHIP_STEP]) {
      await checkOwnership(deps, module, ctx, journal, loaded);
    }
    const handler = handlerOf(module, operation.action);
    if (!handler)
      throw fail('action.unsupported', `module ${module.id} does not support ${operation.action}`);
    await handler(ctx);
    return { kind: 'succeeded' };
  } catch (error) {
    return endOfThrow(error, run);
  } finally {
    clearTimeout(timeout);
  }
}

/** How a run that threw ended: a wait, a lost lease, a release on shutdown, or an error. */
function endOfThrow(error: unknown, run: Run): RunEnd {
  const { operation, loaded, controller } = run;
  if (error instanceof WaitSignal) return { kind: 'wait', signal: error };
  if (error instanceof LeaseLostError) return { kind: 'lease-lost' };
  const reason = controller.signal.reason;
  if (controller.signal.aborted && reason instanceof LeaseLostError) return { kind: 'lease-lost' };
  // Stopping releases what still runs. An action that also hit its own time limit while the
  // engine was stopping is released too: a shutdown must never spend an attempt.
  if (controller.signal.aborted && reason instanceof ShutdownAbort) return { kind: 'released' };
  if (controller.signal.aborted && reason instanceof TimeoutAbort && run.stopping())
    return { kind: 'released' };
  if (controller.signal.aborted && reason instanceof TimeoutAbort) {
    return {
      kind: 'error',
      error: fail(
        'operation.timeout',
        `${operation.action} on ${loaded.server.name} ${reason.message}; it may have taken effect`,
      ),
    };
  }
  return { kind: 'error', error: toProvisioningError(error) };
}

/**
 * The engine's side of the ownership rule: before an action touches the backend, look at what
 * exists under the service's name and refuse a foreign object. Recorded in the journal, so a
 * durable wait's re-runs do not look again; a lost answer or a takeover looks again.
 */
async function checkOwnership(
  deps: EngineDeps,
  module: AnyModule,
  ctx: ActionContext<Record<string, SettingValue>>,
  journal: Journal,
  loaded: LoadedOperation,
): Promise<void> {
  const state = await module.lookup(ctx);
  journal.lookupFirst = false;
  const decision = decideBeforeRun(state);
  if (decision.kind === 'refuse') throw foreignObjectError(decision.object, loaded, ctx.action);
  for (const [key, value] of Object.entries(decision.adopt))
    if (ctx.remote.get(key) !== value) await ctx.remote.set(key, value);
  journal.steps[OWNERSHIP_STEP] = {
    result: state?.object ?? null,
    attempt: ctx.attempt,
    at: deps.clock.now(),
  };
}

async function renewLease(
  deps: EngineDeps,
  options: RunnerOptions,
  operation: OperationRecord,
  controller: AbortController,
): Promise<void> {
  try {
    const kept = await updateLeasedOperation(deps.store.db, operation.id, operation.leaseOwner!, {
      lease_expires_at: deps.clock.now() + options.leaseMs,
    });
    if (!kept) controller.abort(new LeaseLostError(operation.id));
  } catch (error) {
    deps.logger.warn({ operation: operation.id, err: (error as Error).message }, 'lease renewal failed');
  }
}
