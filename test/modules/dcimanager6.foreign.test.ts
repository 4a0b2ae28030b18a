import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dcimanager6Module } from '../../src/modules/dcimanager6/index.js';
import type { Dci6Settings } from '../../src/modules/dcimanager6/settings.js';
import { dci6ActionContext } from '../support/dcimanager6-context.js';
import { BASE_SETTINGS, type Dci6Harness, run, startHarness } from './dcimanager6.support.js';

/**
 * The world is not empty (issue 11): DCImanager holds servers provisio did not give out, some of
 * them under names our services ask for. Seeded through the control routes, they must come out of
 * every lifecycle action unchanged; refusals name them; one is then adopted on purpose.
 */
let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function seed(entity: string, body: Record<string, unknown>): Promise<{ id: number }> {
  const response = await fetch(`${h.emulator.url}/__emulator/seed/${entity}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: number };
}

interface WireServer {
  id: number;
  domain: string;
  owner_email: string | null;
  comment: string;
  power_status: string;
  os_template: { name: string } | null;
  operation: { id: number; status: string } | null;
  ip: { name: string }[];
  switch_connection: { id: number; admin_status: string }[];
}

/** What an action could change on a server (progress percentages move with the clock: left out). */
function projection(server: WireServer) {
  return {
    domain: server.domain,
    owner: server.owner_email,
    comment: server.comment,
    power: server.power_status,
    os: server.os_template?.name ?? null,
    operation: server.operation ? `${server.operation.id}:${server.operation.status}` : null,
    ips: server.ip.map((ip) => ip.name),
    ports: server.switch_connection.map((port) => `${port.id}:${port.admin_status}`),
  };
}

async function snapshotOf(ids: readonly number[]) {
  const snapshot = (await (await fetch(`${h.emulator.url}/__emulator/snapshot`)).json()) as {
    servers: WireServer[];
  };
  return Object.fromEntries(
    snapshot.servers
      .filter((server) => ids.includes(server.id))
      .map((server) => [server.id, projection(server)]),
  );
}

const CONFIG = BASE_SETTINGS.configuration;

describe('dcimanager6 among foreign servers', () => {
  it('touches no foreign server through every lifecycle action, names each refusal, then adopts one', async () => {
    const mine = await h.engine.clients.create({ email: 'mine@example.net', emailVerified: true });
    // 98, 99: unowned but marked by other services (their activations in progress) — lower ids than
    // any fixture server, so the free-server search meets them first.
    await seed('server', { id: 98, configuration: CONFIG, location_id: 1, comment: 'provisio-service-9998' });
    await seed('server', {
      id: 99,
      configuration: CONFIG,
      location_id: 1,
      comment: 'rack 7\nprovisio-service-9999',
      power_status: 'on',
    });
    // 501: another customer's server, pinned by mistake, with staff's install running on it.
    await seed('server', {
      id: 501,
      configuration: CONFIG,
      domain: 'pinned.example.net',
      owner_email: 'other@example.org',
      comment: 'customer since 2019',
      power_status: 'on',
      port_status: 'up',
      os_template: 'Debian 12',
    });
    await seed('operation', { serverId: 501, kind: 'os_install', outcome: 'hang' });
    await seed('ip', { serverId: 501, poolId: 1 });
    // 502: the vendor's WHMCS module gave it to our own client: same owner, no mark.
    await seed('server', {
      id: 502,
      configuration: CONFIG,
      domain: 'legacy.example.net',
      owner_email: 'mine@example.net',
      power_status: 'on',
      port_status: 'up',
      os_template: 'Ubuntu 22.04',
    });
    await seed('ip', { serverId: 502, poolId: 1 });
    // 503: a free server whose name is the one our service asks for, in another location.
    await seed('server', { id: 503, configuration: CONFIG, location_id: 2, domain: 'web.example.net' });
    const foreign = [98, 99, 501, 502, 503] as const;
    const before = await snapshotOf(foreign);

    const product = await h.engine.products.create({
      name: 'Dedicated',
      module: 'dcimanager6',
      serverGroupId: h.groupId,
      settings: { ...BASE_SETTINGS, dontWaitOsInstall: true, ownerAfterTerminate: '', diagIpPool: '2' },
    });
    const service = (fields: Record<string, string> = {}, domain = 'web.example.net') =>
      h.engine.services.create({
        clientId: mine.id,
        productId: product.id,
        domain,
        password: 'Root-Pass-42',
        customFields: fields,
      });

    // 501 belongs to someone else: the activation stops with the vendor's sentence.
    const pinned501 = await service({ 'DCImgr server ID': '501' }, 'pin-501.example.net');
    const refused = await run(h, pinned501.id, 'create');
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.server_in_use');
    expect(refused.errorMessage).toContain('The selected server is already in use');
    expect(refused.errorMessage).toContain('DCImanager server 501 (pinned.example.net)');
    expect(refused.errorMessage).toContain('owned by other@example.org');
    // 502 is this client's, from the vendor module, without a mark: the engine refuses and names it.
    const legacy = await service({ 'DCImgr server ID': '502' }, 'legacy.example.net');
    const foreignRefusal = await run(h, legacy.id, 'create');
    expect(foreignRefusal.status).toBe('failed');
    expect(foreignRefusal.errorCode).toBe('ownership.foreign');
    expect(foreignRefusal.errorMessage).toContain(
      'DCImanager server 502 (legacy.example.net), owned by mine@example.net',
    );
    expect(foreignRefusal.errorMessage).toContain(`provisio service adopt ${legacy.id}`);

    const ours = await service();
    for (const [action, args, secret] of [
      ['create'],
      ['suspend'],
      ['unsuspend'],
      ['change-password', undefined, { password: 'Another-Pass-7' }],
      ['custom', { name: 'power-off' }],
      ['custom', { name: 'power-on' }],
      ['custom', { name: 'reboot' }],
      ['custom', { name: 'reinstall-os', os: 'AlmaLinux 9' }],
      ['terminate'],
    ] as const) {
      const done = await run(h, ours.id, action, args, secret);
      expect(done.status, `${action} ${JSON.stringify(args ?? {})}: ${done.errorMessage}`).toBe('succeeded');
      if (action === 'create') expect((await h.engine.services.get(ours.id)).remoteIds.serverId).toBe('101');
    }
    const changePackage = await h.engine.operations
      .enqueue({ serviceId: ours.id, action: 'change-package' })
      .catch((error: Error) => error);
    expect(changePackage).toBeInstanceOf(Error);

    const after = await snapshotOf(foreign);
    const touchedRequests = h.emulator
      .requests()
      .filter(
        (entry) => entry.method !== 'GET' && foreign.some((id) => entry.path.includes(`/server/${id}`)),
      );
    const changed = foreign.filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    const touched = new Set([...changed, ...touchedRequests.map((entry) => entry.path)]).size;
    console.log(`foreign objects touched: ${touched}`);
    expect(after).toEqual(before);
    expect(touched).toBe(0);

    // The operator adopts 502 on purpose (the vendor module's server of this very client) ...
    const adopted = await run(h, legacy.id, 'adopt', { confirm: true });
    expect(adopted.status, adopted.errorMessage ?? '').toBe('succeeded');
    expect(h.emulator.server(502).comment).toBe(`provisio-service-${legacy.id}`);
    const record = await h.engine.services.get(legacy.id);
    expect(record.status).toBe('active');
    expect(record.remoteIds).toMatchObject({ serverId: '502', activated: '1' });
    // ... and the next actions work on it.
    expect((await run(h, legacy.id, 'suspend')).status).toBe('succeeded');
    expect(
      h.emulator
        .server(502)
        .switch_connection.filter((p) => !p.is_ipmi_connection)
        .map((p) => p.admin_status),
    ).toEqual(['down', 'down']);
    expect((await run(h, legacy.id, 'unsuspend')).status).toBe('succeeded');
    expect((await run(h, legacy.id, 'custom', { name: 'reboot' })).status).toBe('succeeded');
    const settings = product.settings as unknown as Dci6Settings;
    // A server another service marked is never adopted.
    const grab = dci6ActionContext({
      port: h.emulator.port,
      serviceId: legacy.id + 100,
      email: 'mine@example.net',
      settings,
      customFields: { 'DCImgr server ID': '502' },
    });
    await expect(dcimanager6Module.adopt?.(grab)).rejects.toMatchObject({
      code: 'dcimanager6.marked_by_other',
    });
    expect(h.emulator.server(502).comment).toBe(`provisio-service-${legacy.id}`);
  });
});
