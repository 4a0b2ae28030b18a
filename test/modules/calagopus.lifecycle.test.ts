import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

let emulator: CalagopusEmulator;
let harness: TestEngine;
const groups: Record<'plain' | 'ranged', number> = { plain: 0, ranged: 0 };

const NODE_PRODUCT = {
  nestUuid: FIXTURE.nestMinecraft,
  eggUuid: FIXTURE.eggPaper,
  nodeUuid: FIXTURE.nodeEu1,
  serverNamePrefix: 'MC-',
  backupLimit: '2',
  customFeatureLimits: 'plugins:5, worlds:3',
  variables: 'SERVER_JARFILE=paper.jar\nMINECRAFT_VERSION = 1.21',
};
const DEPLOY_PRODUCT = {
  nestUuid: FIXTURE.nestMinecraft,
  eggUuid: FIXTURE.eggPaper,
  locationUuids: `${FIXTURE.locationUs},`,
};

async function addServer(name: string, settings: Record<string, string | boolean>) {
  const server = await harness.engine.servers.create({
    name,
    module: 'calagopus',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    secret: FIXTURE.apiKey,
    settings,
  });
  return (await harness.engine.serverGroups.create({ name, fillType: 'least-full', serverIds: [server.id] }))
    .id;
}

async function serviceFor(
  settings: Record<string, unknown>,
  client: { firstName?: string; lastName?: string; email?: string } = {},
  group: keyof typeof groups = 'plain',
) {
  const { engine } = harness;
  const created = await engine.clients.create({
    email: client.email ?? `player${Math.random().toString(36).slice(2, 8)}@example.com`,
    firstName: client.firstName ?? 'Jean-Luc',
    lastName: client.lastName ?? 'Picard',
  });
  const product = await engine.products.create({
    name: `Game ${Math.random().toString(36).slice(2, 7)}`,
    module: 'calagopus',
    serverGroupId: groups[group],
    settings,
  });
  const service = await engine.services.create({ clientId: created.id, productId: product.id });
  return { client: created, product, service };
}

function panelServerFor(serviceId: number) {
  return emulator.servers().filter((s) => s.external_id === String(serviceId));
}

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  harness = await createTestEngine({ modules: [calagopusModule] });
  groups.plain = await addServer('panel', {});
  groups.ranged = await addServer('panel-ranged', {
    deployPortRange: '25565-25600',
    deleteBackupsOnTerminate: false,
  });
});
afterEach(() => {
  emulator.clearRequests();
  emulator.faults.dropAfterCommit.length = 0;
  emulator.faults.wingsCreateFailures = 0;
});
afterAll(async () => {
  await harness.close();
  await emulator.close();
});

