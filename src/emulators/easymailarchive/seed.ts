import { SeedError } from '../kit/control.js';
import { DEFAULT_PLANS } from './guesses.js';
import { type EmulatedTenant, type Reseller, slugFormatError, type TenantStore } from './state.js';

/**
 * The seed entities: objects and changes provisio did not make, as staff in the reseller
 * dashboard, support, or an older module would have made them. Each also makes one kind of drift
 * for reconcile (spec §12): `status` (suspended by hand), `deletion` (deleted by support), `plan`
 * (plan changed by hand), `duplicate` (a second tenant for one customer).
 *
 * | entity      | input                                                                  |
 * |-------------|------------------------------------------------------------------------|
 * | `tenant`    | `slug`, and optionally `name`, `status`, `reseller`, `plan`, `usersCount`, `storageBytes`, `messagesCount`, `createdAt` |
 * | `reseller`  | `id`, `apiKey`, `baseDomain`, optionally `plans`                        |
 * | `usage`     | `slug` and any of `usersCount`, `storageBytes`, `messagesCount`         |
 * | `status`    | `slug`, `status` (`active` or `suspended`)                              |
 * | `deletion`  | `slug`                                                                 |
 * | `plan`      | `slug`, `plan`                                                         |
 * | `duplicate` | `of` (a slug), optionally `slug` (default: the next free `<of>-N`)      |
 */
export const SEED_ENTITIES = [
  'tenant',
  'reseller',
  'usage',
  'status',
  'deletion',
  'plan',
  'duplicate',
] as const;

type Input = Record<string, unknown>;

function text(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw new SeedError(`${field} is required (text)`);
  return value;
}

function optionalCount(input: Input, field: string): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new SeedError(`${field} must be a whole number ≥ 0`);
  return value;
}

function statusOf(value: unknown): EmulatedTenant['status'] {
  if (value === undefined || value === 'active') return 'active';
  if (value === 'suspended') return 'suspended';
  throw new SeedError('status must be active or suspended');
}

export class TenantSeeder {
  constructor(
    private readonly store: TenantStore,
    private readonly defaultReseller: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  seed(entity: string, input: Input): unknown {
    switch (entity) {
      case 'tenant':
        return this.tenant(input);
      case 'reseller':
        return this.reseller(input);
      case 'usage':
        return this.usage(input);
      case 'status': {
        const tenant = this.existing(input);
        tenant.status = statusOf(input.status);
        return tenant;
      }
      case 'deletion': {
        const tenant = this.existing(input);
        this.store.delete(tenant.slug);
        return { slug: tenant.slug, deleted: true };
      }
      case 'plan': {
        const tenant = this.existing(input);
        tenant.plan = text(input, 'plan');
        return tenant;
      }
      case 'duplicate':
        return this.duplicate(input);
      default:
        throw new SeedError(`no seed entity "${entity}": use ${SEED_ENTITIES.join(', ')}`);
    }
  }

  tenant(input: Input): EmulatedTenant {
    const slug = text(input, 'slug');
    const badSlug = slugFormatError(slug);
    if (badSlug) throw new SeedError(badSlug);
    if (this.store.has(slug))
      throw new SeedError(`slug ${slug} is taken (slugs are unique across resellers)`);
    const reseller = input.reseller === undefined ? this.defaultReseller() : text(input, 'reseller');
    if (!this.store.resellerById(reseller)) throw new SeedError(`no reseller ${reseller}: seed it first`);
    const tenant: EmulatedTenant = {
      slug,
      name: input.name === undefined ? slug : text(input, 'name'),
      status: statusOf(input.status),
      reseller,
      plan: input.plan === undefined || input.plan === null ? null : text(input, 'plan'),
      usersCount: optionalCount(input, 'usersCount') ?? 0,
      storageBytes: optionalCount(input, 'storageBytes') ?? 0,
      messagesCount: optionalCount(input, 'messagesCount') ?? 0,
      createdAt: input.createdAt === undefined ? this.now().toISOString() : text(input, 'createdAt'),
    };
    this.store.put(tenant);
    return tenant;
  }

  private reseller(input: Input): Omit<Reseller, 'apiKey'> {
    const plans = input.plans === undefined ? DEFAULT_PLANS : input.plans;
    if (!Array.isArray(plans) || !plans.every((p) => typeof p === 'string'))
      throw new SeedError('plans must be a list of names');
    const reseller: Reseller = {
      id: text(input, 'id'),
      apiKey: text(input, 'apiKey'),
      baseDomain: text(input, 'baseDomain'),
      plans,
    };
    if (this.store.resellerForKey(reseller.apiKey)) throw new SeedError('that API key is already in use');
    this.store.addReseller(reseller);
    const { apiKey: _key, ...shown } = reseller;
    return shown;
  }

  private usage(input: Input): EmulatedTenant {
    const tenant = this.existing(input);
    tenant.usersCount = optionalCount(input, 'usersCount') ?? tenant.usersCount;
    tenant.storageBytes = optionalCount(input, 'storageBytes') ?? tenant.storageBytes;
    tenant.messagesCount = optionalCount(input, 'messagesCount') ?? tenant.messagesCount;
    return tenant;
  }

  private duplicate(input: Input): EmulatedTenant {
    const original = this.store.get(text(input, 'of'));
    if (!original) throw new SeedError(`no tenant ${String(input.of)} to duplicate`);
    let slug = typeof input.slug === 'string' ? input.slug : undefined;
    for (let n = 2; slug === undefined; n++)
      if (!this.store.has(`${original.slug}-${n}`)) slug = `${original.slug}-${n}`;
    return this.tenant({
      slug,
      name: original.name,
      reseller: original.reseller,
      ...(original.plan === null ? {} : { plan: original.plan }),
    });
  }

  private existing(input: Input): EmulatedTenant {
    const slug = text(input, 'slug');
    const tenant = this.store.get(slug);
    if (!tenant) throw new SeedError(`no tenant ${slug}`);
    return tenant;
  }
}
