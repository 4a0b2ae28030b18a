import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { deployBody, nodeCreateBody, rawCall } from './calagopus.support.js';

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
    const suspendedKey = emulator.createApiKey({
      user: { username: 'frozen1', email: 'f@x.example', suspended: true },
    });
    expect(
      (await rawCall(emulator, 'GET', '/api/admin/locations', { key: suspendedKey })).json.errors,
    ).toEqual(['account is suspended']);
    const plainKey = emulator.createApiKey({
      user: { username: 'plain1', email: 'p@x.example', admin: false },
    });
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

  it('reports serde missing fields at the end of the object, route-level lists and double-encoded model-level lists', async () => {
    const { allocation_uuids: _dropped, ...withoutAllocations } = nodeCreateBody();
    const text = JSON.stringify(withoutAllocations);
    const missing = await rawCall(emulator, 'POST', '/api/admin/servers', { rawBody: text });
    expect(missing.json.errors).toEqual([
      `invalid payload: missing field \`allocation_uuids\` at line 1 column ${text.length}`,
    ]);
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
    expect(noAdmin.json.errors?.[0]).toMatch(/^invalid payload: missing field `admin` at line 1 column \d+$/);
  });

  it('answers an invalid UUID with the uuid crate text, at the end of the value, without a field path', async () => {
    const text = JSON.stringify(nodeCreateBody({ owner_uuid: 'not-a-uuid' }));
    const bad = await rawCall(emulator, 'POST', '/api/admin/servers', { rawBody: text });
    const column = text.indexOf('"not-a-uuid"') + '"not-a-uuid"'.length;
    expect([bad.status, bad.json.errors]).toEqual([
      400,
      [
        `invalid payload: UUID parsing failed: invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`n\` at 1 at line 1 column ${column}`,
      ],
    ]);
    // The first bad value in body order wins, nested ones too (a trailing comma's empty location).
    const deploy = JSON.stringify(deployBody([FIXTURE.locationUs, '']));
    const empty = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', { rawBody: deploy });
    expect(empty.json.errors).toEqual([
      `invalid payload: UUID parsing failed: invalid length: expected length 32 for simple format, found 0 at line 1 column ${deploy.indexOf(',""') + 3}`,
    ]);
  });

  it('rejects invalid relations', async () => {
    const badNode = await rawCall(emulator, 'POST', '/api/admin/servers', {
      body: nodeCreateBody({ node_uuid: '99999999-0000-4000-8000-000000000000', allocation_uuid: undefined }),
    });
    expect(badNode.json.errors).toEqual(['invalid relation `node` provided']);
  });

  it('checks egg variable rules with the panel texts and answers only the first failure', async () => {
    const egg = emulator.seed('egg', {
      nest_uuid: FIXTURE.nestMinecraft,
      name: 'Rules',
      variables: [
        { env_variable: 'MAX_PLAYERS', default_value: '20', rules: ['required', 'integer', 'max:64'] },
        { env_variable: 'TPS', default_value: '20', rules: ['required', 'numeric'] },
        { env_variable: 'MOTD', default_value: '', rules: ['nullable', 'string', 'max:8'] },
      ],
    }) as { uuid: string };
    const send = (variables: { env_variable: string; value: string }[]) =>
      rawCall(emulator, 'POST', '/api/admin/servers', {
        body: nodeCreateBody({ egg_uuid: egg.uuid, variables }),
      });
    // With a numeric rule, max compares the number: 100 > 64 although "100" has 3 characters.
    expect((await send([{ env_variable: 'MAX_PLAYERS', value: '100' }])).json.errors).toEqual([
      'MAX_PLAYERS: must be less than or equal to 64',
    ]);
    expect((await send([{ env_variable: 'MAX_PLAYERS', value: 'many' }])).json.errors).toEqual([
      'MAX_PLAYERS: must be a valid integer',
    ]);
    // Two failures: the panel stops at the first.
    const both = await send([
      { env_variable: 'MAX_PLAYERS', value: '1.5' },
      { env_variable: 'TPS', value: 'fast' },
    ]);
    expect(both.json.errors).toEqual(['MAX_PLAYERS: must be a valid integer']);
    expect((await send([{ env_variable: 'TPS', value: 'fast' }])).json.errors).toEqual([
      'TPS: must be a valid numeric value',
    ]);
    // Without a numeric rule, max compares the length.
    expect((await send([{ env_variable: 'MOTD', value: 'far too long' }])).json.errors).toEqual([
      'MOTD: must be less than or equal to 8',
    ]);
    expect((await send([{ env_variable: 'MAX_PLAYERS', value: '' }])).json.errors).toEqual([
      'MAX_PLAYERS: is required and cannot be empty',
    ]);
    expect((await send([{ env_variable: 'MAX_PLAYERS', value: '64' }])).status).toBe(200);
  });
});

