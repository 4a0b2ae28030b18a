import type { ServiceStatus } from '../core/lifecycle.js';
import type { PackageDifference, RemoteClaim, RemoteObject } from '../modules/contract.js';
import type { FindingDraft, FindingKind } from '../store/repositories/reconcile.js';

/**
 * Reconcile's decisions, pure: given the services placed on a server and the objects its backend
 * lists, which differences are there. Fed one page at a time (a 20,000-mailbox server is never
 * held in memory twice, and no service is looked up on its own), finished once the listing ends.
 *
 * The five kinds (issue 16):
 * - missing: an active or suspended service whose object is not listed;
 * - state-drift: billing says suspended and the backend active, or the reverse;
 * - package-drift: the backend's limits differ from the product's settings (`packageDrift`);
 * - orphan: an object with our mark whose service is terminated or cancelled (and the object still
 *   serves: not suspended), or whose service is not on this server or unknown;
 * - foreign: an object without the claimant's mark under the name a live service claims.
 * An object nobody claims and that carries no mark of ours is the backend's business: no finding.
 */

/** What a pass knows of one service placed on the server. */
export interface PlacedService {
  id: number;
  status: ServiceStatus;
  /** What it names on the backend (`remoteKeyOf`), null when it names nothing. */
  claim: RemoteClaim | null;
  /** The module's comparison of this object with the service's product (`packageDrift`). */
  drift(object: RemoteObject): readonly PackageDifference[];
}

/** A marked service not placed on this server: its status elsewhere, or unknown to provisio. */
export interface ElsewhereService {
  id: number;
  status: ServiceStatus;
  serverId: number | null;
}

/** Which repairs the module can carry out (an absent module function means none). */
export interface ModuleRepairs {
  changePackage: boolean;
  adopt: boolean;
}

/** The repairs an operator may choose; each but `ignore` is a durable operation. */
export const REPAIR_ACTIONS = [
  'recreate',
  're-suspend',
  'unsuspend',
  'reapply-package',
  'adopt',
  'release',
  'ignore',
] as const;
export type RepairAction = (typeof REPAIR_ACTIONS)[number];

const LIVE: readonly ServiceStatus[] = ['active', 'suspended'];
const isLive = (status: ServiceStatus) => LIVE.includes(status);

export function claimKey(kind: string, key: string): string {
  return `${kind}\u0000${key}`;
}

function fingerprintOf(kind: FindingKind, remoteKind: string, remoteKey: string, serviceId: number | null) {
  return `${kind}|${remoteKind}|${remoteKey}|${serviceId ?? ''}`;
}

function draft(
  kind: FindingKind,
  object: { kind: string; key: string },
  serviceId: number | null,
  details: Record<string, unknown>,
  proposedAction: RepairAction,
): FindingDraft {
  return {
    kind,
    fingerprint: fingerprintOf(kind, object.kind, object.key, serviceId),
    remoteKind: object.kind,
    remoteKey: object.key,
    serviceId,
    details,
    proposedAction,
  };
}

function objectDetails(object: RemoteObject): Record<string, unknown> {
  return {
    ...(object.label ? { label: object.label } : {}),
    backendState: object.state,
    ...(object.remoteIds ? { remoteIds: object.remoteIds } : {}),
  };
}

/** The repairs that fit a finding; the first one is what provisio proposes. */
export function repairsFor(kind: FindingKind, details: Readonly<Record<string, unknown>>): RepairAction[] {
  switch (kind) {
    case 'missing':
      return ['recreate', 'ignore'];
    case 'state-drift':
      return [details.billing === 'suspended' ? 're-suspend' : 'unsuspend', 'ignore'];
    case 'package-drift':
      return details.reapplicable === false ? ['ignore'] : ['reapply-package', 'ignore'];
    case 'orphan':
      return details.releasable === true ? ['release', 'ignore'] : ['ignore'];
    case 'foreign':
      return details.adoptable === true ? ['adopt', 'ignore'] : ['ignore'];
  }
}

export class ReconcilePass {
  private readonly claims = new Map<string, PlacedService[]>();
  private readonly byId = new Map<number, PlacedService>();
  /** Live services whose claimed object was listed (ours or not): not missing. */
  private readonly present = new Set<number>();
  /** Objects marked for services not placed here, resolved at the end in one query. */
  private readonly markedElsewhere: { object: RemoteObject; serviceId: number }[] = [];
  private readonly drafts: FindingDraft[] = [];
  objectsSeen = 0;
  pages = 0;

  /** `capabilities`: what the module can do, so a finding proposes only a repair it can run. */
  constructor(
    services: readonly PlacedService[],
    private readonly capabilities: ModuleRepairs = { changePackage: true, adopt: true },
  ) {
    for (const service of services) {
      this.byId.set(service.id, service);
      if (!service.claim) continue;
      const key = claimKey(service.claim.kind, service.claim.key);
      const list = this.claims.get(key) ?? [];
      list.push(service);
      this.claims.set(key, list);
    }
  }

  see(page: readonly RemoteObject[]): void {
    this.pages++;
    for (const object of page) {
      this.objectsSeen++;
      this.seeObject(object);
    }
  }

