import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorControl } from '../../src/emulators/kit/control.js';
import {
  type ServedEmulator,
  serveHttpEmulator,
  WireControls,
} from '../../src/emulators/kit/http-emulator.js';
import { makeCertificate } from '../../src/emulators/kit/tls.js';

/** A tiny backend on the kit: it counts what it carried out, so drop-after can be told apart. */
function echoBackend(controls: WireControls) {
  let carriedOut = 0;
  const control: EmulatorControl = {
    id: 'echo',
    ...controls.members(),
    reset: () => {
      carriedOut = 0;
      controls.clear();
    },
    snapshot: () => ({ carriedOut }),
    seedEntities: ['thing'],
    seed: (_entity, input) => input,
  };
  return {
    control,
    handle: (req: { method: string; path: string; body: string }) => {
      carriedOut++;
      return { status: 200, body: { method: req.method, path: req.path, body: req.body } };
    },
    carried: () => carriedOut,
  };
}

describe('the emulator kit', () => {
  const controls = new WireControls();
  const backend = echoBackend(controls);
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  let served: ServedEmulator;
  let fingerprint = '';

  beforeAll(async () => {
    const certificate = await makeCertificate('kit-test');
    fingerprint = certificate.fingerprint256;
    served = await serveHttpEmulator({
      certificate,
      controls,
      control: () => backend.control,
      handle: backend.handle,
    });
  });
  afterAll(async () => {
    await served.close();
    await agent.close();
  });

  it('completes real TLS handshakes, several requests on one connection, with the printed fingerprint', async () => {
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    for (const path of ['/a', '/b']) {
      const answer = await request(`${served.url}${path}`, {
        method: 'POST',
        body: 'x=1',
        dispatcher: agent,
      });
      expect(answer.statusCode).toBe(200);
      expect(await answer.body.json()).toEqual({ method: 'POST', path, body: 'x=1' });
    }
    const log = backend.control.requests({ path: '/a' });
    expect(log.map((e) => [e.method, e.path, e.body, e.status, e.ok])).toEqual([
      ['POST', '/a', 'x=1', 200, true],
    ]);
    expect(log[0]?.response).toContain('"path":"/a"');
  });

  it('answers plain HTTP on the TLS port as nginx does', async () => {
    const plain = await request(served.url.replace('https:', 'http:'));
    expect(plain.statusCode).toBe(400);
    expect(await plain.body.text()).toContain('The plain HTTP request was sent to HTTPS port');
  });

  it('injects error, drop-before, drop-after and delay faults, over the control routes too', async () => {
    const fault = await request(`${served.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', method: 'GET', match: '/boom', status: 503 }),
      dispatcher: agent,
    });
    expect(fault.statusCode).toBe(201);
    expect((await request(`${served.url}/boom`, { dispatcher: agent })).statusCode).toBe(503);
    expect((await request(`${served.url}/boom`, { dispatcher: agent })).statusCode).toBe(200);

    const before = backend.carried();
    backend.control.injectFault({ kind: 'drop-before', match: '/x*' });
    await expect(request(`${served.url}/x1`, { dispatcher: agent })).rejects.toThrow();
    expect(backend.carried()).toBe(before);
    backend.control.injectFault({ kind: 'drop-after', match: '/x*' });
    await expect(request(`${served.url}/x2`, { dispatcher: agent })).rejects.toThrow();
    expect(backend.carried()).toBe(before + 1);
    expect(backend.control.requests({ path: '/x*' }).map((e) => e.fault)).toEqual([
      'drop-before',
      'drop-after',
    ]);

    const bad = await request(`${served.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'explode' }),
      dispatcher: agent,
    });
    expect(bad.statusCode).toBe(422);
  });

  it('hang-after carries the request out and never answers; the log says the backend accepted it', async () => {
    const before = backend.carried();
    backend.control.injectFault({ kind: 'hang-after', match: '/late' });
    await expect(
      request(`${served.url}/late`, { method: 'POST', dispatcher: agent, headersTimeout: 300 }),
    ).rejects.toThrow();
    expect(backend.carried()).toBe(before + 1);
    const [entry] = backend.control.requests({ path: '/late' });
    expect([entry?.fault, entry?.status, entry?.ok, entry?.response]).toEqual([
      'hang-after',
      null,
      true,
      null,
    ]);
  });

  it('an interceptor picks a fault per request by code, before the rules, until cleared', async () => {
    const seen: string[] = [];
    backend.control.interceptFaults(({ method, target }) => {
      seen.push(`${method} ${target}`);
      return target === '/second' ? { kind: 'error', status: 418 } : undefined;
    });
    expect((await request(`${served.url}/first`, { dispatcher: agent })).statusCode).toBe(200);
    expect((await request(`${served.url}/second`, { dispatcher: agent })).statusCode).toBe(418);
    backend.control.interceptFaults(undefined);
    expect((await request(`${served.url}/second`, { dispatcher: agent })).statusCode).toBe(200);
    expect(seen).toEqual(['GET /first', 'GET /second']);
  });

  it('fires a probabilistic fault on about its share of matches, the same way for the same seed', () => {
    const runs = [1, 1].map(() => {
      const own = new WireControls({ seed: 7 });
      own.faultList.add({ kind: 'error', probability: 0.25, times: Infinity });
      return Array.from({ length: 400 }, () => (own.faultList.take('GET', '/p') ? 1 : 0)).join('');
    });
    expect(runs[0]).toBe(runs[1]);
    const fired = [...runs[0]!].filter((c) => c === '1').length;
    expect(fired).toBeGreaterThan(60);
    expect(fired).toBeLessThan(140);
  });
});
