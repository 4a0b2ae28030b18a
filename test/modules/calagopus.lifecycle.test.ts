import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calls, DEPLOY_PRODUCT, NODE_PRODUCT, type PanelWorld, panelWorld } from './calagopus.support.js';

let emulator: CalagopusEmulator;
let plain: PanelWorld;
let ranged: PanelWorld;

const mark = (serviceId: number) => `provisio-service-${serviceId}`;

function panelServerFor(serviceId: number) {
  return emulator.servers().filter((s) => s.external_id === mark(serviceId));
}

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  plain = await panelWorld(emulator);
  ranged = await plain.anotherServer({ deployPortRange: '25565-25600', deleteBackupsOnTerminate: false });
});
afterEach(() => {
  emulator.clearRequests();
  emulator.clearFaults();
});
afterAll(async () => {
  await plain.harness.close();
  await emulator.close();
});

describe('calagopus through the engine: node mode', () => {
  it('creates with the marks, suspends, unsuspends, changes package and terminates, checking the mark before each change', async () => {
    const { engine } = plain.harness;
    const { clientId, serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    const op = await engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    expect(calls(emulator)).toEqual([
      `GET /api/admin/servers/external/${mark(serviceId)}`,
      `GET /api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}`,
      `GET /api/admin/users/external/provisio-client-${clientId}`,
      'POST /api/admin/users',
      `GET /api/admin/nodes/${FIXTURE.nodeEu1}/allocations/available`,
      'POST /api/admin/servers',
    ]);
    const [server] = panelServerFor(serviceId);
    expect(server).toMatchObject({
      name: `MC-${serviceId}`,
      node_uuid: FIXTURE.nodeEu1,
      status: 'installing',
      feature_limits: { allocations: 1, databases: 0, backups: 2, schedules: 0 },
      limits: { cpu: 100, memory: 1024, disk: 10240, swap: 0, memory_overhead: 0, io_weight: null },
      image: 'ghcr.io/pterodactyl/yolks:java_21',
    });
    expect(emulator.state.users.get(server?.owner_uuid as string)?.external_id).toBe(
      `provisio-client-${clientId}`,
    );
    const uuid = server?.uuid as string;
    expect((await engine.services.get(serviceId)).remoteIds).toEqual({
      'External ID': mark(serviceId),
      'Server UUID': uuid,
      'Server ID': uuid.slice(0, 8),
    });

    for (const [action, body] of [
      ['suspend', '{"suspended":true}'],
      ['unsuspend', '{"suspended":false}'],
    ] as const) {
      emulator.clearRequests();
      expect((await engine.run(serviceId, action)).status).toBe('succeeded');
      // The engine's lookup, the module's own check right before the change, the change.
      expect(emulator.requests().map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
        `GET /api/admin/servers/${uuid} `,
        `GET /api/admin/servers/${uuid} `,
        `PATCH /api/admin/servers/${uuid} ${body}`,
      ]);
    }
    expect(server?.is_suspended).toBe(false);

    const bigger = await plain.product({
      ...NODE_PRODUCT,
      memory: '4096',
      ioWeight: '500',
      dockerImage: 'ghcr.io/example/java:22',
      variables: 'SERVER_JARFILE=big.jar',
    });
    emulator.clearRequests();
    expect((await engine.run(serviceId, 'change-package', { args: { productId: bigger } })).status).toBe(
      'succeeded',
    );
    expect(calls(emulator)).toEqual([
      `GET /api/admin/servers/${uuid}`,
      `GET /api/admin/servers/${uuid}`,
      `PATCH /api/admin/servers/${uuid}`,
      `PUT /api/admin/servers/${uuid}/variables`,
    ]);
    expect(server).toMatchObject({
      limits: { memory: 4096, io_weight: 500 },
      image: 'ghcr.io/example/java:22',
    });
    expect(server?.variables.get('SERVER_JARFILE')).toBe('big.jar');

    emulator.drift('limits', { uuid, limits: {} });
    (server as { backups: number }).backups = 3;
    emulator.clearRequests();
    const deletedBefore = emulator.state.deletedBackups;
    expect((await engine.run(serviceId, 'terminate')).status).toBe('succeeded');
    expect(calls(emulator)).toEqual([
      `GET /api/admin/servers/${uuid}`,
      `GET /api/admin/servers/${uuid}`,
      `DELETE /api/admin/servers/${uuid}`,
    ]);
    expect(JSON.parse(emulator.requests()[2]?.body ?? '{}')).toEqual({ force: false, delete_backups: true });
    expect(emulator.state.deletedBackups - deletedBefore).toBe(3);
    expect(panelServerFor(serviceId)).toHaveLength(0);
  });

  it('fails with the reference message when the node has no free allocation, before anything is created', async () => {
    const { serviceId } = await plain.service(
      await plain.product({ ...NODE_PRODUCT, nodeUuid: FIXTURE.nodeUs2 }),
    );
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect([op.status, op.errorCode]).toEqual(['failed', 'calagopus.no_allocations']);
    expect(op.errorMessage).toMatch(/^No available allocations on the selected node\./);
    expect(panelServerFor(serviceId)).toHaveLength(0);
  });

  it('retries a create the panel refused with 500 (Wings down) and ends with one server', async () => {
    emulator.injectFault({ kind: 'error', method: 'POST', match: '/api/admin/servers', status: 500 });
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect([op.status, op.attempts]).toEqual(['succeeded', 2]);
    expect(panelServerFor(serviceId)).toHaveLength(1);
  });

  it('answers a 409 for an allocation another process took by checking its mark, then picking another allocation', async () => {
    emulator.injectFault({
      kind: 'error',
      method: 'POST',
      match: '/api/admin/servers',
      status: 409,
      body: { errors: ['server with allocation(s) or external id already exists'] },
    });
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect([op.status, op.attempts]).toEqual(['succeeded', 1]);
    const tail = calls(emulator).slice(-4);
    expect(tail).toEqual([
      'POST /api/admin/servers',
      `GET /api/admin/servers/external/${mark(serviceId)}`,
      `GET /api/admin/nodes/${FIXTURE.nodeEu1}/allocations/available`,
      'POST /api/admin/servers',
    ]);
    const posts = emulator.requests({ method: 'POST', path: '/api/admin/servers' }).slice(-2);
    const [lost, won] = posts.map((r) => JSON.parse(r.body).allocation_uuid as string);
    expect(won).not.toBe(lost);
  });

  it('retries a 500 on suspend once, then fails with the panel text', async () => {
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    expect((await plain.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    emulator.injectFault({
      kind: 'error',
      method: 'PATCH',
      match: '/api/admin/servers/*',
      status: 500,
      times: 5,
    });
    const op = await plain.harness.engine.run(serviceId, 'suspend');
    expect([op.status, op.attempts, op.errorCode]).toEqual(['failed', 2, 'calagopus.panel_failed']);
    expect(op.errorMessage).toContain('(HTTP 500): internal server error');
    expect(op.errorMessage).not.toContain('will be retried');
    expect(emulator.requests({ method: 'PATCH' })).toHaveLength(2);
  });
});

describe('calagopus through the engine: deploy mode', () => {
  it('deploys across locations, then suspends, unsuspends, changes package and terminates', async () => {
    const { engine } = ranged.harness;
    const { clientId, serviceId } = await ranged.service(await ranged.product(DEPLOY_PRODUCT));
    expect((await engine.run(serviceId, 'create')).status).toBe('succeeded');
    expect(calls(emulator)).toEqual([
      `GET /api/admin/servers/external/${mark(serviceId)}`,
      `GET /api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}`,
      `GET /api/admin/users/external/provisio-client-${clientId}`,
      'POST /api/admin/users',
      'POST /api/admin/servers/deploy',
    ]);
    const body = JSON.parse(emulator.requests()[4]?.body ?? '{}');
    expect(body.deployment).toEqual({
      location_uuids: [FIXTURE.locationUs],
      allow_overallocation: false,
      allocations: { dedicated: false, primary: { start_port: 25565, end_port: 25600 }, additional: [] },
    });
    const [server] = panelServerFor(serviceId);
    expect(server).toMatchObject({ name: `Server-${serviceId}`, node_uuid: FIXTURE.nodeUs1 });
    expect(server?.allocations).toHaveLength(1);
    for (const action of ['suspend', 'unsuspend', 'change-package', 'terminate'] as const) {
      emulator.clearRequests();
      expect((await engine.run(serviceId, action)).status).toBe('succeeded');
    }
    // This server's settings turn backup deletion off.
    expect(JSON.parse(emulator.requests({ method: 'DELETE' })[0]?.body ?? '{}')).toEqual({
      force: false,
      delete_backups: false,
    });
  });

  it('without a port range leaves allocation to the panel, which on a fresh panel gives no port', async () => {
    const { serviceId } = await plain.service(await plain.product(DEPLOY_PRODUCT));
    expect((await plain.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    expect(JSON.parse(emulator.requests().at(-1)?.body ?? '{}').deployment).toEqual({
      location_uuids: [FIXTURE.locationUs],
      allow_overallocation: false,
    });
    expect(panelServerFor(serviceId)[0]?.allocations).toEqual([]);
  });

  it('reports the panel deploy reason', async () => {
    const { serviceId } = await plain.service(
      await plain.product({ ...DEPLOY_PRODUCT, locationUuids: FIXTURE.locationEmpty }),
    );
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect([op.status, op.errorKind]).toEqual(['failed', 'invalid-input']);
    expect(op.errorMessage).toContain('could not deploy server: no nodes exist in the selected location(s)');
  });
});

describe('calagopus through the engine: a lost answer and replays', () => {
  it('ends with exactly one server when the create answer is lost after the panel made it, found by its mark', async () => {
    emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/api/admin/servers' });
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    const servers = panelServerFor(serviceId);
    expect(servers).toHaveLength(1);
    const all = calls(emulator);
    const post = all.indexOf('POST /api/admin/servers');
    expect(all.slice(post + 1)).toEqual([`GET /api/admin/servers/external/${mark(serviceId)}`]);
    expect((await plain.harness.engine.services.get(serviceId)).remoteIds).toMatchObject({
      'Server UUID': servers[0]?.uuid,
    });
  });

  it('two creates of one client at once share the account provisio made', async () => {
    const productId = await plain.product(NODE_PRODUCT);
    const { clientId, serviceId } = await plain.service(productId);
    const second = await plain.harness.engine.services.create({ clientId, productId });
    const ops = await Promise.all([serviceId, second.id].map((id) => plain.harness.engine.run(id, 'create')));
    expect(ops.map((op) => op.status)).toEqual(['succeeded', 'succeeded']);
    const owners = new Set(
      [...panelServerFor(serviceId), ...panelServerFor(second.id)].map((s) => s.owner_uuid),
    );
    expect(owners.size).toBe(1);
    const accounts = [...emulator.state.users.values()].filter(
      (u) => u.external_id === `provisio-client-${clientId}`,
    );
    expect(accounts).toHaveLength(1);
  });
});

describe('calagopus through the engine: panel accounts', () => {
  it('uses the account provisio made for the client before', async () => {
    const productId = await plain.product(NODE_PRODUCT);
    const { clientId, serviceId } = await plain.service(productId);
    expect((await plain.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    const second = await plain.harness.engine.services.create({ clientId, productId });
    emulator.clearRequests();
    expect((await plain.harness.engine.run(second.id, 'create')).status).toBe('succeeded');
    expect(calls(emulator)).not.toContain('POST /api/admin/users');
  });

  it('uses the account with the same email after a 409, without changing it', async () => {
    const user = emulator.seed('user', { username: 'kirk', email: 'JTK@example.com' }) as { uuid: string };
    const before = structuredClone(emulator.state.users.get(user.uuid));
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT), {
      email: 'jtk@example.com',
      firstName: 'James',
      lastName: 'Kirk',
    });
    expect((await plain.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    expect(calls(emulator).filter((c) => c.startsWith('PATCH'))).toEqual([]);
    expect(emulator.state.users.get(user.uuid)).toEqual(before);
    expect(panelServerFor(serviceId)[0]?.owner_uuid).toBe(user.uuid);
  });

  it('refuses an account matched by username alone', async () => {
    const { engine } = plain.harness;
    const client = await engine.clients.create({
      email: 'worf@example.com',
      firstName: 'Worf',
      lastName: 'Rozhenko',
    });
    const username = `${'worfrozhenko'.slice(0, 14 - String(client.id).length)}_${client.id}`;
    emulator.seed('user', { username, email: 'someone-else@example.com' });
    const service = await engine.services.create({
      clientId: client.id,
      productId: await plain.product(NODE_PRODUCT),
    });
    const op = await engine.run(service.id, 'create');
    expect([op.status, op.errorCode]).toEqual(['failed', 'calagopus.username_only_match']);
    expect(op.errorMessage).toContain(`A panel account named ${username} exists but its email differs`);
    expect(panelServerFor(service.id)).toHaveLength(0);
  });

  it('refuses a client with an empty last name with a clear message, before calling POST /users', async () => {
    const { clientId, serviceId } = await plain.service(await plain.product(NODE_PRODUCT), {
      firstName: 'Data',
      lastName: ' ',
    });
    const op = await plain.harness.engine.run(serviceId, 'create');
    expect([op.status, op.errorKind]).toEqual(['failed', 'invalid-input']);
    expect(op.errorMessage).toBe(
      `Client #${clientId} has no last name; Calagopus requires both a first and a last name for panel accounts. Add the last name to the client and retry the create.`,
    );
    expect(calls(emulator)).not.toContain('POST /api/admin/users');
  });

  it('changes the password of the account provisio made, and refuses one the client brought', async () => {
    const { engine } = plain.harness;
    const { clientId, serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    expect((await engine.run(serviceId, 'create')).status).toBe('succeeded');
    const op = await engine.run(serviceId, 'change-password', {
      secretArgs: { password: 'NewPassw0rd-Long' },
    });
    expect(op.status).toBe('succeeded');
    const account = [...emulator.state.users.values()].find(
      (u) => u.external_id === `provisio-client-${clientId}`,
    );
    expect(account?.password).toBe('NewPassw0rd-Long');
    expect(JSON.stringify(await engine.moduleLog.forOperation(op.id))).not.toContain('NewPassw0rd-Long');

    emulator.seed('user', { username: 'bringer', email: 'bring@example.com', password: 'their-own' });
    const brought = await plain.service(await plain.product(NODE_PRODUCT), { email: 'bring@example.com' });
    expect((await engine.run(brought.serviceId, 'create')).status).toBe('succeeded');
    const refused = await engine.run(brought.serviceId, 'change-password', {
      secretArgs: { password: 'Another-0ne!' },
    });
    expect([refused.status, refused.errorCode]).toEqual(['failed', 'calagopus.owner_foreign']);
    expect([...emulator.state.users.values()].find((u) => u.username === 'bringer')?.password).toBe(
      'their-own',
    );
  });
});

describe('calagopus products, connection test, views and custom actions', () => {
  it('lists every product setting error at once and saves nothing', async () => {
    const { engine } = plain.harness;
    const error = await engine.products
      .create({
        name: 'Broken',
        module: 'calagopus',
        serverGroupId: plain.groupId,
        settings: {
          nestUuid: '',
          eggUuid: 'not-a-uuid',
          memory: '0',
          disk: 'lots',
          cpu: '-1',
          swap: '-2',
          ioWeight: '5',
          databaseLimit: 'x',
          customFeatureLimits: ':5',
        },
      })
      .then(
        () => ({ code: 'saved', details: [] as { field: string; message: string }[] }),
        (e: unknown) => e as { code: string; details: { field: string; message: string }[] },
      );
    expect(error.code).toBe('settings.invalid');
    expect(error.details).toHaveLength(10);
    expect(calls(emulator)).toEqual([]);
  });

  it('tests the connection by listing locations, reports a bad key as auth, and a 429 without promising a retry', async () => {
    const { engine } = plain.harness;
    const result = await engine.servers.testConnection(plain.serverId);
    expect(result.summary).toContain('3 locations');
    expect(emulator.requests()[0]).toMatchObject({
      method: 'GET',
      path: '/api/admin/locations',
      query: '?page=1&per_page=100',
    });
    emulator.setRateLimit({ limit: 1, windowSeconds: 30 });
    const limited = await engine.servers.testConnection(plain.serverId).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    emulator.setRateLimit(null);
    expect(limited?.code).toBe('calagopus.rate_limited');
    expect(limited?.message).toMatch(/try again in \d+ s$/);
    expect(limited?.message).not.toContain('retried');
  });

  it('shows the client area and admin fields as plain values with a panel link and no login link', async () => {
    const { engine } = plain.harness;
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT), {
      firstName: 'Beverly',
      lastName: '<Crusher>',
    });
    expect((await engine.run(serviceId, 'create')).status).toBe('succeeded');
    const uuid = panelServerFor(serviceId)[0]?.uuid as string;
    emulator.clearRequests();
    const client = await engine.services.view(serviceId, 'client');
    expect(client.fields.map((f) => [f.label, f.value])).toEqual([
      ['Server Name', `MC-${serviceId}`],
      ['Status', 'installing'],
      ['Address', expect.stringMatching(/^play\.eu\.example:\d+$/)],
      ['Memory', '1024 MB'],
      ['Disk', '10240 MB'],
      ['CPU', '100%'],
      ['Panel', 'Go to Server Panel →'],
    ]);
    expect(client.fields.at(-1)?.href).toBe(`http://127.0.0.1:${emulator.port}/server/${uuid}`);
    const admin = await engine.services.view(serviceId, 'admin');
    expect(Object.fromEntries(admin.fields.map((f) => [f.label, f.value]))).toMatchObject({
      'Server UUID': uuid,
      Owner: 'Beverly <Crusher>',
      Suspended: 'No',
    });
    // Views only read.
    expect(emulator.requests().every((r) => r.method === 'GET')).toBe(true);
  });

  it('runs the custom actions on our server with the arguments they declare', async () => {
    const { engine } = plain.harness;
    const { serviceId } = await plain.service(await plain.product(NODE_PRODUCT));
    expect((await engine.run(serviceId, 'create')).status).toBe('succeeded');
    const [server] = panelServerFor(serviceId);
    emulator.drift('status', { uuid: server?.uuid, status: 'install_failed' });
    expect((await engine.run(serviceId, 'custom:clear-state')).status).toBe('succeeded');
    expect(server?.status).toBeNull();
    expect(
      (await engine.run(serviceId, 'custom:rename', { args: { serverName: 'Survival World' } })).status,
    ).toBe('succeeded');
    expect(server?.name).toBe('Survival World');
  });
});
