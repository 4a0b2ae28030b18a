import type { ProvisioningError } from '../../core/errors.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpRequest,
  parseRetryAfter,
} from '../../transport/http-client.js';
import type { ActionContext, ServerContext } from '../contract.js';
import { type CalagopusErrorCode, calagopusErrors } from './errors.js';

/**
 * Calagopus admin API client (docs/specs/calagopus.md §1–§2): `Authorization: Bearer <key>`,
 * `Content-Type` exactly `application/json` (the panel compares full media types, so no charset),
 * redirects are not followed, every non-2xx is mapped from `{"errors": [...]}` to a catalogued code.
 */
export interface PanelUser {
  uuid: string;
  external_id: string | null;
  username: string;
  email: string;
  name_first: string;
  name_last: string;
}

export interface PanelAllocation {
  uuid: string;
  ip: string;
  ip_alias: string | null;
  port: number;
}

export interface PanelServer {
  uuid: string;
  uuid_short: string;
  external_id: string | null;
  name: string;
  status: string | null;
  is_suspended: boolean;
  allocation: PanelAllocation | null;
  node: { uuid: string; name: string } | null;
  owner: { uuid: string; name_first: string; name_last: string; email: string } | null;
  limits: {
    cpu: number;
    memory: number;
    disk: number;
    swap: number;
    memory_overhead: number;
    io_weight: number | null;
  };
  feature_limits: Record<string, number | boolean | string>;
  image: string;
  hugepages_passthrough_enabled: boolean;
  kvm_passthrough_enabled: boolean;
}

export interface PanelEgg {
  uuid: string;
  name: string;
  docker_images?: Record<string, string>;
  startup_commands?: Record<string, string>;
  startup?: string;
}

/** The list envelope (§2.3). */
export interface Page<T> {
  total: number;
  per_page: number;
  page: number;
  data: T[];
}

/** `errors[]`, with double-encoded model-level errors (`"{\"errors\":[…]}"`) unwrapped (§2.2). */
export function panelErrorMessages(json: unknown): string[] {
  const list = (json as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry): string[] => {
    const text = String(entry);
    if (text.trimStart().startsWith('{"errors"')) {
      try {
        const inner = panelErrorMessages(JSON.parse(text));
        if (inner.length) return inner;
      } catch {
        // Not JSON after all: keep the text as the panel sent it.
      }
    }
    return [text];
  });
}

/**
 * Whether a failure of this call will be tried again, which decides how a panel 500 is read and
 * what the message promises:
 * - `create`: a 500 is Wings refusing the new server (the panel deletes the row again, §5.2), and
 *   create looks its mark up first, so every retry is safe;
 * - `first-attempt`: any other action's first 500 is retried once (a node briefly away);
 * - `final`: a second 500 is not transient (a malformed id, a foreign-key error, §5.4), and reads
 *   outside an operation (server test, views, reconcile) are never retried.
 */
export type RetryStance = 'create' | 'first-attempt' | 'final';

export function retryStanceOf(ctx: ActionContext<unknown>): RetryStance {
  if (ctx.action === 'create') return 'create';
  return ctx.attempt <= 1 ? 'first-attempt' : 'final';
}

function codeFor(status: number, stance: RetryStance): CalagopusErrorCode {
  if (status === 400 || status === 422) return 'calagopus.request_refused';
  if (status === 401 || status === 403) return 'calagopus.key_refused';
  if (status === 404) return 'calagopus.not_found';
  if (status === 409) return 'calagopus.conflict';
  if (status === 429) return 'calagopus.rate_limited';
  if (status === 500) return stance === 'final' ? 'calagopus.panel_failed' : 'calagopus.panel_unavailable';
  if (status === 502 || status === 503 || status === 504) return 'calagopus.panel_unavailable';
  return 'calagopus.panel_failed';
}

