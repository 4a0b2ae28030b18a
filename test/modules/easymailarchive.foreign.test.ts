import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedTenant } from '../../src/emulators/easymailarchive/state.js';
import { type ArchiveRig, startArchiveRig } from './easymailarchive.support.js';

/**
 * The world is not empty: tenants provisio did not create sit exactly where services will ask
 * (`<prefix><slug of the domain>`), in our reseller account and in another one; services imported
 * from WHMCS name tenants they hold no claim on. Every lifecycle action runs through the engine;
 * afterwards every foreign tenant is as it was, every refusal names its tenant, and only the
 * deliberate adopt makes one of them ours.
 */
const FOREIGN: readonly Record<string, unknown>[] = [
  // Where the domain service "acme-archive.com" will look (no prefix).
  { slug: 'acme-archive', name: 'Acme, made in the dashboard', usersCount: 4, storageBytes: 9_000 },
  // Where the prefixed product will look for "globex.com"; suspended by hand.
  { slug: 'mycompany-globex', name: 'Globex (suspended by staff)', status: 'suspended', plan: 'starter' },
  // Another reseller's tenants: invisible to our key, their slugs unavailable (global uniqueness).
  { slug: 'initech', name: 'Initech', reseller: 'other-reseller', usersCount: 9 },
  { slug: 'umbrella', name: 'Umbrella', reseller: 'other-reseller', status: 'suspended' },
  // Named by services imported from WHMCS, which hold no claim on them.
  { slug: 'contoso', name: 'Contoso (vendor module)', plan: 'business', usersCount: 30 },
  { slug: 'hooli', name: 'Hooli (vendor module)', status: 'suspended' },
];
const FOREIGN_SLUGS = FOREIGN.map((t) => t.slug as string);

let rig: ArchiveRig;
let prefixed: number;
let otherPlan: number;
let before: Map<string, EmulatedTenant>;
/** The service whose create was refused beside "acme-archive" (adopted at the end). */
let refusedAcme: number;

function foreignNow(): Map<string, EmulatedTenant> {
  return new Map(
    FOREIGN_SLUGS.flatMap((slug) => {
      const tenant = rig.emulator.tenant(slug);
      return tenant ? [[slug, { ...tenant }] as const] : [];
    }),
  );
}

/** Foreign tenants changed or gone since the seed. */
function touched(): string[] {
  const now = foreignNow();
  return FOREIGN_SLUGS.filter((slug) => JSON.stringify(now.get(slug)) !== JSON.stringify(before.get(slug)));
}

/** Every request that could change a tenant, aimed at a foreign slug (path or POST body). */
function writesAimedAtForeign(): string[] {
  return rig.emulator
    .requests()
    .filter((r) => r.method !== 'GET')
    .filter((r) => FOREIGN_SLUGS.some((slug) => r.path.endsWith(`/${slug}`) || r.path.includes(`/${slug}/`)))
    .map((r) => `${r.method} ${r.path}`);
}

beforeAll(async () => {
  rig = await startArchiveRig({ emulator: { fixtures: false } });
  await rig.seedOverHttp('tenant', { items: FOREIGN });
  prefixed = await rig.newProduct({ slugPrefix: 'mycompany-' });
  otherPlan = await rig.newProduct({ plan: 'business' });
  before = foreignNow();
});

afterAll(async () => {
  await rig?.close();
});

