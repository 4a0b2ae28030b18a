import { afterEach, describe, expect, it } from 'vitest';
import { prune } from '../../src/engine/retention.js';
import type { Db } from '../../src/store/database.js';
import { DIALECTS } from '../support/databases.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';
import { type OpsEngine, startOpsEngine } from './support.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const OLD = NOW - 40 * DAY;
const RECENT = NOW - 2 * DAY;

async function addOperation(
  db: Db,
  serviceId: number,
  fields: { status: string; finishedAt: number | null; resolvedAt?: number | null; label: string },
): Promise<number> {
  const row = await db
    .insertInto('operations')
    .values({
      service_id: serviceId,
      module: 'fixture',
      action: fields.label,
      args: '{}',
      status: fields.status,
      attempts: 1,
      max_attempts: 3,
      run_at: OLD,
      journal: '{}',
      created_at: OLD,
      updated_at: OLD,
      finished_at: fields.finishedAt,
      resolved_at: fields.resolvedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function addLog(db: Db, at: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await db
      .insertInto('module_log')
      .values({
        module: 'fixture',
        action: 'create',
        request: '{}',
        response: '{}',
        duration_ms: 1,
        outcome: 'ok',
        created_at: at,
      })
      .execute();
}

async function addEvent(db: Db, type: string, at: number, ackedBy: string[]): Promise<number> {
  const { id } = await db
    .insertInto('events')
    .values({ type, payload: '{}', created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const subscriber of ackedBy)
    await db.insertInto('event_deliveries').values({ event_id: id, subscriber, delivered_at: at }).execute();
  return id;
}

const count = async (db: Db, table: 'operations' | 'module_log' | 'events' | 'event_deliveries') =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const dialect of DIALECTS) {
  describe(`retention (${dialect})`, () => {
    let t: OpsEngine | undefined;
    let backend: RunningFixtureBackend | undefined;
    afterEach(async () => {
      await t?.close();
      await backend?.close();
      t = backend = undefined;
    });

    it('prunes finished operations, old module log and fully delivered events; keeps the failed-actions queue and the rest', async () => {
      backend = await startFixtureBackend();
      t = await startOpsEngine({ dialect, start: false });
      const { db } = t.engine.store;
      const { service } = await setUpFixtureService(t.engine, backend);
      await db.deleteFrom('events').execute(); // the set-up's own (client.created): today's
      const ids = {
        succeededOld: await addOperation(db, service.id, {
          status: 'succeeded',
          finishedAt: OLD,
          label: 'a',
        }),
        cancelledOld: await addOperation(db, service.id, {
          status: 'cancelled',
          finishedAt: OLD,
          label: 'b',
        }),
        resolvedOld: await addOperation(db, service.id, {
          status: 'failed',
          finishedAt: OLD,
          resolvedAt: OLD,
          label: 'c',
        }),
        unresolvedOld: await addOperation(db, service.id, { status: 'failed', finishedAt: OLD, label: 'd' }),
        succeededRecent: await addOperation(db, service.id, {
          status: 'succeeded',
          finishedAt: RECENT,
          label: 'e',
        }),
        runningOld: await addOperation(db, service.id, { status: 'running', finishedAt: null, label: 'f' }),
      };
      await db
        .insertInto('notifications')
        .values({
          operation_id: ids.succeededOld,
          channel: 'email',
          status: 'sent',
          attempts: 1,
          created_at: OLD,
        })
        .execute();
      await addLog(db, OLD, 7);
      await addLog(db, RECENT, 2);
      const hook = await t.engine.webhooks.create({
        url: 'https://hooks.example.com/in',
        eventTypes: ['*'],
        secret: 'whsec_retention_0000',
      });
      const subscribers = [
        { name: 'webhooks', types: undefined },
        { name: 'notifications', types: ['operation.failed'] },
      ];
      const events = {
        allAcked: await addEvent(db, 'operation.failed', OLD, ['webhooks', 'notifications']),
        // notifications does not want client.created: the webhooks acknowledgement is enough.
        notWanted: await addEvent(db, 'client.created', OLD, ['webhooks']),
        notYetNotified: await addEvent(db, 'operation.failed', OLD, ['webhooks']),
        webhookPending: await addEvent(db, 'client.created', OLD, ['webhooks']),
        recent: await addEvent(db, 'client.created', RECENT, ['webhooks']),
      };
      await db
        .insertInto('webhook_deliveries')
        .values(
          [
            { event: events.allAcked, status: 'delivered' },
            { event: events.webhookPending, status: 'pending' },
          ].map(({ event, status }) => ({
            webhook_id: hook.id,
            event_id: event,
            event_type: 'x',
            status,
            attempts: 1,
            next_attempt_at: OLD,
            history: '[]',
            created_at: OLD,
            updated_at: OLD,
          })),
        )
        .execute();

      const policy = { operationsMs: 30 * DAY, moduleLogMs: 30 * DAY, eventsMs: 30 * DAY, batchSize: 2 };
      const result = await prune(t.engine.store, policy, NOW, subscribers);
      expect(result).toEqual({ operations: 3, moduleLog: 7, events: 2 });

      const left = (await db.selectFrom('operations').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(left).toEqual([ids.unresolvedOld, ids.succeededRecent, ids.runningOld]);
      expect(await db.selectFrom('notifications').selectAll().execute()).toEqual([]);
      expect(await count(db, 'module_log')).toBe(2);
      const eventsLeft = (await db.selectFrom('events').select('id').orderBy('id').execute()).map(
        (r) => r.id,
      );
      expect(eventsLeft).toEqual([events.notYetNotified, events.webhookPending, events.recent]);
      const deliveriesLeft = await db.selectFrom('webhook_deliveries').select('event_id').execute();
      expect(deliveriesLeft.map((r) => r.event_id)).toEqual([events.webhookPending]);
      expect(await count(db, 'event_deliveries')).toBe(3);

      // Again: nothing more goes.
      expect(await prune(t.engine.store, policy, NOW, subscribers)).toEqual({
        operations: 0,
        moduleLog: 0,
        events: 0,
      });
    });

    it('keeps everything with age 0, and stops after maxBatches (the next run goes on)', async () => {
      t = await startOpsEngine({ dialect, start: false });
      const { db } = t.engine.store;
      await addLog(db, OLD, 10);
      const forever = { operationsMs: 0, moduleLogMs: 0, eventsMs: 0 };
      expect(await prune(t.engine.store, forever, NOW, [])).toEqual({
        operations: 0,
        moduleLog: 0,
        events: 0,
      });
      expect(await count(db, 'module_log')).toBe(10);
      const bounded = { ...forever, moduleLogMs: DAY, batchSize: 3, maxBatches: 2 };
      expect((await prune(t.engine.store, bounded, NOW, [])).moduleLog).toBe(6);
      expect((await prune(t.engine.store, bounded, NOW, [])).moduleLog).toBe(4);
      expect(await count(db, 'module_log')).toBe(0);
    });

    it('runs on its interval in a started engine, with the subscribers the engine declares', async () => {
      t = await startOpsEngine({
        dialect,
        start: false,
        retention: { operationsMs: 0, moduleLogMs: DAY, eventsMs: DAY, intervalMs: 30 },
      });
      const { db } = t.engine.store;
      const past = Date.now() - 3 * DAY;
      await addLog(db, past, 3);
      const acked = await addEvent(db, 'client.created', past, ['webhooks']);
      const unacked = await addEvent(db, 'client.created', past, []);
      // Not started yet: the engine still counts the webhooks subscriber it will start.
      expect(await t.engine.retention.prune()).toMatchObject({ moduleLog: 3, events: 1 });
      expect((await db.selectFrom('events').select('id').execute()).map((r) => r.id)).toEqual([unacked]);
      expect(acked).toBeLessThan(unacked);
      await addLog(db, past, 2);
      t.engine.start();
      await waitUntil(async () => (await count(db, 'module_log')) === 0, 10_000, 'the scheduled prune');
    });
  });
}
