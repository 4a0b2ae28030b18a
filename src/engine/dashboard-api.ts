import type { Clock } from '../core/clock.js';
import { SERVICE_STATUSES } from '../core/lifecycle.js';
import type { Store } from '../store/database.js';
import * as dashboardRepo from '../store/repositories/dashboard.js';
import * as opsRepo from '../store/repositories/operations.js';
import { countOpenFindingsByServer } from '../store/repositories/reconcile.js';
import * as serversRepo from '../store/repositories/servers.js';
import { countServicesOnServers } from '../store/repositories/services.js';
import { TtlCache } from './ttl-cache.js';

/**
 * What the admin dashboard shows, computed by the database: services by status, the failed
 * actions waiting for an operator, operations per hour with their duration percentiles, server
 * fill per group, usage totals and how fresh the last usage sync is. Everything here only reads.
 */

const HOUR_MS = 3_600_000;
export const DASHBOARD_HOURS = 24;
const LATEST_FAILURES = 10;

export interface HourlyOperations {
  /** Start of the hour, ms since the epoch. */
  hourStart: number;
  finished: number;
  succeeded: number;
  failed: number;
  /** Enqueue → end, in ms; null when nothing finished that hour. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The `hours` whole hours from `firstHour`: counts and duration percentiles of what finished. */
export function operationsPerHour(
  finished: readonly dashboardRepo.FinishedOperation[],
  firstHour: number,
  hours = DASHBOARD_HOURS,
): HourlyOperations[] {
  const buckets = Array.from({ length: hours }, () => ({
    durations: [] as number[],
    succeeded: 0,
    failed: 0,
  }));
  for (const operation of finished) {
    const bucket = buckets[Math.floor(Number(operation.hour))];
    if (!bucket) continue;
    bucket.durations.push(Math.max(0, Number(operation.durationMs)));
    if (operation.status === 'succeeded') bucket.succeeded++;
    else if (operation.status === 'failed') bucket.failed++;
  }
  return buckets.map((bucket, index) => {
    const sorted = Float64Array.from(bucket.durations).sort();
    const values = Array.from(sorted);
    return {
      hourStart: firstHour + index * HOUR_MS,
      finished: values.length,
      succeeded: bucket.succeeded,
      failed: bucket.failed,
      p50Ms: percentile(values, 50),
      p95Ms: percentile(values, 95),
      p99Ms: percentile(values, 99),
    };
  });
}

export interface ServerFill {
  serverId: number;
  name: string;
  module: string;
  enabled: boolean;
  /** Pending, active and suspended services placed there (what placement counts). */
  services: number;
  maxAccounts: number | null;
  /** services / maxAccounts, 0..1; null without a limit. */
  fill: number | null;
}

export interface ServerFindings {
  serverId: number;
  name: string;
  open: number;
  byKind: Record<string, number>;
}

export interface GroupFill {
  groupId: number | null;
  name: string;
  fillType: string | null;
  servers: ServerFill[];
}

export function createDashboardApi(deps: { store: Store; clock: Clock }) {
  const { db, dialect } = deps.store;
  // Usage changes only when a sync writes it (hourly by default); summing 100,000 JSON documents
  // took 200 ms at 100,000 services, so the totals are kept for a minute.
  const usageCache = new TtlCache<'usage', dashboardRepo.UsageTotals>(60_000, 1);

  async function computeSummary() {
    const now = deps.clock.now();
    const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - (DASHBOARD_HOURS - 1) * HOUR_MS;
    const [byStatus, activeOps, unresolved, latestFailures, finished, usage, findings] = await Promise.all([
      dashboardRepo.countServicesByStatus(db),
      dashboardRepo.countActiveOperationsByStatus(db),
      dashboardRepo.countUnresolvedFailures(db),
      opsRepo.listOperations(db, { unresolvedFailures: true, limit: LATEST_FAILURES }),
      dashboardRepo.finishedOperations(db, firstHour),
      usageCache.get('usage', () => dashboardRepo.sumLiveUsage(db, dialect)),
      openFindingsPerServer(),
    ]);
    return {
      generatedAt: now,
      servicesByStatus: Object.fromEntries(SERVICE_STATUSES.map((s) => [s, byStatus.get(s) ?? 0])),
      queue: {
        queued: activeOps.get('queued') ?? 0,
        running: activeOps.get('running') ?? 0,
        waiting: activeOps.get('waiting') ?? 0,
      },
      failedOperations: {
        unresolved,
        latest: latestFailures.map((op) => ({
          id: op.id,
          serviceId: op.serviceId,
          module: op.module,
          action: op.action,
          errorCode: op.errorCode,
          errorMessage: op.errorMessage,
          finishedAt: op.finishedAt,
        })),
      },
      operationsPerHour: operationsPerHour(finished, firstHour),
      usage,
      openFindings: findings,
    };
  }

  /** Reconcile's open findings per server, by kind (servers without any are left out). */
  async function openFindingsPerServer(): Promise<ServerFindings[]> {
    const [counts, servers] = await Promise.all([countOpenFindingsByServer(db), serversRepo.listServers(db)]);
    const byServer = new Map<number, ServerFindings>();
    for (const row of counts) {
      let entry = byServer.get(row.serverId);
      if (!entry) {
        const name = servers.find((s) => s.id === row.serverId)?.name ?? `server ${row.serverId}`;
        entry = { serverId: row.serverId, name, open: 0, byKind: {} };
        byServer.set(row.serverId, entry);
      }
      entry.open += row.n;
      entry.byKind[row.kind] = row.n;
    }
    return [...byServer.values()];
  }

  return {
    summary: computeSummary,
    openFindingsPerServer,

    /** Every server with its fill, per server group; servers in no group come last. */
    async serverFill(): Promise<GroupFill[]> {
      const [servers, memberships] = await Promise.all([
        serversRepo.listServers(db),
        dashboardRepo.listGroupMemberships(db),
      ]);
      const counts = await countServicesOnServers(
        db,
        servers.map((s) => s.id),
      );
      const fillOf = (serverId: number): ServerFill | null => {
        const server = servers.find((s) => s.id === serverId);
        if (!server) return null;
        const services = counts.get(server.id) ?? 0;
        return {
          serverId: server.id,
          name: server.name,
          module: server.module,
          enabled: server.enabled,
          services,
          maxAccounts: server.maxAccounts,
          fill: server.maxAccounts ? Math.min(1, services / server.maxAccounts) : null,
        };
      };
      const groups = new Map<number, GroupFill>();
      const grouped = new Set<number>();
      for (const member of memberships) {
        let group = groups.get(member.groupId);
        if (!group) {
          group = { groupId: member.groupId, name: member.groupName, fillType: member.fillType, servers: [] };
          groups.set(member.groupId, group);
        }
        const fill = fillOf(member.serverId);
        if (fill) {
          group.servers.push(fill);
          grouped.add(member.serverId);
        }
      }
      const ungrouped = servers.filter((s) => !grouped.has(s.id)).map((s) => fillOf(s.id)!);
      return [
        ...groups.values(),
        ...(ungrouped.length
          ? [{ groupId: null, name: 'Not in a group', fillType: null, servers: ungrouped }]
          : []),
      ];
    },
  };
}

export type DashboardApi = ReturnType<typeof createDashboardApi>;
