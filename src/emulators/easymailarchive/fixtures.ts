import type { EmulatedTenant, Reseller } from './state.js';

/** The reseller whose key the emulator prints at start; tests use it as "our" account. */
export const DEMO_RESELLER: Reseller = {
  id: 'demo-reseller',
  apiKey: 'ema_live_demo_reseller_key_0123456789',
  baseDomain: 'archive.demo-hosting.test',
};

/** Slugs other resellers hold: global uniqueness makes them unavailable to us (spec §4). */
export const OTHER_RESELLER_SLUGS: readonly string[] = [
  'acme',
  'acme-2',
  'example',
  'muller-backerei',
  'contoso',
  'globex',
  'initech',
  'umbrella',
];

function tenant(
  slug: string,
  reseller: string,
  name: string,
  usage: [number, number, number],
): EmulatedTenant {
  return {
    slug,
    name,
    status: 'active',
    reseller,
    usersCount: usage[0],
    storageBytes: usage[1],
    messagesCount: usage[2],
    createdAt: '2024-01-15T09:30:00.000Z',
  };
}

export function fixtureTenants(): EmulatedTenant[] {
  return [
    ...OTHER_RESELLER_SLUGS.map((slug) => tenant(slug, 'other-reseller', slug, [3, 5_242_880, 1200])),
    tenant('demo-archive', DEMO_RESELLER.id, 'Demo Archive Ltd', [12, 734_003_200, 48_250]),
  ];
}
