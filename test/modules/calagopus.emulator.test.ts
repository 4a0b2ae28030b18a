import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { nodeCreateBody, rawCall } from './calagopus.support.js';

let emulator: CalagopusEmulator;

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
});
afterEach(() => emulator.reset());
afterAll(async () => {
  await emulator.close();
});

describe('calagopus emulator: authentication ladder (spec §1.2)', () => {
  it('answers each rung with the panel text', async () => {
    expect((await rawCall(emulator, 'GET', '/api/admin/locations', { key: null })).json.errors).toEqual([
      'missing authorization',
    ]);
    const short = await rawCall(emulator, 'GET', '/api/admin/locations', {
      headers: { authorization: 'Bearer short' },
    });
    expect([short.status, short.json.errors]).toEqual([401, ['invalid authorization header']]);
    const lower = await rawCall(emulator, 'GET', '/api/admin/locations', {
      headers: { authorization: `bearer ${FIXTURE.apiKey}` },
    });
    expect([lower.status, lower.json.errors]).toEqual([401, ['invalid api key']]);
    const wrong = await rawCall(emulator, 'GET', '/api/admin/locations', { key: `c7sp_${'x'.repeat(43)}` });
    expect(wrong.json.errors).toEqual(['invalid api key']);
    const ipKey = emulator.createApiKey({ allowedIps: ['10.0.0.0/8'] });
    const ip = await rawCall(emulator, 'GET', '/api/admin/locations', { key: ipKey });
    expect([ip.status, ip.json.errors]).toEqual([403, ['ip address not allowed for this api key']]);
    const suspendedKey = emulator.createApiKey({ user: { suspended: true } });
    expect(
      (await rawCall(emulator, 'GET', '/api/admin/locations', { key: suspendedKey })).json.errors,
    ).toEqual(['account is suspended']);
    const plainKey = emulator.createApiKey({ user: { admin: false } });
    const plain = await rawCall(emulator, 'GET', '/api/admin/locations', { key: plainKey });
    expect([plain.status, plain.json.errors]).toEqual([401, ['unauthorized']]);
  });

  it('needs the permission on the key as well as on the user', async () => {
    const key = emulator.createApiKey({ permissions: ['locations.read', 'servers.read'] });
    expect((await rawCall(emulator, 'GET', '/api/admin/locations', { key })).status).toBe(200);
    const denied = await rawCall(emulator, 'POST', '/api/admin/servers', { key, body: nodeCreateBody() });
    expect([denied.status, denied.json.errors]).toEqual([
      403,
      ['you do not have permission to perform this action: servers.create'],
    ]);
  });

  it('answers unknown /api paths with route not found before authentication', async () => {
    const response = await rawCall(emulator, 'GET', '/api/admin/nothing-here', { key: null });
    expect([response.status, response.json.errors]).toEqual([404, ['route not found']]);
  });
});

