import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeService,
  bodyOf,
  type Dci6Harness,
  mutations,
  run,
  startHarness,
} from './dcimanager6.support.js';

let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function dataPortStates(serverId: number): string[] {
  return h.emulator
    .server(serverId)
    .switch_connection.filter((port) => !port.is_ipmi_connection)
    .map((port) => port.admin_status);
}

describe('dcimanager6 suspend, unsuspend, custom actions', () => {
  it('switches the data ports off and on, never the IPMI port, and keeps the server running', async () => {
    const { service } = await activeService(h);
    expect((await run(h, service.id, 'suspend')).status).toBe('succeeded');
    expect(dataPortStates(101)).toEqual(['down', 'down']);
    expect(
      h.emulator.server(101).switch_connection.find((port) => port.is_ipmi_connection)?.admin_status,
    ).toBe('up');
    expect(h.emulator.server(101).power_status).toBe('on');
    expect(mutations(h.emulator)).toEqual(['POST /dci/v3/switch/port/9001', 'POST /dci/v3/switch/port/9002']);
    expect((await run(h, service.id, 'unsuspend')).status).toBe('succeeded');
    expect(dataPortStates(101)).toEqual(['up', 'up']);
  });

  it('refuses to suspend a server without switch ports', async () => {
    const { service } = await activeService(h);
    const server = h.emulator.state.servers.get(101);
    if (server) server.switch_connection = server.switch_connection.filter((port) => port.is_ipmi_connection);
    h.emulator.clearRequests();
    const refused = await run(h, service.id, 'suspend');
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.no_switch_ports');
    expect(refused.errorMessage).toContain('has no switch ports');
    expect(mutations(h.emulator)).toEqual([]);
  });

  it('runs power and reinstall actions', async () => {
    const { service } = await activeService(h);
    expect((await run(h, service.id, 'custom', { name: 'power-off' })).status).toBe('succeeded');
    expect(h.emulator.server(101).power_status).toBe('off');
    expect((await run(h, service.id, 'custom', { name: 'reboot' })).status).toBe('succeeded');
    expect(h.emulator.server(101).power_status).toBe('on');
    h.emulator.clearRequests();
    const reinstall = await run(h, service.id, 'custom', { name: 'reinstall-os', os: 'Debian 12' });
    expect(reinstall.status).toBe('succeeded');
    // The activation's install was still running: aborted first, then a fresh install of the OS asked for.
    expect(mutations(h.emulator)).toEqual([
      'POST /dci/v3/server/101/operation/abort',
      'POST /dci/v3/server/101/os_install',
    ]);
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/os_install')).toMatchObject({ template: 2 });
    expect(h.emulator.server(101).os_template?.name).toBe('Debian 12');
  });

  it('refuses to reinstall an OS the backend does not offer, and changes nothing', async () => {
    const { service } = await activeService(h);
    const refused = await run(h, service.id, 'custom', { name: 'reinstall-os', os: 'Windows 95' });
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.os_not_offered');
    expect(refused.errorMessage).toContain('offers no OS template "Windows 95"');
    expect(refused.errorMessage).toContain('Ubuntu 22.04, Debian 12, AlmaLinux 9');
    expect(mutations(h.emulator)).toEqual([]);
    expect(h.emulator.operations(101).filter((op) => op.status === 'canceled')).toEqual([]);
  });

  it('shows IPs, OS, power and a running operation in the client area with GET requests only', async () => {
    const { service } = await activeService(h);
    h.clock.advance(5 * 60_000);
    const before = h.emulator.openSessions();
    for (const kind of ['client', 'admin'] as const) {
      const view = await h.engine.services.view(service.id, kind);
      const fields = Object.fromEntries(view.fields.map((field) => [field.label, field.value]));
      expect(fields['IP addresses']).toBe('192.0.2.10');
      expect(fields.Power).toBe('on');
      expect(fields['Running operation']).toBe('os_install 25%');
      expect(view.loginUrl).toBeUndefined();
    }
    // A view makes no mutating request: no sign-in key, no session, nothing changed.
    expect(h.emulator.requests().map((entry) => entry.method)).toEqual(['GET', 'GET']);
    expect(h.emulator.openSessions()).toBe(before);
  });
});

