import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';

for (const dialect of DIALECTS) {
  describe(`lifecycle through the engine (${dialect})`, () => {
    let backend: RunningFixtureBackend;
    let t: TestEngine;

    beforeEach(async () => {
      backend = await startFixtureBackend();
      t = await createTestEngine({ modules: [createFixtureModule()], dialect });
    });
    afterEach(async () => {
      await t.close();
      await backend.close();
    });

    it('creates, suspends, unsuspends, changes package and password, terminates', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      const steps: [string, Record<string, unknown>?, Record<string, unknown>?][] = [
        ['create'],
        ['suspend'],
        ['unsuspend'],
        ['change-package'],
        ['change-password', undefined, { password: 'n3w-Secret!' }],
        ['custom', { name: 'reboot' }],
        ['terminate'],
      ];
      const statuses: string[] = [];
      for (const [action, args, secretArgs] of steps) {
        const op = await engine.run(service.id, action, {
          ...(args ? { args } : {}),
          ...(secretArgs ? { secretArgs } : {}),
        });
        expect(op.status, `${action}: ${op.errorMessage}`).toBe('succeeded');
        statuses.push((await engine.services.get(service.id)).status);
      }
      expect(statuses).toEqual(['active', 'suspended', 'active', 'active', 'active', 'active', 'terminated']);
      expect(backend.state.objects.size).toBe(0);
      const events = (await engine.events.list({ limit: 50 })).map((e) => e.type);
      expect(events).toEqual([
        'client.created',
        'service.created',
        'service.suspended',
        'service.unsuspended',
        'service.package_changed',
        'service.password_changed',
        'service.action_completed',
        'service.terminated',
      ]);
    });

    it('refuses a transition the lifecycle forbids and queues nothing', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      await expect(
        engine.operations.enqueue({ serviceId: service.id, action: 'suspend' }),
      ).rejects.toMatchObject({
        kind: 'conflict',
        code: 'lifecycle.transition_forbidden',
      });
      expect(await engine.operations.list({ serviceId: service.id })).toHaveLength(0);
    });

    it('fails with the backend message on a permanent error and lists it in the failed queue', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      backend.state.behave(`fx-${service.id}`, 'create', {
        kind: 'fail',
        message: 'quota exceeded on backend',
      });
      const op = await engine.run(service.id, 'create');
      expect(op.status).toBe('failed');
      expect(op.errorKind).toBe('remote');
      expect(op.errorMessage).toContain('quota exceeded on backend');
      expect((await engine.services.get(service.id)).status).toBe('pending');
      const failed = await engine.operations.list({ unresolvedFailures: true });
      expect(failed.map((o) => o.id)).toEqual([op.id]);

      // The operator fixes the backend, then retries from the failed-actions queue.
      backend.state.behaviours.clear();
      const retried = await engine.operations.retry(op.id);
      expect(retried.status).toBe('queued');
      const done = await engine.operations.waitFor(op.id, { timeoutMs: 10_000 });
      expect(done.status).toBe('succeeded');
      expect(await engine.operations.list({ unresolvedFailures: true })).toHaveLength(0);
    });

    it('retries transient errors with backoff, then succeeds', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      backend.state.behave(`fx-${service.id}`, 'create', { kind: 'transient', times: 2 });
      const op = await engine.run(service.id, 'create');
      expect(op.status).toBe('succeeded');
      expect(op.attempts).toBe(3);
    });

    it('gives up after the attempts are spent and says so', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      backend.state.behave(`fx-${service.id}`, 'create', { kind: 'transient', times: 50 });
      const op = await engine.run(service.id, 'create');
      expect(op.status).toBe('failed');
      expect(op.errorKind).toBe('unavailable');
      expect(op.errorMessage).toMatch(/gave up after 4 attempts/);
    });

    it('looks up before retrying a lost answer, and adopts: one object, not two', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      backend.state.behave(`fx-${service.id}`, 'create', { kind: 'lose-answer', times: 1 });
      const op = await engine.run(service.id, 'create');
      expect(op.status).toBe('succeeded');
      expect(backend.state.objects.get(`fx-${service.id}`)).toHaveLength(1);
      const log = await engine.moduleLog.forOperation(op.id);
      expect(
        log.some((row) => row.outcome === 'error' && /closed the connection/.test(row.error ?? '')),
      ).toBe(true);
      expect((await engine.services.get(service.id)).remoteIds).toEqual({ name: `fx-${service.id}` });
    });

    it('same idempotency key and body returns the same operation; another body is refused', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      const first = await engine.operations.enqueue({
        serviceId: service.id,
        action: 'create',
        idempotencyKey: 'order-77',
      });
      const again = await engine.operations.enqueue({
        serviceId: service.id,
        action: 'create',
        idempotencyKey: 'order-77',
      });
      expect(again.created).toBe(false);
      expect(again.operation.id).toBe(first.operation.id);
      await expect(
        engine.operations.enqueue({
          serviceId: service.id,
          action: 'create',
          args: { note: 'x' },
          idempotencyKey: 'order-77',
        }),
      ).rejects.toMatchObject({ code: 'idempotency.key_reused' });
    });

    it('allows one active operation per service', async () => {
      const { engine } = t;
      const { service } = await setUpFixtureService(engine, backend);
      await engine.run(service.id, 'create');
      backend.state.behave(`fx-${service.id}`, 'lookup', { kind: 'hang' });
      await engine.operations.enqueue({ serviceId: service.id, action: 'suspend' });
      await expect(
        engine.operations.enqueue({ serviceId: service.id, action: 'terminate' }),
      ).rejects.toMatchObject({
        code: 'operation.already_active',
      });
    });
  });
}
