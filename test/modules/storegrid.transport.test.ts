import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningError } from '../../src/core/errors.js';
import { addStoreGridServer, type StoreGridRig, startStoreGridRig } from './storegrid.support.js';

/**
 * How the module reaches the web console: plain HTTP on 6060, HTTPS on 6061 with the console's
 * self-signed certificate pinned, and what an operator sees when the server record is wrong
 * (Secure off on the TLS port and the reverse, an untrusted certificate, a wrong password, nothing
 * listening). Test connection through the engine, over real sockets and real TLS.
 */
let rig: StoreGridRig;

function serverWith(fields: Record<string, unknown>): Promise<number> {
  return addStoreGridServer(rig.engine, rig.emulator, fields);
}

async function testFailure(serverId: number): Promise<ProvisioningError> {
  return (await rig.engine.servers.testConnection(serverId).then(
    () => expect.unreachable('test connection should fail'),
    (error: unknown) => error,
  )) as ProvisioningError;
}

beforeAll(async () => {
  rig = await startStoreGridRig();
});
afterAll(async () => {
  await rig.close();
});

describe('storegrid transport', () => {
  it('speaks HTTPS to the secured port with the pinned certificate', async () => {
    const id = await serverWith({
      port: rig.emulator.tlsPort,
      secure: true,
      tlsFingerprint: rig.emulator.fingerprint256,
    });
    expect((await rig.engine.servers.testConnection(id)).summary).toMatch(/^StoreGrid SP/);
  });

  it('refuses the self-signed certificate when it is neither trusted nor pinned', async () => {
    const error = await testFailure(await serverWith({ port: rig.emulator.tlsPort, secure: true }));
    expect(error.code).toBe('transport.tls_untrusted');
  });

  it('says Secure is off when plain HTTP reaches the TLS port (nginx’s 400 page)', async () => {
    const error = await testFailure(await serverWith({ port: rig.emulator.tlsPort, secure: false }));
    expect(error.code).toBe('transport.tls_mismatch');
    expect(error.message).toMatch(/TLS/);
  });

  it('says the port does not speak TLS when Secure is on against the plain port', async () => {
    const error = await testFailure(await serverWith({ port: rig.emulator.port, secure: true }));
    expect(error.code).toBe('transport.tls_mismatch');
  });

  it('refuses a wrong admin password without showing it', async () => {
    const error = await testFailure(await serverWith({ secret: 'not-the-password-42' }));
    expect(error.code).toBe('storegrid.auth_failed');
    expect(error.message).toMatch(/user name and password/);
    expect(error.message).not.toContain('not-the-password-42');
  });

  it('reports a console that is not listening as unavailable', async () => {
    const other = await startStoreGridRig();
    const port = other.emulator.port;
    await other.close();
    const error = await testFailure(await serverWith({ port }));
    expect([error.code, error.kind]).toEqual(['transport.unavailable', 'unavailable']);
    expect(error.message).toMatch(/refused the connection/);
  });
});