  private seeObject(object: RemoteObject): void {
    const claimants = this.claims.get(claimKey(object.kind, object.key)) ?? [];
    // A backend without marks (Easy Mail Archive): a held claim is the mark. A mark the backend
    // would not show (a disabled Axigen domain): the live claimant's, as far as anyone can tell.
    const holder =
      claimants.find((s) => s.claim?.held === true) ??
      (object.markUnread ? claimants.find((s) => isLive(s.status)) : undefined);
    if (object.markUnread && object.markedServiceId === null && !holder) return;
    const markedId = object.markedServiceId ?? holder?.id ?? null;
    for (const claimant of claimants) {
      if (!isLive(claimant.status) && claimant.status !== 'pending') continue;
      if (claimant.id === markedId) continue;
      // The claimant's name is taken by an object it does not own. A pending claimant's create
      // will meet it (and refuse it) on its own; only a live service's is a difference now.
      this.present.add(claimant.id);
      if (claimant.status === 'pending') continue;
      const markedForOther = markedId !== null;
      this.drafts.push(
        draft(
          'foreign',
          object,
          claimant.id,
          {
            ...objectDetails(object),
            ...(markedForOther ? { markedServiceId: markedId } : {}),
            // An object marked for another service is refused by every module's adopt.
            adoptable: !markedForOther && this.capabilities.adopt,
          },
          !markedForOther && this.capabilities.adopt ? 'adopt' : 'ignore',
        ),
      );
    }
    if (markedId === null) return;
    const owner = this.byId.get(markedId);
    if (!owner) {
      this.markedElsewhere.push({ object, serviceId: markedId });
      return;
    }
    this.seeOwned(object, owner);
  }

  private seeOwned(object: RemoteObject, owner: PlacedService): void {
    const claimsThis =
      owner.claim !== null &&
      claimKey(owner.claim.kind, owner.claim.key) === claimKey(object.kind, object.key);
    if (owner.status === 'pending') return; // its create is under way or will adopt it
    if (!isLive(owner.status)) {
      // Modules that keep a customer's data on terminate (StoreGrid, Easy Mail Archive unless the
      // product deletes) leave the object suspended on purpose: that is what billing's end means
      // there. Only an object still serving is a difference a release can end.
      if (object.state === 'suspended') return;
      this.drafts.push(
        draft(
          'orphan',
          object,
          owner.id,
          {
            ...objectDetails(object),
            markedServiceId: owner.id,
            serviceStatus: owner.status,
            releasable: true,
          },
          'release',
        ),
      );
      return;
    }
    if (!claimsThis) {
      // Our mark, a live service, but not the object it names: a second copy (an older module's
      // retried create). Releasing it would terminate the service's real object: only ignore.
      this.drafts.push(
        draft(
          'orphan',
          object,
          owner.id,
          {
            ...objectDetails(object),
            markedServiceId: owner.id,
            serviceStatus: owner.status,
            claimedKey: owner.claim?.key ?? null,
            releasable: false,
          },
          'ignore',
        ),
      );
      return;
    }
    this.present.add(owner.id);
    if (object.state !== 'pending' && object.state !== owner.status) {
      this.drafts.push(
        draft(
          'state-drift',
          object,
          owner.id,
          { ...objectDetails(object), billing: owner.status },
          owner.status === 'suspended' ? 're-suspend' : 'unsuspend',
        ),
      );
    }
    const differences = owner.drift(object);
    if (differences.length > 0) {
      this.drafts.push(
        draft(
          'package-drift',
          object,
          owner.id,
          {
            ...objectDetails(object),
            differences: differences.map((d) => ({ ...d })),
            // Without a change-package the module cannot set limits: the operator fixes them by hand.
            reapplicable: this.capabilities.changePackage,
          },
          this.capabilities.changePackage ? 'reapply-package' : 'ignore',
        ),
      );
    }
  }

  /** Service ids marked on objects but not placed on this server: look them up once, then `finish`. */
  unplacedMarks(): number[] {
    return [...new Set(this.markedElsewhere.map((m) => m.serviceId))];
  }

  /** Every difference, once the listing ended (`elsewhere`: what `unplacedMarks` found). */
  finish(elsewhere: ReadonlyMap<number, ElsewhereService>): FindingDraft[] {
    for (const { object, serviceId } of this.markedElsewhere) {
      const service = elsewhere.get(serviceId);
      this.drafts.push(
        draft(
          'orphan',
          object,
          null,
          {
            ...objectDetails(object),
            markedServiceId: serviceId,
            serviceStatus: service?.status ?? null,
            ...(service ? { serviceServerId: service.serverId } : {}),
            // Only a service of this server can run the release (its operations go to its server).
            releasable: false,
          },
          'ignore',
        ),
      );
    }
    for (const service of this.byId.values()) {
      if (!isLive(service.status) || !service.claim || this.present.has(service.id)) continue;
      this.drafts.push(
        draft(
          'missing',
          { kind: service.claim.kind, key: service.claim.key },
          service.id,
          { billing: service.status },
          'recreate',
        ),
      );
    }
    return this.drafts;
  }
}
