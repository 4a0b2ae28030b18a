import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Dci6Harness, mutations, order, run, startHarness } from './dcimanager6.support.js';

let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function activeService(settings: Record<string, unknown> = {}) {
  const ordered = await order(h, { settings: { dontWaitOsInstall: true, ...settings } });
  const created = await run(h, ordered.service.id, 'create');
  expect(created.status).toBe('succeeded');
  h.emulator.clearLog();
  return ordered;
}

function dataPortStates(serverId: number): string[] {
  return h.emulator
    .server_(serverId)
    .switch_connection.filter((port) => !port.is_ipmi_connection)
    .map((port) => port.admin_status);
}

describe('dcimanager6 suspend, unsuspend, custom actions', () => {
  it('switches the data ports off and on, never the IPMI port, and keeps the server running', async () => {
    const { service } = await activeService();
    expect((await run(h, service.id, 'suspend')).status).toBe('succeeded');
    expect(dataPortStates(101)).toEqual(['down', 'down']);
    expect(
      h.emulator.server_(101).switch_connection.find((port) => port.is_ipmi_connection)?.admin_status,
    ).toBe('up');
    expect(h.emulator.server_(101).power_status).toBe('on');
    expect(mutations(h.emulator)).toEqual(['setPort', 'setPort']);
    expect((await run(h, service.id, 'unsuspend')).status).toBe('succeeded');
    expect(dataPortStates(101)).toEqual(['up', 'up']);
  });

  it('refuses to suspend a server without switch ports', async () => {
    const { service } = await activeService();
    const server = h.emulator.state.servers.get(101);
    if (server) server.switch_connection = server.switch_connection.filter((port) => port.is_ipmi_connection);
    const refused = await run(h, service.id, 'suspend');
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.no_switch_ports');
    expect(refused.errorMessage).toContain('has no switch ports');
  });

  it('runs power and reinstall actions', async () => {
    const { service } = await activeService();
    expect((await run(h, service.id, 'custom', { name: 'power-off' })).status).toBe('succeeded');
    expect(h.emulator.server_(101).power_status).toBe('off');
    expect((await run(h, service.id, 'custom', { name: 'reboot' })).status).toBe('succeeded');
    expect(h.emulator.server_(101).power_status).toBe('on');
    h.emulator.clearLog();
    const reinstall = await run(h, service.id, 'custom', { name: 'reinstall-os' });
    expect(reinstall.status).toBe('succeeded');
    // The activation's install was still running: aborted first, then a fresh install.
    expect(mutations(h.emulator)).toEqual(['abortOperation', 'osInstall']);
    expect(h.emulator.server_(101).os_template?.name).toBe('Ubuntu 22.04');
  });

  it('shows IPs, OS, power and a running operation in the client area, with a sign-in key link', async () => {
    const { service } = await activeService();
    h.clock.advance(5 * 60_000);
    const view = await h.engine.services.view(service.id, 'client');
    const fields = Object.fromEntries(view.fields.map((field) => [field.label, field.value]));
    expect(fields['IP addresses']).toBe('192.0.2.10');
    expect(fields.Power).toBe('on');
    expect(fields['Running operation']).toBe('os_install 25%');
    expect(view.loginUrl).toMatch(new RegExp(`^${h.emulator.url}/auth/key-v4/\\d+-`));
  });
});

describe('dcimanager6 termination', () => {
  it('runs the eight steps in order with every setting on', async () => {
    const { service } = await activeService({
      ownerAfterTerminate: 'pool@example.com',
      diagIpPool: '2',
      shutdownAfterTerminate: true,
      disablePortsAfterTerminate: true,
    });
    // A suspended, powered-off server, so that steps 1 and 2 have something to do.
    expect((await run(h, service.id, 'suspend')).status).toBe('succeeded');
    h.emulator.state.servers.get(101)!.power_status = 'off';
    h.emulator.clearLog();

    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual([
      'setPort', // 1. ports on
      'setPort',
      'powerOn', // 2. power on
      'abortOperation', // 3. the activation's install is still running
      'deleteIp', // 4. addresses
      'userCreate', // 5. owner after termination, created
      'setOwner',
      'diagnostics', // 6. diagnostics with disk clearing
      'powerOff', // 7. shut down
      'setPort', // 8. ports off
      'setPort',
    ]);
    const releaseUser = h.emulator.state.userByEmail('pool@example.com');
    expect(h.emulator.log.find((entry) => entry.route === 'setOwner')?.body).toEqual({
      owner: releaseUser?.id,
    });
    expect(h.emulator.log.find((entry) => entry.route === 'diagnostics')?.body).toEqual({
      template: 4,
      clean_disks: true,
      ip_pool: [2],
    });
    const server = h.emulator.server_(101);
    expect(server.owner_email).toBe('pool@example.com');
    expect(server.power_status).toBe('off');
    expect(server.ip).toEqual([]);
    expect(dataPortStates(101)).toEqual(['down', 'down']);
    const record = await h.engine.services.get(service.id);
    expect(record.status).toBe('terminated');
    expect(record.dedicatedIp).toBeNull();
  });

  it('clears the owner, keeps disks, leaves power and ports when those settings are off', async () => {
    const { service } = await activeService({ disableDiskClearing: true });
    h.clock.advance(30 * 60_000); // let the install finish: nothing to abort
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual(['deleteIp', 'setOwner', 'diagnostics']);
    expect(h.emulator.log.find((entry) => entry.route === 'setOwner')?.body).toEqual({ owner: null });
    expect(h.emulator.log.find((entry) => entry.route === 'diagnostics')?.body).toEqual({
      template: 4,
      clean_disks: false,
    });
    expect(h.emulator.server_(101).owner_email).toBeNull();
    expect(h.emulator.server_(101).power_status).toBe('on');
    expect(dataPortStates(101)).toEqual(['up', 'up']);
  });

  it('stops diagnostics that pass the 60-minute limit when shutting down, then powers off', async () => {
    const { service } = await activeService({ shutdownAfterTerminate: true });
    h.clock.advance(30 * 60_000);
    h.emulator.forceOutcome('diag', 'hang');
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(mutations(h.emulator)).toEqual([
      'deleteIp',
      'setOwner',
      'diagnostics',
      'abortOperation',
      'powerOff',
    ]);
    expect(h.emulator.operations(101).at(-1)).toMatchObject({ kind: 'diag', status: 'canceled' });
  });

  it('never makes an administrator the owner after termination', async () => {
    const { service } = await activeService({ ownerAfterTerminate: 'ops@example.com' });
    const refused = await run(h, service.id, 'terminate');
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.user_is_admin');
    expect(mutations(h.emulator)).not.toContain('setOwner');
  });
});
