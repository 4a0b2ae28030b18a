import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { panelUsername } from '../../src/modules/calagopus/payload.js';
import { defineModule } from '../../src/modules/contract.js';
import { updateService } from '../../src/store/repositories/services.js';
import { DEPLOY_PRODUCT, NODE_PRODUCT, type PanelWorld, panelWorld } from './calagopus.support.js';

/**
 * The world is not empty: the panel holds accounts and servers provisio did not make, with names,
 * emails and external ids that collide with what services will ask for. Every lifecycle action
 * runs beside them; none may change or delete them, and every refusal names the object.
 */
let emulator: CalagopusEmulator;
let world: PanelWorld;

/** Seeds through the control route, as another tool on the panel would have made the object. */
async function seed(
  entity: string,
  body: Record<string, unknown>,
): Promise<{ uuid: string; uuid_short?: string }> {
  const response = await fetch(`${emulator.url}/__emulator/seed/${entity}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status, `seed ${entity}`).toBe(201);
  const answer = (await response.json()) as { uuid: string } | { uuid: string }[];
  // kit/control.ts answers a single seed as a one-element array (reported to the lead).
  return Array.isArray(answer) ? (answer[0] as { uuid: string }) : answer;
}

/** The seeded objects as the panel holds them now, by uuid. */
function foreignState(uuids: readonly string[]): Record<string, unknown> {
  const snapshot = emulator.snapshot() as { users: { uuid: string }[]; servers: { uuid: string }[] };
  const all = [...snapshot.users, ...snapshot.servers];
  return Object.fromEntries(uuids.map((uuid) => [uuid, all.find((o) => o.uuid === uuid) ?? 'GONE']));
}

/** A service brought over from another billing system: active, with the ids its module saved. */
async function importService(clientId: number, productId: number, remoteIds: Record<string, string>) {
  const service = await world.harness.engine.services.create({
    clientId,
    productId,
    serverId: world.serverId,
  });
  await updateService(
    world.harness.testStore.store.db,
    new SecretBox(world.harness.secretKey),
    service.id,
    { status: 'active', remoteIds },
    Date.now(),
  );
  return service;
}

function touched(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(before).filter((uuid) => JSON.stringify(before[uuid]) !== JSON.stringify(after[uuid]));
}

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  world = await panelWorld(emulator);
});
afterAll(async () => {
  await world.harness.close();
  await emulator.close();
});

describe('calagopus beside objects provisio did not create', () => {
  it('runs every lifecycle action and leaves every foreign account and server as it was', async () => {
    const { engine } = world.harness;
    const nodeProduct = await world.product(NODE_PRODUCT);
    const deployProduct = await world.product(DEPLOY_PRODUCT);
    const ada = await world.service(nodeProduct, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
    });
    const grace = await world.service(nodeProduct, {
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@example.com',
    });
    const alan = await world.service(deployProduct, {
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan@example.com',
    });

    const adaAccount = await seed('user', {
      username: 'ada_whmcs',
      email: 'ADA@example.com',
      external_id: 'whmcs-client-9',
      password: 'ada-chose-this',
    });
    const graceName = panelUsername('Grace', 'Hopper', String(grace.clientId));
    const graceSquatter = await seed('user', { username: graceName, email: 'not-grace@example.com' });
    const bareClientId = await seed('user', {
      username: 'legacy_alan',
      email: 'legacy@example.com',
      external_id: String(alan.clientId),
    });
    const foreignServers = await Promise.all([
      // The name Ada's create will use, under another billing system's external id.
      seed('server', {
        name: `MC-${ada.serviceId}`,
        node_uuid: FIXTURE.nodeEu1,
        owner_uuid: adaAccount.uuid,
        external_id: 'whmcs-service-31',
      }),
      // The bare service id, as the WHMCS module writes it.
      seed('server', {
        name: `Server-${alan.serviceId}`,
        node_uuid: FIXTURE.nodeUs1,
        owner_uuid: bareClientId.uuid,
        external_id: String(alan.serviceId),
      }),
      // Another provisio service's mark, and a server with no external id at all.
      seed('server', {
        name: 'Other install',
        node_uuid: FIXTURE.nodeEu1,
        owner_uuid: FIXTURE.adminUser,
        external_id: 'provisio-service-999999',
      }),
      seed('server', {
        name: `MC-${grace.serviceId}`,
        node_uuid: FIXTURE.nodeEu1,
        owner_uuid: graceSquatter.uuid,
        allocation_uuid: null,
      }),
    ]);
    const foreign = [adaAccount, graceSquatter, bareClientId, ...foreignServers].map((o) => o.uuid);
    const before = foreignState(foreign);

    const run = (serviceId: number, action: string, options: Parameters<typeof engine.run>[2] = {}) =>
      engine.run(serviceId, action, options);
    // Ada: her existing account (same email) owns her new server, unchanged; its password is hers.
    const bigger = await world.product({ ...NODE_PRODUCT, memory: '2048' });
    for (const [action, options] of [
      ['create', {}],
      ['suspend', {}],
      ['unsuspend', {}],
      ['change-package', { args: { productId: bigger } }],
      ['custom:rename', { args: { serverName: 'Ada World' } }],
    ] as const) {
      const op = await run(ada.serviceId, action, options);
      expect([action, op.status, op.errorMessage]).toEqual([action, 'succeeded', null]);
    }
    const password = await run(ada.serviceId, 'change-password', {
      secretArgs: { password: 'Not-Hers-1234' },
    });
    expect([password.status, password.errorCode]).toEqual(['failed', 'calagopus.owner_foreign']);
    expect(password.errorMessage).toContain('is owned by a panel account provisio did not create');
    expect((await run(ada.serviceId, 'terminate')).status).toBe('succeeded');

    // Grace: the account with her generated username is someone else's: refused, named.
    const refused = await run(grace.serviceId, 'create');
    expect([refused.status, refused.errorCode]).toEqual(['failed', 'calagopus.username_only_match']);
    expect(refused.errorMessage).toContain(`A panel account named ${graceName} exists`);

    // Alan (deploy mode): the server with his bare service id is not his.
    for (const [action, options] of [
      ['create', {}],
      ['suspend', {}],
      ['unsuspend', {}],
      ['change-package', { args: { productId: deployProduct } }],
      ['change-password', { secretArgs: { password: 'Alan-Secret-99' } }],
      ['terminate', {}],
    ] as const) {
      const op = await run(alan.serviceId, action, options);
      expect([action, op.status, op.errorMessage]).toEqual([action, 'succeeded', null]);
    }

    const changed = touched(before, foreignState(foreign));
    console.log(`foreign objects touched: ${changed.length}`);
    expect(changed).toEqual([]);
  });

  it('refuses every change to a foreign server found under a service name, then works on it once adopted', async () => {
    const { engine } = world.harness;
    const productId = await world.product(NODE_PRODUCT);
    const { clientId } = await world.service(productId);
    // A service brought over from WHMCS: active, with the old module's external id saved.
    const legacyOwner = await seed('user', { username: 'whmcs_user', email: 'whmcs@example.com' });
    const server = await seed('server', {
      name: 'imported',
      node_uuid: FIXTURE.nodeEu1,
      owner_uuid: legacyOwner.uuid,
      external_id: '4242',
    });
    const imported = await importService(clientId, productId, { 'External ID': '4242' });
    const before = foreignState([server.uuid, legacyOwner.uuid]);
    const name = `server ${server.uuid_short} "imported"`;
    const nextProduct = await world.product({ ...NODE_PRODUCT, memory: '512' });
    for (const [action, options] of [
      ['suspend', {}],
      ['change-package', { args: { productId: nextProduct } }],
      ['change-password', { secretArgs: { password: 'Whatever-123' } }],
      ['custom:rename', { args: { serverName: 'mine now' } }],
      ['custom:clear-state', {}],
      ['terminate', {}],
    ] as const) {
      const op = await engine.run(imported.id, action, options);
      // The engine's lookup finds it foreign and refuses before the module runs.
      expect([action, op.status, op.errorCode]).toEqual([action, 'failed', 'ownership.foreign']);
      expect(op.errorMessage).toContain(name);
      expect(op.errorMessage).toContain(`provisio service adopt ${imported.id}`);
    }
    const lookup = await engine.services.view(imported.id, 'admin');
    expect(lookup.fields[0]?.value).toContain(`Not linked: the panel's ${name} carries external id 4242`);
    const changed = touched(before, foreignState([server.uuid, legacyOwner.uuid]));
    console.log(`foreign objects touched: ${changed.length}`);
    expect(changed).toEqual([]);

    // Adopted deliberately: the mark is written, and the next actions work on it.
    expect((await engine.run(imported.id, 'adopt', { args: { confirm: true } })).status).toBe('succeeded');
    const adopted = emulator.servers().find((s) => s.uuid === server.uuid);
    expect(adopted?.external_id).toBe(`provisio-service-${imported.id}`);
    expect((await engine.services.get(imported.id)).remoteIds).toMatchObject({ 'Server UUID': server.uuid });
    expect((await engine.run(imported.id, 'suspend')).status).toBe('succeeded');
    expect(adopted?.is_suspended).toBe(true);
    expect((await engine.run(imported.id, 'unsuspend')).status).toBe('succeeded');
    expect((await engine.run(imported.id, 'terminate')).status).toBe('succeeded');
    expect(emulator.servers().some((s) => s.uuid === server.uuid)).toBe(false);
  });

  it('refuses to adopt a server that carries another service mark', async () => {
    const { engine } = world.harness;
    const productId = await world.product(NODE_PRODUCT);
    const { clientId } = await world.service(productId);
    const other = await seed('server', {
      name: 'theirs',
      node_uuid: FIXTURE.nodeEu1,
      owner_uuid: FIXTURE.adminUser,
      external_id: 'provisio-service-888888',
    });
    const service = await importService(clientId, productId, { 'Server UUID': other.uuid });
    const op = await engine.run(service.id, 'adopt', { args: { confirm: true } });
    expect([op.status, op.errorCode]).toEqual(['failed', 'calagopus.server_marked_elsewhere']);
    expect(op.errorMessage).toContain('the mark of service #888888');
    expect(emulator.servers().find((s) => s.uuid === other.uuid)?.external_id).toBe(
      'provisio-service-888888',
    );
  });
});

describe('calagopus checks the mark again right before a change', () => {
  it('refuses when staff changed the server between the engine lookup and the change', async () => {
    const panel = await startCalagopusEmulator({});
    // Between the engine's look and the module's call, someone re-labels the server in the panel.
    const racing = defineModule({
      ...calagopusModule,
      async lookup(ctx) {
        const state = await calagopusModule.lookup(ctx);
        if (ctx.action === 'suspend')
          panel.drift('external-id', {
            external_id: `provisio-service-${ctx.service.id}`,
            new_external_id: 'staff-took-it',
          });
        return state;
      },
    });
    const own = await panelWorld(panel, { modules: [racing] });
    try {
      const { serviceId } = await own.service(await own.product(NODE_PRODUCT));
      expect((await own.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
      const op = await own.harness.engine.run(serviceId, 'suspend');
      expect([op.status, op.errorCode]).toEqual(['failed', 'calagopus.server_foreign']);
      expect(op.errorMessage).toContain('carries external id staff-took-it');
      expect(panel.requests({ method: 'PATCH' })).toEqual([]);
      expect(panel.servers()[0]?.is_suspended).toBe(false);
    } finally {
      await own.harness.close();
      await panel.close();
    }
  });
});
