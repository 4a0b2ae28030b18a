import type { PackageDifference, RemoteClaim, RemoteObject, ServerContext, ServiceRef } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { claimedSlug } from './ownership.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { REMOTE_SLUG } from './tenant-slug.js';

/**
 * Reconcile (spec §12). Easy Mail Archive keeps no mark on a tenant (spec §10), so every listed
 * tenant says `markedServiceId: null`: whose it is comes from the claims services hold, which
 * `remoteKeyOf` reports (`held`). A service that names a slug without a claim holds nothing.
 */
export const TENANT_KIND = 'tenant';

function stateOf(tenant: Tenant): RemoteObject['state'] {
  if (tenant.status === 'active' || tenant.status === 'suspended') return tenant.status;
  return tenant.status === 'provisioning' || tenant.status === 'pending' ? 'pending' : 'unknown';
}

export function toRemoteObject(tenant: Tenant): RemoteObject {
  return {
    kind: TENANT_KIND,
    key: tenant.slug,
    ...(tenant.name && tenant.name !== tenant.slug ? { label: tenant.name } : {}),
    markedServiceId: null,
    state: stateOf(tenant),
    // Only the S3 shape reports a plan; a field the backend does not report is not drift.
    ...(tenant.plan === undefined ? {} : { package: { plan: tenant.plan } }),
    remoteIds: { [REMOTE_SLUG]: tenant.slug },
  };
}

/** Every tenant of the reseller, ours and not, a page of the API at a time. */
export async function* listRemote(ctx: ServerContext): AsyncIterable<readonly RemoteObject[]> {
  for await (const page of EasyMailArchiveClient.forServer(ctx).pages()) yield page.map(toRemoteObject);
}

/**
 * The tenant a service names: `held` when its remote ids hold its own claim on the slug (the
 * tenant is the service's), not held when they name a slug without one (an imported service: a
 * tenant there is foreign until adopted).
 */
export function remoteKeyOf(service: ServiceRef): RemoteClaim | null {
  const slug = claimedSlug(service.serviceId, service.remoteIds);
  if (slug) return { kind: TENANT_KIND, key: slug, held: true };
  const named = service.remoteIds[REMOTE_SLUG];
  return named ? { kind: TENANT_KIND, key: named, held: false } : null;
}

/** The plan is the one limit a product sets (spec §11); an empty setting asks for none. */
export function packageDrift(settings: EasyMailArchiveSettings, object: RemoteObject): PackageDifference[] {
  const wanted = settings.plan?.trim() ?? '';
  const actual = object.package?.plan;
  if (!wanted || typeof actual !== 'string' || actual === wanted) return [];
  return [{ field: 'plan', expected: wanted, actual }];
}
