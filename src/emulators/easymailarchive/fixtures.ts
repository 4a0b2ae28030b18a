import { DEFAULT_PLANS } from './guesses.js';
import type { EmulatedTenant, Reseller } from './state.js';

/** The reseller whose key the emulator prints at start; tests use it as "our" account. */
export const DEMO_RESELLER: Reseller = {
  id: 'demo-reseller',
  apiKey: 'ema_live_demo_reseller_key_0123456789',
  baseDomain: 'archive.demo-hosting.test',
  plans: DEFAULT_PLANS,
};

/** Another reseller account on the same platform: its tenants are invisible to the demo key. */
export const OTHER_RESELLER: Reseller = {
  id: 'other-reseller',
  apiKey: 'ema_live_other_reseller_key_9876543210',
  baseDomain: 'archive.other-hosting.test',
  plans: DEFAULT_PLANS,
};

/** Slugs the other reseller holds: global uniqueness makes them unavailable to us (spec §4). */
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

export const FIXTURE_CREATED_AT = '2024-01-15T09:30:00.000Z';

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
    plan: 'starter',
    usersCount: usage[0],
    storageBytes: usage[1],
    messagesCount: usage[2],
    createdAt: FIXTURE_CREATED_AT,
  };
}

/** Both resellers exist with or without fixtures: a key is part of the setup, not of the data. */
export function fixtureResellers(demo: Reseller): Reseller[] {
  return [demo, OTHER_RESELLER];
}

export function fixtureTenants(demo: Reseller): EmulatedTenant[] {
  return [
    ...OTHER_RESELLER_SLUGS.map((slug) => tenant(slug, OTHER_RESELLER.id, slug, [3, 5_242_880, 1200])),
    tenant('demo-archive', demo.id, 'Demo Archive Ltd', [12, 734_003_200, 48_250]),
  ];
}
