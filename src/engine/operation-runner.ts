import { randomUUID } from 'node:crypto';
import { isManualClock } from '../core/clock.js';
import { fail } from '../core/error-catalogue.js';
import { isTransient, type ProvisioningError, toProvisioningError, withMessage } from '../core/errors.js';
import { checkTransition } from '../core/lifecycle.js';
import { Redactor } from '../core/redaction.js';
import type { ActionContext, AnyModule, RemoteState, SettingValue } from '../modules/contract.js';
import type { Db } from '../store/database.js';
import { insertModuleLogRows } from '../store/repositories/module-log.js';
import {
  claimOperations,
  getSecretArgs,
  type Journal,
  journalJson,
  type OperationRecord,
  updateLeasedOperation,
} from '../store/repositories/operations.js';
import { listServers } from '../store/repositories/servers.js';
import { getService, updateService } from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildActionContext, buildServerContext, LeaseLostError, WaitSignal } from './action-context.js';
import { handlerOf } from './action-handlers.js';
import { type BackoffPolicy, retryDelayMs } from './backoff.js';
import type { EngineDeps } from './deps.js';
import { type LoadedOperation, loadOperation } from './operation-loader.js';
import {
  decideBeforeRun,
  eventOfAction,
  lifecycleActionOf,
  OWNERSHIP_STEP,
  statusAfterAdopt,
} from './outcomes.js';
import { adoptRemoteObject, foreignObjectError } from './ownership.js';

export interface RunnerOptions {
  /** Operations this process runs at once (waiting ones do not count). */
  concurrency: number;
  /** Lease length; renewed every third of it while the action runs. */
  leaseMs: number;
  /** How often an idle runner looks for due work (a local enqueue wakes it at once). */
  pollMs: number;
  /** Time limit of one run of an action, unless the module sets its own; waits do not count. */
  operationTimeoutMs: number;
  retry: BackoffPolicy;
  /** On stop: how long running actions may finish before they are aborted and released. */
  shutdownGraceMs: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = Object.freeze({
  concurrency: 8,
  leaseMs: 30_000,
  pollMs: 200,
  operationTimeoutMs: 5 * 60_000,
  retry: { baseMs: 2_000, capMs: 10 * 60_000 },
  shutdownGraceMs: 10_000,
});

class ShutdownAbort extends Error {}
class TimeoutAbort extends Error {}

/** What ended a run. */
type RunEnd =
  | { kind: 'succeeded'; adopted?: Readonly<Record<string, string>>; remoteStatus?: RemoteState['status'] }
  | { kind: 'wait'; signal: WaitSignal }
  | { kind: 'error'; error: ProvisioningError }
  | { kind: 'released' }
  | { kind: 'lease-lost' };

/**
 * The worker: claims due operations with a lease, runs the module action with a context, and
 * records the end of every run in one transaction (operation row, service status, module log,
 * events). Only the lease holder writes; a worker that lost its lease stops without writing.
 */
export class OperationRunner {
  readonly owner = `worker-${randomUUID()}`;
  /** Runs in this process by lease token (a re-claimed operation may briefly have two). */
  private readonly inFlight = new Map<
    string,
    { promise: Promise<void>; controller: AbortController; serverId: number | null }
  >();
  private serverLimits = new Map<number, number>();
  private serverLimitsAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private timerDelay = 0;
  private running = false;
  private ticking = false;
  private tickDone: Promise<void> = Promise.resolve();
  private tickAgain = false;
  private unsubscribeClock: (() => void) | null = null;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly deps: EngineDeps,
    readonly options: RunnerOptions,
  ) {}

  get activeCount(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (isManualClock(this.deps.clock)) this.unsubscribeClock = this.deps.clock.onAdvance(() => this.poke());
    this.poke();
  }

  /** Graceful stop: no new claims; running actions get the grace period, then are released. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribeClock?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A claim in flight may still hand us operations: they must be tracked before we wait.
    await this.tickDone;
    const all = () => Promise.all([...this.inFlight.values()].map((run) => run.promise));
    const grace = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownGraceMs).unref(),
    );
    if ((await Promise.race([all().then(() => 'done' as const), grace])) === 'timeout') {
      for (const run of this.inFlight.values())
        run.controller.abort(new ShutdownAbort('engine shutting down'));
      await all();
    }
  }

  /**
   * Look for work soon (after an enqueue, a finished run or a clock jump). While most workers are
   * busy, claims wait a moment so that several finished runs share one claim transaction instead
   * of paying one each; an idle runner claims at once.
   */
  poke(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    const delay = this.inFlight.size > this.options.concurrency / 2 ? 2 : 0;
    if (this.timer && this.timerDelay <= delay) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDelay = delay;
    this.timer = setTimeout(() => this.runTick(), this.timerDelay);
  }