function hintFor(status: number, errors: string[], stance: RetryStance, retryAfter?: number): string {
  if (status === 401) return ': check the API key in the server password field';
  const permission = errors.map((e) => /permission to perform this action: (\S+)/.exec(e)?.[1]).find(Boolean);
  if (permission) return `: tick the admin permission ${permission} on the API key in the panel`;
  if (status === 403) return ': check the API key, its allowed IPs and its owner account';
  const retried = stance !== 'final';
  if (status === 429) {
    const wait = retryAfter === undefined ? 'a little while' : `${retryAfter} s`;
    return retried
      ? `: the panel rate-limits per client address; the operation will be retried in ${wait}`
      : `: the panel rate-limits per client address; try again in ${wait}`;
  }
  if (status === 500) {
    return retried
      ? ': often the node daemon (Wings) is unreachable; the operation will be retried'
      : ': the panel failed again; check the panel log and the node daemon (Wings), then retry';
  }
  return '';
}

export class CalagopusClient {
  constructor(
    private readonly http: HttpClient,
    private readonly where: string,
    private readonly stance: RetryStance,
  ) {}

  /** Base URL as WHMCS builds it: `http[s]://host[:port]`, the port only when not the scheme's default. */
  static baseUrl(server: { secure: boolean; host: string; port: number }): string {
    const scheme = server.secure ? 'https' : 'http';
    const defaultPort = server.secure ? 443 : 80;
    return `${scheme}://${server.host}${server.port && server.port !== defaultPort ? `:${server.port}` : ''}`;
  }

