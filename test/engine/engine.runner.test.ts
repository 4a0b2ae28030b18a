import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

describe('operation runner', () => {
  let backend: RunningFixtureBackend;
  let t: TestEngine;

  beforeEach(async () => {
    backend = await startFixtureBackend();
    t = await createTestEngine({
      modules: [createFixtureModule()],
      // The timeout must be well above the grace period: the stop test's action hangs, and only
      // the shutdown may end it (not its own time limit, which would spend an attempt).
      runner: { operationTimeoutMs: 2_000, shutdownGraceMs: 200 },
    });
  });
  afterEach(async () => {
    await t.close();
    await backend.close();
  });

  it('times out a hanging action as an unknown outcome, then looks up before trying again', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    // The create is done on the backend but its answer never comes.
    backend.state.behave(`fx-${service.id}`, 'create', { kind: 'lose-answer', times: 1 });
    backend.state.behave(`fx-${service.id}`, 'create', { kind: 'hang' });
    const { operation } = await engine.operations.enqueue({ serviceId: service.id, action: 'create' });
    await waitUntil(
      () => backend.state.requests.some((r) => r.startsWith('POST')),
      30_000,
      'the create request',
    );
    await waitUntil(
      async () => (await engine.operations.get(operation.id)).errorCode === 'operation.timeout',
    );
    // The backend answers again and already has the object (made by hand, as if the hung call had landed).
    backend.state.behaviours.clear();
    backend.state.objects.set(`fx-${service.id}`, [
      {
        name: `fx-${service.id}`,
        status: 'active',
        plan: 'basic',
        readyAt: 0,
        mark: `provisio-service-${service.id}`,
      },
    ]);
    const done = await engine.operations.waitFor(operation.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('succeeded');
    expect(backend.state.objects.get(`fx-${service.id}`)).toHaveLength(1);
    expect(
      backend.state.requests.filter((r) => r.startsWith('POST')),
      backend.state.requests.join(', '),
    ).toHaveLength(1);
  });

  it('on stop, releases a running action after the grace period without spending an attempt', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    backend.state.behave(`fx-${service.id}`, 'lookup', { kind: 'hang' });
    const { operation } = await engine.operations.enqueue({ serviceId: service.id, action: 'create' });
    await waitUntil(async () => (await engine.operations.get(operation.id)).status === 'running');
    await engine.stop();
    const released = await engine.operations.get(operation.id);
    expect(released).toMatchObject({ status: 'queued', attempts: 0, leaseOwner: null });
    expect(released.journal.lookupFirst).toBe(true);

    backend.state.behaviours.clear();
    engine.start();
    expect((await engine.operations.waitFor(operation.id, { timeoutMs: 10_000 })).status).toBe('succeeded');
  });

  it('keeps what the module warned about on the operation', async () => {
    const { engine } = t;
    const { service, server } = await setUpFixtureService(engine, backend);
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    backend.state.objects.delete(`fx-${service.id}`);
    const terminated = await engine.run(service.id, 'terminate');
    expect(terminated.status).toBe('succeeded');
    expect(terminated.warnings.map((w) => w.message)).toEqual([
      `fx-${service.id} was already gone from ${server.name}; nothing to remove`,
    ]);
    expect((await engine.operations.get(terminated.id)).warnings).toHaveLength(1);
  });

  it('resolves a failure as succeeded on the operator’s word, applying its effect', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    backend.state.behave(`fx-${service.id}`, 'create', { kind: 'fail', message: 'panel exploded' });
    const failed = await engine.run(service.id, 'create');
    const resolved = await engine.operations.resolve(failed.id, {
      markSucceeded: true,
      note: 'created by hand',
    });
    expect(resolved).toMatchObject({ status: 'succeeded', resolution: 'marked succeeded: created by hand' });
    expect((await engine.services.get(service.id)).status).toBe('active');
    await expect(engine.operations.resolve(failed.id)).rejects.toMatchObject({
      code: 'operation.not_failed',
    });
  });

  it('resolving without success only takes the failure off the queue', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    backend.state.behave(`fx-${service.id}`, 'create', { kind: 'fail', message: 'nope' });
    const failed = await engine.run(service.id, 'create');
    await engine.operations.resolve(failed.id, { note: 'customer cancelled' });
    expect(await engine.operations.list({ unresolvedFailures: true })).toEqual([]);
    expect((await engine.services.get(service.id)).status).toBe('pending');
  });

  it('cancels a pending service without touching the backend, and refuses it once active', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    expect((await engine.services.cancel(service.id)).status).toBe('cancelled');
    expect(backend.state.requests).toEqual([]);
    await expect(
      engine.operations.enqueue({ serviceId: service.id, action: 'create' }),
    ).rejects.toMatchObject({ code: 'lifecycle.transition_forbidden' });
  });

  it('changes package to another product of the same module, and refuses another module', async () => {
    const { engine } = t;
    const { service, group } = await setUpFixtureService(engine, backend);
    await engine.run(service.id, 'create');
    const gold = await engine.products.create({
      name: 'gold',
      module: 'fixture',
      serverGroupId: group.id,
      settings: { plan: 'gold' },
    });
    const op = await engine.run(service.id, 'change-package', { args: { productId: gold.id } });
    expect(op.status).toBe('succeeded');
    expect((await engine.services.get(service.id)).productId).toBe(gold.id);
    expect(backend.state.first(`fx-${service.id}`)?.plan).toBe('gold');
    await expect(
      engine.operations.enqueue({
        serviceId: service.id,
        action: 'change-package',
        args: { productId: 9999 },
      }),
    ).rejects.toMatchObject({ code: 'product.not_found' });
  });

  it('refuses unknown actions, unsupported custom actions and a missing new password, queuing nothing', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    await engine.run(service.id, 'create');
    await expect(
      engine.operations.enqueue({ serviceId: service.id, action: 'explode' }),
    ).rejects.toMatchObject({ code: 'action.invalid' });
    await expect(
      engine.operations.enqueue({ serviceId: service.id, action: 'custom', args: { name: 'format-disk' } }),
    ).rejects.toMatchObject({
      code: 'action.unsupported',
      message: expect.stringContaining('it has: reboot'),
    });
    await expect(
      engine.operations.enqueue({ serviceId: service.id, action: 'change-password' }),
    ).rejects.toMatchObject({ code: 'password.missing' });
    expect((await engine.operations.list({ serviceId: service.id })).length).toBe(1);
  });

  it('places new services round-robin over a group and keeps later actions on each one’s server', async () => {
    const { engine } = t;
    const second = await startFixtureBackend();
    try {
      const { client, product, group, server } = await setUpFixtureService(engine, backend, {
        fillType: 'round-robin',
      });
      const url = new URL(second.url);
      const other = await engine.servers.create({
        name: 'fixture-two',
        module: 'fixture',
        hostname: url.hostname,
        port: Number(url.port),
        secure: false,
        secret: 'k',
      });
      await engine.serverGroups.addServer(group.id, other.id, 1);
      const services = [];
      for (let i = 0; i < 4; i++) {
        const service = await engine.services.create({ clientId: client.id, productId: product.id });
        expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
        services.push(await engine.services.get(service.id));
      }
      expect(services.map((s) => s.serverId)).toEqual([server.id, other.id, server.id, other.id]);
      await engine.run(services[1]!.id, 'suspend');
      expect(second.state.first(`fx-${services[1]!.id}`)?.status).toBe('suspended');
      expect(backend.state.first(`fx-${services[1]!.id}`)).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('says clearly when no server in the group can take a service', async () => {
    const { engine } = t;
    const { service, server } = await setUpFixtureService(engine, backend);
    await engine.servers.update(server.id, { enabled: false });
    await expect(
      engine.operations.enqueue({ serviceId: service.id, action: 'create' }),
    ).rejects.toMatchObject({
      code: 'placement.no_server',
      message: expect.stringContaining('disabled'),
    });
    expect((await engine.services.get(service.id)).serverId).toBeNull();
  });
});

describe('events and usage', () => {
  let backend: RunningFixtureBackend;
  let t: TestEngine;

  beforeEach(async () => {
    backend = await startFixtureBackend();
    t = await createTestEngine({ modules: [createFixtureModule()] });
  });
  afterEach(async () => {
    await t.close();
    await backend.close();
  });

  it('delivers events at least once, again after a handler failure, in order', async () => {
    const { engine } = t;
    const seen: string[] = [];
    let failOnce = true;
    engine.events.subscribe('test-hook', async (event) => {
      if (event.type === 'service.created' && failOnce) {
        failOnce = false;
        throw new Error('hook down');
      }
      seen.push(event.type);
    });
    engine.events.bus.stop();
    const { service } = await setUpFixtureService(engine, backend);
    await engine.run(service.id, 'create');
    await engine.events.deliverPending();
    expect(seen).toEqual(['client.created']);
    await engine.events.deliverPending();
    await engine.events.bus.stop();
    // The failed event comes back once the retry delay passed (stopped bus: no delay is kept).
    await engine.events.deliverPending();
    expect(seen).toEqual(['client.created', 'service.created']);
    await engine.events.deliverPending();
    expect(seen).toEqual(['client.created', 'service.created']);
  });

  it('reads usage per server in one batch and writes every service', async () => {
    const { engine } = t;
    const { client, product, service } = await setUpFixtureService(engine, backend);
    const more = [service.id];
    for (let i = 0; i < 4; i++)
      more.push((await engine.services.create({ clientId: client.id, productId: product.id })).id);
    for (const id of more) await engine.run(id, 'create');
    backend.state.requests.length = 0;
    const results = await engine.usage.sync();
    expect(results).toEqual([expect.objectContaining({ services: 5, updated: 5 })]);
    expect(backend.state.requests).toEqual(['GET /objects']);
    expect((await engine.services.get(service.id)).usage).toEqual({
      diskUsedMb: 10,
      diskLimitMb: 100,
      figures: { copies: 1 },
    });
  });

  it('reports a server whose usage read failed and writes nothing for it', async () => {
    const { engine } = t;
    const { service, server } = await setUpFixtureService(engine, backend);
    await engine.run(service.id, 'create');
    await backend.close();
    const [result] = await engine.usage.sync({ serverId: server.id });
    expect(result).toMatchObject({
      updated: 0,
      error: expect.stringMatching(/refused the connection|closed the connection/),
    });
    expect((await engine.services.get(service.id)).usageUpdatedAt).toBeNull();
    backend = await startFixtureBackend();
  });
});
