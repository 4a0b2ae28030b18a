import type { Db } from '../database.js';
import { parseJson, toJson } from '../json.js';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  tokenId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  targetType?: string;
  targetId?: string;
  actor?: string;
  action?: string;
  /** Entries older than this id (paging backwards from the newest). */
  beforeId?: number;
  limit?: number;
}

export async function insertAuditEntry(db: Db, entry: NewAuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor: entry.actor,
      token_id: entry.tokenId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      details: toJson(entry.details),
    })
    .execute();
}

/** Newest first. */
export async function listAuditEntries(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
  if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 1_000))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    tokenId: row.token_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: parseJson(row.details, {}),
  }));
}
