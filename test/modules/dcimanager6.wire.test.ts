import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Dci6Harness, order, run, startHarness, wire } from './dcimanager6.support.js';

/**
 * Golden wire tests (issue 12): the literal method, path, query and body of every request each
 * action sends, as the emulator received them. Installs and diagnostics last one virtual minute, so
 * each wait shows its checks. A change here is a change of what provisio sends to a real
 * DCImanager 6: check it against docs/specs/dcimanager6.md before updating the expectation.
 */
let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
  h.emulator.setDuration('os_install', 60_000);
  h.emulator.setDuration('diag', 60_000);
});
afterEach(async () => {
  await h.close();
});

async function traffic(
  serviceId: number,
  action: string,
  args?: Record<string, unknown>,
  secretArgs?: Record<string, unknown>,
): Promise<string[]> {
  h.emulator.clearRequests();
  const done = await run(h, serviceId, action, args, secretArgs);
  expect(done.status, done.errorMessage ?? '').toBe('succeeded');
  return wire(h.emulator);
}

const LOGIN = 'POST /auth/v4/public/token {"email":"admin@example.com","password":"secret"}';

describe('dcimanager6 golden wire', () => {
  it('activation of a free server: search, user, mark, owner, ports, power, addresses, OS install, wait', async () => {
    const { service } = await order(h, {
      email: 'ada@example.net',
      domain: 'web1.example.net',
      customFields: { 'SSH key': 'ssh-ed25519 AAAA test' },
    });
    expect(await traffic(service.id, 'create')).toEqual([
      LOGIN,
      'GET /dci/v3/server?where=%28owner_email+IS+null%29+AND+%28configuration+EQ+%27E-2146G-64Gb-1920SSD%27%29+AND+%28location_id+EQ+1%29&orderby=id+asc&limit=0%2C50',
      'GET /dci/v3/user?where=%28email+EQ+%27ada%40example.net%27%29',
      'POST /dci/v3/user {"email":"ada@example.net","password":"Root-Pass-42","role":"@user","full_name":"Ada Lovelace"}',
      'GET /dci/v3/user?where=%28email+EQ+%27ada%40example.net%27%29',
      'GET /dci/v3/server/101',
      'POST /dci/v3/server/101 {"comment":"provisio-service-1"}',
      'GET /dci/v3/server/101',
      'GET /dci/v3/server/101',
      'POST /dci/v3/server/101/owner {"owner":101}',
      'GET /dci/v3/server/101',
      'POST /dci/v3/switch/port/9001 {"admin_status":"up"}',
      'POST /dci/v3/switch/port/9002 {"admin_status":"up"}',
      'GET /dci/v3/server/101',
      'POST /dci/v3/server/101/power_on {}',
      'GET /dci/v3/server/101',
      'GET /dci/v3/server/101',
      'DELETE /dci/v3/ip/1001',
      'GET /dci/v3/server/101',
      'POST /dci/v3/server/101/ip {"ipv4_pool":[1],"ipv4_number":1}',
      'GET /dci/v3/os_template?where=name+EQ+%27Ubuntu+22.04%27',
      'GET /dci/v3/server/101',
      'POST /dci/v3/server/101/os_install {"template":1,"password":"Root-Pass-42","ssh_keys":["ssh-ed25519 AAAA test"],"domain":"web1.example.net"}',
      'GET /dci/v3/server/101',
      'GET /dci/v3/server/101',
      'GET /dci/v3/server/101',
      'GET /dci/v3/server/101',
    ]);
  });

  it('activation of a pinned server: read, never searched', async () => {
    const { service } = await order(h, {
      email: 'bob@example.net',
      domain: 'bob.example.net',
      settings: { dontWaitOsInstall: true },
      customFields: { 'DCImgr server ID': '201' },
      configOptions: { ostemplate: 'Debian 12', ipv4: '2' },
    });
    expect(await traffic(service.id, 'create')).toEqual([
      LOGIN,
      'GET /dci/v3/server/201',
      'GET /dci/v3/server/201',
      'GET /dci/v3/user?where=%28email+EQ+%27bob%40example.net%27%29',
      'POST /dci/v3/user {"email":"bob@example.net","password":"Root-Pass-42","role":"@user","full_name":"Ada Lovelace"}',
      'GET /dci/v3/user?where=%28email+EQ+%27bob%40example.net%27%29',
      'GET /dci/v3/server/201',
      'POST /dci/v3/server/201 {"comment":"provisio-service-1"}',
      'GET /dci/v3/server/201',
      'GET /dci/v3/server/201',
      'POST /dci/v3/server/201/owner {"owner":101}',
      'GET /dci/v3/server/201',
      'POST /dci/v3/switch/port/9013 {"admin_status":"up"}',
      'POST /dci/v3/switch/port/9014 {"admin_status":"up"}',
      'GET /dci/v3/server/201',
      'POST /dci/v3/server/201/power_on {}',
      'GET /dci/v3/server/201',
      'GET /dci/v3/server/201',
      'GET /dci/v3/server/201',
      'POST /dci/v3/server/201/ip {"ipv4_pool":[1],"ipv4_number":2}',
      'GET /dci/v3/os_template?where=name+EQ+%27Debian+12%27',
      'GET /dci/v3/server/201',
      'POST /dci/v3/server/201/os_install {"template":2,"password":"Root-Pass-42","domain":"bob.example.net"}',
      'GET /dci/v3/server/201',
      'GET /dci/v3/server/201',
    ]);
  });

  describe('on an active server', () => {
    let serviceId: number;

    beforeEach(async () => {
      h.emulator.seed('user', { email: 'pool@example.com', password: 'Pool-Pass-1' });
      const { service } = await order(h, {
        email: 'ada@example.net',
        domain: 'srv.example.net',
        settings: {
          dontWaitOsInstall: true,
          ownerAfterTerminate: 'pool@example.com',
          diagIpPool: '2',
          shutdownAfterTerminate: true,
          disablePortsAfterTerminate: true,
        },
      });
      serviceId = service.id;
      expect((await run(h, serviceId, 'create')).status).toBe('succeeded');
    });

    it('suspend and unsuspend switch the data ports', async () => {
      expect(await traffic(serviceId, 'suspend')).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/switch/port/9001 {"admin_status":"down"}',
        'POST /dci/v3/switch/port/9002 {"admin_status":"down"}',
      ]);
      expect(await traffic(serviceId, 'unsuspend')).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/switch/port/9001 {"admin_status":"up"}',
        'POST /dci/v3/switch/port/9002 {"admin_status":"up"}',
      ]);
    });

    it('change password sets the DCImanager user password', async () => {
      expect(await traffic(serviceId, 'change-password', undefined, { password: 'New-Pass-2024' })).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/user?where=%28email+EQ+%27ada%40example.net%27%29',
        'POST /auth/v4/user/ada%40example.net/password {"password":"New-Pass-2024"}',
      ]);
    });

    it('usage reads the servers of the batch in one filtered list', async () => {
      h.emulator.clearRequests();
      const [result] = await h.engine.usage.sync();
      expect(result?.updated).toBe(1);
      expect(wire(h.emulator)).toEqual([
        'GET /dci/v3/server?where=%28id+EQ+101%29&orderby=id+asc&limit=0%2C100',
      ]);
    });

    it('power-off, power-on, reboot', async () => {
      expect(await traffic(serviceId, 'custom', { name: 'power-off' })).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/power_off {}',
      ]);
      expect(await traffic(serviceId, 'custom', { name: 'power-on' })).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/power_on {}',
      ]);
      expect(await traffic(serviceId, 'custom', { name: 'reboot' })).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/power_reset {}',
      ]);
    });

    it('reinstall-os installs the OS asked for, after aborting the running install', async () => {
      expect(await traffic(serviceId, 'custom', { name: 'reinstall-os', os: 'Debian 12' })).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/os_template?limit=0%2C1000',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/operation/abort {}',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/os_install {"template":2,"password":"Root-Pass-42","domain":"srv.example.net"}',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
      ]);
    });

    it('termination, all eight steps and the mark, on a suspended, powered-off server with a running operation', async () => {
      expect((await run(h, serviceId, 'suspend')).status).toBe('succeeded');
      h.emulator.seed('server-edit', { id: 101, power_status: 'off' });
      h.emulator.seed('operation', { serverId: 101, kind: 'os_install', outcome: 'hang' });
      expect(await traffic(serviceId, 'terminate')).toEqual([
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/switch/port/9001 {"admin_status":"up"}',
        'POST /dci/v3/switch/port/9002 {"admin_status":"up"}',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/power_on {}',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/operation/abort {}',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'DELETE /dci/v3/ip/1002',
        'GET /dci/v3/server/101',
        'GET /dci/v3/user?where=%28email+EQ+%27pool%40example.com%27%29',
        'POST /dci/v3/server/101/owner {"owner":101}',
        'GET /dci/v3/server/101',
        'GET /dci/v3/os_template?where=name+EQ+%27Diag6%27',
        'POST /dci/v3/server/101/diag {"template":4,"clean_disks":true,"ip_pool":[2]}',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101/power_off {}',
        'GET /dci/v3/server/101',
        'POST /dci/v3/switch/port/9001 {"admin_status":"down"}',
        'POST /dci/v3/switch/port/9002 {"admin_status":"down"}',
        'GET /dci/v3/server/101',
        'POST /dci/v3/server/101 {"comment":""}',
      ]);
    });
  });
});
