import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dcimanager6Module } from '../../src/modules/dcimanager6/index.js';
import type { Dci6Settings } from '../../src/modules/dcimanager6/settings.js';
import { dci6ActionContext } from '../support/dcimanager6-context.js';
import { type Dci6Harness, mutations, order, run, startHarness } from './dcimanager6.support.js';

/** Sign-in links and passwords (issue 11): credentials only from explicit, checked actions. */
let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function active(email = 'ada@example.net') {
  const ordered = await order(h, { email, settings: { dontWaitOsInstall: true } });
  expect((await run(h, ordered.service.id, 'create')).status).toBe('succeeded');
  const record = await h.engine.services.get(ordered.service.id);
  const ctx = dci6ActionContext({
    port: h.emulator.port,
    serviceId: ordered.service.id,
    email,
    settings: ordered.product.settings as unknown as Dci6Settings,
    remote: record.remoteIds,
  });
  return { ...ordered, ctx };
}

describe('dcimanager6 loginUrl', () => {
  it("gives a one-hour, single-use key link for the client's user, masked as a secret", async () => {
    const { service } = await active();
    h.emulator.clearRequests();
    const { url: link } = await h.engine.services.loginLink(service.id, { name: 'operator', tokenId: null });
    expect(link).toMatch(new RegExp(`^${h.emulator.url}/auth/key-v4/\\d+-[0-9a-f-]+$`));
    expect(h.emulator.requests().map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      'GET /dci/v3/server/101',
      'GET /dci/v3/user',
      'POST /auth/v4/user/ada%40example.net/key',
    ]);
    const key = decodeURIComponent(link.split('/').at(-1) ?? '');
    const exchange = () =>
      fetch(`${h.emulator.url}/auth/v4/public/key`, { method: 'POST', body: JSON.stringify({ key }) });
    expect((await exchange()).status).toBe(201);
    expect((await exchange()).status).toBe(401);
  });

  it('refuses a server without this service’s mark and an administrator account', async () => {
    const { ctx } = await active();
    h.emulator.seed('server-edit', { id: 101, comment: 'provisio-service-999' });
    await expect(dcimanager6Module.loginUrl?.(ctx)).rejects.toMatchObject({ code: 'dcimanager6.not_ours' });
    h.emulator.seed('server-edit', { id: 101, comment: `provisio-service-${ctx.service.id}` });
    h.emulator.state.userByEmail('ada@example.net')!.roles = ['@admin'];
    await expect(dcimanager6Module.loginUrl?.(ctx)).rejects.toMatchObject({
      code: 'dcimanager6.user_is_admin',
    });
    expect(h.emulator.requests({ method: 'POST', path: '/auth/v4/user/*' })).toEqual([]);
  });
});

describe('dcimanager6 passwords', () => {
  it('refuses a password shorter than DCImanager accepts, before any request', async () => {
    const { service } = await active();
    h.emulator.clearRequests();
    const refused = await run(h, service.id, 'change-password', undefined, { password: 'short' });
    expect(refused.status).toBe('failed');
    expect(refused.errorCode).toBe('dcimanager6.password_too_short');
    // Only the engine's look at the server before the action: nothing sent to change anything.
    expect(h.emulator.requests().map((entry) => entry.method)).toEqual(['GET']);
  });

  it('the emulator refuses what DCImanager refuses: short passwords, unknown server fields', async () => {
    await active();
    const login = await fetch(`${h.emulator.url}/auth/v4/public/token`, {
      method: 'POST',
      body: JSON.stringify({ email: 'admin@example.com', password: 'secret' }),
    });
    const { token } = (await login.json()) as { token: string };
    const post = (path: string, body: unknown) =>
      fetch(`${h.emulator.url}${path}`, {
        method: 'POST',
        headers: { 'x-xsrf-token': token },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/dci/v3/user', { email: 'x@example.net', password: 'short', role: '@user' })).status,
    ).toBe(400);
    expect((await post('/auth/v4/user/ada%40example.net/password', { password: 'short' })).status).toBe(400);
    expect((await post('/auth/v4/user/ops%40example.com/password', { password: 'long-enough' })).status).toBe(
      403,
    );
    expect((await post('/dci/v3/server/102', { comment: 'x', owner: 5 })).status).toBe(400);
    expect(mutations(h.emulator).filter((line) => line.includes('/dci/v3/server/102'))).toEqual([
      'POST /dci/v3/server/102',
    ]);
    expect(h.emulator.server(102).comment).toBe('');
  });
});