describe('calagopus emulator: payloads and validation (spec §2.2)', () => {
  it('is strict about Content-Type and treats an empty body as {}', async () => {
    const missing = await rawCall(emulator, 'POST', '/api/admin/users', { rawBody: '{}', contentType: null });
    expect(missing.json.errors).toEqual(['invalid payload: missing content type header']);
    const charset = await rawCall(emulator, 'POST', '/api/admin/users', {
      rawBody: '{}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.json.errors).toEqual(['invalid payload: unsupported content type']);
    const server = (await rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() })).json
      .server as { uuid: string };
    const empty = await rawCall(emulator, 'DELETE', `/api/admin/servers/${server.uuid}`, {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect([empty.status, empty.json]).toEqual([200, {}]);
  });

  it('reports serde missing fields, route-level lists and double-encoded model-level lists', async () => {
    const { allocation_uuids: _dropped, ...withoutAllocations } = nodeCreateBody();
    const missing = await rawCall(emulator, 'POST', '/api/admin/servers', { body: withoutAllocations });
    expect(missing.json.errors?.[0]).toMatch(
      /^invalid payload: missing field `allocation_uuids` at line 1 column \d+$/,
    );
    const route = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({
        name: 'ab',
        limits: { cpu: 100, memory: 1024, memory_overhead: 0, swap: 0, disk: 1, io_weight: 1001 },
      }),
    });
    expect([route.status, route.json.errors]).toEqual([
      400,
      ['name: length is lower than 3', 'limits.io_weight: greater than 1000'],
    ]);
    const model = await rawCall(emulator, 'POST', '/api/admin/users', {
      body: {
        username: 'ab',
        email: 'x@example.com',
        name_first: 'A',
        name_last: 'B',
        admin: false,
        language: 'en',
      },
    });
    expect(model.json.errors).toEqual(['{"errors":["username: length is lower than 3"]}']);
    const noAdmin = await rawCall(emulator, 'POST', '/api/admin/users', {
      body: { username: 'abc', email: 'x@example.com', name_first: 'A', name_last: 'B', language: 'en' },
    });
    expect(noAdmin.json.errors?.[0]).toMatch(/missing field `admin`/);
  });

  it('rejects invalid relations and validates egg variable rules', async () => {
    const badNode = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ node_uuid: '99999999-0000-4000-8000-000000000000', allocation_uuid: undefined }),
    });
    expect(badNode.json.errors).toEqual(['invalid relation `node` provided']);
    const emptyJar = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ variables: [{ env_variable: 'SERVER_JARFILE', value: '' }] }),
    });
    expect(emptyJar.json.errors).toEqual(['SERVER_JARFILE: is required and cannot be empty']);
  });
});

describe('calagopus emulator: conflicts, deploy and server state', () => {
  it('answers 409 for a taken email (case-insensitive) and a taken allocation; duplicate server external ids are allowed', async () => {
    const user = {
      username: 'alice_1',
      email: 'Alice@Example.com',
      name_first: 'Alice',
      name_last: 'A',
      admin: false,
      language: 'en',
    };
    expect((await rawCall(emulator, 'POST', '/api/admin/users', { body: user })).status).toBe(200);
    const again = await rawCall(emulator, 'POST', '/api/admin/users', {
      body: { ...user, username: 'alice_2', email: 'alice@example.com' },
    });
    expect([again.status, again.json.errors]).toEqual([409, ['user with email/username already exists']]);

    const allocation = '60000000-0000-4000-8000-000000000001';
    const first = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ allocation_uuid: allocation }),
    });
    expect(first.json.server).toMatchObject({
      status: 'installing',
      external_id: '900',
      allocation: { ip: '10.0.0.5', port: 25565 },
    });
    const server = first.json.server as { uuid: string; uuid_short: string; allocation: { uuid: string } };
    expect(server.uuid_short).toBe(server.uuid.slice(0, 8));
    expect(server.allocation.uuid).not.toBe(allocation);
    const taken = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ allocation_uuid: allocation }),
    });
    expect([taken.status, taken.json.errors]).toEqual([
      409,
      ['server with allocation(s) or external id already exists'],
    ]);
    const duplicate = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ skip_installer: true }),
    });
    expect(duplicate.json.server).toMatchObject({ external_id: '900', status: null });
  });

  it('gives the deploy failure reasons and deploys without a port when no rules exist', async () => {
    const deployBody = (locations: string[], extra: Record<string, unknown> = {}) => {
      const { node_uuid: _n, allocation_uuids: _a, ...body } = nodeCreateBody();
      return { ...body, deployment: { location_uuids: locations, allow_overallocation: false, ...extra } };
    };
    const none = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: deployBody([FIXTURE.locationEmpty]),
    });
    expect(none.json.errors).toEqual(['could not deploy server: no nodes exist in the selected location(s)']);
    const big = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: {
        ...deployBody([FIXTURE.locationEu]),
        limits: { cpu: 100, memory: 999999, memory_overhead: 0, swap: 0, disk: 1 },
      },
    });
    expect(big.json.errors).toEqual([
      'could not deploy server: no node in the selected location(s) has enough unallocated memory',
    ]);
    const portless = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: deployBody([FIXTURE.locationUs]),
    });
    expect(portless.json.server).toMatchObject({ allocation: null, node: { uuid: FIXTURE.nodeUs1 } });
    const ruled = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: deployBody([FIXTURE.locationUs], {
        allocations: { dedicated: false, primary: { start_port: 25566, end_port: 25600 }, additional: [] },
      }),
    });
    expect(ruled.json.server).toMatchObject({ allocation: { ip: '10.1.0.5', port: 25566 } });
    const noPort = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: deployBody([FIXTURE.locationUs], {
        allocations: { dedicated: false, primary: { start_port: 1, end_port: 2 }, additional: [] },
      }),
    });
    expect(noPort.json.errors).toEqual(['could not deploy server: no available primary allocation found']);
  });

  it('lists available allocations by ip and port and paginates with route-level limits', async () => {
    const page = await rawCall(
      emulator,
      'GET',
      `/api/admin/nodes/${FIXTURE.nodeEu1}/allocations/available?page=7&per_page=3`,
    );
    expect(page.json.allocations).toMatchObject({
      total: 20,
      per_page: 3,
      page: 7,
      data: [{ port: 25583 }, { port: 25584 }],
    });
    const tooMany = await rawCall(emulator, 'GET', '/api/admin/locations?per_page=101');
    expect([tooMany.status, tooMany.json.errors]).toEqual([400, ['per_page: greater than 100']]);
    const notNumber = await rawCall(emulator, 'GET', '/api/admin/locations?per_page=abc');
    expect(notNumber.status).toBe(400);
    expect(notNumber.json.errors).toBeUndefined();
  });
});