describe('dcimanager6 termination', () => {
  it('runs the eight steps in order with every setting on', async () => {
    const { service } = await activeService(h, {
      ownerAfterTerminate: 'pool@example.com',
      diagIpPool: '2',
      shutdownAfterTerminate: true,
      disablePortsAfterTerminate: true,
    });
    // A suspended, powered-off server, so that steps 1 and 2 have something to do.
    expect((await run(h, service.id, 'suspend')).status).toBe('succeeded');
    h.emulator.state.servers.get(101)!.power_status = 'off';
    h.emulator.clearRequests();

    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual([
      'POST /dci/v3/switch/port/9001', // 1. ports on
      'POST /dci/v3/switch/port/9002',
      'POST /dci/v3/server/101/power_on', // 2. power on
      'POST /dci/v3/server/101/operation/abort', // 3. the activation's install is still running
      'DELETE /dci/v3/ip/1002', // 4. addresses
      'POST /dci/v3/user', // 5. owner after termination, created
      'POST /dci/v3/server/101/owner',
      'POST /dci/v3/server/101/diag', // 6. diagnostics with disk clearing
      'POST /dci/v3/server/101/power_off', // 7. shut down
      'POST /dci/v3/switch/port/9001', // 8. ports off
      'POST /dci/v3/switch/port/9002',
      'POST /dci/v3/server/101', // 9. the mark comes off
    ]);
    const releaseUser = h.emulator.state.userByEmail('pool@example.com');
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/owner')).toEqual({ owner: releaseUser?.id });
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/diag')).toEqual({
      template: 4,
      clean_disks: true,
      ip_pool: [2],
    });
    const server = h.emulator.server(101);
    expect(server.owner_email).toBe('pool@example.com');
    expect(server.power_status).toBe('off');
    expect(server.ip).toEqual([]);
    expect(dataPortStates(101)).toEqual(['down', 'down']);
    const record = await h.engine.services.get(service.id);
    expect(record.status).toBe('terminated');
    expect(record.dedicatedIp).toBeNull();
  });

  it('clears the owner, keeps disks, leaves power and ports when those settings are off', async () => {
    const { service } = await activeService(h, { disableDiskClearing: true });
    h.clock.advance(30 * 60_000); // let the install finish: nothing to abort
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual([
      'DELETE /dci/v3/ip/1002',
      'POST /dci/v3/server/101/owner',
      'POST /dci/v3/server/101/diag',
      'POST /dci/v3/server/101',
    ]);
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/owner')).toEqual({ owner: null });
    expect(bodyOf(h.emulator, 'POST', '/dci/v3/server/101/diag')).toEqual({
      template: 4,
      clean_disks: false,
    });
    expect(h.emulator.server(101).owner_email).toBeNull();
    expect(h.emulator.server(101).power_status).toBe('on');
    expect(dataPortStates(101)).toEqual(['up', 'up']);
  });

  it('stops diagnostics that pass the 60-minute limit when shutting down, then powers off', async () => {
    const { service } = await activeService(h, { shutdownAfterTerminate: true });
    h.clock.advance(30 * 60_000);
    h.emulator.forceOutcome('diag', 'hang');
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual([
      'DELETE /dci/v3/ip/1002',
      'POST /dci/v3/server/101/owner',
      'POST /dci/v3/server/101/diag',
      'POST /dci/v3/server/101/operation/abort',
      'POST /dci/v3/server/101/power_off',
      'POST /dci/v3/server/101',
    ]);
    expect(h.emulator.operations(101).at(-1)).toMatchObject({ kind: 'diag', status: 'canceled' });
  });

  it('never makes an administrator the owner after termination', async () => {
    const { service } = await activeService(h, { ownerAfterTerminate: 'ops@example.com' });
    const refused = await run(h, service.id, 'terminate');
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.user_is_admin');
    expect(mutations(h.emulator)).not.toContain('POST /dci/v3/server/101/owner');
  });
});
