import { RESERVED_SLUGS } from './guesses.js';

/** In-memory tenants of every reseller: slugs are unique across all of them (spec §4). */
export interface EmulatedTenant {
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  /** Owning reseller id. */
  reseller: string;
  usersCount: number;
  storageBytes: number;
  messagesCount: number;
  createdAt: string;
}

export interface Reseller {
  id: string;
  apiKey: string;
  baseDomain: string;
}

export type CreateOutcome =
  | { ok: true; tenant: EmulatedTenant }
  | { ok: false; reason: 'taken' | 'reserved' }
  | { ok: false; reason: 'invalid'; errors: Record<string, string[]> };

/** The vendor's slug rules (spec §4): 3–48 of a-z 0-9 -, letter first, no trailing hyphen. */
export function slugFormatError(slug: unknown): string | undefined {
  if (typeof slug !== 'string' || slug === '') return 'The slug field is required.';
  if (slug.length < 3 || slug.length > 48) return 'The slug must be between 3 and 48 characters.';
  if (!/^[a-z][a-z0-9-]*$/.test(slug) || slug.endsWith('-')) {
    return 'The slug may only contain lowercase letters, numbers and hyphens, must start with a letter and must not end with a hyphen.';
  }
  return undefined;
}

export class TenantStore {
  /** Insertion order is the list order, so pages are stable while tenants are added. */
  private readonly tenants = new Map<string, EmulatedTenant>();
  private readonly resellers = new Map<string, Reseller>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  addReseller(reseller: Reseller): void {
    this.resellers.set(reseller.apiKey, reseller);
  }

  resellerForKey(apiKey: string): Reseller | undefined {
    return this.resellers.get(apiKey);
  }

  resellerById(id: string): Reseller | undefined {
    return [...this.resellers.values()].find((r) => r.id === id);
  }

  create(reseller: string, slug: unknown, name: unknown): CreateOutcome {
    const errors: Record<string, string[]> = {};
    const slugError = slugFormatError(slug);
    if (slugError) errors.slug = [slugError];
    if (typeof name !== 'string' || name.trim() === '') errors.name = ['The name field is required.'];
    if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };
    const validSlug = slug as string;
    if (RESERVED_SLUGS.includes(validSlug)) return { ok: false, reason: 'reserved' };
    if (this.tenants.has(validSlug)) return { ok: false, reason: 'taken' };
    const tenant: EmulatedTenant = {
      slug: validSlug,
      name: (name as string).trim(),
      status: 'active',
      reseller,
      usersCount: 0,
      storageBytes: 0,
      messagesCount: 0,
      createdAt: this.now().toISOString(),
    };
    this.tenants.set(validSlug, tenant);
    return { ok: true, tenant };
  }

  /** Adds a tenant as-is (fixtures, seeding); replaces one with the same slug. */
  put(tenant: EmulatedTenant): void {
    this.tenants.set(tenant.slug, tenant);
  }

  get(slug: string): EmulatedTenant | undefined {
    return this.tenants.get(slug);
  }

  /** The tenant when `reseller` owns it; another reseller's tenant is invisible. */
  owned(reseller: string, slug: string): EmulatedTenant | undefined {
    const tenant = this.tenants.get(slug);
    return tenant?.reseller === reseller ? tenant : undefined;
  }

  listOwned(reseller: string): EmulatedTenant[] {
    return [...this.tenants.values()].filter((t) => t.reseller === reseller);
  }

  all(): EmulatedTenant[] {
    return [...this.tenants.values()];
  }

  delete(slug: string): boolean {
    return this.tenants.delete(slug);
  }

  clear(): void {
    this.tenants.clear();
  }
}
