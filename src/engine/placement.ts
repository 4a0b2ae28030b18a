import { fail } from '../core/error-catalogue.js';
import type { FillType } from '../store/repositories/server-groups.js';

/**
 * Which server of a group gets a new service. Pure: the caller loads the candidates and writes
 * the choice (and the round-robin cursor) in the enqueue transaction.
 *
 * - least-full: the server with the lowest share of its capacity in use (count when no maximum);
 *   ties by priority, then id.
 * - fill-until-full: the first server by priority that still has room (WHMCS's "fill active
 *   server until full").
 * - round-robin: the next server after the one chosen last, in priority order.
 * Disabled servers and servers at their maximum are skipped in every mode.
 */
export interface PlacementCandidate {
  serverId: number;
  name: string;
  priority: number;
  enabled: boolean;
  maxAccounts: number | null;
  used: number;
}

export function hasRoom(candidate: PlacementCandidate): boolean {
  return candidate.maxAccounts === null || candidate.used < candidate.maxAccounts;
}

export function placeServiceOnServer(
  fillType: FillType,
  candidates: readonly PlacementCandidate[],
  lastServerId: number | null,
  groupName: string,
): PlacementCandidate {
  const ordered = [...candidates].sort((a, b) => a.priority - b.priority || a.serverId - b.serverId);
  const eligible = ordered.filter((c) => c.enabled && hasRoom(c));
  if (eligible.length === 0) {
    const reasons = ordered.map(
      (c) => `${c.name}: ${!c.enabled ? 'disabled' : `full (${c.used}/${c.maxAccounts})`}`,
    );
    throw fail(
      'placement.no_server',
      ordered.length === 0
        ? `server group "${groupName}" has no servers: add a server to the group`
        : `no server in group "${groupName}" can take a new service (${reasons.join('; ')}): enable a server, raise its maximum accounts or add a server`,
    );
  }
  if (fillType === 'fill-until-full') return eligible[0]!;
  if (fillType === 'round-robin') {
    const lastIndex = ordered.findIndex((c) => c.serverId === lastServerId);
    for (let step = 1; step <= ordered.length; step++) {
      const next = ordered[(lastIndex + step) % ordered.length]!;
      if (next.enabled && hasRoom(next)) return next;
    }
    return eligible[0]!;
  }
  const load = (c: PlacementCandidate) => (c.maxAccounts ? c.used / c.maxAccounts : c.used);
  return eligible.reduce((best, c) => (load(c) < load(best) ? c : best));
}

/**
 * Why a server named explicitly (an operator's or billing's pick) may not take a new service, or
 * null when it may: the same rules as placement by the group, for every caller.
 */
export function whyNotEligible(candidate: PlacementCandidate, inProductGroup: boolean): string | null {
  if (!inProductGroup) return `server ${candidate.name} is not in the product's server group`;
  if (!candidate.enabled) return `server ${candidate.name} is disabled`;
  if (!hasRoom(candidate))
    return `server ${candidate.name} is full (${candidate.used}/${candidate.maxAccounts})`;
  return null;
}