  private runTick(): void {
    this.tickDone = this.tick();
  }

  /** Resolves when nothing runs in this process (tests). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    this.ticking = true;
    let claimedAll = false;
    try {
      const free = this.options.concurrency - this.inFlight.size;
      if (free > 0) {
        await this.refreshServerLimits();
        const claimed = await claimOperations(this.deps.store, {
          owner: this.owner,
          now: this.deps.clock.now(),
          leaseMs: this.options.leaseMs,
          limit: free,
          roomPerServer: (serverId) => this.roomOn(serverId),
        });
        for (const operation of claimed) this.launch(operation);
        claimedAll = claimed.length === free;
      }
    } catch (error) {
      this.deps.logger.error({ err: (error as Error).message }, 'claiming operations failed; will try again');
    } finally {
      this.ticking = false;
    }
    if (!this.running) return;
    const again = this.tickAgain || claimedAll;
    this.tickAgain = false;
    this.timerDelay = again && this.inFlight.size < this.options.concurrency ? 0 : this.options.pollMs;
    this.timer = setTimeout(() => this.runTick(), this.timerDelay);
    this.timer.unref?.();
  }

  private roomOn(serverId: number | null): number {
    if (serverId === null) return Number.POSITIVE_INFINITY;
    let used = 0;
    for (const run of this.inFlight.values()) if (run.serverId === serverId) used++;
    return (this.serverLimits.get(serverId) ?? Number.POSITIVE_INFINITY) - used;
  }

  private async refreshServerLimits(): Promise<void> {
    if (performance.now() - this.serverLimitsAt < 5_000) return;
    const servers = await listServers(this.deps.store.db);
    this.serverLimits = new Map(servers.map((s) => [s.id, s.maxConcurrency]));
    this.serverLimitsAt = performance.now();
  }

  private launch(operation: OperationRecord): void {
    const lease = operation.leaseOwner!;
    const controller = new AbortController();
    const promise = this.execute(operation, controller)
      .catch((error) =>
        this.deps.logger.error(
          { operation: operation.id, err: (error as Error).message },
          'operation run crashed',
        ),
      )
      .finally(() => {
        this.inFlight.delete(lease);
        if (this.inFlight.size === 0) for (const resolve of this.idleWaiters) resolve();
        if (this.inFlight.size === 0) this.idleWaiters.clear();
        this.poke();
      });
    this.inFlight.set(lease, { promise, controller, serverId: operation.serverId });
  }

  private async execute(operation: OperationRecord, controller: AbortController): Promise<void> {
    const started = performance.now();
    const logRows: ModuleLogRow[] = [];
    const journal: Journal = structuredClone(operation.journal);
    // A takeover of a crashed worker's run: its last remote call may have taken effect.
    if (operation.claimedFrom === 'running') journal.lookupFirst = true;

    const lease = operation.leaseOwner!;
    const heartbeat = setInterval(
      () => void this.renewLease(operation.id, lease, controller),
      Math.max(50, this.options.leaseMs / 3),
    );
    heartbeat.unref();
    let end: RunEnd;
    let loaded: LoadedOperation | undefined;
    try {
      loaded = await loadOperation(this.deps, operation);
      end = await this.runAction(operation, loaded, journal, logRows, controller);
    } catch (error) {
      end = { kind: 'error', error: toProvisioningError(error) };
    } finally {
      clearInterval(heartbeat);
    }
    if (end.kind === 'error' && loaded) {
      // Error messages pass the same redactor as the module log.
      const error = end.error;
      end = {
        kind: 'error',
        error: withMessage(error, loaded.redactor.redactText(error.message)),
      };
    }
    const finished = await this.recordEnd(operation, journal, logRows, end, loaded);
    if (finished) this.deps.observer.operationFinished?.(finished, performance.now() - started);
    if (end.kind !== 'lease-lost') this.deps.events.poke();
  }

  private async runAction(
    operation: OperationRecord,
    loaded: LoadedOperation,
    journal: Journal,
    logRows: ModuleLogRow[],
    controller: AbortController,
  ): Promise<RunEnd> {
    const { module } = loaded;
    const timeoutMs = module.timeouts?.[operation.action] ?? this.options.operationTimeoutMs;
    const timeout = setTimeout(
      () => controller.abort(new TimeoutAbort(`did not finish within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    timeout.unref();
    const ctx = this.buildContext(operation, loaded, journal, logRows, controller.signal);
    try {
      if (operation.action === 'adopt') {
        const state = await adoptRemoteObject(module, ctx);
        return { kind: 'succeeded', adopted: state.remoteIds ?? {}, remoteStatus: state.status };
      }
      if (journal.lookupFirst || !journal.steps[OWNERSHIP_STEP]) {
        await this.checkOwnership(module, ctx, journal, loaded);
      }
      await this.invokeHandler(module, operation, ctx);
      return { kind: 'succeeded' };
    } catch (error) {
      if (error instanceof WaitSignal) return { kind: 'wait', signal: error };
      if (error instanceof LeaseLostError) return { kind: 'lease-lost' };
      const reason = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof LeaseLostError) return { kind: 'lease-lost' };
      // Stopping releases what still runs. An action that also hit its own time limit while the
      // engine was stopping is released too: a shutdown must never spend an attempt.
      if (controller.signal.aborted && reason instanceof ShutdownAbort) return { kind: 'released' };
      if (controller.signal.aborted && reason instanceof TimeoutAbort && !this.running)
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
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * The engine's side of the ownership rule: before an action touches the backend, look at what
   * exists under the service's name and refuse a foreign object. Recorded in the journal, so a
   * durable wait's re-runs do not look again; a lost answer or a takeover looks again.
   */
  private async checkOwnership(
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
      at: this.deps.clock.now(),
    };
  }

  private async invokeHandler(
    module: AnyModule,
    operation: OperationRecord,
    ctx: ActionContext<Record<string, SettingValue>>,
  ): Promise<void> {
    const handler = handlerOf(module, operation.action);
    if (!handler)
      throw fail('action.unsupported', `module ${module.id} does not support ${operation.action}`);
    await handler(ctx);
  }

  private buildContext(
    operation: OperationRecord,
    loaded: LoadedOperation,
    journal: Journal,
    logRows: ModuleLogRow[],
    signal: AbortSignal,
  ): ActionContext<Record<string, SettingValue>> {
    const { deps } = this;
    const warnings = [...operation.warnings];
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
            if (
              !(await updateLeasedOperation(trx, operation.id, operation.leaseOwner!, {
                journal: journalJson(next),
                updated_at: deps.clock.now(),
              }))
            ) {
              return false;
            }
            await insertModuleLogRows(trx, rows);
            return true;
          });
          if (!kept) throw new LeaseLostError(operation.id);
        },
        saveWarning: async (message) => {
          warnings.push({ at: deps.clock.now(), message: loaded.redactor.redactText(message) });
          const kept = await updateLeasedOperation(deps.store.db, operation.id, operation.leaseOwner!, {
            warnings: JSON.stringify(warnings),
          });
          if (!kept) throw new LeaseLostError(operation.id);
        },
        saveProgress: async (message, fraction) => {
          const safe = loaded.redactor.redactText(message);
          if (
            !(await updateLeasedOperation(deps.store.db, operation.id, operation.leaseOwner!, {
              progress_message: safe,
              progress_fraction: fraction,
              updated_at: deps.clock.now(),
            }))
          ) {
            throw new LeaseLostError(operation.id);
          }
        },
      },
    });
  }

  private async renewLease(operationId: number, lease: string, controller: AbortController): Promise<void> {
    try {
      const now = this.deps.clock.now();
      const kept = await updateLeasedOperation(this.deps.store.db, operationId, lease, {
        lease_expires_at: now + this.options.leaseMs,
      });
      if (!kept) controller.abort(new LeaseLostError(operationId));
    } catch (error) {
      this.deps.logger.warn(
        { operation: operationId, err: (error as Error).message },
        'lease renewal failed',
      );
    }
  }

  /** Writes how the run ended, fenced by the lease; returns the finished operation when it ended. */
  private async recordEnd(
    operation: OperationRecord,
    journal: Journal,
    logRows: ModuleLogRow[],
    end: RunEnd,
    loaded: LoadedOperation | undefined,
  ): Promise<OperationRecord | undefined> {
    if (end.kind === 'lease-lost') {
      this.deps.logger.warn(
        { operation: operation.id },
        'lease lost: another worker owns this operation now',
      );
      return undefined;
    }
    const now = this.deps.clock.now();
    const release = { lease_owner: null, lease_expires_at: null, updated_at: now };
    try {
      return await this.deps.store.write(async (trx) => {
        const fenced = async (patch: Parameters<typeof updateLeasedOperation>[3]) => {
          if (
            !(await updateLeasedOperation(trx, operation.id, operation.leaseOwner!, {
              ...release,
              journal: journalJson(journal),
              ...patch,
            }))
          ) {
            throw new LeaseLostError(operation.id);
          }
        };
        await insertModuleLogRows(trx, logRows);
        switch (end.kind) {
          case 'succeeded':
            await fenced({
              status: 'succeeded',
              finished_at: now,
              progress_fraction: 1,
              // An earlier attempt's "retrying in 4 s: …" is not what a success says.
              progress_message: null,
              error_kind: null,
              error_code: null,
              error_message: null,
            });
            await applyOperationSuccess(this.deps, trx, operation, {
              adopted: end.adopted,
              remoteStatus: end.remoteStatus,
              known: loaded,
            });
            return { ...operation, status: 'succeeded' as const, finishedAt: now };
          case 'wait':
            await fenced({
              status: 'waiting',
              run_at: end.signal.nextCheckAt,
              progress_message: (loaded?.redactor ?? new Redactor()).redactText(
                end.signal.progressMessage ?? `waiting for ${end.signal.waitName}`,
              ),
            });
            return undefined;
          case 'released':
            journal.lookupFirst = true;
            await fenced({ status: 'queued', run_at: now, attempts: Math.max(0, operation.attempts - 1) });
            return undefined;
          case 'error':
            return this.recordError(trx, operation, journal, end.error, fenced, now);
        }
      });
    } catch (error) {
      if (error instanceof LeaseLostError) return undefined;
      throw error;
    }
  }

  private async recordError(
    trx: Db,
    operation: OperationRecord,
    journal: Journal,
    error: ProvisioningError,
    fenced: (patch: Parameters<typeof updateLeasedOperation>[3]) => Promise<void>,
    now: number,
  ): Promise<OperationRecord | undefined> {
    const errorFields = { error_kind: error.kind, error_code: error.code, error_message: error.message };
    if (isTransient(error.kind) && operation.attempts < operation.maxAttempts) {
      if (error.kind === 'unknown-outcome') journal.lookupFirst = true;
      const delay = retryDelayMs(
        this.options.retry,
        operation.attempts,
        Math.random,
        error.retryAfterSeconds,
      );
      await fenced({
        status: 'queued',
        run_at: now + delay,
        ...errorFields,
        progress_message: `retrying in ${Math.ceil(delay / 1000)} s: ${error.message}`,
      });
      return undefined;
    }
    const exhausted = isTransient(error.kind) ? ` (gave up after ${operation.attempts} attempts)` : '';
    await fenced({
      status: 'failed',
      finished_at: now,
      ...errorFields,
      error_message: error.message + exhausted,
    });
    await this.deps.events.publish(trx, 'operation.failed', {
      operationId: operation.id,
      serviceId: operation.serviceId,
      action: operation.action,
      errorKind: error.kind,
      errorCode: error.code,
      message: error.message + exhausted,
    });
    return {
      ...operation,
      status: 'failed',
      finishedAt: now,
      errorKind: error.kind,
      errorMessage: error.message + exhausted,
    };
  }
}

