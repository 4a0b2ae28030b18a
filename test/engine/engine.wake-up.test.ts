import { randomBytes } from 'node:crypto';
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
