import { describe, expect, it } from 'vitest';
import {
  checkTransition,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  SERVICE_STATUSES,
  type ServiceStatus,
} from '../../src/core/lifecycle.js';

/** The whole table, written out: every state × action pair is asserted, allowed or not. */
const EXPECTED: Record<ServiceStatus, Record<LifecycleAction, ServiceStatus | null>> = {
  pending: {
    create: 'active',
    suspend: null,
    unsuspend: null,
    terminate: null,
    'change-package': null,
    'change-password': null,
    cancel: 'cancelled',
    custom: null,
    adopt: 'active',
    repair: null,
  },
  active: {
    create: null,
    suspend: 'suspended',
    unsuspend: null,
    terminate: 'terminated',
    'change-package': 'active',
    'change-password': 'active',
    cancel: null,
    custom: 'active',
    adopt: 'active',
    repair: 'active',
  },
  suspended: {
    create: null,
    suspend: null,
    unsuspend: 'active',
    terminate: 'terminated',
    'change-package': 'suspended',
    'change-password': 'suspended',
    cancel: null,
    custom: null,
    adopt: 'suspended',
    repair: 'suspended',
  },
  terminated: {
    create: null,
    suspend: null,
    unsuspend: null,
    terminate: null,
    'change-package': null,
    'change-password': null,
    cancel: null,
    custom: null,
    adopt: null,
    repair: 'terminated',
  },
  cancelled: {
    create: null,
    suspend: null,
    unsuspend: null,
    terminate: null,
    'change-package': null,
    'change-password': null,
    cancel: null,
    custom: null,
    adopt: null,
    repair: 'cancelled',
  },
};

describe('checkTransition', () => {
  for (const status of SERVICE_STATUSES) {
    for (const action of LIFECYCLE_ACTIONS) {
      const expected = EXPECTED[status][action];
      it(`${action} on ${status} → ${expected ?? 'refused'}`, () => {
        const result = checkTransition(status, action);
        if (expected === null) {
          expect(result.allowed).toBe(false);
          if (!result.allowed) expect(result.reason).toContain(`cannot ${action} a ${status} service`);
        } else {
          expect(result).toEqual({ allowed: true, next: expected });
        }
      });
    }
  }
});
