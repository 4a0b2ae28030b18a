import type { LifecycleAction } from '../core/lifecycle.js';
import type { RemoteState } from '../modules/contract.js';

/**
 * Decisions the runner makes, kept pure so they are tested alone.
 */

/** Lifecycle action of an operation action: `custom:reboot` is a `custom` action. */
export function lifecycleActionOf(action: string): LifecycleAction {
  return action.startsWith('custom:') ? 'custom' : (action as LifecycleAction);
}

/**
 * After a run ended without a known outcome (a lost answer, a crashed worker), the module's
 * lookup tells whether the action already took effect. `done` adopts the remote state as the
 * result; `rerun` runs the action again (its own lookup-first and journaled steps make that safe).
 * A `pending` object exists but its action has not finished (an OS install): rerun.
 */
export function decideAfterLookup(action: string, state: RemoteState | null): 'done' | 'rerun' {
  switch (lifecycleActionOf(action)) {
    case 'create':
      return state && (state.status === 'active' || state.status === 'suspended') ? 'done' : 'rerun';
    case 'suspend':
      return state?.status === 'suspended' ? 'done' : 'rerun';
    case 'unsuspend':
      return state?.status === 'active' ? 'done' : 'rerun';
    case 'terminate':
      return state === null || state.status === 'terminated' ? 'done' : 'rerun';
    default:
      // change-package, change-password, custom: lookup cannot tell; they are idempotent by duty.
      return 'rerun';
  }
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
};

export function eventOfAction(action: string): string {
  return EVENT_OF_ACTION[lifecycleActionOf(action)];
}
