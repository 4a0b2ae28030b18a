import { type FindingKind, type FindingStatus, MAX_FINDINGS_PAGE } from '../../core/findings.js';
import type { Db } from '../database.js';
import { parseJson, toJson } from '../json.js';

export type { FindingKind, FindingStatus };

export interface FindingRecord {
  id: number;
  serverId: number;
  kind: FindingKind;
  fingerprint: string;
  remoteKind: string;
  remoteKey: string;
  serviceId: number | null;
  details: Record<string, unknown>;
  proposedAction: string;
  status: FindingStatus;
  repairAction: string | null;
  repairOperationId: number | null;
  firstSeenAt: number;
  lastSeenAt: number;
  runId: number;
  closedAt: number | null;
  updatedAt: number;
}

/** What a pass found: a finding without the bookkeeping the store adds. */
export interface FindingDraft {
  kind: FindingKind;
  fingerprint: string;
  remoteKind: string;
  remoteKey: string;
  serviceId: number | null;
  details: Record<string, unknown>;
  proposedAction: string;
}

export interface RunRecord {
  id: number;
  serverId: number;
  trigger: string;
  status: 'running' | 'succeeded' | 'failed';
  objectsSeen: number;
  servicesSeen: number;
  pages: number;
  findingsOpen: number;
  findingsNew: number;
  findingsClosed: number;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

type FindingRow = {
  id: number;
  server_id: number;
  kind: string;
  fingerprint: string;
  remote_kind: string;
  remote_key: string;
  service_id: number | null;
  details: string;
  proposed_action: string;
  status: string;
  repair_action: string | null;
  repair_operation_id: number | null;
  first_seen_at: number;
  last_seen_at: number;
  run_id: number;
  closed_at: number | null;
  updated_at: number;
};

function toFinding(row: FindingRow): FindingRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    kind: row.kind as FindingKind,
    fingerprint: row.fingerprint,
    remoteKind: row.remote_kind,
    remoteKey: row.remote_key,
    serviceId: row.service_id,
    details: parseJson(row.details, {}),
    proposedAction: row.proposed_action,
    status: row.status as FindingStatus,
    repairAction: row.repair_action,
    repairOperationId: row.repair_operation_id,
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    runId: row.run_id,
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
    updatedAt: Number(row.updated_at),
  };
}

