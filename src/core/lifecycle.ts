/**
 * The service lifecycle as a pure state machine.
 *
 *   pending --create--> active --suspend--> suspended --unsuspend--> active
 *   active|suspended --terminate--> terminated
 *   active|suspended --change-package|change-password--> (unchanged)
 *   active --custom action--> (unchanged)
 *   pending --cancel--> cancelled
 *   pending|active|suspended --adopt--> (active, or what the backend says for a pending one)
 *   active|suspended|terminated|cancelled --repair--> (unchanged)
 *
 * A status changes only when its operation succeeds (see engine/run-end.ts); this file
 * only answers "may this action start from this status, and where does it lead".
 */
export const SERVICE_STATUSES = ['pending', 'active', 'suspended', 'terminated', 'cancelled'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const LIFECYCLE_ACTIONS = [
  'create',
  'suspend',
  'unsuspend',
  'terminate',
  'change-package',
  'change-password',
  'cancel',
  'custom',
  'adopt',
  'repair',
] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

const TRANSITIONS: Readonly<Record<LifecycleAction, Partial<Record<ServiceStatus, ServiceStatus>>>> = {
  create: { pending: 'active' },
  suspend: { active: 'suspended' },
  unsuspend: { suspended: 'active' },
  terminate: { active: 'terminated', suspended: 'terminated' },
  'change-package': { active: 'active', suspended: 'suspended' },
  'change-password': { active: 'active', suspended: 'suspended' },
  cancel: { pending: 'cancelled' },
  custom: { active: 'active' },
  // An operator's deliberate take-over of a backend object provisio did not create (the WHMCS
  // shop's existing services). A pending service becomes what the backend says (see runner).
  adopt: { pending: 'active', active: 'active', suspended: 'suspended' },
  // Reconcile's repairs (engine/reconcile-repair.ts): make the backend agree with billing again,
  // or release what a terminated service left behind. Billing's status never changes.
  repair: { active: 'active', suspended: 'suspended', terminated: 'terminated', cancelled: 'cancelled' },
};

export type TransitionCheck = { allowed: true; next: ServiceStatus } | { allowed: false; reason: string };

export function checkTransition(status: ServiceStatus, action: LifecycleAction): TransitionCheck {
  const next = TRANSITIONS[action][status];
  if (next !== undefined) return { allowed: true, next };
  const from = Object.keys(TRANSITIONS[action]).join(' or ');
  return {
    allowed: false,
    reason: `cannot ${action} a ${status} service: ${action} is allowed only when the service is ${from}`,
  };
}

/** The statuses a service may have for `action` to start on it. */
export function statusesAllowing(action: LifecycleAction): ServiceStatus[] {
  return Object.keys(TRANSITIONS[action]) as ServiceStatus[];
}

export function isLifecycleAction(value: unknown): value is LifecycleAction {
  return typeof value === 'string' && (LIFECYCLE_ACTIONS as readonly string[]).includes(value);
}

/** Operation statuses: the queue's own state machine. */
export const OPERATION_STATUSES = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
export const ACTIVE_OPERATION_STATUSES: readonly OperationStatus[] = ['queued', 'running', 'waiting'];
