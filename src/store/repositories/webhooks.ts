import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { SecretBox } from '../../core/secret-box.js';
import type { EngineEvent } from '../../core/values.js';
import type { Db, Store } from '../database.js';
import { bit, bool, parseJson, toJson } from '../json.js';
import { literalLimit } from '../literal-limit.js';
import type { WebhookDeliveriesTable, WebhooksTable } from '../schema.js';

export interface WebhookRecord {
  id: number;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  /** The signing secret is write-only: this says one is set, never what it is. */
  hasSecret: true;
  createdAt: number;
  updatedAt: number;
}

export interface NewWebhook {
  url: string;
  eventTypes: readonly string[];
  secret: string;
  description?: string;
  enabled?: boolean;
}

export type WebhookPatch = Partial<NewWebhook>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: number;
  /** HTTP status of the answer, null when none came (refused, timeout). */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRecord {
  id: number;
  webhookId: number;
  eventId: number;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  responseStatus: number | null;
  lastError: string | null;
  history: DeliveryAttempt[];
  replayOf: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

function toWebhook(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: row.id,
    url: row.url,
    eventTypes: parseJson<string[]>(row.event_types, []),
    description: row.description,
    enabled: bool(row.enabled),
    hasSecret: true,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    responseStatus: row.response_status,
    lastError: row.last_error,
    history: parseJson<DeliveryAttempt[]>(row.history, []),
    replayOf: row.replay_of,
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

export async function insertWebhook(
  db: Db,
  box: SecretBox,
  input: NewWebhook,
  now: number,
): Promise<WebhookRecord> {
  const row = await db
    .insertInto('webhooks')
    .values({
      url: input.url,
      event_types: toJson([...input.eventTypes]),
      secret_sealed: box.encrypt(input.secret),
      description: input.description ?? '',
      enabled: bit(input.enabled ?? true),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(row);
}

export async function getWebhook(db: Db, id: number): Promise<WebhookRecord | undefined> {
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toWebhook(row);
}

export async function listWebhooks(db: Db): Promise<WebhookRecord[]> {
  return (await db.selectFrom('webhooks').selectAll().orderBy('id').execute()).map(toWebhook);
}

/** What a delivery needs: where to send and the secret to sign with. */
export async function webhookTarget(
  db: Db,
  box: SecretBox,
  id: number,
): Promise<{ url: string; secret: string } | undefined> {
  const row = await db
    .selectFrom('webhooks')
    .select(['url', 'secret_sealed'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { url: row.url, secret: box.decrypt(row.secret_sealed) };
}

export async function updateWebhook(
  db: Db,
  box: SecretBox,
  id: number,
  patch: WebhookPatch,
  now: number,
): Promise<WebhookRecord | undefined> {
  const row = await db
    .updateTable('webhooks')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.eventTypes !== undefined ? { event_types: toJson([...patch.eventTypes]) } : {}),
      ...(patch.secret !== undefined ? { secret_sealed: box.encrypt(patch.secret) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: bit(patch.enabled) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toWebhook(row);
}

export async function deleteWebhook(db: Db, id: number): Promise<boolean> {
  // Deliveries go with it (ON DELETE CASCADE), explicitly too, for databases opened without
  // foreign-key enforcement.
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Every enabled webhook with what it wants, for a fan-out that filters several events itself. */
export async function enabledWebhooks(
  db: Db,
): Promise<{ id: number; eventTypes: string[]; createdAt: number }[]> {
  const rows = await db
    .selectFrom('webhooks')
    .select(['id', 'event_types', 'created_at'])
    .where('enabled', '=', 1)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    eventTypes: parseJson<string[]>(row.event_types, []),
    createdAt: row.created_at,
  }));
}

/** One pending delivery per webhook; a second fan-out of the same event adds nothing. */
export async function insertFirstDeliveries(
  db: Db,
  webhookIds: readonly number[],
  event: { id: number; type: string },
  now: number,
): Promise<void> {
  if (webhookIds.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(
      webhookIds.map((webhookId) => ({
        webhook_id: webhookId,
        event_id: event.id,
        event_type: event.type,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        history: '[]',
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).where('replay_of', 'is', null).doNothing())
    .execute();
}

export async function insertReplay(db: Db, of: DeliveryRecord, now: number): Promise<DeliveryRecord> {
  const row = await db
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: of.webhookId,
      event_id: of.eventId,
      event_type: of.eventType,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      history: '[]',
      replay_of: of.id,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDelivery(row);
}

export async function getDelivery(db: Db, id: number): Promise<DeliveryRecord | undefined> {
  const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toDelivery(row);
}

export interface DeliveryFilter {
  webhookId: number;
  status?: DeliveryStatus;
  eventId?: number;
  beforeId?: number;
  limit?: number;
}

/** Newest first. */
export async function listDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryRecord[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', filter.webhookId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 1_000))
    .execute();
  return rows.map(toDelivery);
}

export interface ClaimedDelivery {
  id: number;
  webhookId: number;
  eventId: number;
  attempts: number;
  history: DeliveryAttempt[];
  leaseOwner: string;
}

/**
 * Claims due deliveries with a lease, as operations are claimed: FOR UPDATE SKIP LOCKED on
 * PostgreSQL, inside BEGIN IMMEDIATE on SQLite. A pending row whose lease has expired was being
 * sent by a node that died: it is due again (at least once, never lost).
 */
export async function claimDeliveries(
  store: Store,
  request: { owner: string; now: number; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  if (request.limit <= 0) return [];
  return store.write(async (trx) => {
    let due = trx
      .selectFrom('webhook_deliveries')
      .select(['id'])
      .where(sql<boolean>`status = 'pending'`)
      .where('next_attempt_at', '<=', request.now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', request.now)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(literalLimit(request.limit));
    if (store.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    const owner = `${request.owner}/${randomUUID().slice(0, 8)}`;
    const rows = await trx
      .updateTable('webhook_deliveries')
      .set({ lease_owner: owner, lease_expires_at: request.now + request.leaseMs, updated_at: request.now })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    return rows
      .map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        eventId: row.event_id,
        attempts: row.attempts,
        history: parseJson<DeliveryAttempt[]>(row.history, []),
        leaseOwner: owner,
      }))
      .sort((a, b) => a.id - b.id);
  });
}

/** Records an attempt; fenced by the lease, so a node that lost it writes nothing. */
export async function recordAttempt(
  db: Db,
  claimed: ClaimedDelivery,
  outcome: {
    attempt: DeliveryAttempt;
    status: DeliveryStatus;
    nextAttemptAt: number;
  },
): Promise<boolean> {
  const history = [...claimed.history, outcome.attempt].slice(-50);
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      attempts: claimed.attempts + 1,
      next_attempt_at: outcome.nextAttemptAt,
      lease_owner: null,
      lease_expires_at: null,
      response_status: outcome.attempt.status,
      last_error: outcome.attempt.error,
      history: toJson(history),
      updated_at: outcome.attempt.at,
      ...(outcome.status === 'delivered' ? { delivered_at: outcome.attempt.at } : {}),
    })
    .where('id', '=', claimed.id)
    .where('lease_owner', '=', claimed.leaseOwner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A webhook's failed deliveries (attempts exhausted) that no later replay has delivered. */
export async function failedDeliveries(db: Db, webhookId: number, limit: number): Promise<DeliveryRecord[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'failed')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries as later')
            .select('later.id')
            .whereRef('later.webhook_id', '=', 'webhook_deliveries.webhook_id')
            .whereRef('later.event_id', '=', 'webhook_deliveries.event_id')
            .whereRef('later.id', '>', 'webhook_deliveries.id'),
        ),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toDelivery);
}

export async function getEvent(db: Db, id: number): Promise<EngineEvent | undefined> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    row && {
      id: row.id,
      type: row.type,
      payload: parseJson(row.payload, {}),
      createdAt: Number(row.created_at),
    }
  );
}