/**
 * The service side of a success: status transition, new password or product, adopted remote ids,
 * event. Shared by the runner and by an operator's "resolve as succeeded".
 */
export async function applyOperationSuccess(
  deps: EngineDeps,
  trx: Db,
  operation: OperationRecord,
  options: {
    adopted?: Readonly<Record<string, string>> | undefined;
    /** Adopt: the backend object's state, which a pending service takes. */
    remoteStatus?: RemoteState['status'] | undefined;
    known?: LoadedOperation | undefined;
  } = {},
): Promise<void> {
  const { adopted, known } = options;
  // While an operation is active nothing else changes its service's status (one active operation
  // per service), so the runner's copy from the start of the run is good unless ids are adopted.
  const service = known && !adopted ? known.service : await getService(trx, operation.serviceId);
  if (!service) return;
  const transition = checkTransition(service.status, lifecycleActionOf(operation.action));
  const next =
    transition.allowed &&
    operation.action === 'adopt' &&
    service.status !== 'terminated' &&
    service.status !== 'cancelled'
      ? statusAfterAdopt(service.status, options.remoteStatus)
      : transition.allowed
        ? transition.next
        : undefined;
  const secretArgs = known
    ? known.secretArgs
    : operation.hasSecretArgs
      ? await getSecretArgs(trx, deps.box, operation.id)
      : {};
  const now = deps.clock.now();
  await updateService(
    trx,
    deps.box,
    service.id,
    {
      ...(next ? { status: next } : {}),
      ...(typeof secretArgs.password === 'string' ? { password: secretArgs.password } : {}),
      ...(typeof operation.args.productId === 'number' ? { productId: operation.args.productId } : {}),
      ...(adopted ? { remoteIds: { ...service.remoteIds, ...adopted } } : {}),
      ...(operation.action === 'suspend'
        ? { suspendReason: typeof operation.args.reason === 'string' ? operation.args.reason : null }
        : {}),
      ...(operation.action === 'unsuspend' ? { suspendReason: null } : {}),
    },
    now,
  );
  await deps.events.publish(trx, eventOfAction(operation.action), {
    serviceId: service.id,
    clientId: service.clientId,
    operationId: operation.id,
    action: operation.action,
  });
}