  /** A client for one call site; `stance` says whether its failures will be retried. */
  static forServer(ctx: ServerContext, stance: RetryStance = 'final', timeoutMs = 30_000): CalagopusClient {
    const baseUrl = CalagopusClient.baseUrl(ctx.server);
    const where = `the Calagopus panel at ${new URL(baseUrl).host}`;
    const http = createHttpClient({
      baseUrl,
      headers: {
        authorization: `Bearer ${ctx.server.secret}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      timeoutMs,
      tls: ctx.server.tls,
      moduleLog: ctx.moduleLog,
      signal: ctx.signal,
      backendName: where,
    });
    return new CalagopusClient(http, where, stance);
  }

  static forAction(ctx: ActionContext<unknown>): CalagopusClient {
    return CalagopusClient.forServer(ctx, retryStanceOf(ctx));
  }

  get panelUrl(): string {
    return this.http.baseUrl.replace(/\/+$/, '');
  }

  /** `the Calagopus panel at host:port`, for messages. */
  get panelName(): string {
    return this.where;
  }

  /** One call; any 2xx is success and returns the JSON object. */
  async call<T>(
    method: HttpRequest['method'],
    path: string,
    options: { query?: HttpRequest['query']; body?: unknown } = {},
  ): Promise<T> {
    const response = await this.http.request({
      method,
      path: `/api/admin${path}`,
      query: options.query,
      body: options.body,
    });
    const { status } = response;
    if (status >= 300 && status < 400) {
      const target = response.headers.location ?? 'elsewhere';
      throw calagopusErrors.error(
        'calagopus.redirect',
        `${this.where} answered ${method} ${path} with a redirect (HTTP ${status} to ${target}): the Secure setting probably does not match the panel (http vs https), or the hostname carries a path`,
        { details: { status, location: target } },
      );
    }
    if (status >= 200 && status < 300) {
      if (typeof response.json !== 'object' || response.json === null) {
        throw calagopusErrors.error(
          'calagopus.not_json',
          `${this.where} answered ${method} ${path} with something that is not the Calagopus API (HTTP ${status}, not JSON): check the hostname and port`,
          { details: { status } },
        );
      }
      return response.json as T;
    }
    const errors = panelErrorMessages(response.json);
    const text = errors.length ? errors.join(', ') : response.body.slice(0, 200) || 'no error text';
    const retryAfter = status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined;
    throw calagopusErrors.error(
      codeFor(status, this.stance),
      `${this.where} refused ${method} ${path} (HTTP ${status}): ${text}${hintFor(status, errors, this.stance, retryAfter)}`,
      { details: { status, errors }, ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) },
    );
  }

  /** Like `call`, but a 404 is `undefined` (not-found is detected by status, not by message text). */
  async find<T>(path: string, query?: HttpRequest['query']): Promise<T | undefined> {
    try {
      return await this.call<T>('GET', path, { query });
    } catch (error) {
      if (calagopusErrors.is(error, 'calagopus.not_found')) return undefined;
      throw error;
    }
  }

  listLocations(perPage = 100) {
    return this.call<{ locations: Page<{ uuid: string; name: string }> }>('GET', '/locations', {
      query: { page: 1, per_page: perPage },
    });
  }

  async userByExternalId(externalId: string): Promise<PanelUser | undefined> {
    return (await this.find<{ user: PanelUser }>(`/users/external/${encodeURIComponent(externalId)}`))?.user;
  }

  async searchUsers(search: string): Promise<PanelUser[]> {
    const page = await this.call<{ users: Page<PanelUser> }>('GET', '/users', {
      query: { page: 1, per_page: 100, search },
    });
    return page.users.data;
  }

  async createUser(body: Record<string, unknown>): Promise<PanelUser> {
    return (await this.call<{ user: PanelUser }>('POST', '/users', { body })).user;
  }

  async updateUser(uuid: string, body: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/users/${uuid}`, { body });
  }

  async egg(nestUuid: string, eggUuid: string): Promise<PanelEgg> {
    return (await this.call<{ egg: PanelEgg }>('GET', `/nests/${nestUuid}/eggs/${eggUuid}`)).egg;
  }

  async availableAllocations(nodeUuid: string): Promise<PanelAllocation[]> {
    const page = await this.call<{ allocations: Page<PanelAllocation> }>(
      'GET',
      `/nodes/${nodeUuid}/allocations/available`,
      { query: { page: 1, per_page: 100 } },
    );
    return page.allocations.data;
  }

  async serverByExternalId(externalId: string): Promise<PanelServer | undefined> {
    return (await this.find<{ server: PanelServer }>(`/servers/external/${encodeURIComponent(externalId)}`))
      ?.server;
  }

  async server(uuid: string): Promise<PanelServer | undefined> {
    return (await this.find<{ server: PanelServer }>(`/servers/${encodeURIComponent(uuid)}`))?.server;
  }

  /** One page of every server on the panel, oldest first, as the panel pages them. */
  async servers(page: number, perPage: number): Promise<Page<PanelServer>> {
    return (
      await this.call<{ servers: Page<PanelServer> }>('GET', '/servers', {
        query: { page, per_page: perPage },
      })
    ).servers;
  }

  async createServer(body: Record<string, unknown>): Promise<PanelServer> {
    return (await this.call<{ server: PanelServer }>('POST', '/servers', { body })).server;
  }

  async deployServer(body: Record<string, unknown>): Promise<PanelServer> {
    return (await this.call<{ server: PanelServer }>('POST', '/servers/deploy', { body })).server;
  }

  async updateServer(uuid: string, body: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/servers/${uuid}`, { body });
  }

  async putVariables(
    uuid: string,
    variables: readonly { env_variable: string; value: string }[],
  ): Promise<void> {
    await this.call('PUT', `/servers/${uuid}/variables`, { body: { variables } });
  }

  async clearState(uuid: string): Promise<void> {
    await this.call('POST', `/servers/${uuid}/clear-state`);
  }

  async deleteServer(uuid: string, deleteBackups: boolean): Promise<void> {
    await this.call('DELETE', `/servers/${uuid}`, { body: { force: false, delete_backups: deleteBackups } });
  }
}

/** Whether an error is the panel's 409 (an allocation taken, a user email taken). */
export function isPanelConflict(error: unknown): error is ProvisioningError {
  return calagopusErrors.is(error, 'calagopus.conflict');
}
