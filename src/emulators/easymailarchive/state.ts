import { MAX_NAME_LENGTH, RESERVED_SLUGS } from './guesses.js';

/** In-memory tenants of every reseller: slugs are unique across all of them (spec §4). */
export type TenantStatus = 'active' | 'suspended';

export interface EmulatedTenant {
  slug: string;
  name: string;
  status: TenantStatus;
  /** Owning reseller id. */
  reseller: string;
  /** The plan it runs on (S3 only shows it); null when none was given. */
  plan: string | null;
  usersCount: number;
  storageBytes: number;
  messagesCount: number;
  createdAt: string;
}

/** One reseller account = one API key (spec §2). */
export interface Reseller {
  id: string;
  apiKey: string;
  baseDomain: string;
  /** Plans a tenant of this reseller may be created on (guess 22). */
  plans: readonly string[];
}

export interface CreateInput {
  slug: unknown;
  name: unknown;
  plan: unknown;
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

function nameError(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'The name field is required.';
  if (name.length > MAX_NAME_LENGTH) return `The name may not be greater than ${MAX_NAME_LENGTH} characters.`;
  return undefined;
}

function planError(plan: unknown, reseller: Reseller): string | undefined {
  if (plan === undefined || plan === null) return undefined;
  if (typeof plan !== 'string' || !reseller.plans.includes(plan)) return 'The selected plan is invalid.';
  return undefined;
}

export class TenantStore {
  /** Insertion order is the list order, so pages are stable while tenants are added. */
  private readonly tenants = new Map<string, EmulatedTenant>();
  private readonly resellers = new Map<string, Reseller>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  addReseller(reseller: Reseller): void {
    for (const [key, known] of this.resellers) if (known.id === reseller.id) this.resellers.delete(key);
    this.resellers.set(reseller.apiKey, reseller);
  }

  resellerForKey(apiKey: string): Reseller | undefined {
    return this.resellers.get(apiKey);
  }

  resellerById(id: string): Reseller | undefined {
    return [...this.resellers.values()].find((r) => r.id === id);
  }

  allResellers(): Reseller[] {
    return [...this.resellers.values()];
  }

  /** What `POST /tenants` does: validation first (spec §4), then the global uniqueness check. */
  create(reseller: Reseller, input: CreateInput): CreateOutcome {
    const errors: Record<string, string[]> = {};
    const slugError = slugFormatError(input.slug);
    const badName = nameError(input.name);
    const badPlan = planError(input.plan, reseller);
    if (slugError) errors.slug = [slugError];
    if (badName) errors.name = [badName];
    if (badPlan) errors.plan = [badPlan];
    if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };
    const slug = input.slug as string;
    if (RESERVED_SLUGS.includes(slug)) return { ok: false, reason: 'reserved' };
    if (this.tenants.has(slug)) return { ok: false, reason: 'taken' };
    const tenant: EmulatedTenant = {
      slug,
      name: (input.name as string).trim(),
      status: 'active',
      reseller: reseller.id,
      plan: typeof input.plan === 'string' ? input.plan : null,
      usersCount: 0,
      storageBytes: 0,
      messagesCount: 0,
      createdAt: this.now().toISOString(),
    };
    this.tenants.set(slug, tenant);
    return { ok: true, tenant };
  }

  /** Adds a tenant as-is (fixtures, seeding). */
  put(tenant: EmulatedTenant): void {
    this.tenants.set(tenant.slug, tenant);
  }

  get(slug: string): EmulatedTenant | undefined {
    return this.tenants.get(slug);
  }

  has(slug: string): boolean {
    return this.tenants.has(slug);
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
    this.resellers.clear();
  }
}