type RunRow = {
  id: number;
  server_id: number;
  trigger: string;
  status: string;
  objects_seen: number;
  services_seen: number;
  pages: number;
  findings_open: number;
  findings_new: number;
  findings_closed: number;
  error: string | null;
  started_at: number;
  finished_at: number | null;
};

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    trigger: row.trigger,
    status: row.status as RunRecord['status'],
    objectsSeen: row.objects_seen,
    servicesSeen: row.services_seen,
    pages: row.pages,
    findingsOpen: row.findings_open,
    findingsNew: row.findings_new,
    findingsClosed: row.findings_closed,
    error: row.error,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export async function insertRun(db: Db, serverId: number, trigger: string, now: number): Promise<RunRecord> {
  const row = await db
    .insertInto('reconcile_runs')
    .values({
      server_id: serverId,
      trigger,
      status: 'running',
      objects_seen: 0,
      services_seen: 0,
      pages: 0,
      findings_open: 0,
      findings_new: 0,
      findings_closed: 0,
      error: null,
      started_at: now,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRun(row);
}

export async function finishRun(
  db: Db,
  id: number,
  end: Partial<
    Pick<
      RunRecord,
      'objectsSeen' | 'servicesSeen' | 'pages' | 'findingsOpen' | 'findingsNew' | 'findingsClosed' | 'error'
    >
  > & { status: 'succeeded' | 'failed' },
  now: number,
): Promise<RunRecord> {
  const row = await db
    .updateTable('reconcile_runs')
    .set({
      status: end.status,
      ...(end.objectsSeen !== undefined ? { objects_seen: end.objectsSeen } : {}),
      ...(end.servicesSeen !== undefined ? { services_seen: end.servicesSeen } : {}),
      ...(end.pages !== undefined ? { pages: end.pages } : {}),
      ...(end.findingsOpen !== undefined ? { findings_open: end.findingsOpen } : {}),
      ...(end.findingsNew !== undefined ? { findings_new: end.findingsNew } : {}),
      ...(end.findingsClosed !== undefined ? { findings_closed: end.findingsClosed } : {}),
      error: end.error ?? null,
      finished_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRun(row);
}

export async function getRun(db: Db, id: number): Promise<RunRecord | undefined> {
  const row = await db.selectFrom('reconcile_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/** Newest first. */
export async function listRuns(
  db: Db,
  filter: { serverId?: number; limit?: number } = {},
): Promise<RunRecord[]> {
  let query = db.selectFrom('reconcile_runs').selectAll();
  if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 50, 500))
    .execute();
  return rows.map(toRun);
}

export interface PassOutcome {
  opened: number;
  updated: number;
  closed: number;
  /** Unclosed findings of the server after the pass (open and ignored). */
  findings: FindingRecord[];
}

/**
 * Writes one pass's findings for a server (call inside a write transaction): a difference seen
 * before is updated and keeps its status (an ignored one stays ignored), a new one opens, and an
 * unclosed finding the pass did not see is closed (`repaired` unless it was ignored).
 */
export async function applyPass(
  db: Db,
  serverId: number,
  runId: number,
  drafts: readonly FindingDraft[],
  now: number,
): Promise<PassOutcome> {
  const existing = new Map(
    (
      await db
        .selectFrom('reconcile_findings')
        .selectAll()
        .where('server_id', '=', serverId)
        .where('closed_at', 'is', null)
        .execute()
    ).map((row) => [row.fingerprint, row]),
  );
  let opened = 0;
  let updated = 0;
  const seen = new Set<string>();
  for (const draft of drafts) {
    if (seen.has(draft.fingerprint)) continue;
    seen.add(draft.fingerprint);
    const before = existing.get(draft.fingerprint);
    if (before) {
      await db
        .updateTable('reconcile_findings')
        .set({
          details: toJson(draft.details),
          proposed_action: draft.proposedAction,
          last_seen_at: now,
          run_id: runId,
          updated_at: now,
        })
        .where('id', '=', before.id)
        .execute();
      updated++;
      continue;
    }
    await db
      .insertInto('reconcile_findings')
      .values({
        server_id: serverId,
        kind: draft.kind,
        fingerprint: draft.fingerprint,
        remote_kind: draft.remoteKind,
        remote_key: draft.remoteKey,
        service_id: draft.serviceId,
        details: toJson(draft.details),
        proposed_action: draft.proposedAction,
        status: 'open',
        first_seen_at: now,
        last_seen_at: now,
        run_id: runId,
        updated_at: now,
      })
      .execute();
    opened++;
  }
  const vanished = [...existing.values()].filter((row) => !seen.has(row.fingerprint));
  for (const row of vanished) {
    await db
      .updateTable('reconcile_findings')
      .set({ status: row.status === 'ignored' ? 'ignored' : 'repaired', closed_at: now, updated_at: now })
      .where('id', '=', row.id)
      .execute();
  }
  const findings = (
    await db
      .selectFrom('reconcile_findings')
      .selectAll()
      .where('server_id', '=', serverId)
      .where('closed_at', 'is', null)
      .orderBy('id')
      .execute()
  ).map(toFinding);
  return { opened, updated, closed: vanished.length, findings };
}

export interface FindingFilter {
  serverId?: number;
  serviceId?: number;
  kind?: FindingKind;
  status?: FindingStatus;
  /** Also findings a later pass no longer saw (default: only unclosed ones). */
  includeClosed?: boolean;
  ids?: readonly number[];
  /** Paging: findings after this id. */
  afterId?: number;
  limit?: number;
}

/** Oldest first, a page at a time (`afterId`). */
export async function listFindings(db: Db, filter: FindingFilter = {}): Promise<FindingRecord[]> {
  let query = db.selectFrom('reconcile_findings').selectAll();
  if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
  if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (!filter.includeClosed) query = query.where('closed_at', 'is', null);
  if (filter.ids) query = query.where('id', 'in', filter.ids.length ? [...filter.ids] : [-1]);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  const rows = await query
    .orderBy('id')
    .limit(Math.min(filter.limit ?? 100, MAX_FINDINGS_PAGE))
    .execute();
  return rows.map(toFinding);
}

export async function getFinding(db: Db, id: number): Promise<FindingRecord | undefined> {
  const row = await db.selectFrom('reconcile_findings').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toFinding(row) : undefined;
}

/** An operator's choice on a finding: the repair operation queued for it, or `ignored`. */
export async function recordRepair(
  db: Db,
  id: number,
  repair: { action: string; operationId: number | null; status: FindingStatus },
  now: number,
): Promise<FindingRecord | undefined> {
  const row = await db
    .updateTable('reconcile_findings')
    .set({
      repair_action: repair.action,
      repair_operation_id: repair.operationId,
      status: repair.status,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toFinding(row) : undefined;
}

/** Open findings (not ignored, not closed) per server: the dashboard and `/metrics`. */
export async function countOpenFindingsByServer(
  db: Db,
): Promise<{ serverId: number; kind: FindingKind; n: number }[]> {
  const rows = await db
    .selectFrom('reconcile_findings')
    .select(['server_id', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'open')
    .where('closed_at', 'is', null)
    .groupBy(['server_id', 'kind'])
    .orderBy('server_id')
    .orderBy('kind')
    .execute();
  return rows.map((row) => ({ serverId: row.server_id, kind: row.kind as FindingKind, n: Number(row.n) }));
}
