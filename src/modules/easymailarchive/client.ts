import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpResponse,
  parseRetryAfter,
  statusKind,
} from '../../transport/http-client.js';
import type { ServerContext } from '../contract.js';

/**
 * The Easy Mail Archive reseller API (spec §2–§3). The vendor documents two response shapes for
 * the same endpoints: the help centre's Laravel-style `{ data, meta }` envelope (S2) and the
 * marketing page's bare objects and arrays with other field names (S3). Every reply is read as
 * `data ?? body` and every tenant is normalised here, so the module never sees which shape came.
 */
export const TENANTS_PATH = '/api/reseller/tenants';
/** Page size asked for when listing; the parameter names `page`/`per_page` are a guess (spec §3.2). */
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
      throw legacyModuleError(
        'auth',
        `${where} has no reseller API key: enter it in the server's Password field`,
        {
          code: 'easymailarchive.no_api_key',
        },
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

  /** The error for an answer we cannot use; 401 is explained as a bad key (spec §2). */
  private failure(response: HttpResponse, doing: string): ProvisioningError {
    const status = response.status;
    if (status === 401) {
      return legacyModuleError(
        'auth',
        `${this.where} rejected the reseller API key while ${doing} (HTTP 401): the key in the server's Password field is invalid, revoked or mistyped. Copy the current key from the reseller dashboard.`,
        { code: 'easymailarchive.invalid_api_key' },
      );
    }
    const message = vendorMessage(response);
    if (status === 403) {
      return legacyModuleError(
        'auth',
        `${this.where} refused ${doing} for this reseller key (HTTP 403: ${message})`,
        {
          code: 'easymailarchive.forbidden',
        },
      );
    }
    if (status === 429 || status >= 500) {
      const kind =
        status === 429 || status === 502 || status === 503 || status === 504 ? 'unavailable' : 'remote';
      const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      return legacyModuleError(kind, `${this.where} failed while ${doing} (HTTP ${status}: ${message})`, {
        code: `easymailarchive.http_${status}`,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    }
    return legacyModuleError(
      statusKind(status),
      `${this.where} refused ${doing} (HTTP ${status}: ${message})`,
      {
        code: `easymailarchive.http_${status}`,
      },
    );
  }

  private tenantPath(slug: string, action?: string): string {
    return `${TENANTS_PATH}/${encodeURIComponent(slug)}${action ? `/${action}` : ''}`;
  }

  async createTenant(slug: string, name: string): Promise<CreateTenantResult> {
    const response = await this.http.request({ method: 'POST', path: TENANTS_PATH, body: { slug, name } });
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
      throw legacyModuleError(
        'not-found',
        `${this.where} has no tenant "${slug}" under this reseller key while ${doing}`,
        {
          code: 'easymailarchive.tenant_not_found',
        },
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

  async listPage(page: number, perPage = LIST_PAGE_SIZE): Promise<TenantPage> {
    const response = await this.http.request({
      method: 'GET',
      path: TENANTS_PATH,
      query: { page, per_page: perPage },
    });
    if (response.status !== 200) throw this.failure(response, 'listing tenants');
    const json = response.json;
    const items = unwrap(json);
    if (!Array.isArray(items)) {
      throw legacyModuleError(
        'remote',
        `${this.where} answered the tenant list with something that is not a list`,
        {
          code: 'easymailarchive.bad_list',
        },
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
   * Every tenant of this reseller in one pass: `last_page` ends it when the envelope gives one;
   * the bare shape ends on a short page (or a page that repeats, from a server that ignores `page`).
   */
  async listAllTenants(perPage = LIST_PAGE_SIZE): Promise<Tenant[]> {
    const all: Tenant[] = [];
    let previousFirst: string | undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { tenants, lastPage } = await this.listPage(page, perPage);
      if (page > 1 && tenants.length > 0 && tenants[0]!.slug === previousFirst) break;
      all.push(...tenants);
      previousFirst = tenants[0]?.slug;
      if (lastPage !== undefined ? page >= lastPage : tenants.length !== perPage) break;
    }
    return all;
  }
}
