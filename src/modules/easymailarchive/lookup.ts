import type { ActionContext, RemoteState } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { recordTenantOnService } from './create.js';
import { easymailarchiveErrors as errors } from './errors.js';
import { foreignTenantError, ownershipOf, tenantObject, writeConfirmedClaim } from './ownership.js';
import type { EasyMailArchiveSettings } from './settings.js';
import {
  accessBaseDomain,
  accessUrl,
  REMOTE_ACCESS_URL,
  REMOTE_SLUG,
  REMOTE_SLUG_ORIGIN,
  serviceSlug,
} from './tenant-slug.js';

type Ctx = ActionContext<EasyMailArchiveSettings>;

function statusOf(tenant: Tenant): RemoteState['status'] {
  if (tenant.status === 'suspended') return 'suspended';
  if (tenant.status === 'deleted') return 'terminated';
  if (tenant.status === 'active') return 'active';
  return 'pending';
}

function remoteIdsOf(ctx: Ctx, slug: string): Record<string, string> {
  const baseDomain = accessBaseDomain(ctx);
  return baseDomain
    ? { [REMOTE_SLUG]: slug, [REMOTE_ACCESS_URL]: accessUrl(slug, baseDomain) }
    : { [REMOTE_SLUG]: slug };
}

/**
 * What sits under the service's slug (the saved one, else the one its create would try first),
 * and whose it is (spec §10). Reads only. A tenant under a posted claim (its create's answer was
 * lost) is ours: the engine re-runs the create, which finishes it.
 */
export async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const slug = serviceSlug(ctx);
  if (!slug) return null;
  const tenant = await EasyMailArchiveClient.forServer(ctx).getTenant(slug);
  if (!tenant) return null;
  const ownership = ownershipOf(ctx.service.id, ctx.remote.all(), tenant);
  if (ownership.owner === 'foreign')
    return { status: statusOf(tenant), owner: 'foreign', object: tenantObject(slug) };
  return {
    status: statusOf(tenant),
    owner: 'ours',
    object: tenantObject(slug),
    remoteIds: remoteIdsOf(ctx, slug),
  };
}

/**
 * The operator's deliberate adopt: writes this service's claim on the tenant of our reseller
 * found under its slug, changing nothing on Easy Mail Archive. Refuses without confirmation, and
 * for a tenant the service's record claims for another service. Another reseller's tenant is
 * invisible to our key, so it can never be adopted.
 */
export async function adopt(ctx: Ctx): Promise<RemoteState> {
  if (ctx.args.confirm !== true) {
    throw errors.error(
      'easymailarchive.adopt_unconfirmed',
      `Adopting the archive tenant of service #${ctx.service.id} needs confirmation: provisio service adopt ${ctx.service.id} --yes`,
    );
  }
  const slug = serviceSlug(ctx);
  if (!slug) {
    throw errors.error(
      'easymailarchive.no_slug',
      `Service #${ctx.service.id} names no archive tenant to adopt: give it the tenant's slug (provisio service update ${ctx.service.id} --custom-field slug=<slug>) and adopt again.`,
    );
  }
  const tenant = await EasyMailArchiveClient.forServer(ctx).getTenant(slug);
  if (!tenant) {
    throw errors.error(
      'easymailarchive.tenant_not_found',
      `Nothing to adopt for service #${ctx.service.id}: server "${ctx.server.name}" shows no tenant "${slug}" under this reseller key (it does not exist, or it belongs to another reseller account, which can never be adopted).`,
    );
  }
  const ownership = ownershipOf(ctx.service.id, ctx.remote.all(), tenant);
  if (ownership.owner === 'foreign' && ownership.why === 'other-service')
    throw foreignTenantError(ctx, slug, ownership, 'adopt');
  if (ownership.owner === 'foreign' || !ownership.confirmed) {
    await writeConfirmedClaim(ctx.remote, ctx.service.id, tenant);
    if (ownership.owner === 'foreign') await ctx.remote.set(REMOTE_SLUG_ORIGIN, 'adopted');
    ctx.logger.warn('archive tenant adopted: this service now claims it', { slug });
  }
  const baseDomain = accessBaseDomain(ctx);
  if (baseDomain) await recordTenantOnService(ctx, slug, baseDomain);
  return {
    status: statusOf(tenant),
    owner: 'ours',
    object: tenantObject(slug),
    remoteIds: remoteIdsOf(ctx, slug),
  };
}
