import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  emulator as definition,
  type EasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import type { EmulatorStartOptions } from '../../src/emulators/types.js';

let emu: EasyMailArchiveEmulator;

async function start(options: EmulatorStartOptions = {}) {
  emu = (await definition.start({ port: 0, ...options })) as EasyMailArchiveEmulator;
  return emu;
}

afterEach(async () => {
  await emu?.close();
});

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

async function api(
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${emu.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${options.key ?? emu.apiKey}`, ...(options.headers ?? JSON_HEADERS) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    location: response.headers.get('location'),
    json: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('easymailarchive emulator: the reseller API', () => {
  it('refuses a missing or unknown key with 401', async () => {
    await start();
    expect(await api('GET', '/api/reseller/tenants', undefined, { key: 'wrong' })).toMatchObject({
      status: 401,
      json: { message: 'Unauthenticated.' },
    });
  });

  it('creates in the S2 envelope and the S3 bare style', async () => {
    await start();
    const enveloped = await api('POST', '/api/reseller/tenants', { slug: 'alpha', name: 'Alpha' });
    expect(enveloped.status).toBe(201);
    expect(enveloped.json.data).toEqual({
      slug: 'alpha',
      name: 'Alpha',
      status: 'active',
      created_at: emu.tenant('alpha')!.createdAt,
    });
    emu.configure({ envelope: 'bare' });
    const bare = await api('POST', '/api/reseller/tenants', { slug: 'beta', name: 'Beta', plan: 'business' });
    expect(bare.json).toEqual({ slug: 'beta', url: `https://beta.${emu.baseDomain}`, status: 'active' });
    expect((await api('GET', '/api/reseller/tenants/beta')).json).toEqual({
      slug: 'beta',
      company_name: 'Beta',
      status: 'active',
      plan: 'business',
      usage: { active_users: 0, storage_bytes: 0, message_count: 0 },
    });
  });

  it('keeps slugs unique across resellers and hides other resellers’ tenants', async () => {
    await start();
    expect(await api('POST', '/api/reseller/tenants', { slug: 'acme', name: 'Mine' })).toMatchObject({
      status: 422,
      json: {
        message: 'The slug has already been taken.',
        errors: { slug: ['The slug has already been taken.'] },
      },
    });
    emu.configure({ conflictAnswer: '409' });
    expect((await api('POST', '/api/reseller/tenants', { slug: 'acme', name: 'Mine' })).status).toBe(409);
    expect((await api('GET', '/api/reseller/tenants/acme')).status).toBe(404);
    expect((await api('PUT', '/api/reseller/tenants/acme/suspend')).status).toBe(404);
    expect((await api('DELETE', '/api/reseller/tenants/acme')).status).toBe(404);
    expect(emu.tenant('acme')).toMatchObject({ status: 'active', reseller: 'other-reseller' });
  });

  it('validates slug, name and plan, and refuses reserved words', async () => {
    await start();
    const invalid = await api('POST', '/api/reseller/tenants', { slug: 'Bad_Slug', name: '', plan: 'gold' });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.json.errors as object)).toEqual(['slug', 'name', 'plan']);
    const long = await api('POST', '/api/reseller/tenants', { slug: 'longname', name: 'x'.repeat(256) });
    expect(long.json.errors).toEqual({ name: ['The name may not be greater than 255 characters.'] });
    expect((await api('POST', '/api/reseller/tenants', { slug: 'admin', name: 'X' })).json.errors).toEqual({
      slug: ['The slug is reserved.'],
    });
  });

  it('answers a client that does not ask for JSON as Laravel does: redirects, and an unread body', async () => {
    await start();
    const noAccept = { 'content-type': 'application/json' };
    expect(
      await api('GET', '/api/reseller/tenants', undefined, { key: 'wrong', headers: noAccept }),
    ).toMatchObject({ status: 302, location: '/login' });
    expect(await api('POST', '/api/reseller/tenants', { slug: 'x' }, { headers: noAccept })).toMatchObject({
      status: 302,
      location: '/',
    });
    const formBody = await api(
      'POST',
      '/api/reseller/tenants',
      JSON.stringify({ slug: 'gamma', name: 'G' }),
      {
        headers: { accept: 'application/json', 'content-type': 'text/plain' },
      },
    );
    expect(formBody.status).toBe(422);
    expect(Object.keys(formBody.json.errors as object)).toEqual(['slug', 'name']);
    expect(emu.tenant('gamma')).toBeUndefined();
  });

  it('pages by 15 whatever per_page asks, with exactly the documented meta', async () => {
    await start();
    emu.seedTenants(230);
    const page = await api('GET', '/api/reseller/tenants?page=16&per_page=100');
    expect((page.json.data as unknown[]).length).toBe(6);
    expect(page.json.meta).toEqual({ current_page: 16, last_page: 16, total: 231 });
    expect(Object.keys(page.json)).toEqual(['data', 'meta']);
    emu.configure({ perPage: 'honoured' });
    const honoured = await api('GET', '/api/reseller/tenants?page=3&per_page=100');
    expect((honoured.json.data as unknown[]).length).toBe(31);
    emu.configure({ envelope: 'bare', perPage: 'ignored' });
    expect(((await api('GET', '/api/reseller/tenants?page=2')).json as unknown as unknown[]).length).toBe(15);
    emu.configure({ bareListPaging: 'all' });
    expect(((await api('GET', '/api/reseller/tenants?page=2')).json as unknown as unknown[]).length).toBe(
      231,
    );
  });

  it('suspends, refuses a second suspend, unsuspends, reports usage and deletes', async () => {
    await start();
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/suspend')).json).toEqual({
      data: { slug: 'demo-archive', status: 'suspended' },
    });
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/suspend')).status).toBe(409);
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/unsuspend')).json.data).toEqual({
      slug: 'demo-archive',
      status: 'active',
    });
    expect((await api('GET', '/api/reseller/tenants/demo-archive/usage')).json.data).toEqual({
      users_count: 12,
      storage_bytes: 734_003_200,
      messages_count: 48_250,
    });
    expect((await api('DELETE', '/api/reseller/tenants/demo-archive')).json).toEqual({
      data: { slug: 'demo-archive', status: 'deleted' },
    });
    expect(emu.tenant('demo-archive')).toBeUndefined();
    expect((await api('PATCH', '/api/reseller/tenants/globex', { plan: 'business' })).status).toBe(405);
  });

  it('drops the connection after creating, when asked to, and logs the literal request', async () => {
    await start();
    emu.injectFault({ kind: 'drop-after', method: 'POST', match: '/api/reseller/tenants' });
    await expect(api('POST', '/api/reseller/tenants', { slug: 'gamma', name: 'Gamma' })).rejects.toThrow();
    expect(emu.tenant('gamma')).toBeDefined();
    expect(emu.requests()).toMatchObject([
      {
        method: 'POST',
        path: '/api/reseller/tenants',
        query: '',
        body: '{"slug":"gamma","name":"Gamma"}',
        status: null,
        fault: 'drop-after',
      },
    ]);
  });
});

