import type { ProvisioningError } from '../../core/errors.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpResponse,
  parseRetryAfter,
} from '../../transport/http-client.js';
import type { ServerContext } from '../contract.js';
import { easymailarchiveErrors as errors } from './errors.js';

/**
 * The Easy Mail Archive reseller API (spec §2–§3). The vendor documents two response shapes for
 * the same endpoints: the help centre's Laravel-style `{ data, meta }` envelope (S2) and the
 * marketing page's bare objects and arrays with other field names (S3). Every reply is read as
 * `data ?? body` and every tenant is normalised here, so the module never sees which shape came.
 */
export const TENANTS_PATH = '/api/reseller/tenants';
/**
 * Page size asked for when listing. `page` is inferred from S2's `meta`; `per_page` is a guess a
 * plain Laravel paginator ignores (spec §3.2), so nothing here relies on getting it.
 */
export const LIST_PAGE_SIZE = 100;
/** Stops a server that ignores `page` from looping us forever. */
const MAX_PAGES = 100_000;

export interface Tenant {
  slug: string;
  name: string;
  /** `active`, `suspended`, `deleted`, or whatever else the vendor reports. */
  status: string;
  usersCount?: number;
  storageBytes?: number;
  messagesCount?: number;
  /** Only the S3 shape returns the access URL. */
  url?: string;
  /** Only the S2 shape dates the tenant (spec §10: part of the claim). */
  createdAt?: string;
  /** Only the S3 shape names the plan (spec §11). */
  plan?: string;
}

export type CreateTenantResult =
  | { outcome: 'created'; tenant: Tenant }
  | { outcome: 'slug-taken'; reason: string };