describe('calagopus emulator: conflicts and deploy (spec §5)', () => {
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

  it('refuses a location whose only deployable node is under maintenance', async () => {
    const location = emulator.seed('location', { name: 'maint' }) as { uuid: string };
    emulator.seed('node', { name: 'maint-1', location_uuid: location.uuid, maintenance_enabled: true });
    const answer = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
      body: deployBody([location.uuid]),
    });
    expect(answer.json.errors).toEqual([
      'could not deploy server: every deployable node in the selected location(s) is under maintenance',
    ]);
  });

  it('orders deploy candidates by the lowest fill, then draws weighted by free space (seeded)', async () => {
    const location = emulator.seed('location', { name: 'fill' }) as { uuid: string };
    const full = emulator.seed('node', {
      name: 'full',
      location_uuid: location.uuid,
      memory: 8192,
      disk: 100000,
    }) as {
      uuid: string;
    };
    const empty = emulator.seed('node', {
      name: 'empty',
      location_uuid: location.uuid,
      memory: 8192,
      disk: 100000,
    }) as {
      uuid: string;
    };
    emulator.seed('server', {
      name: 'resident',
      node_uuid: full.uuid,
      owner_uuid: FIXTURE.adminUser,
      allocation_uuid: null,
      limits: { memory: 7000, disk: 1000 },
    });
    const small = { cpu: 100, memory: 64, memory_overhead: 0, swap: 0, disk: 64 };
    const deployOnce = async (deployment: Record<string, unknown>) => {
      const answer = await rawCall(emulator, 'POST', '/api/admin/servers/deploy', {
        body: { ...deployBody([location.uuid], deployment), limits: small },
      });
      const server = answer.json.server as { uuid: string; node: { uuid: string } };
      await rawCall(emulator, 'DELETE', `/api/admin/servers/${server.uuid}`, { body: {} });
      return server.node.uuid;
    };
    // Deterministic (randomness 0): the emptiest node, never the fullest.
    expect(await deployOnce({ randomness: 0 })).toBe(empty.uuid);
    // Default randomness 0.5: a weighted draw, favouring the free node by far.
    const picks: string[] = [];
    for (let i = 0; i < 30; i++) picks.push(await deployOnce({}));
    expect(picks.filter((p) => p === empty.uuid).length).toBeGreaterThanOrEqual(27);
    // The same seed makes the same draws.
    const again = await startCalagopusEmulator({ seed: 1 });
    try {
      const replay = await startCalagopusEmulator({ seed: 1 });
      try {
        for (const panel of [again, replay]) {
          const loc = panel.seed('location', { uuid: location.uuid, name: 'fill' });
          expect(loc).toBeTruthy();
          panel.seed('node', {
            uuid: full.uuid,
            name: 'full',
            location_uuid: location.uuid,
            memory: 8192,
            disk: 100000,
          });
          panel.seed('node', {
            uuid: empty.uuid,
            name: 'empty',
            location_uuid: location.uuid,
            memory: 8192,
            disk: 100000,
          });
        }
        const draw = async (panel: CalagopusEmulator) => {
          const nodes: string[] = [];
          for (let i = 0; i < 10; i++) {
            const answer = await rawCall(panel, 'POST', '/api/admin/servers/deploy', {
              body: { ...deployBody([location.uuid], { randomness: 1 }), limits: small },
            });
            nodes.push((answer.json.server as { node: { uuid: string } }).node.uuid);
          }
          return nodes;
        };
        expect(await draw(again)).toEqual(await draw(replay));
      } finally {
        await replay.close();
      }
    } finally {
      await again.close();
    }
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

describe('calagopus emulator: faults and rate limit (kit)', () => {
  it('a Wings failure on create is an error fault: 500, nothing kept; on delete 417', async () => {
    emulator.injectFault({ kind: 'error', method: 'POST', match: '/api/admin/servers', status: 500 });
    const failed = await rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() });
    expect([failed.status, failed.json.errors]).toEqual([500, ['internal server error']]);
    expect(emulator.servers()).toHaveLength(0);
    const server = (await rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() })).json
      .server as { uuid: string };
    emulator.injectFault({ kind: 'error', method: 'DELETE', match: '/api/admin/servers/*', status: 417 });
    const refused = await rawCall(emulator, 'DELETE', `/api/admin/servers/${server.uuid}`, {
      body: { force: false, delete_backups: true },
    });
    expect(refused.status).toBe(417);
    expect(refused.json.errors?.[0]).toMatch(/^failed to delete server: /);
    expect(emulator.servers()).toHaveLength(1);
  });

  it('refuses request number <limit> with 429, an absolute X-RateLimit-Reset and Retry-After; reset clears the counters', async () => {
    emulator.setRateLimit({ limit: 3, windowSeconds: 30 });
    const before = Math.floor(Date.now() / 1000);
    expect((await rawCall(emulator, 'GET', '/api/admin/locations')).status).toBe(200);
    expect((await rawCall(emulator, 'GET', '/api/admin/locations')).status).toBe(200);
    const limited = await rawCall(emulator, 'GET', '/api/admin/locations');
    expect(limited.status).toBe(429);
    expect(limited.json.errors?.[0]).toMatch(/^you are ratelimited, retry in (29|30)s$/);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 30);
    expect(reset).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 30);
    expect(Number(limited.headers.get('retry-after'))).toBe(reset - Math.floor(Date.now() / 1000));
    emulator.reset();
    expect((await rawCall(emulator, 'GET', '/api/admin/locations')).status).toBe(200);
    emulator.setRateLimit(null);
  });

  it('drops the connection after committing, and offers the kit control routes over HTTP', async () => {
    const armed = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'drop-after', method: 'POST', match: '/api/admin/servers' }),
    });
    expect(armed.status).toBe(201);
    await expect(
      rawCall(emulator, 'POST', '/api/admin/servers', { body: nodeCreateBody() }),
    ).rejects.toThrow();
    expect(emulator.servers()).toHaveLength(1);
    const log = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as {
      requests: { status: unknown; fault?: string }[];
    };
    expect(log.requests.map((r) => [r.status, r.fault])).toEqual([[null, 'drop-after']]);
    const uuid = emulator.servers()[0]?.uuid as string;
    const drift = await fetch(`${emulator.url}/__emulator/drift/status`, {
      method: 'POST',
      body: JSON.stringify({ uuid, status: 'install_failed' }),
    });
    expect(drift.status).toBe(200);
    expect(
      (await rawCall(emulator, 'GET', `/api/admin/servers/${uuid.slice(0, 8)}`)).json.server,
    ).toMatchObject({
      status: 'install_failed',
    });
    const about = (await (await fetch(`${emulator.url}/__emulator`)).json()) as { seedEntities: string[] };
    expect(about.seedEntities).toEqual(emulator.seedEntities);
  });
});

