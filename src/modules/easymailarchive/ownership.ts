import type { ProvisioningError } from '../../core/errors.js';
import { type ActionContext, ownershipMark, type RemoteIds, serviceIdOfMark } from '../contract.js';
import type { Tenant } from './client.js';
import { easymailarchiveErrors as errors } from './errors.js';
import { REMOTE_SLUG, REMOTE_SLUG_ORIGIN } from './tenant-slug.js';

/**
 * Which tenant is this service's (spec §10). The reseller API has no field a module could write
 * its mark into: a tenant has a slug (immutable, customer-visible), a display name (shown to the
 * customer, editable by staff) and nothing else documented. So the mark lives on our side, as a
 * claim in the service's remote ids, bound to the tenant by its slug and, where the API dates
 * tenants (S2 `created_at`), by its creation time:
 *
 * - `claim` = `provisio-service-<id>` and `claimState` = `posted` are saved just before the
 *   create POST, and only after a GET showed our key has no tenant at that slug. A tenant found
 *   there later is the one our POST made (its answer was lost).
 * - `claimState` = `confirmed` (with `tenantCreatedAt`) once the POST answered 201, or after an
 *   operator's adopt.
 * - anything else is foreign: a service imported from WHMCS that names a slug, a tenant deleted
 *   and made again since (another `created_at`), a claim naming another service.
 *
 * Tenants of another reseller are invisible to our key (404), so they can never be touched.
 */
export const REMOTE_CLAIM = 'claim';
export const REMOTE_CLAIM_STATE = 'claimState';
export const REMOTE_TENANT_CREATED_AT = 'tenantCreatedAt';

export type ClaimState = 'posted' | 'confirmed';

export type Ownership =
  | { owner: 'ours'; confirmed: boolean }
  | { owner: 'foreign'; why: 'unclaimed' | 'replaced' }
  | { owner: 'foreign'; why: 'other-service'; otherServiceId: number };

/** Pure: whose is `tenant`, given the remote ids of service `serviceId`. */
export function ownershipOf(
  serviceId: number,
  remote: Readonly<Record<string, string>>,
  tenant: Pick<Tenant, 'slug' | 'createdAt'>,
): Ownership {
  const claim = remote[REMOTE_CLAIM];
  if (remote[REMOTE_SLUG] !== tenant.slug || !claim) return { owner: 'foreign', why: 'unclaimed' };
  const claimant = serviceIdOfMark(claim);
  if (claimant === null) return { owner: 'foreign', why: 'unclaimed' };
  if (claimant !== serviceId) return { owner: 'foreign', why: 'other-service', otherServiceId: claimant };
  const state = remote[REMOTE_CLAIM_STATE];
  if (state === 'posted') return { owner: 'ours', confirmed: false };
  if (state !== 'confirmed') return { owner: 'foreign', why: 'unclaimed' };
  const recorded = remote[REMOTE_TENANT_CREATED_AT];
  if (recorded && tenant.createdAt && recorded !== tenant.createdAt)
    return { owner: 'foreign', why: 'replaced' };
  return { owner: 'ours', confirmed: true };
}

/** Whether the remote ids of `serviceId` claim a slug (posted or confirmed), and which. */
export function claimedSlug(serviceId: number, remote: Readonly<Record<string, string>>): string | undefined {
  const slug = remote[REMOTE_SLUG];
  return slug && serviceIdOfMark(remote[REMOTE_CLAIM]) === serviceId ? slug : undefined;
}

/** Saved right before the create POST of `slug` (see above). */
export async function writePostedClaim(
  remote: RemoteIds,
  serviceId: number,
  slug: string,
  origin: string,
): Promise<void> {
  await remote.delete(REMOTE_TENANT_CREATED_AT);
  await remote.set(REMOTE_SLUG, slug);
  await remote.set(REMOTE_SLUG_ORIGIN, origin);
  await remote.set(REMOTE_CLAIM, ownershipMark(serviceId));
  await remote.set(REMOTE_CLAIM_STATE, 'posted' satisfies ClaimState);
}

/** The claim on a tenant that is now certainly this service's (created, or adopted). */
export async function writeConfirmedClaim(
  remote: RemoteIds,
  serviceId: number,
  tenant: Tenant,
): Promise<void> {
  await remote.set(REMOTE_SLUG, tenant.slug);
  await remote.set(REMOTE_CLAIM, ownershipMark(serviceId));
  await remote.set(REMOTE_CLAIM_STATE, 'confirmed' satisfies ClaimState);
  if (tenant.createdAt) await remote.set(REMOTE_TENANT_CREATED_AT, tenant.createdAt);
  else await remote.delete(REMOTE_TENANT_CREATED_AT);
}

export async function clearClaim(remote: RemoteIds): Promise<void> {
  for (const key of [REMOTE_SLUG, REMOTE_CLAIM, REMOTE_CLAIM_STATE, REMOTE_TENANT_CREATED_AT])
    await remote.delete(key);
}

/** How a person names the tenant in messages and in `RemoteState.object`. */
export function tenantObject(slug: string): string {
  return `tenant "${slug}"`;
}

const WHY: Record<'unclaimed' | 'replaced', string> = {
  unclaimed: 'this service did not create it and holds no claim on it',
  replaced: 'it was deleted and made again since this service created it',
};

/**
 * The refusal for a foreign tenant: what was refused, where, why, and the two ways on. Nothing
 * was sent that could change the tenant.
 */
export function foreignTenantError(
  ctx: Pick<ActionContext, 'service' | 'server'>,
  slug: string,
  ownership: Extract<Ownership, { owner: 'foreign' }>,
  doing: string,
): ProvisioningError {
  const id = ctx.service.id;
  const where = `${tenantObject(slug)} on Easy Mail Archive server "${ctx.server.name}"`;
  if (ownership.why === 'other-service') {
    return errors.error(
      'easymailarchive.tenant_claimed_elsewhere',
      `Cannot ${doing} service #${id}: its record claims ${where} for service #${ownership.otherServiceId}. Nothing was changed. Check which service owns the tenant (provisio service show ${ownership.otherServiceId}) before adopting it.`,
    );
  }
  return errors.error(
    'easymailarchive.tenant_foreign',
    `Cannot ${doing} service #${id}: ${where} exists under your reseller account, but ${WHY[ownership.why]}. Nothing was changed. If it is this customer's archive, adopt it: provisio service adopt ${id} --yes. Otherwise give the service a slug of its own: provisio service update ${id} --custom-field slug=<new-slug>.`,
  );
}
