import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

const OPERATIONS = 200;
const KILLS = 3;

function startChild(testStore: TestStore, secretKey: Buffer): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-child.ts'], {
    env: {
      ...process.env,
      CHILD_SECRET_KEY: secretKey.toString('hex'),
      CHILD_LEASE_MS: '800',
      CHILD_CONCURRENCY: '8',
      ...(testStore.dialect === 'sqlite'
        ? { CHILD_SQLITE_PATH: testStore.location }
        : { CHILD_DATABASE_URL: testStore.databaseUrl, CHILD_PG_SCHEMA: testStore.location }),
    },
    // stdin: the child's lifeline (it exits when the pipe closes with this process).
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`engine child exited early with ${code}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

for (const dialect of DIALECTS) {
  describe(`crash safety (${dialect})`, () => {
    let backend: RunningFixtureBackend;
    // The test's own engine only sets up data and reads results: its runner never starts.
    let setup: TestEngine;

    beforeAll(async () => {
      backend = await startFixtureBackend();
      backend.state.latencyMs = 4;
      backend.state.installMs = 150;
      setup = await createTestEngine({
        modules: [createFixtureModule()],
        dialect,
        start: false,
        testStore: await openTestStore(dialect),
      });
    });
    afterAll(async () => {
      await setup.close();
      await backend.close();
    });

    it(`${OPERATIONS} operations survive ${KILLS} SIGKILLs: none stuck, no step twice, no duplicate object`, async () => {
      const { engine } = setup;
      const base = await setUpFixtureService(engine, backend, { settings: { steps: 3 } });
      const waiting = await engine.products.create({
        name: 'waits',
        module: 'fixture',
        serverGroupId: base.group.id,
        settings: { steps: 2, waitForReady: true, waitEveryMs: 50 },
      });
      const plain = await engine.products.create({
        name: 'plain',
        module: 'fixture',
        serverGroupId: base.group.id,
      });
      const products = [base.product.id, waiting.id, plain.id];
      const operationIds: number[] = [];
      for (let i = 0; i < OPERATIONS; i++) {
        const service = await engine.services.create({
          clientId: base.client.id,
          productId: products[i % 3]!,
        });
        operationIds.push(
          (await engine.operations.enqueue({ serviceId: service.id, action: 'create' })).operation.id,
        );
      }

      // The property itself, observed from outside the engine: when a step executes, the
      // database must not already record it as done for that operation.
      const violations: string[] = [];
      backend.state.onStep = async (execution) => {
        const recorded = (await engine.operations.get(execution.operationId)).journal.steps[execution.step];
        if (recorded)
          violations.push(
            `operation ${execution.operationId} ran ${execution.step} again (attempt ${execution.attempt})`,
          );
      };

      const active = async () =>
        (await engine.operations.list({ status: ['queued', 'running', 'waiting'], limit: 1000 })).length;
      let kills = 0;
      while (kills < KILLS) {
        const child = await startChild(setup.testStore, setup.secretKey);
        const before = OPERATIONS - (await active());
        // Let it get some way in, so the kill lands mid-run with operations running.
        await waitUntil(
          async () => OPERATIONS - (await active()) >= before + 15 || (await active()) === 0,
          20_000,
          'progress',
        );
        const running = (await engine.operations.list({ status: 'running', limit: 1000 })).length;
        await kill(child);
        if (running > 0) kills++;
        if ((await active()) === 0) break;
      }
      expect(kills).toBe(KILLS);

      const survivor = await startChild(setup.testStore, setup.secretKey);
      await waitUntil(async () => (await active()) === 0, 60_000, 'every operation to end');
      survivor.kill('SIGTERM');

      // Every operation ended, and ended well (the backend never refused).
      const operations = await Promise.all(operationIds.map((id) => engine.operations.get(id)));
      expect(
        operations
          .filter((op) => op.status !== 'succeeded')
          .map((op) => `${op.id}:${op.status}:${op.errorMessage}`),
      ).toEqual([]);
      expect(operations.some((op) => op.attempts > 1)).toBe(true);

      expect(violations).toEqual([]);
      // Every journaled step did run on the backend.
      for (const op of operations) {
        for (const step of Object.keys(op.journal.steps).filter((s) => s.startsWith('provision-'))) {
          expect(backend.state.steps.some((s) => s.operationId === op.id && s.step === step)).toBe(true);
        }
      }
      // Exactly one remote object per service.
      const duplicates = [...backend.state.objects.entries()].filter(([, copies]) => copies.length !== 1);
      expect(duplicates).toEqual([]);
      expect(backend.state.objects.size).toBe(OPERATIONS);
    }, 180_000);
  });
}