describe('calagopus through the engine: node mode', () => {
  it('creates, suspends, unsuspends, changes package and terminates with the reference call sequence', async () => {
    const { engine } = harness;
    const { client, service } = await serviceFor(NODE_PRODUCT);
    const op = await engine.run(service.id, 'create');
    expect(op.status).toBe('succeeded');
    expect(emulator.calls()).toEqual([
      `GET /api/admin/servers/external/${service.id}`,
      `GET /api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}`,
      `GET /api/admin/users/external/${client.id}`,
      'POST /api/admin/users',
      `GET /api/admin/nodes/${FIXTURE.nodeEu1}/allocations/available`,
      'POST /api/admin/servers',
    ]);
    expect(emulator.requests.every((r) => r.body === '' || r.contentType === 'application/json')).toBe(true);
    expect(JSON.parse(emulator.requests[3]?.body ?? '{}')).toMatchObject({
      username: `${'jeanlucpicard'.slice(0, 14 - String(client.id).length)}_${client.id}`,
      external_id: String(client.id),
      admin: false,
      send_email: true,
      language: 'en',
    });
    const [server] = panelServerFor(service.id);
    expect(server).toMatchObject({
      name: `MC-${service.id}`,
      node_uuid: FIXTURE.nodeEu1,
      status: 'installing',
      feature_limits: { allocations: 1, databases: 0, backups: 2, schedules: 0 },
      limits: { cpu: 100, memory: 1024, disk: 10240, swap: 0, memory_overhead: 0, io_weight: null },
      image: 'ghcr.io/pterodactyl/yolks:java_21',
    });
    expect(Object.fromEntries(server?.variables ?? [])).toEqual({
      SERVER_JARFILE: 'paper.jar',
      MINECRAFT_VERSION: '1.21',
    });
    const sent = JSON.parse(emulator.requests[5]?.body ?? '{}');
    expect(sent).toMatchObject({
      allocation_uuids: [],
      pinned_cpus: [],
      feature_limits: { plugins: 5, worlds: 3 },
    });
    const uuid = server?.uuid as string;
    expect((await engine.services.get(service.id)).remoteIds).toMatchObject({
      'Server UUID': uuid,
      'Server ID': uuid.slice(0, 8),
    });

    emulator.clearRequests();
    expect((await engine.run(service.id, 'suspend')).status).toBe('succeeded');
    expect(emulator.calls()).toEqual([`PATCH /api/admin/servers/${uuid}`]);
    expect(emulator.requests[0]?.body).toBe('{"suspended":true}');
    expect(server?.is_suspended).toBe(true);

    emulator.clearRequests();
    expect((await engine.run(service.id, 'unsuspend')).status).toBe('succeeded');
    expect(emulator.requests.map((r) => `${r.method} ${r.body}`)).toEqual(['PATCH {"suspended":false}']);

    const bigger = await engine.products.create({
      name: 'Game bigger',
      module: 'calagopus',
      serverGroupId: groups.plain,
      settings: {
        ...NODE_PRODUCT,
        memory: '4096',
        ioWeight: '500',
        dockerImage: 'ghcr.io/example/java:22',
        variables: 'SERVER_JARFILE=big.jar',
      },
    });
    emulator.clearRequests();
    expect((await engine.run(service.id, 'change-package', { args: { productId: bigger.id } })).status).toBe(
      'succeeded',
    );
    expect(emulator.calls()).toEqual([
      `PATCH /api/admin/servers/${uuid}`,
      `PUT /api/admin/servers/${uuid}/variables`,
    ]);
    expect(server).toMatchObject({
      limits: { memory: 4096, io_weight: 500 },
      image: 'ghcr.io/example/java:22',
    });
    expect(server?.variables.get('SERVER_JARFILE')).toBe('big.jar');

    emulator.setBackups(uuid, 3);
    emulator.clearRequests();
    const deletedBefore = emulator.state.deletedBackups;
    expect((await engine.run(service.id, 'terminate')).status).toBe('succeeded');
    expect(emulator.calls()).toEqual([`GET /api/admin/servers/${uuid}`, `DELETE /api/admin/servers/${uuid}`]);
    expect(JSON.parse(emulator.requests[1]?.body ?? '{}')).toEqual({ force: false, delete_backups: true });
    expect(emulator.state.deletedBackups - deletedBefore).toBe(3);
    expect(panelServerFor(service.id)).toHaveLength(0);
  });

  it('fails with the reference message when the node has no free allocation, before anything is created', async () => {
    const { service } = await serviceFor({ ...NODE_PRODUCT, nodeUuid: FIXTURE.nodeUs2 });
    const op = await harness.engine.run(service.id, 'create');
    expect(op.status).toBe('failed');
    expect(op.errorMessage).toMatch(/^No available allocations on the selected node\./);
    expect(emulator.calls().at(-1)).toBe(`GET /api/admin/nodes/${FIXTURE.nodeUs2}/allocations/available`);
    expect(panelServerFor(service.id)).toHaveLength(0);
  });

  it('retries a create the panel refused with 500 (Wings down) and ends with one server', async () => {
    emulator.faults.wingsCreateFailures = 1;
    const { service } = await serviceFor(NODE_PRODUCT);
    const op = await harness.engine.run(service.id, 'create');
    expect(op.status).toBe('succeeded');
    expect(op.attempts).toBe(2);
    expect(panelServerFor(service.id)).toHaveLength(1);
  });
});

