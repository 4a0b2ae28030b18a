import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * An idle runner on another node starts an enqueued operation at once, not at its next poll:
 * PostgreSQL through NOTIFY/LISTEN, SQLite through the store's in-process wake-up. The worker
 * here polls once a minute, so only the wake-up can make it start within the test's bound.
 */
for (const dialect of DIALECTS) {
  describe(`wake-up across nodes (${dialect})`, () => {
    let backend: RunningFixtureBackend;
    let shared: TestStore;
    const engines: TestEngine[] = [];
    afterEach(async () => {
      for (const t of engines.splice(0)) await t.close({ keepStore: true });
      await shared.cleanup();
      await backend.close();
    });

    it('a worker that polls once a minute starts an operation another node enqueued', async () => {
      backend = await startFixtureBackend();
      shared = await openTestStore(dialect);
      const secretKey = randomBytes(32);
      // Another node: its own connection pool on the same schema (SQLite: the process's store).
      const workerStore: TestStore =
        dialect === 'postgres'
          ? {
              ...shared,
              store: openStore({ databaseUrl: shared.databaseUrl, pgSchema: shared.location }),
              cleanup: async () => {},
            }
          : shared;
      const apiNode = await createTestEngine({
        modules: [createFixtureModule()],
        testStore: shared,
        secretKey,
        start: false,
      });
      engines.push(apiNode);
      const worker = await createTestEngine({
        modules: [createFixtureModule()],
        testStore: workerStore,
        secretKey,
        runner: { pollMs: 60_000 },
      });
      engines.push(worker);
      if (workerStore !== shared) engines.push({ ...worker, close: () => workerStore.store.close() });

      const { service } = await setUpFixtureService(apiNode.engine, backend);
      // Let the worker's first (empty) claim and its LISTEN settle, so only a wake-up is left.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { operation } = await apiNode.engine.operations.enqueue({
        serviceId: service.id,
        action: 'create',
      });
      await waitUntil(
        async () => (await apiNode.engine.operations.get(operation.id)).status === 'succeeded',
        20_000,
        'the worker to run the operation',
      );
      expect((await apiNode.engine.operations.get(operation.id)).leaseOwner).toBeNull();
      expect(backend.state.objects.get(`fx-${service.id}`)).toHaveLength(1);
    });
  });
}

/**
 * A node that has room for the work it enqueues starts it itself: waking the others would cost a
 * NOTIFY (a statement and a commit) and send them all to claim nothing. A full node wakes them.
 * Notifications arrive in commit order, so a marker sent after the first run started proves
 * nothing came before it.
 */
describe('wake-up from a node that runs work itself (postgres)', () => {
  let backend: RunningFixtureBackend;
  let t: TestEngine;
  let listener: pg.Client;
  afterEach(async () => {
    await listener.end();
    await backend.close();
    await t.close();
  });

  /** Hears the store's wake-up channel as another node would; payloads in arrival order. */
  async function listenToWakeUps() {
    const heard: string[] = [];
    listener = new pg.Client({ connectionString: t.testStore.databaseUrl });
    await listener.connect();
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    const channel = `provisio_due_${t.testStore.location}`;
    await listener.query(`listen "${channel}"`);
    return { heard, channel };
  }

  it('says nothing while it has room, and wakes the others once it is full', async () => {
    backend = await startFixtureBackend();
    t = await createTestEngine({
      modules: [createFixtureModule()],
      dialect: 'postgres',
      runner: { concurrency: 1, pollMs: 60_000 },
    });
    const { heard, channel } = await listenToWakeUps();

    const first = await setUpFixtureService(t.engine, backend);
    const second = await setUpFixtureService(t.engine, backend);
    backend.state.behave(`fx-${first.service.id}`, 'lookup', { kind: 'hang' });
    const { operation } = await t.engine.operations.enqueue({
      serviceId: first.service.id,
      action: 'create',
    });
    await waitUntil(
      async () => (await t.engine.operations.get(operation.id)).status === 'running',
      10_000,
      'the node to start its own operation',
    );
    await listener.query('select pg_notify($1, $2)', [channel, 'marker']);
    await waitUntil(async () => heard.includes('marker'), 10_000, 'the marker');
    expect(heard).toEqual(['marker']);

    // Its one place is taken: the next operation is for another node, which must hear of it.
    await t.engine.operations.enqueue({ serviceId: second.service.id, action: 'create' });
    await waitUntil(async () => heard.length > 1, 10_000, 'a wake-up for the other nodes');
    expect(heard).toEqual(['marker', '']);
  });

  it('sends a burst of wake-ups as two NOTIFYs, not one each', async () => {
    backend = await startFixtureBackend();
    t = await createTestEngine({ modules: [createFixtureModule()], dialect: 'postgres', start: false });
    const { heard, channel } = await listenToWakeUps();

    for (let i = 0; i < 100; i++) t.testStore.store.wakeUp.wake();
    await waitUntil(async () => heard.length >= 2, 10_000, 'the burst');
    await listener.query('select pg_notify($1, $2)', [channel, 'marker']);
    await waitUntil(async () => heard.includes('marker'), 10_000, 'the marker');
    expect(heard).toEqual(['', '', 'marker']);
  });
});
