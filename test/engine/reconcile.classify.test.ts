import { describe, expect, it } from 'vitest';
import { type PlacedService, ReconcilePass, repairsFor } from '../../src/engine/reconcile-classify.js';
import type { RemoteObject } from '../../src/modules/contract.js';

/** Reconcile's decisions alone (no backend, no database): which difference is which. */
function service(
  id: number,
  status: PlacedService['status'],
  key: string | null,
  held?: boolean,
): PlacedService {
  return {
    id,
    status,
    claim: key === null ? null : { kind: 'thing', key, ...(held === undefined ? {} : { held }) },
    drift: () => [],
  };
}

function object(
  key: string,
  markedServiceId: number | null,
  state: RemoteObject['state'] = 'active',
): RemoteObject {
  return { kind: 'thing', key, markedServiceId, state };
}

function findingsOf(
  services: PlacedService[],
  objects: RemoteObject[],
  capabilities?: { changePackage: boolean; adopt: boolean },
) {
  const pass = new ReconcilePass(services, capabilities);
  pass.see(objects);
  return pass
    .finish(new Map())
    .map((d) => `${d.kind} ${d.remoteKey} ${d.serviceId ?? '-'} ${d.proposedAction}`)
    .sort();
}

describe('reconcile classification', () => {
  it('reports nothing when every service has its marked object, in its state', () => {
    expect(
      findingsOf(
        [service(1, 'active', 'a'), service(2, 'suspended', 'b'), service(3, 'terminated', 'c')],
        [object('a', 1), object('b', 2, 'suspended'), object('staff', null), object('c-gone-ok', null)],
      ),
    ).toEqual([]);
  });

  it('tells each kind apart', () => {
    expect(
      findingsOf(
        [
          service(1, 'active', 'gone'),
          service(2, 'active', 'off', undefined),
          service(3, 'suspended', 'on'),
          service(4, 'terminated', 'left'),
          service(5, 'active', 'taken'),
        ],
        [
          object('off', 2, 'suspended'),
          object('on', 3, 'active'),
          object('left', 4, 'active'),
          object('taken', null),
          object('marked-for-stranger', 99),
        ],
      ),
    ).toEqual([
      'foreign taken 5 adopt',
      'missing gone 1 recreate',
      'orphan left 4 release',
      'orphan marked-for-stranger - ignore',
      'state-drift off 2 unsuspend',
      'state-drift on 3 re-suspend',
    ]);
  });

  it('leaves pending services and objects still being made alone', () => {
    expect(
      findingsOf(
        [service(1, 'pending', 'new'), service(2, 'active', 'installing'), service(3, 'pending', 'theirs')],
        [object('new', 1), object('installing', 2, 'pending'), object('theirs', null)],
      ),
    ).toEqual([]);
  });

  it('takes a held claim for the mark on a backend without marks, and an unheld one as a name only', () => {
    expect(
      findingsOf(
        [
          service(1, 'active', 'mine', true),
          service(2, 'active', 'imported', false),
          service(3, 'terminated', 'old', true),
        ],
        [object('mine', null), object('imported', null), object('old', null)],
      ),
    ).toEqual(['foreign imported 2 adopt', 'orphan old 3 release']);
  });

  it('never calls an object whose mark could not be read foreign, and compares it with its claimant', () => {
    const unreadable = { ...object('disabled', null, 'suspended'), markUnread: true as const };
    expect(findingsOf([service(1, 'suspended', 'disabled')], [unreadable])).toEqual([]);
    expect(findingsOf([service(1, 'active', 'disabled')], [unreadable])).toEqual([
      'state-drift disabled 1 unsuspend',
    ]);
    expect(findingsOf([], [unreadable])).toEqual([]);
  });

  it('does not count a terminated service kept suspended as an orphan, nor release a live service’s second copy', () => {
    expect(findingsOf([service(4, 'terminated', 'kept')], [object('kept', 4, 'suspended')])).toEqual([]);
    expect(findingsOf([service(7, 'active', 'real')], [object('real', 7), object('real-copy', 7)])).toEqual([
      'orphan real-copy 7 ignore',
    ]);
  });

  it('proposes only what the module can run, and an object marked for another service cannot be adopted', () => {
    const drifting: PlacedService = {
      ...service(1, 'active', 'a'),
      drift: () => [{ field: 'plan', expected: 'gold', actual: 'tin' }],
    };
    expect(
      findingsOf([drifting, service(2, 'active', 'b')], [object('a', 1), object('b', null)], {
        changePackage: false,
        adopt: false,
      }),
    ).toEqual(['foreign b 2 ignore', 'package-drift a 1 ignore']);
    expect(findingsOf([service(2, 'active', 'b')], [object('b', 5)])).toContain('foreign b 2 ignore');
    expect(repairsFor('package-drift', { reapplicable: false })).toEqual(['ignore']);
    expect(repairsFor('state-drift', { billing: 'suspended' })).toEqual(['re-suspend', 'ignore']);
    expect(repairsFor('orphan', { releasable: true })).toEqual(['release', 'ignore']);
  });
});