describe('calagopus through the engine: deploy mode', () => {
  it('deploys across locations, then suspends, unsuspends, changes package and terminates in order', async () => {
    const { engine } = harness;
    const { client, service } = await serviceFor(DEPLOY_PRODUCT, {}, 'ranged');
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(emulator.calls()).toEqual([
      `GET /api/admin/servers/external/${service.id}`,
      `GET /api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}`,
      `GET /api/admin/users/external/${client.id}`,
      'POST /api/admin/users',
      'POST /api/admin/servers/deploy',
    ]);
    const body = JSON.parse(emulator.requests[4]?.body ?? '{}');
    expect(body.deployment).toEqual({
      location_uuids: [FIXTURE.locationUs],
      allow_overallocation: false,
      allocations: { dedicated: false, primary: { start_port: 25565, end_port: 25600 }, additional: [] },
    });
    expect(body).not.toHaveProperty('node_uuid');
    const [server] = panelServerFor(service.id);
    expect(server).toMatchObject({ name: `Server-${service.id}`, node_uuid: FIXTURE.nodeUs1 });
    expect(server?.allocations).toHaveLength(1);
    const uuid = server?.uuid as string;

    for (const [action, expected] of [
      ['suspend', [`PATCH /api/admin/servers/${uuid}`]],
      ['unsuspend', [`PATCH /api/admin/servers/${uuid}`]],
      ['change-package', [`PATCH /api/admin/servers/${uuid}`]],
      ['terminate', [`GET /api/admin/servers/${uuid}`, `DELETE /api/admin/servers/${uuid}`]],
    ] as const) {
      emulator.clearRequests();
      expect((await engine.run(service.id, action)).status).toBe('succeeded');
      expect(emulator.calls()).toEqual(expected);
    }
    // This server's settings turn backup deletion off.
    expect(JSON.parse(emulator.requests[1]?.body ?? '{}')).toEqual({ force: false, delete_backups: false });
  });

  it('without a port range leaves allocation to the panel, which on a fresh panel gives no port', async () => {
    const { service } = await serviceFor(DEPLOY_PRODUCT);
    expect((await harness.engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(JSON.parse(emulator.requests.at(-1)?.body ?? '{}').deployment).toEqual({
      location_uuids: [FIXTURE.locationUs],
      allow_overallocation: false,
    });
    expect(panelServerFor(service.id)[0]?.allocations).toEqual([]);
  });

  it('reports the panel deploy reason', async () => {
    const { service } = await serviceFor({ ...DEPLOY_PRODUCT, locationUuids: FIXTURE.locationEmpty });
    const op = await harness.engine.run(service.id, 'create');
    expect([op.status, op.errorKind]).toEqual(['failed', 'invalid-input']);
    expect(op.errorMessage).toContain('could not deploy server: no nodes exist in the selected location(s)');
  });
});

describe('calagopus through the engine: a lost answer and replays', () => {
  it('ends with exactly one server when the create answer is lost after the panel made it, adopted by lookup', async () => {
    emulator.faults.dropAfterCommit.push({ method: 'POST', pathPrefix: '/api/admin/servers', remaining: 1 });
    const { service } = await serviceFor(NODE_PRODUCT);
    const op = await harness.engine.run(service.id, 'create');
    expect(op.status).toBe('succeeded');
    const servers = panelServerFor(service.id);
    expect(servers).toHaveLength(1);
    const calls = emulator.calls();
    const post = calls.indexOf('POST /api/admin/servers');
    expect(emulator.requests[post]?.status).toBe('dropped');
    expect(calls.slice(post + 1)).toEqual([`GET /api/admin/servers/external/${service.id}`]);
    expect((await harness.engine.services.get(service.id)).remoteIds).toMatchObject({
      'Server UUID': servers[0]?.uuid,
    });
  });

  it('adopts a server the panel already has for this service instead of making a second one', async () => {
    const { client, service } = await serviceFor(NODE_PRODUCT);
    const owner = emulator.addUser({
      username: 'earlier',
      email: 'earlier@example.com',
      external_id: String(client.id),
    });
    const earlier = await harness.engine.run((await serviceFor(NODE_PRODUCT)).service.id, 'create');
    expect(earlier.status).toBe('succeeded');
    // A previous attempt made this one: same external id, our client's account.
    const made = emulator.servers().at(-1) as {
      external_id: string | null;
      owner_uuid: string;
      uuid: string;
    };
    made.external_id = String(service.id);
    made.owner_uuid = owner.uuid;
    emulator.clearRequests();
    expect((await harness.engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(emulator.calls()).toEqual([`GET /api/admin/servers/external/${service.id}`]);
    expect(panelServerFor(service.id)).toHaveLength(1);
    expect((await harness.engine.services.get(service.id)).remoteIds).toMatchObject({
      'Server UUID': made.uuid,
    });
  });
});

describe('calagopus through the engine: panel users', () => {
  it('uses the account already linked by external id', async () => {
    const { engine } = harness;
    const client = await engine.clients.create({
      email: 'linked@example.com',
      firstName: 'Linked',
      lastName: 'Player',
    });
    const user = emulator.addUser({
      username: 'linked',
      email: 'linked@example.com',
      external_id: String(client.id),
    });
    const product = await engine.products.create({
      name: 'Linked',
      module: 'calagopus',
      serverGroupId: groups.plain,
      settings: NODE_PRODUCT,
    });
    const service = await engine.services.create({ clientId: client.id, productId: product.id });
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(emulator.calls()).not.toContain('POST /api/admin/users');
    expect(panelServerFor(service.id)[0]?.owner_uuid).toBe(user.uuid);
  });

  it('links the account with the same email after a 409', async () => {
    const user = emulator.addUser({ username: 'kirk', email: 'JTK@example.com' });
    const { client, service } = await serviceFor(NODE_PRODUCT, {
      email: 'jtk@example.com',
      firstName: 'James',
      lastName: 'Kirk',
    });
    expect((await harness.engine.run(service.id, 'create')).status).toBe('succeeded');
    const calls = emulator.calls();
    expect(calls.slice(2, 6)).toEqual([
      `GET /api/admin/users/external/${client.id}`,
      'POST /api/admin/users',
      'GET /api/admin/users',
      `PATCH /api/admin/users/${user.uuid}`,
    ]);
    expect(emulator.requests[3]?.status).toBe(409);
    expect(user.external_id).toBe(String(client.id));
    expect(panelServerFor(service.id)[0]?.owner_uuid).toBe(user.uuid);
  });

  it('refuses to link an account matched by username alone', async () => {
    const { engine } = harness;
    const client = await engine.clients.create({
      email: 'worf@example.com',
      firstName: 'Worf',
      lastName: 'Rozhenko',
    });
    const username = `${'worfrozhenko'.slice(0, 14 - String(client.id).length)}_${client.id}`;
    const squatter = emulator.addUser({ username, email: 'someone-else@example.com' });
    const product = await engine.products.create({
      name: 'Worf',
      module: 'calagopus',
      serverGroupId: groups.plain,
      settings: NODE_PRODUCT,
    });
    const service = await engine.services.create({ clientId: client.id, productId: product.id });
    const op = await engine.run(service.id, 'create');
    expect([op.status, op.errorKind]).toEqual(['failed', 'conflict']);
    expect(op.errorMessage).toContain(
      `A panel account named ${squatter.username} exists but its email differs`,
    );
    expect(op.errorMessage).toContain('refusing to link it');
    expect(squatter.external_id).toBeNull();
    expect(emulator.calls().some((c) => c.startsWith('PATCH'))).toBe(false);
    expect(panelServerFor(service.id)).toHaveLength(0);
  });

  it('refuses a client with an empty last name with a clear message, before calling POST /users', async () => {
    const { client, service } = await serviceFor(NODE_PRODUCT, { firstName: 'Data', lastName: ' ' });
    const op = await harness.engine.run(service.id, 'create');
    expect([op.status, op.errorKind]).toEqual(['failed', 'invalid-input']);
    expect(op.errorMessage).toBe(
      `Client #${client.id} has no last name; Calagopus requires both a first and a last name for panel accounts. Add the last name to the client and retry the create.`,
    );
    expect(emulator.calls()).not.toContain('POST /api/admin/users');
  });
});

describe('calagopus products, connection test and views', () => {
  it('lists every product setting error at once and saves nothing', async () => {
    const { engine } = harness;
    const error = await engine.products
      .create({
        name: 'Broken',
        module: 'calagopus',
        serverGroupId: groups.plain,
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
    expect(error.details.map((d) => d.message)).toEqual(
      expect.arrayContaining([
        'Nest UUID is required.',
        'Egg UUID must be a UUID (copy it from the panel).',
        'Memory must be a positive integer (MB).',
        'Disk must be a positive integer (MB).',
        'CPU limit must be a non-negative integer.',
        'Swap must be -1 (unlimited) or a non-negative integer (MB).',
        'IO Weight must be an integer between 10 and 1000.',
        'Database Limit must be a non-negative integer.',
        'Custom Feature Limits must be key:value pairs separated by commas, e.g. plugins:5,worlds:3.',
        'Either Node UUID or Location UUIDs (deploy mode) must be provided.',
      ]),
    );
    expect(error.details).toHaveLength(10);
    expect(emulator.calls()).toEqual([]);
    expect((await engine.products.list({ module: 'calagopus' })).some((p) => p.name === 'Broken')).toBe(
      false,
    );
  });

  it('tests the connection by listing locations, and reports a bad key as auth', async () => {
    const { engine } = harness;
    const panel = await engine.servers.create({
      name: 'ok',
      module: 'calagopus',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      secret: FIXTURE.apiKey,
    });
    const result = await engine.servers.testConnection(panel.id);
    expect(result.summary).toContain('3 locations');
    expect(emulator.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/admin/locations',
      query: 'page=1&per_page=100',
    });
    const bad = await engine.servers.create({
      name: 'bad',
      module: 'calagopus',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      secret: `c7sp_${'z'.repeat(43)}`,
    });
    await expect(engine.servers.testConnection(bad.id)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('invalid api key'),
    });
  });

  it('shows the client area and admin fields as plain values with a panel link', async () => {
    const { engine } = harness;
    const { service } = await serviceFor(NODE_PRODUCT, { firstName: 'Beverly', lastName: '<Crusher>' });
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    const uuid = panelServerFor(service.id)[0]?.uuid as string;
    const client = await engine.services.view(service.id, 'client');
    const link = `http://127.0.0.1:${emulator.port}/server/${uuid}`;
    expect(client.fields.map((f) => [f.label, f.value])).toEqual([
      ['Server Name', `MC-${service.id}`],
      ['Status', 'installing'],
      ['Address', expect.stringMatching(/^play\.eu\.example:\d+$/)],
      ['Memory', '1024 MB'],
      ['Disk', '10240 MB'],
      ['CPU', '100%'],
      ['Panel', 'Go to Server Panel →'],
    ]);
    expect(client.loginUrl).toBe(link);
    const admin = await engine.services.view(service.id, 'admin');
    expect(Object.fromEntries(admin.fields.map((f) => [f.label, f.value]))).toEqual({
      'Server UUID': uuid,
      'Server Name': `MC-${service.id}`,
      Node: 'eu-node-1',
      Owner: 'Beverly <Crusher>',
      Suspended: 'No',
      'Panel Link': 'Open in Panel',
    });
  });
});
