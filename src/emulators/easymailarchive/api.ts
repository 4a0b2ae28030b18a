import {
  ALREADY_IN_STATE_STATUS,
  type BareListPaging,
  CONFLICT_409_BODY,
  CONFLICT_422_BODY,
  type ConflictAnswer,
  DEFAULT_PER_PAGE,
  type Envelope,
  MAX_PER_PAGE,
  NOT_FOUND_BODY,
  PAGE_PARAM,
  PER_PAGE_PARAM,
  type PerPageRule,
  RESERVED_MESSAGE,
  UNAUTHENTICATED_BODY,
} from './guesses.js';
import type { EmulatedTenant, Reseller, TenantStore } from './state.js';

/** The reseller API (spec §3) over the tenant store, in either documented response style. */
export interface ApiConfig {
  envelope: Envelope;
  conflictAnswer: ConflictAnswer;
  perPage: PerPageRule;
  bareListPaging: BareListPaging;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

/** A request as server.ts parsed it from the wire. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The Bearer token, when the Authorization header had one. */
  bearer: string | undefined;
  /** The JSON body's fields; `{}` when there was none or it was not read as JSON (guess 19). */
  fields: Record<string, unknown>;
}

export const TENANTS = '/api/reseller/tenants';
const TENANT_ROUTE = /^\/api\/reseller\/tenants\/([^/]+)(?:\/(suspend|unsuspend|usage))?$/;

/** S2 (help centre) fields: list and show (spec §3.2, §3.3). */
function s2Tenant(t: EmulatedTenant) {
  return {
    slug: t.slug,
    name: t.name,
    status: t.status,
    users_count: t.usersCount,
    storage_bytes: t.storageBytes,
    messages_count: t.messagesCount,
    created_at: t.createdAt,
  };
}

/** S3 (marketing page) fields: show, also used for list items (guess 8). */
function s3Tenant(t: EmulatedTenant) {
  return {
    slug: t.slug,
    company_name: t.name,
    status: t.status,
    plan: t.plan,
    usage: { active_users: t.usersCount, storage_bytes: t.storageBytes, message_count: t.messagesCount },
  };
}

function notFound(): ApiReply {
  return { status: 404, body: NOT_FOUND_BODY };
}

function methodNotAllowed(): ApiReply {
  return { status: 405, body: { message: 'The method is not supported for this route.' } };
}

export class ResellerApi {
  constructor(
    private readonly store: TenantStore,
    private readonly config: () => ApiConfig,
  ) {}

  handle(req: ApiRequest): ApiReply {
    const reseller = req.bearer === undefined ? undefined : this.store.resellerForKey(req.bearer);
    if (!reseller) return { status: 401, body: UNAUTHENTICATED_BODY };
    if (req.path === TENANTS) {
      if (req.method === 'GET') return this.list(reseller, req.query);
      if (req.method === 'POST') return this.create(reseller, req.fields);
      return methodNotAllowed();
    }
    const match = TENANT_ROUTE.exec(req.path);
    if (!match)
      return { status: 404, body: { message: `The route ${req.path.slice(1)} could not be found.` } };
    const slug = decodeURIComponent(match[1]!);
    const tenant = this.store.owned(reseller.id, slug);
    const action = match[2];
    if (action === 'suspend' || action === 'unsuspend') {
      if (req.method !== 'PUT') return methodNotAllowed();
      return tenant ? this.setStatus(tenant, action === 'suspend' ? 'suspended' : 'active') : notFound();
    }
    if (action === 'usage') {
      if (req.method !== 'GET') return methodNotAllowed();
      return tenant ? this.usage(tenant) : notFound();
    }
    if (req.method === 'GET') return tenant ? this.wrap(this.shape(tenant), 200) : notFound();
    if (req.method === 'DELETE') {
      if (!tenant) return notFound();
      this.store.delete(slug);
      return this.wrap({ slug, status: 'deleted' }, 200);
    }
    return methodNotAllowed();
  }

  private bare(): boolean {
    return this.config().envelope === 'bare';
  }

  private wrap(payload: unknown, status: number): ApiReply {
    return { status, body: this.bare() ? payload : { data: payload } };
  }

  private shape(tenant: EmulatedTenant): unknown {
    return this.bare() ? s3Tenant(tenant) : s2Tenant(tenant);
  }

  /** Laravel paging (guesses 5–7); the S2 `meta` carries exactly the three documented fields. */
  private list(reseller: Reseller, query: URLSearchParams): ApiReply {
    const owned = this.store.listOwned(reseller.id);
    const config = this.config();
    if (this.bare() && config.bareListPaging === 'all')
      return { status: 200, body: owned.map((t) => this.shape(t)) };
    const page = Math.max(1, Number.parseInt(query.get(PAGE_PARAM) ?? '1', 10) || 1);
    const asked = Number.parseInt(query.get(PER_PAGE_PARAM) ?? '', 10);
    const perPage =
      config.perPage === 'honoured' && Number.isFinite(asked)
        ? Math.min(MAX_PER_PAGE, Math.max(1, asked))
        : DEFAULT_PER_PAGE;
    const lastPage = Math.max(1, Math.ceil(owned.length / perPage));
    const items = owned.slice((page - 1) * perPage, page * perPage).map((t) => this.shape(t));
    if (this.bare()) return { status: 200, body: items };
    return {
      status: 200,
      body: { data: items, meta: { current_page: page, last_page: lastPage, total: owned.length } },
    };
  }

  private create(reseller: Reseller, fields: Record<string, unknown>): ApiReply {
    const outcome = this.store.create(reseller, {
      slug: fields.slug,
      // S3 documents `company_name` for what S2 calls `name`.
      name: fields.name ?? fields.company_name,
      plan: fields.plan,
    });
    if (outcome.ok) {
      const t = outcome.tenant;
      if (this.bare()) {
        return {
          status: 201,
          body: { slug: t.slug, url: `https://${t.slug}.${reseller.baseDomain}`, status: t.status },
        };
      }
      return {
        status: 201,
        body: { data: { slug: t.slug, name: t.name, status: t.status, created_at: t.createdAt } },
      };
    }
    if (outcome.reason === 'invalid') {
      return { status: 422, body: { message: Object.values(outcome.errors)[0]![0], errors: outcome.errors } };
    }
    if (outcome.reason === 'reserved') {
      return { status: 422, body: { message: RESERVED_MESSAGE, errors: { slug: [RESERVED_MESSAGE] } } };
    }
    return this.config().conflictAnswer === '409'
      ? { status: 409, body: CONFLICT_409_BODY }
      : { status: 422, body: CONFLICT_422_BODY };
  }

  private setStatus(tenant: EmulatedTenant, target: EmulatedTenant['status']): ApiReply {
    if (tenant.status === target) {
      return { status: ALREADY_IN_STATE_STATUS, body: { message: `Tenant is already ${target}.` } };
    }
    tenant.status = target;
    return this.wrap({ slug: tenant.slug, status: tenant.status }, 200);
  }

  private usage(tenant: EmulatedTenant): ApiReply {
    return this.wrap(
      {
        users_count: tenant.usersCount,
        storage_bytes: tenant.storageBytes,
        messages_count: tenant.messagesCount,
      },
      200,
    );
  }
}
