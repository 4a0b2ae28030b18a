import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './support.js';

/**
 * Every route of the OpenAPI document: without a token, with an unknown or revoked token, and
 * with a token whose scope is too low. Driven by the document, so a new route is covered at once.
 */
let h: ApiHarness;
let routes: { method: string; path: string; scope: string | null }[];

beforeAll(async () => {
  h = await startApiHarness({ start: false });
  const doc = (await h.call('GET', '/openapi.json', { token: null })).body;
  routes = [];
  for (const [path, methods] of Object.entries(
    doc.paths as Record<string, Record<string, { description?: string }>>,
  )) {
    for (const [method, operation] of Object.entries(methods)) {
      const scope = /Token scope: (\w+)/.exec(operation.description ?? '')?.[1] ?? null;
      routes.push({
        method: method.toUpperCase(),
        path: path.replace('{id}', '1').replace('{name}', 'reboot'),
        scope,
      });
    }
  }
});
afterAll(async () => h.close());

describe('authentication and scopes on every route', () => {
  it('documents every /v1 route with a scope, and health routes without', () => {
    expect(routes.length).toBeGreaterThan(35);
    for (const route of routes)
      expect(route.scope === null, `${route.method} ${route.path}`).toBe(!route.path.startsWith('/v1/'));
  });

  it('answers 401 auth.missing_token without a token and 401 auth.invalid_token with an unknown one', async () => {
    for (const route of routes.filter((r) => r.scope)) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const missing = await h.call(route.method, route.path, { token: null, body });
      expect([route.path, missing.status, missing.body.error?.code]).toEqual([
        route.path,
        401,
        'auth.missing_token',
      ]);
      const unknown = await h.call(route.method, route.path, { token: 'pvo_not-a-real-token', body });
      expect([route.path, unknown.status, unknown.body.error?.code]).toEqual([
        route.path,
        401,
        'auth.invalid_token',
      ]);
      const malformed = await h.call(route.method, route.path, {
        token: null,
        body,
        headers: { authorization: 'Basic abc' },
      });
      expect(malformed.status).toBe(401);
    }
  });

  it('refuses a token whose scope is too low with 403 auth.insufficient_scope, before reading the body', async () => {
    let refused = 0;
    for (const route of routes.filter((r) => r.scope && r.scope !== 'read')) {
      const lower = route.scope === 'admin' ? ['operator', 'read'] : ['read'];
      for (const scope of lower) {
        const junk =
          route.method === 'GET'
            ? {}
            : { rawBody: '{not json', headers: { 'content-type': 'application/json' } };
        const answer = await h.call(route.method, route.path, { token: h.tokens[scope as 'read'], ...junk });
        expect([route.method, route.path, scope, answer.status, answer.body.error?.code]).toEqual([
          route.method,
          route.path,
          scope,
          403,
          'auth.insufficient_scope',
        ]);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(25);
  });

  it('lets the read scope read and the operator scope act', async () => {
    expect((await h.call('GET', '/v1/services', { token: h.tokens.read })).status).toBe(200);
    expect(
      (await h.call('POST', '/v1/clients', { token: h.tokens.operator, body: { email: 'op@example.com' } }))
        .status,
    ).toBe(201);
    expect((await h.call('POST', '/v1/servers', { token: h.tokens.operator, body: {} })).status).toBe(403);
  });

  it('stops accepting a revoked token', async () => {
    const created = await h.call('POST', '/v1/tokens', { body: { name: 'temp', scope: 'read' } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^pvo_/);
    expect((await h.call('GET', '/v1/clients', { token: created.body.token })).status).toBe(200);
    const revoked = await h.call('DELETE', `/v1/tokens/${created.body.record.id}`);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await h.call('GET', '/v1/clients', { token: created.body.token });
    expect([after.status, after.body.error.code]).toEqual([401, 'auth.invalid_token']);
    const listed = await h.call('GET', '/v1/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect((await h.call('DELETE', '/v1/tokens/9999')).body.error.code).toBe('token.not_found');
  });

  it('serves health, readiness, metrics and the API reference without a token', async () => {
    expect((await h.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    expect((await h.call('GET', '/readyz', { token: null })).body).toEqual({ status: 'ready' });
    expect((await h.call('GET', '/metrics', { token: null })).body).toContain('provisio_queue_depth');
    const doc = await h.call('GET', '/openapi.json', { token: null });
    expect(doc.body.openapi).toBe('3.1.0');
    expect((await h.call('GET', '/docs', { token: null })).status).toBeLessThan(400);
  });
});
