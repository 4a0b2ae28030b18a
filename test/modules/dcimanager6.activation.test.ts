import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dcimanager6Module } from '../../src/modules/dcimanager6/index.js';
import { createTestEngine } from '../support/engine.js';
import {
  bodyOf,
  type Dci6Harness,
  drive,
  mutations,
  order,
  run,
  startHarness,
  until,
  wire,
} from './dcimanager6.support.js';

let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('dcimanager6 activation through the engine', () => {
  it('activates a free server call by call and waits for the OS install on the virtual clock', async () => {
    const { service, client } = await order(h, {
      domain: 'web1.example.net',
      customFields: { 'SSH key': 'ssh-ed25519 AAAA test' },
    });
    const { operation } = await h.engine.operations.enqueue({ serviceId: service.id, action: 'create' });
    await until(h, operation.id, 'waiting');
    const list = h.emulator.requests({ method: 'GET', path: '/dci/v3/server' })[0];
    expect(new URLSearchParams(list?.query).get('where')).toBe(
      "(owner_email IS null) AND (configuration EQ 'E-2146G-64Gb-1920SSD') AND (location_id EQ 1)",
    );
    const created = h.emulator.state.userByEmail(client.email);
    expect(created?.roles).toEqual(['@user']);
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101')).toEqual({
      comment: `provisio-service-${service.id}`,
    });
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/owner')).toEqual({ owner: created?.id });
    const ipmi = h.emulator.server(101).switch_connection.find((port) => port.is_ipmi_connection);
    expect(mutations(h.emulator)).not.toContain(`POST /dci/v3/switch/port/${ipmi?.id}`);
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/ip')).toEqual({ ipv4_pool: [1], ipv4_number: 1 });
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/os_install')).toEqual({
      template: 1,
      password: 'Root-Pass-42',
      ssh_keys: ['ssh-ed25519 AAAA test'],
      domain: 'web1.example.net',
    });

    const waiting = await h.engine.operations.get(operation.id);
    expect(waiting.progressMessage).toContain('OS install');
    h.emulator.clearRequests();
    const done = await drive(h, operation.id);
    expect(done.status).toBe('succeeded');
    // Each check reads the server on the pooled session: no login, no change.
    expect(wire(h.emulator).every((line) => line === 'GET /dci/v3/server/101')).toBe(true);

    const record = await h.engine.services.get(service.id);
    expect(record.status).toBe('active');
    expect(record.remoteIds.serverId).toBe('101');
    expect(record.dedicatedIp).toBe('192.0.2.10');
    expect(record.assignedIps).toEqual([]);
    const server = h.emulator.server(101);
    expect(server.owner_email).toBe(client.email);
    expect(server.power_status).toBe('on');
    expect(server.os_template?.name).toBe('Ubuntu 22.04');
    expect(
      server.switch_connection
        .filter((port) => !port.is_ipmi_connection)
        .every((port) => port.admin_status === 'up'),
    ).toBe(true);
  });

  it('activates the server pinned on the service and refuses a pinned server that is in use', async () => {
    const { service } = await order(h, {
      settings: { dontWaitOsInstall: true },
      customFields: { 'DCImgr server ID': '201' },
      configOptions: { ostemplate: 'Debian 12', ipv4: '2' },
    });
    const done = await run(h, service.id, 'create');
    expect(done.status).toBe('succeeded');
    // The pinned server is read, never searched for.
    expect(h.emulator.requests({ method: 'GET', path: '/dci/v3/server' })).toEqual([]);
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/201/ip')).toEqual({ ipv4_pool: [1], ipv4_number: 2 });
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/201/os_install')).toMatchObject({ template: 2 });
    const record = await h.engine.services.get(service.id);
    expect(record.remoteIds.serverId).toBe('201');
    // 192.0.2.10 is still on server 101 (a leftover of its previous client).
    expect(record.dedicatedIp).toBe('192.0.2.11');
    expect(record.assignedIps).toEqual(['192.0.2.12']);

    const other = await order(h, { customFields: { 'DCImgr server ID': '201' } });
    const refused = await run(h, other.service.id, 'create');
    expect(refused.status).toBe('failed');
    expect(refused.errorMessage).toContain('The selected server is already in use');
    expect(refused.errorCode).toBe('dcimanager6.server_in_use');
  });

  it('holds no worker during a 40-minute install: another service completes meanwhile on one worker', async () => {
    await h.close();
    h = await startHarness({ concurrency: 1 });
    h.emulator.setDuration('os_install', 40 * 60_000);
    const slow = await order(h);
    const fast = await order(h, { settings: { dontWaitOsInstall: true } });
    const first = await h.engine.operations.enqueue({ serviceId: slow.service.id, action: 'create' });
    await until(h, first.operation.id, 'waiting');
    const second = await h.engine.operations.enqueue({ serviceId: fast.service.id, action: 'create' });
    // The clock does not move: the second one can only finish if the first holds no worker.
    const secondDone = await h.engine.operations.waitFor(second.operation.id, { timeoutMs: 10_000 });
    expect(secondDone.status).toBe('succeeded');
    expect((await h.engine.operations.get(first.operation.id)).status).toBe('waiting');

    const started = h.clock.now();
    const firstDone = await drive(h, first.operation.id);
    expect(firstDone.status).toBe('succeeded');
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(39 * 60_000);
    expect(firstDone.attempts).toBe(1);
    expect(h.emulator.operations(101).filter((op) => op.kind === 'os_install')).toHaveLength(1);
  });

  it('ends failed with the operation message and leaves the server owned; a retry installs again', async () => {
    h.emulator.forceOutcome('os_install', 'failed', 'Installation failed: disk /dev/sda not found');
    const { service, client } = await order(h);
    const failed = await run(h, service.id, 'create');
    expect(failed.status).toBe('failed');
    expect(failed.errorMessage).toContain('Installation failed: disk /dev/sda not found');
    expect(failed.errorMessage).toContain('server stays assigned');
    const server = h.emulator.server(101);
    expect(server.owner_email).toBe(client.email);
    expect(server.ip).toHaveLength(1);
    expect((await h.engine.services.get(service.id)).remoteIds.serverId).toBe('101');

    await h.engine.operations.retry(failed.id);
    const retried = await drive(h, failed.id);
    expect(retried.status).toBe('succeeded');
    expect(mutations(h.emulator).filter((line) => line === 'POST /dci/v3/server/101/owner')).toHaveLength(1);
    expect(mutations(h.emulator).filter((line) => line === 'POST /dci/v3/server/101/ip')).toHaveLength(1);
    expect(
      h.emulator
        .operations(101)
        .filter((op) => op.kind === 'os_install')
        .map((op) => op.status),
    ).toEqual(['failed', 'ok']);
  });

  it('resumes after a lost answer at the IP step without a second owner change or IP allocation', async () => {
    h.emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/dci/v3/server/101/ip' });
    const { service } = await order(h);
    const done = await run(h, service.id, 'create');
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    const changes = mutations(h.emulator);
    expect(changes.filter((line) => line === 'POST /dci/v3/server/101/owner')).toHaveLength(1);
    expect(changes.filter((line) => line === 'POST /dci/v3/server/101/ip')).toHaveLength(1);
    expect(changes.filter((line) => line === 'POST /dci/v3/server/101/os_install')).toHaveLength(1);
    expect(h.emulator.server(101).ip.map((ip) => ip.name)).toEqual(['192.0.2.10']);
  });

  it('resumes on a new engine after failing between "set owner" and "assign IPs"', async () => {
    h.emulator.injectFault({
      kind: 'error',
      method: 'POST',
      match: '/dci/v3/server/101/ip',
      status: 500,
      body: { error: { code: 0, msg: 'ipmgr is restarting', value: {} } },
    });
    const { service } = await order(h, { settings: { dontWaitOsInstall: true } });
    const failed = await run(h, service.id, 'create');
    expect(failed.status).toBe('failed');
    expect(failed.errorMessage).toContain('ipmgr is restarting');
    await h.harness.close({ keepStore: true });

    const second = await createTestEngine({
      modules: [dcimanager6Module],
      clock: 'manual',
      testStore: h.harness.testStore,
      secretKey: h.harness.secretKey,
    });
    h.harness = second;
    h.engine = second.engine;
    await second.engine.operations.retry(failed.id);
    const done = await second.engine.operations.waitFor(failed.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('succeeded');
    const changes = mutations(h.emulator);
    expect(changes).toEqual([
      'POST /dci/v3/user',
      'POST /dci/v3/server/101',
      'POST /dci/v3/server/101/owner',
      'POST /dci/v3/switch/port/9001',
      'POST /dci/v3/switch/port/9002',
      'POST /dci/v3/server/101/power_on',
      'DELETE /dci/v3/ip/1001',
      'POST /dci/v3/server/101/ip',
      'POST /dci/v3/server/101/ip',
      'POST /dci/v3/server/101/os_install',
    ]);
    // The first addIp was refused without effect; the server ends with one address and one owner change.
    expect(h.emulator.server(101).ip).toHaveLength(1);
  });

  it('never makes an administrator account an owner', async () => {
    const { service } = await order(h, { email: 'ops@example.com' });
    const failed = await run(h, service.id, 'create');
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('dcimanager6.user_is_admin');
    expect(failed.errorMessage).toContain('administrator');
    expect(mutations(h.emulator)).toEqual([]);
    expect(h.emulator.server(101)).toMatchObject({ owner_email: null, comment: '' });
  });

  it('says clearly when no free server has the configuration', async () => {
    const { service } = await order(h, { settings: { configuration: 'EPYC-9654-1TB' } });
    const failed = await run(h, service.id, 'create');
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('dcimanager6.no_free_server');
    expect(failed.errorMessage).toContain('no free server with configuration EPYC-9654-1TB in location 1');
    expect(mutations(h.emulator)).toEqual([]);
  });

  it('skips servers that are not free (new, in maintenance) and stops at the email-verification gate', async () => {
    for (const id of [101, 102, 103])
      h.emulator.seed('server-edit', { id, owner_email: 'someone@example.org' });
    const { service } = await order(h, { settings: { dontWaitOsInstall: true } });
    const failed = await run(h, service.id, 'create');
    expect(failed.errorCode).toBe('dcimanager6.no_free_server');

    const gated = await order(h, { emailVerified: false, settings: { requireVerifiedEmail: true } });
    const refused = await run(h, gated.service.id, 'create');
    expect(refused.status).toBe('failed');
    expect(refused.errorMessage).toContain('User email is not verified');
  });

  it('assigns IPv6 subnets with the ordered prefix and refuses a prefix out of bounds', async () => {
    const { service } = await order(h, {
      settings: { ipv6Pool: '3', dontWaitOsInstall: true },
      configOptions: { ipv6: '2', IPv6_prefix: '64' },
    });
    const done = await run(h, service.id, 'create');
    expect(done.status).toBe('succeeded');
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/ip')).toEqual({
      ipv4_pool: [1],
      ipv4_number: 1,
      ipv6_pool: [3],
      ipv6_number: 2,
      ipv6_prefix: 64,
    });
    const record = await h.engine.services.get(service.id);
    expect(record.dedicatedIp).toBe('192.0.2.10');
    expect(record.assignedIps).toEqual(['2001:db8:100:1::/64', '2001:db8:100:2::/64']);

    const bad = await order(h, {
      settings: { ipv6Pool: '3' },
      configOptions: { ip6: '1', ip6_prefix: '48' },
    });
    const refused = await run(h, bad.service.id, 'create');
    expect(refused.errorCode).toBe('dcimanager6.order_invalid');
    expect(refused.errorMessage).toContain('ip6_prefix must be a prefix length from 64 to 128');
  });
});
