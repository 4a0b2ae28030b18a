import { type ErrorKind, isTransient } from '../core/errors.js';
import type { LifecycleAction } from '../core/lifecycle.js';
import type { RemoteState } from '../modules/contract.js';
import { customActionName, repairActionName } from './action-handlers.js';
import { type BackoffPolicy, retryDelayMs } from './backoff.js';

/**
 * Decisions the runner makes, kept pure so they are tested alone.
 */

/** Lifecycle action of an operation action: `custom:reboot` is a `custom` action. */
export function lifecycleActionOf(action: string): LifecycleAction {
  if (repairActionName(action) !== null) return 'repair';
  return customActionName(action) === null ? (action as LifecycleAction) : 'custom';
}

/** Journal key of the engine's own look at the backend before an operation's first run. */
export const OWNERSHIP_STEP = 'engine:ownership';

/**
 * What the engine does with what `lookup` found before it runs an action (first run, and again
 * after a lost answer or a crashed worker):
 * - an object without this service's mark is foreign: refuse, whatever the action (the ownership
 *   rule of modules/contract.ts);
 * - otherwise run the action, adopting the remote ids lookup found. The action runs even when
 *   lookup suggests it already took effect: actions are idempotent by duty, and a re-run finishes
 *   work that belonged to the interrupted run (an Axigen create's SAVE CONFIG after its COMMIT,
 *   a DCImanager termination's later steps), which a shortcut to "done" would skip.
 */
export type BeforeRun =
  | { kind: 'refuse'; object: string }
  | { kind: 'run'; adopt: Readonly<Record<string, string>> };

export function decideBeforeRun(state: RemoteState | null): BeforeRun {
  if (state?.owner === 'foreign') return { kind: 'refuse', object: state.object };
  return { kind: 'run', adopt: state?.remoteIds ?? {} };
}

/** The status a service takes when an adopt succeeds: a pending service becomes what the backend says. */
export function statusAfterAdopt(
  current: 'pending' | 'active' | 'suspended',
  remote: RemoteState['status'] | undefined,
): 'active' | 'suspended' {
  if (current !== 'pending') return current;
  return remote === 'suspended' ? 'suspended' : 'active';
}

const EVENT_OF_ACTION: Record<LifecycleAction, string> = {
  create: 'service.created',
  suspend: 'service.suspended',
  unsuspend: 'service.unsuspended',
  terminate: 'service.terminated',
  'change-package': 'service.package_changed',
  'change-password': 'service.password_changed',
  cancel: 'service.cancelled',
  custom: 'service.action_completed',
  adopt: 'service.adopted',
  repair: 'service.repaired',
};

export function eventOfAction(action: string): string {
  return EVENT_OF_ACTION[lifecycleActionOf(action)];
}

/**
 * What the engine does after a run ended with an error:
 * - a transient error (`unavailable`, `unknown-outcome`) with attempts left is retried after a
 *   backoff; an unknown outcome must look the object up before it runs again;
 * - anything else, or a transient error on the last attempt, fails the operation. Exhausted
 *   retries say so in the message, so the failed queue shows why it stopped.
 */
export type AfterError =
  | { kind: 'retry'; delayMs: number; lookupFirst: boolean; progressMessage: string }
  | { kind: 'fail'; message: string };

export function decideAfterError(
  error: { kind: ErrorKind; message: string; retryAfterSeconds?: number | undefined },
  attempt: { attempts: number; maxAttempts: number },
  policy: BackoffPolicy,
  random: () => number = Math.random,
): AfterError {
  const transient = isTransient(error.kind);
  if (transient && attempt.attempts < attempt.maxAttempts) {
    const delayMs = retryDelayMs(policy, attempt.attempts, random, error.retryAfterSeconds);
    return {
      kind: 'retry',
      delayMs,
      lookupFirst: error.kind === 'unknown-outcome',
      progressMessage: `retrying in ${Math.ceil(delayMs / 1000)} s: ${error.message}`,
    };
  }
  const exhausted = transient ? ` (gave up after ${attempt.attempts} attempts)` : '';
  return { kind: 'fail', message: error.message + exhausted };
}
