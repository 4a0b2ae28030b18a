import type { EngineEvent } from '../../core/values.js';
import { compiledStatement } from '../compiled.js';
import type { Db } from '../database.js';
import { parseJson, toJson } from '../json.js';
import { literalLimit } from '../literal-limit.js';

const insertEventStatement = compiledStatement((db, v: { type: string; payload: string; at: number }) =>
  db.insertInto('events').values({ type: v.type, payload: v.payload, created_at: v.at }).returning('id'),
);

export async function insertEvent(
  db: Db,
  type: string,
  payload: Record<string, unknown>,
  now: number,
): Promise<number> {
  const [row] = (await insertEventStatement(db, { type, payload: toJson(payload), at: now })).rows;
  if (!row) throw new Error('insert into events returned no row');
  return row.id;
}

/** Events after `afterId` that `subscriber` has not acknowledged, oldest first. */
export async function undeliveredEvents(
  db: Db,
  subscriber: string,
  afterId: number,
  limit: number,
  types?: readonly string[],
): Promise<EngineEvent[]> {
  let query = db.selectFrom('events').selectAll();
  if (types?.length) query = query.where('type', 'in', [...types]);
  const rows = await query
    .where('id', '>', afterId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('event_deliveries')
            .select('event_id')
            .whereRef('event_deliveries.event_id', '=', 'events.id')
            .where('event_deliveries.subscriber', '=', subscriber)
            // Stated, though implied: the planner may hash the subscriber's acknowledgements
            // for an anti join, and must then read only those after the cursor (a range of the
            // primary key), not every one since the table began.
            .where('event_deliveries.event_id', '>', afterId),
        ),
      ),
    )
    .orderBy('id')
    .limit(literalLimit(limit))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    payload: parseJson(row.payload, {}),
    createdAt: row.created_at,
  }));
}

export async function markDelivered(db: Db, subscriber: string, eventId: number, now: number): Promise<void> {
  await db
    .insertInto('event_deliveries')
    .values({ event_id: eventId, subscriber, delivered_at: now })
    .onConflict((oc) => oc.columns(['subscriber', 'event_id']).doNothing())
    .execute();
}

/** Acknowledges several events at once: one statement, one commit for a page of deliveries. */
export async function markDeliveredMany(
  db: Db,
  subscriber: string,
  eventIds: readonly number[],
  now: number,
): Promise<void> {
  if (eventIds.length === 0) return;
  await db
    .insertInto('event_deliveries')
    .values(eventIds.map((eventId) => ({ event_id: eventId, subscriber, delivered_at: now })))
    .onConflict((oc) => oc.columns(['subscriber', 'event_id']).doNothing())
    .execute();
}

export async function listEvents(
  db: Db,
  filter: { type?: string; afterId?: number; limit?: number } = {},
): Promise<EngineEvent[]> {
  let query = db
    .selectFrom('events')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit ?? 100);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    payload: parseJson(row.payload, {}),
    createdAt: row.created_at,
  }));
}
