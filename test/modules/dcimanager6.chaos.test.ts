import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.js';
import { activeService, type Dci6Harness, mutations, run, startHarness } from './dcimanager6.support.js';

/** Chaos findings of issue 17: diagnostics started twice, sessions never logged out. */
let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Diagnostics the module started (the fixture's finished one carries no template). */
function diagnosticsRuns(serverId: number) {
  return h.emulator
    .operations(serverId)
    .filter((op) => op.kind === 'diag' && op.params.template !== undefined);
}

describe('dcimanager6 diagnostics at termination (issue 17)', () => {
  it('starts instant diagnostics once when the answer to POST .../diag is lost', async () => {
    h.emulator.setDuration('diag', 0);
    const { service } = await activeService(h, {}, { installDone: true });
    h.emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/dci/v3/server/101/diag' });
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(mutations(h.emulator).filter((line) => line === 'POST /dci/v3/server/101/diag')).toHaveLength(1);
    expect(diagnosticsRuns(101)).toHaveLength(1);
    expect((await h.engine.services.get(service.id)).status).toBe('terminated');
  });

  it('adopts a 30-minute diagnostics run after a lost answer instead of failing on 409, then releases the server', async () => {
    h.emulator.setDuration('diag', 30 * 60_000);
    const { service } = await activeService(
      h,
      { diagIpPool: '2', shutdownAfterTerminate: true, disablePortsAfterTerminate: true },
      { installDone: true },
    );
    h.emulator.injectFault({ kind: 'drop-after', method: 'POST', match: '/dci/v3/server/101/diag' });
    const done = await run(h, service.id, 'terminate');
    expect(done.status).toBe('succeeded');
    expect(diagnosticsRuns(101).map((op) => op.status)).toEqual(['ok']);
    // No second POST: the re-run adopted the running diagnostics.
    expect(h.emulator.requests({ method: 'POST', path: '/dci/v3/server/101/diag' })).toHaveLength(1);
    const server = h.emulator.server(101);
    expect(server).toMatchObject({ owner_email: null, comment: '', power_status: 'off' });
    expect(server.ip).toEqual([]); // the diagnostics address went back to its pool
    expect(
      server.switch_connection.filter((port) => !port.is_ipmi_connection).map((port) => port.admin_status),
    ).toEqual(['down', 'down']);
    expect((await h.engine.services.get(service.id)).status).toBe('terminated');
  });
});

describe('dcimanager6 sessions (issue 17)', () => {
  it('logs its pooled session out when the engine stops', async () => {
    await activeService(h, {}, { installDone: true });
    expect(h.emulator.openSessions()).toBe(1);
    await h.harness.close({ keepStore: false });
    await waitUntil(() => h.emulator.openSessions() === 0, 5_000, 'the session to be logged out');
    expect(h.emulator.requests({ method: 'DELETE', path: '/auth/v4/token/*' })).toHaveLength(1);
  });
});
