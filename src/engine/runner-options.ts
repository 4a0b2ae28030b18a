import type { BackoffPolicy } from './backoff.js';

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
