import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import type { ActionContext } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { slugCandidates } from './slug.js';
import {
  accessUrl,
  chooseSlug,
  FIELD_ACCESS_URL,
  FIELD_SLUG,
  REMOTE_ACCESS_URL,
  REMOTE_SLUG,
  REMOTE_SLUG_ORIGIN,
  requireAccessBaseDomain,
  type SlugChoice,
  tenantName,
} from './tenant-slug.js';

type Ctx = ActionContext<EasyMailArchiveSettings>;

/** Saves the slug and access URL on the service: remote ids for the module, custom fields for people. */
export async function recordTenantOnService(ctx: Ctx, slug: string, baseDomain: string): Promise<void> {
  const url = accessUrl(slug, baseDomain);
  await ctx.remote.set(REMOTE_SLUG, slug);
  await ctx.remote.set(REMOTE_ACCESS_URL, url);
  // The engine merges custom fields: only ours are given.
  await ctx.updateService({ customFields: { [FIELD_SLUG]: slug, [FIELD_ACCESS_URL]: url } });
}

function takenByOurselvesError(ctx: Ctx, slug: string): ProvisioningError {
  return legacyModuleError(
    'conflict',
    `The archive slug "${slug}" chosen for service #${ctx.service.id} is already used by another tenant of this reseller account on server "${ctx.server.name}": choose a different slug in the service's "slug" field and retry.`,
    { code: 'easymailarchive.slug_in_use' },
  );
}

function takenError(ctx: Ctx, slug: string, reason: string): ProvisioningError {
  return legacyModuleError(
    'conflict',
    `The archive slug "${slug}" chosen for service #${ctx.service.id} is already taken on Easy Mail Archive (slugs are unique across all resellers; the API said: ${reason}). Choose a different slug in the service's "slug" field and retry.`,
    { code: 'easymailarchive.slug_taken' },
  );
}

function exhaustedError(ctx: Ctx, tried: readonly string[]): ProvisioningError {
  return legacyModuleError(
    'conflict',
    `No free archive slug found for service #${ctx.service.id}: ${tried.length} candidates from "${tried[0]}" to "${tried.at(-1)}" are taken. Give the service a slug of its own in its "slug" field, or change the slug prefix, and retry.`,
    { code: 'easymailarchive.slug_exhausted' },
  );
}

function candidatesFor(choice: SlugChoice, resumeFrom: string | undefined): string[] {
  if (choice.origin === 'customer') return [choice.slug];
  return slugCandidates(choice.base, resumeFrom);
}

/**
 * Create, safe to replay. The slug is saved on the service before each POST; a replay first reads
 * that slug under our own key and adopts the tenant when it exists. A fresh candidate is only
 * saved after a GET shows our key has no tenant there, so a tenant found at a saved slug can only
 * be the one this service created (an answer lost after the tenant was made).
 */
export async function createTenant(ctx: Ctx): Promise<void> {
  const baseDomain = requireAccessBaseDomain(ctx);
  const choice = chooseSlug(ctx);
  const name = tenantName(ctx);
  const client = EasyMailArchiveClient.forServer(ctx);

  const saved = ctx.remote.get(REMOTE_SLUG);
  if (saved) {
    const existing = await client.getTenant(saved);
    if (existing) return adopt(ctx, existing, baseDomain);
  }

  const candidates = candidatesFor(choice, saved);
  for (const slug of candidates) {
    if (slug !== saved) {
      if (await client.getTenant(slug)) {
        if (choice.origin === 'customer') throw takenByOurselvesError(ctx, slug);
        continue;
      }
      await ctx.remote.set(REMOTE_SLUG, slug);
      await ctx.remote.set(REMOTE_SLUG_ORIGIN, choice.origin);
    }
    await ctx.progress(`Creating archive tenant "${slug}"`);
    const result = await client.createTenant(slug, name);
    if (result.outcome === 'created') {
      await recordTenantOnService(ctx, result.tenant.slug || slug, baseDomain);
      return;
    }
    ctx.logger.info('archive slug taken, trying the next candidate', {
      slug,
      reason: result.reason,
      origin: choice.origin,
    });
    if (choice.origin === 'customer') {
      // Forget the refused slug so a retry after the customer picks another one starts clean.
      await ctx.remote.delete(REMOTE_SLUG);
      throw takenError(ctx, slug, result.reason);
    }
  }
  await ctx.remote.delete(REMOTE_SLUG);
  throw exhaustedError(ctx, candidates);
}

async function adopt(ctx: Ctx, tenant: Tenant, baseDomain: string): Promise<void> {
  ctx.logger.info('adopting the archive tenant this service already created', { slug: tenant.slug });
  await recordTenantOnService(ctx, tenant.slug, baseDomain);
}