describe('calagopus emulator: faults and rate limit', () => {
  it('Wings failure on create answers 500 and persists nothing; on delete 417 unless forced', async () => {
    emulator.faults.wingsCreateFailures = 1;
    const failed = await rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() });
    expect([failed.status, failed.json.errors]).toEqual([500, ['internal server error']]);
    expect(emulator.servers()).toHaveLength(0);
    const server = (await rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() })).json
      .server as { uuid: string };
    emulator.faults.wingsDeleteFailures = 1;
    const refused = await rawCall(emulator, 'DELETE', `/api/admin/servers/${server.uuid}`, {
      body: { force: false, delete_backups: true },
    });
    expect(refused.status).toBe(417);
    expect(refused.json.errors?.[0]).toMatch(/^failed to delete server: /);
    expect(emulator.servers()).toHaveLength(1);
  });

  it('rate-limits per client address with Retry-After', async () => {
    emulator.faults.rateLimit = { limit: 2, windowSeconds: 30 };
    await rawCall(emulator, 'GET', '/api/admin/locations');
    await rawCall(emulator, 'GET', '/api/admin/locations');
    const limited = await rawCall(emulator, 'GET', '/api/admin/locations');
    expect(limited.status).toBe(429);
    expect(limited.json.errors?.[0]).toMatch(/^you are ratelimited, retry in \d+s$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('drops the connection after committing, and exposes the same controls over HTTP', async () => {
    const armed = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({
        dropAfterCommit: [{ method: 'POST', pathPrefix: '/api/admin/servers', remaining: 1 }],
      }),
    });
    expect(armed.status).toBe(200);
    await expect(
      rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() }),
    ).rejects.toThrow();
    expect(emulator.servers()).toHaveLength(1);
    const log = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as {
      requests: { status: unknown }[];
    };
    expect(log.requests.map((r) => r.status)).toEqual(['dropped']);
    const uuid = emulator.servers()[0]?.uuid as string;
    await fetch(`${emulator.url}/__emulator/servers/${uuid}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'install_failed' }),
    });
    expect(
      (await rawCall(emulator, 'GET', `/api/admin/servers/${uuid.slice(0, 8)}`)).json.server,
    ).toMatchObject({ status: 'install_failed' });
  });
});