describe('easymailarchive emulator: the control handle', () => {
  it('resets to the fixtures, or to nothing but the resellers', async () => {
    await start({ fixtures: false });
    expect(emu.tenants()).toEqual([]);
    expect((await api('GET', '/api/reseller/tenants')).status).toBe(200);
    emu.reset();
    expect(emu.tenant('acme')?.reseller).toBe('other-reseller');
    await control('POST', '/reset', { fixtures: false });
    expect(emu.tenants()).toEqual([]);
    await control('POST', '/reset');
    expect(emu.tenants().length).toBeGreaterThan(0);
  });

  it('seeds every entity, and every kind of drift, over its control routes', async () => {
    await start({ fixtures: false });
    expect((await control('GET', '')).json.seedEntities).toEqual([
      'tenant',
      'reseller',
      'usage',
      'status',
      'deletion',
      'plan',
      'duplicate',
    ]);
    await control('POST', '/seed/reseller', {
      id: 'third',
      apiKey: 'ema_third_key_000000000000',
      baseDomain: 'archive.third.test',
    });
    await control('POST', '/seed/tenant', {
      items: [
        { slug: 'hand-made', name: 'Hand Made', plan: 'starter' },
        { slug: 'elsewhere', reseller: 'third' },
      ],
    });
    expect((await control('POST', '/seed/tenant', { slug: 'elsewhere' })).status).toBe(422);
    await control('POST', '/seed/usage', { slug: 'hand-made', usersCount: 4, storageBytes: 2048 });
    await control('POST', '/seed/status', { slug: 'hand-made', status: 'suspended' });
    await control('POST', '/seed/plan', { slug: 'hand-made', plan: 'business' });
    expect((await control('POST', '/seed/duplicate', { of: 'hand-made' })).status).toBe(201);
    expect(emu.tenant('hand-made-2')).toMatchObject({ name: 'Hand Made', plan: 'business' });
    expect(emu.tenant('hand-made')).toMatchObject({
      status: 'suspended',
      plan: 'business',
      usersCount: 4,
      storageBytes: 2048,
    });
    await control('POST', '/seed/deletion', { slug: 'hand-made' });
    const snapshot = (await control('GET', '/snapshot')).json as { tenants: { slug: string }[] };
    expect(snapshot.tenants.map((t) => t.slug)).toEqual(['elsewhere', 'hand-made-2']);
    expect(JSON.stringify(snapshot)).not.toContain('ema_third_key');
    expect(
      (await api('GET', '/api/reseller/tenants/elsewhere', undefined, { key: 'ema_third_key_000000000000' }))
        .status,
    ).toBe(200);
    expect((await control('POST', '/seed/nothing', {})).status).toBe(422);
  });

  it('takes faults, latency, configuration and log requests over HTTP', async () => {
    await start();
    expect((await control('POST', '/config', { envelope: 'gold' })).status).toBe(422);
    expect(
      (await control('POST', '/config', { envelope: 'bare', conflictAnswer: '409' })).json,
    ).toMatchObject({
      envelope: 'bare',
      conflictAnswer: '409',
    });
    await control('POST', '/latency', { ms: 1 });
    await control('POST', '/faults', {
      kind: 'error',
      status: 500,
      match: '/api/reseller/tenants*',
      skip: 1,
    });
    expect((await api('GET', '/api/reseller/tenants/demo-archive')).status).toBe(200);
    expect(await api('GET', '/api/reseller/tenants/demo-archive')).toMatchObject({
      status: 500,
      json: { message: 'Server Error' },
    });
    expect(((await control('GET', '/requests')).json.requests as unknown[]).length).toBe(2);
    await control('DELETE', '/requests');
    expect(emu.requests()).toEqual([]);
    expect(emu.describe().join('\n')).toContain(emu.apiKey);
  });

  it('serves HTTPS with a fresh certificate whose fingerprint describe() prints', async () => {
    await start({ tls: true });
    expect(emu.url).toMatch(/^https:/);
    expect(emu.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(emu.describe().join('\n')).toContain(emu.fingerprint256);
  });

  it('answers TLS with that certificate, and plain HTTP on the same port as nginx', async () => {
    await start({ tls: true });
    const { fingerprint, answer } = await new Promise<{ fingerprint: string; answer: string }>(
      (resolve, reject) => {
        const socket = connectTls({ host: '127.0.0.1', port: emu.port, rejectUnauthorized: false }, () => {
          const fingerprint = socket.getPeerCertificate().fingerprint256;
          socket.write(
            `GET /api/reseller/tenants HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${emu.apiKey}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
          );
          let answer = '';
          socket.on('data', (chunk) => {
            answer += chunk.toString();
          });
          socket.on('end', () => resolve({ fingerprint, answer }));
        });
        socket.on('error', reject);
      },
    );
    expect(fingerprint).toBe(emu.fingerprint256);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const plain = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(emu.port, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(plain).toContain('400 The plain HTTP request was sent to HTTPS port');
  });
});
