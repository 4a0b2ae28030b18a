import type { IncomingMessage } from 'node:http';
import {
  ALREADY_IN_STATE_STATUS,
  CONFLICT_409_BODY,
  CONFLICT_422_BODY,
  type ConflictAnswer,
  DEFAULT_PER_PAGE,
  type Envelope,
  MAX_PER_PAGE,
  NOT_FOUND_BODY,
  PAGE_PARAM,
  PER_PAGE_PARAM,
  RESERVED_MESSAGE,
  UNAUTHENTICATED_BODY,
} from './guesses.js';
import type { EmulatedTenant, Reseller, TenantStore } from './state.js';

/** The reseller API (spec §3) over the tenant store, in either documented response style. */
export interface ApiConfig {
  envelope: Envelope;
  conflictAnswer: ConflictAnswer;
}

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or `invalid` when it did not parse. */
  body: unknown;
}

export const TENANTS = '/api/reseller/tenants';

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

function s3Tenant(t: EmulatedTenant) {
  return {
    slug: t.slug,
    company_name: t.name,
    status: t.status,
    plan: 'standard',
    usage: { active_users: t.usersCount, storage_bytes: t.storageBytes, message_count: t.messagesCount },
  };
}

export class ResellerApi {
  constructor(
    private readonly store: TenantStore,
    private readonly config: () => ApiConfig,
  ) {}

  /** Who is calling: the reseller of the Bearer key, or undefined. */
  authenticate(headers: IncomingMessage['headers']): Reseller | undefined {
    const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    return match ? this.store.resellerForKey(match[1]!.trim()) : undefined;
  }

  handle(req: ApiRequest): ApiReply {
    const reseller = this.authenticate(req.headers);
    if (!reseller) return { status: 401, body: UNAUTHENTICATED_BODY };
    if (req.body === 'invalid')
      return { status: 400, body: { message: 'The request body is not valid JSON.' } };
    if (req.path === TENANTS) {
      if (req.method === 'GET') return this.list(reseller, req.query);
      if (req.method === 'POST') return this.create(reseller, req.body);
      return methodNotAllowed();
    }
    const match = /^\/api\/reseller\/tenants\/([^/]+)(?:\/(suspend|unsuspend|usage))?$/.exec(req.path);
    if (!match) return { status: 404, body: { message: `The route ${req.path} could not be found.` } };
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

  private wrap(payload: unknown, status: number): ApiReply {
    return { status, body: this.config().envelope === 'enveloped' ? { data: payload } : payload };
  }

  private shape(tenant: EmulatedTenant): unknown {
    return this.config().envelope === 'enveloped' ? s2Tenant(tenant) : s3Tenant(tenant);
  }

  private list(reseller: Reseller, query: URLSearchParams): ApiReply {
    const page = Math.max(1, Number.parseInt(query.get(PAGE_PARAM) ?? '1', 10) || 1);
    const asked = Number.parseInt(query.get(PER_PAGE_PARAM) ?? '', 10);
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number.isFinite(asked) ? asked : DEFAULT_PER_PAGE));
    const owned = this.store.listOwned(reseller.id);
    const lastPage = Math.max(1, Math.ceil(owned.length / perPage));
    const items = owned.slice((page - 1) * perPage, page * perPage).map((t) => this.shape(t));
    if (this.config().envelope === 'bare') return { status: 200, body: items };
    return {
      status: 200,
      body: {
        data: items,
        links: { first: `${TENANTS}?page=1`, last: `${TENANTS}?page=${lastPage}` },
        meta: { current_page: page, last_page: lastPage, per_page: perPage, total: owned.length },
      },
    };
  }

  private create(reseller: Reseller, body: unknown): ApiReply {
    const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const outcome = this.store.create(reseller.id, input.slug, input.name ?? input.company_name);
    if (outcome.ok) {
      const t = outcome.tenant;
      if (this.config().envelope === 'enveloped') {
        return {
          status: 201,
          body: { data: { slug: t.slug, name: t.name, status: t.status, created_at: t.createdAt } },
        };
      }
      return {
        status: 201,
        body: { slug: t.slug, url: `https://${t.slug}.${reseller.baseDomain}`, status: t.status },
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
      const word = target === 'suspended' ? 'suspended' : 'active';
      return { status: ALREADY_IN_STATE_STATUS, body: { message: `Tenant is already ${word}.` } };
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

function notFound(): ApiReply {
  return { status: 404, body: NOT_FOUND_BODY };
}

function methodNotAllowed(): ApiReply {
  return { status: 405, body: { message: 'The method is not supported for this route.' } };
}