describe('calagopus emulator: seeds, drift, TLS', () => {
  it('seeds every entity with fixtures off and serves them through the API', async () => {
    const bare = await startCalagopusEmulator({ fixtures: false });
    try {
      const seed = async (entity: string, body: Record<string, unknown>) => {
        const response = await fetch(`${bare.url}/__emulator/seed/${entity}`, {
          method: 'POST',
          body: JSON.stringify(body),
        });
        expect(response.status, entity).toBe(201);
        const answer = (await response.json()) as Record<string, unknown> | Record<string, unknown>[];
        // kit/control.ts answers a single seed as a one-element array (reported to the lead).
        return Array.isArray(answer) ? (answer[0] as Record<string, unknown>) : answer;
      };
      const { key } = (await seed('api-key', {})) as { key: string };
      const location = await seed('location', { name: 'lab' });
      const node = await seed('node', { name: 'lab-1', location_uuid: location.uuid });
      await seed('allocation', { node_uuid: node.uuid, ip: '192.0.2.1', port: 27015 });
      const nest = await seed('nest', { name: 'Valve' });
      const egg = await seed('egg', { nest_uuid: nest.uuid, name: 'CS2' });
      await seed('backup-configuration', { name: 'weekly' });
      const owner = await seed('user', { username: 'staffmade', email: 'staff@example.com' });
      const server = await seed('server', {
        name: 'made-by-staff',
        node_uuid: node.uuid,
        owner_uuid: owner.uuid,
        egg_uuid: egg.uuid,
        external_id: 'whmcs-77',
      });
      expect(server).toMatchObject({ external_id: 'whmcs-77', allocation: { ip: '192.0.2.1', port: 27015 } });
      const listed = await rawCall(bare, 'GET', '/api/admin/servers?page=1&per_page=10', { key });
      expect((listed.json.servers as { total: number }).total).toBe(1);
      const refused = await fetch(`${bare.url}/__emulator/seed/user`, {
        method: 'POST',
        body: JSON.stringify({ username: 'STAFFMADE', email: 'other@example.com' }),
      });
      expect([refused.status, await refused.json()]).toEqual([422, { error: 'username STAFFMADE is taken' }]);
      expect(bare.describe().join('\n')).toContain('No fixtures');
    } finally {
      await bare.close();
    }
  });

  it('makes every drift kind: suspended, deleted, limits changed by hand, a duplicate with no external id', async () => {
    const server = emulator.seed('server', {
      name: 'drifty',
      node_uuid: FIXTURE.nodeEu1,
      owner_uuid: FIXTURE.adminUser,
      external_id: 'provisio-service-5',
    }) as { uuid: string };
    emulator.drift('suspend', { external_id: 'provisio-service-5' });
    emulator.drift('limits', { uuid: server.uuid, limits: { memory: 4096 }, feature_limits: { backups: 9 } });
    const copy = emulator.drift('duplicate', { uuid: server.uuid }) as { uuid: string; external_id: null };
    expect(copy.external_id).toBeNull();
    const original = (await rawCall(emulator, 'GET', `/api/admin/servers/${server.uuid}`)).json.server;
    expect(original).toMatchObject({
      is_suspended: true,
      limits: { memory: 4096 },
      feature_limits: { backups: 9 },
    });
    emulator.drift('delete', { uuid: server.uuid });
    expect(emulator.servers().map((s) => s.uuid)).toEqual([copy.uuid]);
  });

  it('serves TLS with a self-signed certificate and names its fingerprint', async () => {
    const secure = await startCalagopusEmulator({ tls: true });
    try {
      expect(secure.url).toMatch(/^https:/);
      expect(secure.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(secure.describe().join('\n')).toContain(secure.fingerprint256 as string);
      const plain = await fetch(secure.url.replace('https:', 'http:'));
      expect(plain.status).toBe(400);
      expect(await plain.text()).toContain('The plain HTTP request was sent to HTTPS port');
    } finally {
      await secure.close();
    }
  });
});
