import type { ActionContext } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { easymailarchiveErrors as errors } from './errors.js';
import { foreignTenantError, ownershipOf } from './ownership.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { REMOTE_PLAN, REMOTE_SLUG } from './tenant-slug.js';

/**
 * Suspend, unsuspend, terminate and change package. Each reads the tenant first and checks this
 * service's claim right before anything that changes it (spec §10): between the engine's lookup
 * and the call, staff may have deleted the tenant and someone may have made another one there.
 * The same read makes the actions idempotent: a tenant already in the target state is left alone.
 */
type Ctx = ActionContext<EasyMailArchiveSettings>;

function requireSlug(ctx: Ctx, doing: string): string {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (slug) return slug;
  throw errors.error(
    'easymailarchive.no_slug',
    `Cannot ${doing} service #${ctx.service.id}: it has no archive tenant slug recorded, so it was never created on Easy Mail Archive. Check the service's create operation (provisio ops list --service ${ctx.service.id}).`,
  );
}

/** The tenant under the service's slug when it is this service's; null when there is none. */
async function ownedTenantOrNull(
  ctx: Ctx,
  client: EasyMailArchiveClient,
  slug: string,
  doing: string,
): Promise<Tenant | null> {
  const tenant = await client.getTenant(slug);
  if (!tenant) return null;
  const ownership = ownershipOf(ctx.service.id, ctx.remote.all(), tenant);
  if (ownership.owner === 'foreign') throw foreignTenantError(ctx, slug, ownership, doing);
  return tenant;
}

async function requireOwnedTenant(ctx: Ctx, client: EasyMailArchiveClient, doing: string) {
  const slug = requireSlug(ctx, doing);
  const tenant = await ownedTenantOrNull(ctx, client, slug, doing);
  if (tenant) return tenant;
  throw errors.error(
    'easymailarchive.tenant_not_found',
    `Cannot ${doing} service #${ctx.service.id}: Easy Mail Archive server "${ctx.server.name}" has no tenant "${slug}" under this reseller key (deleted through support, or another reseller's). Check the slug with Easy Mail Archive support.`,
  );
}

export async function setSuspended(ctx: Ctx, suspended: boolean): Promise<void> {
  const doing = suspended ? 'suspend' : 'unsuspend';
  const client = EasyMailArchiveClient.forServer(ctx);
  const tenant = await requireOwnedTenant(ctx, client, doing);
  if (tenant.status === (suspended ? 'suspended' : 'active')) {
    ctx.logger.info(`archive tenant is already ${tenant.status}: nothing to ${doing}`, { slug: tenant.slug });
    return;
  }
  await client.setSuspended(tenant.slug, suspended);
}

/** Suspends and keeps the archive, as the vendor's module does (S1); deletes only when the product says so. */
export async function terminate(ctx: Ctx): Promise<void> {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (!slug) {
    await ctx.warn('terminate: no archive tenant was ever recorded for this service; nothing to do');
    return;
  }
  const client = EasyMailArchiveClient.forServer(ctx);
  const tenant = await ownedTenantOrNull(ctx, client, slug, 'terminate');
  if (!tenant) {
    // A tenant that is already gone keeps no data to protect: terminate has nothing left to do.
    await ctx.warn(`terminate: the archive tenant ${slug} no longer exists`);
    return;
  }
  if (ctx.settings.deleteOnTerminate) {
    const outcome = await client.deleteTenant(slug);
    await ctx.warn(
      `archive tenant ${slug} deleted permanently (${outcome}; product setting "Delete tenant on terminate")`,
    );
    return;
  }
  if (tenant.status !== 'suspended') await client.setSuspended(slug, true);
}

/**
 * A product change touches nothing on the backend: slugs are immutable and the API updates only
 * name and branding (S6). It is refused when the new product names another plan than the tenant
 * has (spec §11), so billing never says a plan the archive does not run.
 */
export async function changePackage(ctx: Ctx): Promise<void> {
  const client = EasyMailArchiveClient.forServer(ctx);
  const tenant = await requireOwnedTenant(ctx, client, 'change the package of');
  const wanted = ctx.settings.plan.trim();
  const current = tenant.plan ?? ctx.remote.get(REMOTE_PLAN) ?? '';
  if (wanted && wanted !== current) {
    throw errors.error(
      'easymailarchive.plan_change_unsupported',
      `Cannot move tenant "${tenant.slug}" of service #${ctx.service.id} to plan "${wanted}": it is on ${current ? `plan "${current}"` : 'the reseller default plan'}, and the Easy Mail Archive API cannot change a tenant's plan. Ask Easy Mail Archive support to move it, then retry the operation (provisio ops retry <id>).`,
    );
  }
  if (wanted) await ctx.remote.set(REMOTE_PLAN, wanted);
}
