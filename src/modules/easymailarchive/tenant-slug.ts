import type { ActionContext } from '../contract.js';
import { easymailarchiveErrors as errors } from './errors.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { generateSlug, slugRuleViolation } from './slug.js';

/** Keys under which the module keeps the tenant on the service (remote ids and custom fields). */
export const REMOTE_SLUG = 'slug';
export const REMOTE_SLUG_ORIGIN = 'slugOrigin';
export const REMOTE_ACCESS_URL = 'accessUrl';
/** The plan the tenant was created on, when the product named one (spec §11). */
export const REMOTE_PLAN = 'plan';
export const FIELD_SLUG = 'Archive slug';
export const FIELD_ACCESS_URL = 'Archive URL';
/** Where a customer-chosen slug comes from: configurable option or service custom field `slug`. */
export const CUSTOMER_SLUG_FIELD = 'slug';

export type SlugChoice = { origin: 'customer'; slug: string } | { origin: 'auto'; base: string };

type Ctx = ActionContext<EasyMailArchiveSettings>;

function customerSlug(ctx: Ctx): string | undefined {
  const fromOption = ctx.configOptions[CUSTOMER_SLUG_FIELD];
  const fromField = Object.entries(ctx.service.customFields).find(
    ([key]) => key.toLowerCase() === CUSTOMER_SLUG_FIELD,
  )?.[1];
  const value = (fromOption || fromField || '').trim();
  return value === '' ? undefined : value.toLowerCase();
}

/**
 * Which slug this service asks for, checked against the vendor's rules before any remote call:
 * a slug the customer chose wins; otherwise one is generated when the product allows it.
 */
export function chooseSlug(ctx: Ctx): SlugChoice {
  const chosen = customerSlug(ctx);
  if (chosen !== undefined) {
    const violation = slugRuleViolation(chosen);
    if (violation) {
      throw errors.error(
        'easymailarchive.invalid_slug',
        `The archive slug "${chosen}" chosen for service #${ctx.service.id} ${violation}. Correct the service's "slug" field (3–48 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen): provisio service update ${ctx.service.id} --custom-field slug=<slug>, and retry.`,
      );
    }
    return { origin: 'customer', slug: chosen };
  }
  if (!ctx.settings.autoGenerateSlug) {
    throw errors.error(
      'easymailarchive.slug_missing',
      `Service #${ctx.service.id} has no archive slug and the product "${ctx.product.name}" does not auto-generate one: fill in the service's "slug" field (provisio service update ${ctx.service.id} --custom-field slug=<slug>) or turn on "Auto-generate slug".`,
    );
  }
  const base = generateSlug({
    prefix: ctx.settings.slugPrefix,
    preferred: ctx.settings.slugSource,
    domain: ctx.service.domain,
    company: ctx.client.company,
    serviceId: ctx.service.id,
  });
  return { origin: 'auto', base };
}

/** The slug a choice starts from: the customer's, or the generated base before any suffix. */
export function primarySlug(choice: SlugChoice): string {
  return choice.origin === 'customer' ? choice.slug : choice.base;
}

/**
 * The slug this service is known by: the one it saved, else the one its create would try first;
 * undefined when neither exists (the create's own checks then say why).
 */
export function serviceSlug(ctx: Ctx): string | undefined {
  const saved = ctx.remote.get(REMOTE_SLUG);
  if (saved) return saved;
  try {
    return primarySlug(chooseSlug(ctx));
  } catch {
    return undefined;
  }
}

/** Longest display name sent (spec §3.1: the limit is a guess, Laravel's usual 255). */
const MAX_TENANT_NAME = 255;

/** The tenant's display name: company, else the client's name, else the domain or email. */
export function tenantName(ctx: Ctx): string {
  const person = `${ctx.client.firstName} ${ctx.client.lastName}`.trim();
  const name = ctx.client.company.trim() || person || ctx.service.domain || ctx.client.email;
  return name.slice(0, MAX_TENANT_NAME).trim();
}

/** The base domain of access URLs: the product's override, else the server's reseller base domain. */
export function accessBaseDomain(ctx: Pick<Ctx, 'settings' | 'server'>): string | undefined {
  const fromProduct = ctx.settings.accessBaseDomain?.trim();
  const fromServer = ctx.server.settings.baseDomain;
  const value = fromProduct || (typeof fromServer === 'string' ? fromServer.trim() : '');
  return value === '' ? undefined : value.toLowerCase().replace(/^\.+|\.+$/g, '');
}

export function requireAccessBaseDomain(ctx: Ctx): string {
  const domain = accessBaseDomain(ctx);
  if (domain) return domain;
  throw errors.error(
    'easymailarchive.base_domain_missing',
    `Server "${ctx.server.name}" has no reseller base domain, so no access URL can be given to the customer: set "Reseller base domain" on the server (PATCH /v1/servers/${ctx.server.id} with settings.baseDomain) or the product's override, and retry.`,
  );
}

export function accessUrl(slug: string, baseDomain: string): string {
  return `https://${slug}.${baseDomain}`;
}
