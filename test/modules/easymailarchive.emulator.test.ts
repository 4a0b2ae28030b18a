import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emulator as definition,
  type EasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';

let emu: EasyMailArchiveEmulator;

beforeEach(async () => {
  emu = (await definition.start({ port: 0 })) as EasyMailArchiveEmulator;
});

afterEach(async () => {
  await emu.close();
});

async function api(method: string, path: string, body?: unknown, key = emu.apiKey) {
  const response = await fetch(`${emu.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('easymailarchive emulator', () => {
  it('refuses a missing or unknown key with 401', async () => {
    expect(await api('GET', '/api/reseller/tenants', undefined, 'wrong')).toEqual({
      status: 401,
      json: { message: 'Unauthenticated.' },
    });
  });

  it('creates in the S2 envelope and the S3 bare style', async () => {
    const enveloped = await api('POST', '/api/reseller/tenants', { slug: 'alpha', name: 'Alpha' });
    expect(enveloped.status).toBe(201);
    expect(enveloped.json.data).toMatchObject({ slug: 'alpha', name: 'Alpha', status: 'active' });
    emu.configure({ envelope: 'bare' });
    const bare = await api('POST', '/api/reseller/tenants', { slug: 'beta', name: 'Beta' });
    expect(bare.json).toEqual({ slug: 'beta', url: `https://beta.${emu.baseDomain}`, status: 'active' });
    expect((await api('GET', '/api/reseller/tenants/beta')).json).toMatchObject({
      company_name: 'Beta',
      usage: { active_users: 0 },
    });
  });

  it('keeps slugs unique across resellers and hides other resellers’ tenants', async () => {
    expect(await api('POST', '/api/reseller/tenants', { slug: 'acme', name: 'Mine' })).toEqual({
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
    expect(emu.tenant('acme')?.status).toBe('active');
  });

  it('validates slugs and reserved words', async () => {
    const invalid = await api('POST', '/api/reseller/tenants', { slug: 'Bad_Slug', name: '' });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.json.errors as object)).toEqual(['slug', 'name']);
    expect((await api('POST', '/api/reseller/tenants', { slug: 'admin', name: 'X' })).json.errors).toEqual({
      slug: ['The slug is reserved.'],
    });
  });

  it('paginates with page/per_page and Laravel meta', async () => {
    emu.seedTenants(230);
    const page = await api('GET', '/api/reseller/tenants?page=3&per_page=100');
    expect((page.json.data as unknown[]).length).toBe(31);
    expect(page.json.meta).toEqual({ current_page: 3, last_page: 3, per_page: 100, total: 231 });
    const defaults = await api('GET', '/api/reseller/tenants');
    expect((defaults.json.data as unknown[]).length).toBe(15);
  });

  it('suspends, refuses a second suspend, unsuspends and deletes', async () => {
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/suspend')).json).toEqual({
      data: { slug: 'demo-archive', status: 'suspended' },
    });
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/suspend')).status).toBe(409);
    expect((await api('PUT', '/api/reseller/tenants/demo-archive/unsuspend')).json.data).toMatchObject({
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
  });

  it('drops the connection after creating, when asked to', async () => {
    emu.injectFault({ action: 'drop-after', method: 'POST', path: '/api/reseller/tenants' });
    await expect(api('POST', '/api/reseller/tenants', { slug: 'gamma', name: 'Gamma' })).rejects.toThrow();
    expect(emu.tenant('gamma')).toBeDefined();
    expect(emu.requests()).toMatchObject([
      { method: 'POST', status: null, fault: 'drop-after', reseller: 'demo-reseller' },
    ]);
  });

  it('is driven over its control routes as well', async () => {
    const control = async (method: string, path: string, body?: unknown) =>
      (
        await fetch(`${emu.url}/__emulator${path}`, {
          method,
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
      ).json();
    await control('POST', '/config', { envelope: 'bare', conflictAnswer: '409', latencyMs: 1 });
    expect(emu.config()).toEqual({ envelope: 'bare', conflictAnswer: '409', latencyMs: 1 });
    await control('POST', '/tenants', { count: 3, prefix: 'ctl-' });
    await control('POST', '/faults', {
      action: 'error',
      status: 500,
      path: '/api/reseller/tenants*',
      skip: 1,
    });
    expect((await api('GET', '/api/reseller/tenants/ctl-1')).status).toBe(200);
    expect((await api('GET', '/api/reseller/tenants/ctl-2')).status).toBe(500);
    expect(await control('GET', '/requests')).toHaveLength(2);
    await control('DELETE', '/requests');
    await control('POST', '/reset');
    expect(emu.tenant('ctl-1')).toBeUndefined();
    expect(emu.config().envelope).toBe('enveloped');
    expect(emu.describe().join('\n')).toContain(emu.apiKey);
  });
});
