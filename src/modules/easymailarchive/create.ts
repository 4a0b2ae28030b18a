import type { ProvisioningError } from '../../core/errors.js';
import type { ActionContext } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { easymailarchiveErrors as errors } from './errors.js';
import {
  clearClaim,
  foreignTenantError,
  ownershipOf,
  writeConfirmedClaim,
  writePostedClaim,
} from './ownership.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { slugCandidates } from './slug.js';
import {
  accessUrl,
  chooseSlug,
  FIELD_ACCESS_URL,
  FIELD_SLUG,
  primarySlug,
  REMOTE_ACCESS_URL,
  REMOTE_PLAN,
  REMOTE_SLUG,
  requireAccessBaseDomain,
  type SlugChoice,
  tenantName,
} from './tenant-slug.js';

type Ctx = ActionContext<EasyMailArchiveSettings>;

/** Saves the slug and access URL on the service: remote ids for the module, custom fields for people. */
export async function recordTenantOnService(ctx: Ctx, slug: string, baseDomain: string): Promise<void> {
  const url = accessUrl(slug, baseDomain);
  await ctx.remote.set(REMOTE_ACCESS_URL, url);
  // The engine merges custom fields: only ours are given.
  await ctx.updateService({ customFields: { [FIELD_SLUG]: slug, [FIELD_ACCESS_URL]: url } });
}

function takenError(ctx: Ctx, slug: string, reason: string): ProvisioningError {
  return errors.error(
    'easymailarchive.slug_taken',
    `The archive slug "${slug}" chosen for service #${ctx.service.id} is already taken on Easy Mail Archive (slugs are unique across all resellers; the API said: ${reason}). Choose a different slug: provisio service update ${ctx.service.id} --custom-field slug=<slug>, and retry.`,
  );
}

function exhaustedError(ctx: Ctx, tried: readonly string[]): ProvisioningError {
  return errors.error(
    'easymailarchive.slug_exhausted',
    `No free archive slug found for service #${ctx.service.id}: ${tried.length} candidates from "${tried[0]}" to "${tried.at(-1)}" are taken. Give the service a slug of its own (provisio service update ${ctx.service.id} --custom-field slug=<slug>), or change the slug prefix, and retry.`,
  );
}

function candidatesFor(choice: SlugChoice, resumeFrom: string | undefined): string[] {
  if (choice.origin === 'customer') return [choice.slug];
  return slugCandidates(choice.base, resumeFrom);
}

/** The create is done: the claim becomes certain and the customer sees slug and URL. */
async function finish(ctx: Ctx, tenant: Tenant, baseDomain: string): Promise<void> {
  await writeConfirmedClaim(ctx.remote, ctx.service.id, tenant);
  const plan = ctx.settings.plan.trim();
  if (plan) await ctx.remote.set(REMOTE_PLAN, plan);
  await recordTenantOnService(ctx, tenant.slug, baseDomain);
}

/**
 * Create, safe to replay and safe among tenants it did not make (spec §4, §10):
 * - a replay first reads the slug it saved; a tenant there is finished only when this service's
 *   claim covers it (a POST whose answer was lost), and refused otherwise;
 * - a candidate is read under our key before it is claimed: a tenant of our reseller at the
 *   service's own slug is refused (never adopted, never duplicated as `-2` beside it); one at a
 *   suffixed candidate is skipped;
 * - the claim is saved just before the POST, so a tenant found at a saved, claimed slug can only
 *   be the one this service made.
 */
export async function createTenant(ctx: Ctx): Promise<void> {
  const baseDomain = requireAccessBaseDomain(ctx);
  const choice = chooseSlug(ctx);
  const name = tenantName(ctx);
  const plan = ctx.settings.plan.trim() || undefined;
  const client = EasyMailArchiveClient.forServer(ctx);

  const saved = ctx.remote.get(REMOTE_SLUG);
  if (saved) {
    const existing = await client.getTenant(saved);
    if (existing) {
      const ownership = ownershipOf(ctx.service.id, ctx.remote.all(), existing);
      if (ownership.owner === 'foreign') throw foreignTenantError(ctx, saved, ownership, 'create');
      ctx.logger.info('the archive tenant this service posted exists: finishing its create', { slug: saved });
      return finish(ctx, existing, baseDomain);
    }
  }

  const primary = primarySlug(choice);
  const candidates = candidatesFor(choice, saved);
  for (const slug of candidates) {
    if (slug !== saved && (await client.getTenant(slug))) {
      if (slug === primary)
        throw foreignTenantError(ctx, slug, { owner: 'foreign', why: 'unclaimed' }, 'create');
      ctx.logger.info('archive slug candidate is another tenant of this reseller; trying the next', { slug });
      continue;
    }
    await writePostedClaim(ctx.remote, ctx.service.id, slug, choice.origin);
    await ctx.progress(`Creating archive tenant "${slug}"`);
    const result = await client.createTenant(slug, name, plan);
    if (result.outcome === 'created') return finish(ctx, { ...result.tenant, slug }, baseDomain);
    ctx.logger.info('archive slug taken, trying the next candidate', {
      slug,
      reason: result.reason,
      origin: choice.origin,
    });
    if (choice.origin === 'customer') {
      // Forget the refused slug so a retry after the customer picks another one starts clean.
      await clearClaim(ctx.remote);
      throw takenError(ctx, slug, result.reason);
    }
  }
  await clearClaim(ctx.remote);
  throw exhaustedError(ctx, candidates);
}
