import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProvisioningError } from '../../src/core/errors.js';
import { packageMoveAllowed } from '../../src/engine/enqueue.js';
import { type AnyModule, defineModule } from '../../src/modules/contract.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';

/** The error an engine call threw, for asserting its code and message. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (isProvisioningError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** The fixture module selling two product types, as Axigen sells domains and mailboxes. */
function typedModule(packageMoves?: { from: string; to: string }[]): AnyModule {
  const base = createFixtureModule('typed');
  const settings = base.settings!;
  return defineModule({
    ...base,
    settings: undefined,
    productTypes: [
      { id: 'mailbox', displayName: 'Mailbox', settings },
      { id: 'domain', displayName: 'Domain', settings },
    ],
    ...(packageMoves ? { packageMoves } : {}),
  });
}

describe('the ownership rule, enforced by the engine', () => {
  let backend: RunningFixtureBackend;
  let t: TestEngine;

  beforeEach(async () => {
    backend = await startFixtureBackend();
    t = await createTestEngine({ modules: [createFixtureModule(), typedModule()] });
  });
  afterEach(async () => {
    await t.close();
    await backend.close();
  });

  it('refuses to create over an object provisio did not make, and leaves it as it was', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    const foreign = backend.state.seedForeign(`fx-${service.id}`);
    const op = await engine.run(service.id, 'create');
    expect(op.status).toBe('failed');
    expect(op.errorCode).toBe('ownership.foreign');
    expect(op.errorMessage).toContain(`object fx-${service.id}`);
    expect(op.errorMessage).toContain(`provisio service adopt ${service.id}`);
    expect(backend.state.objects.get(`fx-${service.id}`)).toEqual([foreign]);
    expect(backend.state.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    expect((await engine.services.get(service.id)).status).toBe('pending');
  });

  it('refuses every action on an object that lost its mark (staff replaced it), touching nothing', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    backend.state.seedForeign(`fx-${service.id}`, 'provisio-service-999');
    const before = structuredClone(backend.state.objects.get(`fx-${service.id}`));
    const attempts: [string, Record<string, unknown>?, Record<string, unknown>?][] = [
      ['suspend'],
      ['change-package'],
      ['change-password', undefined, { password: 'n3w-Secret!' }],
      ['custom', { name: 'reboot' }],
      ['terminate'],
    ];
    for (const [action, args, secretArgs] of attempts) {
      const op = await engine.run(service.id, action, {
        ...(args ? { args } : {}),
        ...(secretArgs ? { secretArgs } : {}),
      });
      expect([action, op.status, op.errorCode]).toEqual([action, 'failed', 'ownership.foreign']);
      await engine.operations.resolve(op.id, { note: 'test' });
    }
    expect(backend.state.changed).toEqual([]);
    expect(backend.state.objects.get(`fx-${service.id}`)).toEqual(before);
    expect((await engine.services.get(service.id)).status).toBe('active');
  });

  it('adopts only when an operator confirms, then the service acts on the object', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    backend.state.seedForeign(`fx-${service.id}`);
    const unconfirmed = await refusal(engine.operations.enqueue({ serviceId: service.id, action: 'adopt' }));
    expect(unconfirmed.code).toBe('action.args_invalid');
    expect(await engine.operations.list({ serviceId: service.id })).toEqual([]);

    const adopted = await engine.run(service.id, 'adopt', { args: { confirm: true } });
    expect(adopted.status, adopted.errorMessage ?? '').toBe('succeeded');
    expect(backend.state.first(`fx-${service.id}`)?.mark).toBe(`provisio-service-${service.id}`);
    const after = await engine.services.get(service.id);
    expect(after.status).toBe('active');
    expect(after.remoteIds).toEqual({ name: `fx-${service.id}` });
    expect((await engine.run(service.id, 'suspend')).status).toBe('succeeded');
    expect(backend.state.first(`fx-${service.id}`)?.status).toBe('suspended');
  });

  it('adopts a suspended object into a pending service as suspended', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    backend.state.seedForeign(`fx-${service.id}`).status = 'suspended';
    expect((await engine.run(service.id, 'adopt', { args: { confirm: true } })).status).toBe('succeeded');
    expect((await engine.services.get(service.id)).status).toBe('suspended');
  });

  it('will not adopt what another service marked, nor what does not exist', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    const nothing = await engine.run(service.id, 'adopt', { args: { confirm: true } });
    expect([nothing.status, nothing.errorCode]).toEqual(['failed', 'ownership.nothing_to_adopt']);
    await engine.operations.resolve(nothing.id, { note: 'test' });
    backend.state.seedForeign(`fx-${service.id}`, 'provisio-service-4242');
    const taken = await engine.run(service.id, 'adopt', { args: { confirm: true } });
    expect(taken.status).toBe('failed');
    expect(backend.state.first(`fx-${service.id}`)?.mark).toBe('provisio-service-4242');
  });

  it('keeps a package change within one product type unless the module declares the move safe', async () => {
    const { engine } = t;
    const url = new URL(backend.url);
    const client = await engine.clients.create({ email: 'ada@example.com', firstName: 'Ada' });
    const server = await engine.servers.create({
      name: 'typed-1',
      module: 'typed',
      hostname: url.hostname,
      port: Number(url.port),
      secure: false,
      secret: 'server-api-key-123',
    });
    const group = await engine.serverGroups.create({
      name: 'typed',
      fillType: 'least-full',
      serverIds: [server.id],
    });
    const mailbox = await engine.products.create({
      name: 'mailbox',
      module: 'typed',
      productType: 'mailbox',
      serverGroupId: group.id,
      settings: {},
    });
    const domain = await engine.products.create({
      name: 'domain',
      module: 'typed',
      productType: 'domain',
      serverGroupId: group.id,
      settings: {},
    });
    const service2 = await engine.services.create({
      clientId: client.id,
      productId: mailbox.id,
      domain: 'example.com',
    });
    expect((await engine.run(service2.id, 'create')).status).toBe('succeeded');
    const refused = await refusal(
      engine.operations.enqueue({
        serviceId: service2.id,
        action: 'change-package',
        args: { productId: domain.id },
      }),
    );
    expect(refused.code).toBe('product.type_mismatch');
    expect(refused.message).toContain('within one product type');
    expect((await engine.operations.list({ serviceId: service2.id })).map((o) => o.action)).toEqual([
      'create',
    ]);
  });
});