describe('easymailarchive among tenants it did not create', () => {
  it('refuses to create where a tenant of our reseller already sits, naming it and how to adopt it', async () => {
    for (const [domain, productId, slug] of [
      ['acme-archive.com', rig.productId, 'acme-archive'],
      ['globex.com', prefixed, 'mycompany-globex'],
    ] as const) {
      const serviceId = await rig.newService({ domain, productId });
      const op = await rig.engine.run(serviceId, 'create');
      expect(op.status).toBe('failed');
      expect(op.errorKind).toBe('conflict');
      expect(op.errorMessage).toContain(`tenant "${slug}"`);
      expect(op.errorMessage).toContain(`provisio service adopt ${serviceId}`);
      expect((await rig.engine.services.get(serviceId)).status).toBe('pending');
      if (slug === 'acme-archive') refusedAcme = serviceId;
    }
  });

  it('moves past another reseller’s slug, and fails a customer’s choice of one, without touching it', async () => {
    const auto = await rig.newService({ domain: 'initech.com' });
    expect((await rig.engine.run(auto, 'create')).status).toBe('succeeded');
    expect((await rig.engine.services.get(auto)).remoteIds.slug).toBe('initech-2');

    const chosen = await rig.newService({ customFields: { slug: 'umbrella' } });
    const op = await rig.engine.run(chosen, 'create');
    expect(op.errorCode).toBe('easymailarchive.slug_taken');
    expect(op.errorMessage).toContain('"umbrella"');

    // The tenant it made is its own: the whole lifecycle runs on initech-2 only.
    for (const action of ['suspend', 'unsuspend'] as const)
      expect((await rig.engine.run(auto, action)).status).toBe('succeeded');
    expect(
      (await rig.engine.run(auto, 'change-package', { args: { productId: rig.productId } })).status,
    ).toBe('succeeded');
    await expect(rig.engine.run(auto, 'change-password')).rejects.toThrow();
    expect((await rig.engine.run(auto, 'terminate')).status).toBe('succeeded');
    expect(rig.emulator.tenant('initech-2')?.status).toBe('suspended');
  });

  it('refuses every action on a tenant an imported service names but never claimed', async () => {
    const active = await rig.importService({ remoteIds: { slug: 'contoso' }, status: 'active' });
    const suspended = await rig.importService({ remoteIds: { slug: 'hooli' }, status: 'suspended' });
    const attempts: [number, string, Record<string, unknown>?][] = [
      [active, 'suspend'],
      [active, 'change-package', { productId: otherPlan }],
      [active, 'terminate'],
      [suspended, 'unsuspend'],
      [suspended, 'terminate'],
    ];
    for (const [serviceId, action, args] of attempts) {
      const op = await rig.engine.run(serviceId, action, args ? { args } : {});
      const slug = serviceId === active ? 'contoso' : 'hooli';
      expect(op.status, `${action} #${serviceId}`).toBe('failed');
      expect(op.errorKind).toBe('conflict');
      expect(op.errorMessage).toContain(`tenant "${slug}"`);
      expect(op.errorMessage).toContain(`provisio service adopt ${serviceId}`);
    }
    const view = await rig.engine.services.view(active, 'client');
    expect(JSON.stringify(view)).not.toContain('loginUrl');
  });

  it('changed no foreign tenant, and aimed no write at one', () => {
    const changed = touched();
    console.log(`foreign objects touched: ${changed.length}`);
    expect(changed).toEqual([]);
    expect(writesAimedAtForeign()).toEqual([]);
  });

  it('adopts one deliberately; then the lifecycle runs on it', async () => {
    const serviceId = await rig.importService({ remoteIds: { slug: 'contoso' }, status: 'active' });
    await expect(rig.engine.run(serviceId, 'adopt', { args: { confirm: false } })).rejects.toThrow(/confirm/);
    expect(rig.emulator.tenant('contoso')).toEqual(before.get('contoso'));

    expect((await rig.adopt(serviceId)).status).toBe('succeeded');
    const service = await rig.engine.services.get(serviceId);
    expect(service.remoteIds).toMatchObject({ slug: 'contoso', claim: `provisio-service-${serviceId}` });
    expect(service.customFields['Archive URL']).toBe(`https://contoso.${rig.emulator.baseDomain}`);
    expect(rig.emulator.tenant('contoso')).toEqual(before.get('contoso'));

    expect((await rig.engine.run(serviceId, 'suspend')).status).toBe('succeeded');
    expect(rig.emulator.tenant('contoso')?.status).toBe('suspended');
    expect((await rig.engine.run(serviceId, 'unsuspend')).status).toBe('succeeded');
    expect(rig.emulator.tenant('contoso')?.status).toBe('active');
  });

  it('adopts the tenant a refused create stood beside: the pending service takes its state', async () => {
    expect((await rig.adopt(refusedAcme)).status).toBe('succeeded');
    const service = await rig.engine.services.get(refusedAcme);
    expect(service.status).toBe('active');
    expect(service.remoteIds).toMatchObject({ slug: 'acme-archive', claimState: 'confirmed' });
    expect((await rig.engine.run(refusedAcme, 'suspend')).status).toBe('succeeded');
    expect(rig.emulator.tenant('acme-archive')?.status).toBe('suspended');
    expect(rig.emulator.tenants().filter((t) => t.slug.startsWith('acme-archive'))).toHaveLength(1);
  });
});
