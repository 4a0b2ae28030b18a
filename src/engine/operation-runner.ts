import { randomUUID } from 'node:crypto';
import { isManualClock } from '../core/clock.js';
import { type ClaimedOperation, claimOperations } from '../store/repositories/operations.js';
import type { EngineDeps } from './deps.js';
import { executeOperation, ShutdownAbort } from './operation-execution.js';
import type { RunnerOptions } from './runner-options.js';

/**
 * The scheduler: claims due operations with a lease, within this process's concurrency and each
 * server's bound, and hands each to executeOperation (operation-execution.ts), which runs it and
 * records its end (run-end.ts). Only the lease holder writes; a worker that lost its lease stops
 * without writing.
 */
export class OperationRunner {
  readonly owner = `worker-${randomUUID()}`;
  /** Runs in this process by lease token (a re-claimed operation may briefly have two). */
  private readonly inFlight = new Map<
    string,
    { promise: Promise<void>; controller: AbortController; serverId: number | null }
  >();
  private timer: NodeJS.Timeout | null = null;
  private pokeScheduled = false;
  private running = false;
  private ticking = false;
  private tickDone: Promise<void> = Promise.resolve();
  private tickAgain = false;
  private unsubscribeClock: (() => void) | null = null;
  private unsubscribeWake: (() => void) | null = null;
  private readonly idleWaiters = new Set<() => void>();
  /** Operations announced here since the last claim began: room this runner has promised them. */
  private announced = 0;

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
    this.unsubscribeWake = this.deps.store.wakeUp.onWake(() => this.poke());
    this.poke();
  }

  /** Graceful stop: no new claims; running actions get the grace period, then are released. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribeClock?.();
    this.unsubscribeWake?.();
    this.unsubscribeWake = null;
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
   * Look for work soon (after an enqueue, a finished run or a clock jump): in this turn of the
   * event loop's check phase, so the runs that finish in one turn share one claim.
   */
  poke(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    if (this.pokeScheduled) return;
    this.pokeScheduled = true;
    setImmediate(() => {
      this.pokeScheduled = false;
      if (this.ticking || !this.running) return;
      if (this.timer) clearTimeout(this.timer);
      this.runTick();
    });
  }

  /**
   * Work became due (an enqueue committed): start it here, and wake the runners of other nodes
   * unless this one has room for it. Then it starts here within a claim, as fast as any other
   * node could, and waking the others (a NOTIFY on PostgreSQL: a statement and a commit) would
   * only send them all to claim nothing. A full runner, or one that runs nothing (an API node),
   * wakes them. The wake-up is a hint either way: a node that missed one finds the work at its poll.
   */
  announce(): void {
    if (this.running && this.inFlight.size + this.announced < this.options.concurrency) this.announced++;
    else this.deps.store.wakeUp.wake();
    this.poke();
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
      // Everything announced so far committed before this claim reads: it sees that work.
      this.announced = 0;
      if (free > 0) {
        const claimed = await claimOperations(this.deps.store, {
          owner: this.owner,
          now: this.deps.clock.now(),
          leaseMs: this.options.leaseMs,
          limit: free,
        });
        for (const run of claimed) this.launch(run);
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
    this.timer = setTimeout(
      () => this.runTick(),
      again && this.inFlight.size < this.options.concurrency ? 0 : this.options.pollMs,
    );
    this.timer.unref?.();
  }

  private launch({ operation, subject }: ClaimedOperation): void {
    const lease = operation.leaseOwner!;
    const controller = new AbortController();
    const promise = executeOperation(
      this.deps,
      this.options,
      { operation, subject },
      controller,
      () => !this.running,
    )
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
}
