import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProvisioningError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redaction.js';
import {
  type ServedEmulator,
  serveHttpEmulator,
  WireControls,
} from '../../src/emulators/kit/http-emulator.js';
import { createTlsListener, makeCertificate } from '../../src/emulators/kit/tls.js';
import { closeHttpAgents, createHttpClient } from '../../src/transport/http-client.js';
import type { ModuleLog } from '../../src/transport/module-log.js';

const moduleLog: ModuleLog = { record: () => {}, redactor: new Redactor() };

async function failureOf(url: string, method: 'GET' | 'POST' = 'GET') {
  try {
    await createHttpClient({ baseUrl: url, moduleLog, timeoutMs: 5_000 }).request({ method, path: '/x' });
  } catch (error) {
    if (isProvisioningError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Secure off against a port that speaks TLS', () => {
  const controls = new WireControls();
  let nginxLike: ServedEmulator;
  let plain: ServedEmulator;
  let bare: ReturnType<typeof createTlsListener>;
  let barePort = 0;

  beforeAll(async () => {
    const certificate = await makeCertificate('client-test');
    const control = () => ({}) as never;
    const handle = () => ({ status: 200, body: { ok: true } });
    nginxLike = await serveHttpEmulator({ certificate, controls, control, handle });
    plain = await serveHttpEmulator({ controls, control, handle });
    bare = createTlsListener(certificate, (socket) => socket.end(), null);
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
    barePort = (bare.address() as { port: number }).port;
  });
  afterAll(async () => {
    await nginxLike.close();
    await plain.close();
    await new Promise((resolve) => bare.close(resolve));
    await closeHttpAgents();
  });

  it("is said as such when the port answers nginx's 400 page, and is not retried", async () => {
    const error = await failureOf(nginxLike.url.replace('https:', 'http:'));
    expect([error.code, error.kind]).toEqual(['transport.tls_mismatch', 'invalid-input']);
    expect(error.message).toContain('turn Secure on');
  });

  it('is said as such when a TLS port closes a plain request without a word', async () => {
    const error = await failureOf(`http://127.0.0.1:${barePort}`, 'POST');
    expect(error.code).toBe('transport.tls_mismatch');
  });

  it('stays a passing fault when a plain backend drops a connection', async () => {
    controls.faultList.add({ kind: 'drop-before' });
    const lostGet = await failureOf(plain.url);
    expect([lostGet.code, lostGet.kind]).toEqual(['transport.unavailable', 'unavailable']);
    controls.faultList.add({ kind: 'drop-after' });
    const lostPost = await failureOf(plain.url, 'POST');
    expect([lostPost.code, lostPost.kind]).toEqual(['transport.answer_lost', 'unknown-outcome']);
  });
});