export interface TenantPage {
  tenants: Tenant[];
  lastPage?: number;
  total?: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrUndefined(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** `data ?? body`: the S2 envelope or the S3 bare reply. */
function unwrap(json: unknown): unknown {
  return isObject(json) && 'data' in json ? json.data : json;
}

/** A tenant in either documented shape (S2 `users_count`… or S3 `company_name`, `usage.{…}`). */
export function normaliseTenant(raw: unknown, fallbackSlug = ''): Tenant {
  const item = isObject(raw) ? raw : {};
  const usage = isObject(item.usage) ? item.usage : {};
  const tenant: Tenant = {
    slug: stringOr(item.slug, fallbackSlug),
    name: stringOr(item.name, stringOr(item.company_name, '')),
    status: stringOr(item.status, 'unknown'),
  };
  const users = numberOrUndefined(item.users_count ?? usage.active_users ?? item.active_users);
  const storage = numberOrUndefined(item.storage_bytes ?? usage.storage_bytes);
  const messages = numberOrUndefined(item.messages_count ?? usage.message_count ?? item.message_count);
  if (users !== undefined) tenant.usersCount = users;
  if (storage !== undefined) tenant.storageBytes = storage;
  if (messages !== undefined) tenant.messagesCount = messages;
  if (typeof item.url === 'string') tenant.url = item.url;
  if (typeof item.created_at === 'string') tenant.createdAt = item.created_at;
  if (typeof item.plan === 'string') tenant.plan = item.plan;
  return tenant;
}

/** The vendor's message (Laravel `message` plus field `errors`), short enough for an error. */
function vendorMessage(response: HttpResponse): string {
  const json = response.json;
  const parts: string[] = [];
  if (isObject(json)) {
    if (typeof json.message === 'string') parts.push(json.message);
    else if (typeof json.error === 'string') parts.push(json.error);
    if (isObject(json.errors)) {
      for (const [field, list] of Object.entries(json.errors)) {
        const texts = Array.isArray(list) ? list.filter((t) => typeof t === 'string') : [String(list)];
        if (texts.length) parts.push(`${field}: ${texts.join(' ')}`);
      }
    }
  }
  const text = parts.length ? parts.join('; ') : response.body.trim();
  return (text || 'no message').slice(0, 300);
}

/** 409, or 422 that names the slug: the spec's reading of the undocumented conflict answer (§4). */
function slugTakenReason(response: HttpResponse): string | undefined {
  if (response.status === 409) return vendorMessage(response);
  if (
    response.status === 422 &&
    isObject(response.json) &&
    isObject(response.json.errors) &&
    'slug' in response.json.errors
  ) {
    return vendorMessage(response);
  }
  return undefined;
}

export class EasyMailArchiveClient {
  constructor(
    private readonly http: HttpClient,
    /** "Easy Mail Archive at api.easymailarchive.com", for messages. */
    private readonly where: string,
  ) {}

  static forServer(ctx: ServerContext, options: { timeoutMs?: number } = {}): EasyMailArchiveClient {
    const { server } = ctx;
    const scheme = server.secure ? 'https' : 'http';
    const defaultPort = server.secure ? 443 : 80;
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    const baseUrl = `${scheme}://${host}${server.port && server.port !== defaultPort ? `:${server.port}` : ''}`;
    const where = `Easy Mail Archive at ${server.hostname || server.host} (server "${server.name}")`;
    if (!server.secret) {
      throw errors.error(
        'easymailarchive.no_api_key',
        `${where} has no reseller API key: enter it in the server's Password field (PATCH /v1/servers/${server.id} with a new "secret")`,
      );
    }
    const http = createHttpClient({
      baseUrl,
      headers: { authorization: `Bearer ${server.secret}` },
      tls: server.tls,
      moduleLog: ctx.moduleLog,
      signal: ctx.signal,
      backendName: where,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return new EasyMailArchiveClient(http, where);
  }

  /** The error for an answer we cannot use; 401 is explained as a bad key (spec §2, §13). */
  private failure(response: HttpResponse, doing: string): ProvisioningError {
    const status = response.status;
    if (status === 401) {
      return errors.error(
        'easymailarchive.invalid_api_key',
        `${this.where} rejected the reseller API key while ${doing} (HTTP 401): the key in the server's Password field is invalid, revoked or mistyped. Copy the current key from the reseller dashboard.`,
      );
    }
    const message = vendorMessage(response);
    if (status === 403) {
      return errors.error(
        'easymailarchive.forbidden',
        `${this.where} refused ${doing} for this reseller key (HTTP 403: ${message})`,
      );
    }
    if (status === 429 || status === 502 || status === 503 || status === 504) {
      const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      return errors.error(
        'easymailarchive.unavailable',
        `${this.where} is busy or unavailable while ${doing} (HTTP ${status}: ${message}); the operation is retried`,
        retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
      );
    }
    if (status >= 500) {
      return errors.error(
        'easymailarchive.server_error',
        `${this.where} failed while ${doing} (HTTP ${status}: ${message})`,
      );
    }
    return errors.error(
      'easymailarchive.refused',
      `${this.where} refused ${doing} (HTTP ${status}: ${message})`,
    );
  }

  private tenantPath(slug: string, action?: string): string {
    return `${TENANTS_PATH}/${encodeURIComponent(slug)}${action ? `/${action}` : ''}`;
  }

  /** `POST {slug, name}` (S2), with S3's optional `plan` only when the product names one (§11). */
  async createTenant(slug: string, name: string, plan?: string): Promise<CreateTenantResult> {
    const body = plan ? { slug, name, plan } : { slug, name };
    const response = await this.http.request({ method: 'POST', path: TENANTS_PATH, body });
    if (response.status >= 200 && response.status < 300) {
      return { outcome: 'created', tenant: normaliseTenant(unwrap(response.json), slug) };
    }
    const taken = slugTakenReason(response);
    if (taken !== undefined) return { outcome: 'slug-taken', reason: taken };
    throw this.failure(response, `creating tenant "${slug}"`);
  }

  /** The tenant under this reseller's key, or null when the key does not see it (absent or another reseller's). */
  async getTenant(slug: string): Promise<Tenant | null> {
    const response = await this.http.request({ method: 'GET', path: this.tenantPath(slug) });
    if (response.status === 404 || response.status === 403) return null;
    if (response.status !== 200) throw this.failure(response, `reading tenant "${slug}"`);
    return normaliseTenant(unwrap(response.json), slug);
  }

  /**
   * Suspends or unsuspends; succeeds when the tenant is already in that state, whatever status the
   * vendor uses to say so (undocumented, spec §3.5): a refusal is checked with a GET.
   */
  async setSuspended(slug: string, suspended: boolean): Promise<Tenant> {
    const action = suspended ? 'suspend' : 'unsuspend';
    const target = suspended ? 'suspended' : 'active';
    const doing = `${suspended ? 'suspending' : 'unsuspending'} tenant "${slug}"`;
    const response = await this.http.request({ method: 'PUT', path: this.tenantPath(slug, action) });
    if (response.status >= 200 && response.status < 300) {
      const tenant = normaliseTenant(unwrap(response.json), slug);
      return { ...tenant, status: tenant.status === 'unknown' ? target : tenant.status };
    }
    if (response.status === 404) {
      throw errors.error(
        'easymailarchive.tenant_not_found',
        `${this.where} has no tenant "${slug}" under this reseller key while ${doing}: it was deleted, or it belongs to another reseller account`,
      );
    }
    if (response.status === 409 || response.status === 422 || response.status === 400) {
      const current = await this.getTenant(slug);
      if (current?.status === target) return current;
    }
    throw this.failure(response, doing);
  }

  /** Deletes permanently; 'absent' when there was nothing to delete. */
  async deleteTenant(slug: string): Promise<'deleted' | 'absent'> {
    const response = await this.http.request({ method: 'DELETE', path: this.tenantPath(slug) });
    if (response.status >= 200 && response.status < 300) return 'deleted';
    if (response.status === 404) return 'absent';
    throw this.failure(response, `deleting tenant "${slug}"`);
  }

  /** One page of `GET /tenants?page=N&per_page=100`, in either documented shape (§3.2). */
  async listPage(page: number): Promise<TenantPage> {
    const response = await this.http.request({
      method: 'GET',
      path: TENANTS_PATH,
      query: { page, per_page: LIST_PAGE_SIZE },
    });
    if (response.status !== 200) throw this.failure(response, 'listing tenants');
    const json = response.json;
    const items = unwrap(json);
    if (!Array.isArray(items)) {
      throw errors.error(
        'easymailarchive.bad_answer',
        `${this.where} answered the tenant list with something that is not a list`,
      );
    }
    // Laravel puts paging in `meta` (API resources) or at the top level (plain paginators).
    const meta = isObject(json) ? (isObject(json.meta) ? json.meta : json) : {};
    const result: TenantPage = { tenants: items.map((item) => normaliseTenant(item)) };
    const lastPage = numberOrUndefined(meta.last_page);
    const total = numberOrUndefined(meta.total);
    if (lastPage !== undefined) result.lastPage = lastPage;
    if (total !== undefined) result.total = total;
    return result;
  }

  /**
   * Every page of this reseller's tenants, as the server pages them (§3.2). `last_page` ends the
   * pass when the envelope gives one. The bare shape has no metadata, and the server may page by
   * a size of its own: the pass ends on an empty page, on a page shorter than the longest so far,
   * or on a page that repeats the previous one (a server that ignores `page`).
   */
  async *pages(): AsyncGenerator<Tenant[]> {
    let previousFirst: string | undefined;
    let longest = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { tenants, lastPage } = await this.listPage(page);
      if (page > 1 && tenants.length > 0 && tenants[0]!.slug === previousFirst) return;
      if (tenants.length > 0) yield tenants;
      if (lastPage !== undefined) {
        if (page >= lastPage) return;
        continue;
      }
      if (tenants.length === 0 || tenants.length < longest) return;
      longest = tenants.length;
      previousFirst = tenants[0]?.slug;
    }
  }

  async listAllTenants(): Promise<Tenant[]> {
    const all: Tenant[] = [];
    for await (const page of this.pages()) all.push(...page);
    return all;
  }
}