describe('custom-action arguments', () => {
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

  it('refuses unknown, ill-typed and out-of-choice arguments, and inherited names, before queueing', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend);
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    const refusals = [
      [{ name: 'reboot', os: 'Debian 12' }, 'action.args_invalid'],
      [{ name: 'reboot', mode: 'violent' }, 'action.args_invalid'],
      [{ name: 'reboot', delaySeconds: 'soon' }, 'action.args_invalid'],
      [{ name: 'reboot', delaySeconds: 9_999 }, 'action.args_invalid'],
      [{ name: 'constructor' }, 'action.unsupported'],
      [{ name: 'to-string' }, 'action.unsupported'],
    ] as const;
    for (const [args, code] of refusals) {
      const error = await refusal(
        engine.operations.enqueue({ serviceId: service.id, action: 'custom', args }),
      );
      expect([args, error.code]).toEqual([args, code]);
    }
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++) deep = { inner: deep };
    const tooDeep = await refusal(
      engine.operations.enqueue({
        serviceId: service.id,
        action: 'custom',
        args: { name: 'reboot', ...deep },
      }),
    );
    expect(tooDeep.code).toBe('action.args_invalid');
    expect((await engine.operations.list({ serviceId: service.id })).map((o) => o.action)).toEqual([
      'create',
    ]);

    const ok = await engine.run(service.id, 'custom', { args: { name: 'reboot', mode: 'hard' } });
    expect(ok.status).toBe('succeeded');
  });
});

describe('packageMoveAllowed', () => {
  it('allows the same type, and another only when the module lists the move', () => {
    expect(packageMoveAllowed(typedModule(), 'mailbox', 'mailbox')).toBe(true);
    expect(packageMoveAllowed(typedModule(), 'mailbox', 'domain')).toBe(false);
    const safe = typedModule([{ from: 'mailbox', to: 'domain' }]);
    expect(packageMoveAllowed(safe, 'mailbox', 'domain')).toBe(true);
    expect(packageMoveAllowed(safe, 'domain', 'mailbox')).toBe(false);
  });
});
