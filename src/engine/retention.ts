import { sql } from 'kysely';
import type { Store } from '../store/database.js';

/**
 * Retention: what the engine keeps and for how long. Three kinds, each with its own age (0 keeps
 * forever):
 * - finished operations: succeeded, cancelled, and failed ones an operator resolved. Unresolved
 *   failures are the failed-actions queue and are never pruned. Their notification rows go along.
 * - module-log rows, by their time.
 * - delivered events: older than the age, acknowledged by every subscriber whose types match, and
 *   with no webhook delivery still pending. Their acknowledgements and finished webhook
 *   deliveries go along (the delivery log is kept as long as the events).
 *
 * Deletes run in batches of `batchSize` rows, each batch its own short transaction, so a first
 * prune of a year of module log never holds SQLite's write lock for long: the runner's
 * transactions interleave between batches. `maxBatches` bounds one run; the next run goes on.
 */
export interface RetentionPolicy {
  operationsMs: number;
  moduleLogMs: number;
  eventsMs: number;
  batchSize?: number;
  maxBatches?: number;
}

export interface PruneResult {
  operations: number;
  moduleLog: number;
  events: number;
}

export interface EventSubscriber {
  name: string;
  types: readonly string[] | undefined;
}

const DAY_MS = 86_400_000;
export const daysToMs = (days: number) => days * DAY_MS;

async function inBatches(
  policy: RetentionPolicy,
  batch: () => Promise<{ seen: number; deleted: number }>,
): Promise<number> {
  const size = policy.batchSize ?? 500;
  let deleted = 0;
  for (let i = 0; i < (policy.maxBatches ?? 200); i++) {
    const result = await batch();
    deleted += result.deleted;
    if (result.seen < size) break;
  }
  return deleted;
}

async function pruneOperations(store: Store, policy: RetentionPolicy, cutoff: number): Promise<number> {
  const size = policy.batchSize ?? 500;
  return inBatches(policy, () =>
    store.write(async (trx) => {
      const ids = (
        await trx
          .selectFrom('operations')
          .select('id')
          // A range of operations_finished_idx (004): only rows finished before the cutoff are read.
          .where(sql<boolean>`status in ('succeeded', 'cancelled', 'failed')`)
          .where('finished_at', '<', cutoff)
          .where((eb) => eb.or([eb('status', '!=', 'failed'), eb('resolved_at', 'is not', null)]))
          .orderBy('finished_at')
          .limit(size)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return { seen: 0, deleted: 0 };
      await trx.deleteFrom('notifications').where('operation_id', 'in', ids).execute();
      const result = await trx.deleteFrom('operations').where('id', 'in', ids).executeTakeFirst();
      return { seen: ids.length, deleted: Number(result.numDeletedRows) };
    }),
  );
}

async function pruneModuleLog(store: Store, policy: RetentionPolicy, cutoff: number): Promise<number> {
  const size = policy.batchSize ?? 500;
  return inBatches(policy, () =>
    store.write(async (trx) => {
      const ids = (
        await trx
          .selectFrom('module_log')
          .select('id')
          .where('created_at', '<', cutoff)
          .orderBy('created_at')
          .limit(size)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return { seen: 0, deleted: 0 };
      const result = await trx.deleteFrom('module_log').where('id', 'in', ids).executeTakeFirst();
      return { seen: ids.length, deleted: Number(result.numDeletedRows) };
    }),
  );
}

/** Events old enough whose every interested subscriber has acknowledged them. */
async function pruneEvents(
  store: Store,
  policy: RetentionPolicy,
  cutoff: number,
  subscribers: readonly EventSubscriber[],
): Promise<number> {
  const size = policy.batchSize ?? 500;
  let afterId = 0;
  const batch = () =>
    store.write(async (trx) => {
      const candidates = await trx
        .selectFrom('events')
        .select(['id', 'type'])
        .where('created_at', '<', cutoff)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(size)
        .execute();
      if (candidates.length === 0) return { seen: 0, deleted: 0, lastId: afterId };
      const lastId = candidates[candidates.length - 1]!.id;
      const ids = candidates.map((row) => row.id);
      const acks = await trx
        .selectFrom('event_deliveries')
        .select(['event_id', 'subscriber'])
        .where('event_id', 'in', ids)
        .execute();
      const pendingWebhooks = await trx
        .selectFrom('webhook_deliveries')
        .select('event_id')
        .where('event_id', 'in', ids)
        .where('status', '=', 'pending')
        .execute();
      const acked = new Set(acks.map((row) => `${row.event_id}/${row.subscriber}`));
      const blocked = new Set(pendingWebhooks.map((row) => row.event_id));
      const deletable = candidates
        .filter(
          (event) =>
            !blocked.has(event.id) &&
            subscribers.every(
              (s) => (s.types?.length && !s.types.includes(event.type)) || acked.has(`${event.id}/${s.name}`),
            ),
        )
        .map((event) => event.id);
      if (deletable.length === 0) return { seen: candidates.length, deleted: 0, lastId };
      await trx.deleteFrom('event_deliveries').where('event_id', 'in', deletable).execute();
      await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', deletable).execute();
      const result = await trx.deleteFrom('events').where('id', 'in', deletable).executeTakeFirst();
      return { seen: candidates.length, deleted: Number(result.numDeletedRows), lastId };
    });
  // The cursor moves only once a batch committed: a write's body may run twice (Store.write).
  return inBatches(policy, async () => {
    const result = await batch();
    afterId = result.lastId;
    return result;
  });
}

/** One pass over the three kinds. */
export async function prune(
  store: Store,
  policy: RetentionPolicy,
  now: number,
  subscribers: readonly EventSubscriber[],
): Promise<PruneResult> {
  return {
    operations: policy.operationsMs > 0 ? await pruneOperations(store, policy, now - policy.operationsMs) : 0,
    moduleLog: policy.moduleLogMs > 0 ? await pruneModuleLog(store, policy, now - policy.moduleLogMs) : 0,
    events: policy.eventsMs > 0 ? await pruneEvents(store, policy, now - policy.eventsMs, subscribers) : 0,
  };
}
