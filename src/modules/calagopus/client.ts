import { type ErrorKind, legacyModuleError, ProvisioningError } from '../../core/errors.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpRequest,
  parseRetryAfter,
} from '../../transport/http-client.js';
import type { ServerContext } from '../contract.js';

/**
 * Calagopus admin API client (spec §1–§2): `Authorization: Bearer <key>`, `Content-Type` exactly
 * `application/json` (the panel compares full media types, so no charset), redirects are not
 * followed, every non-2xx is mapped from `{"errors": [...]}` to a ProvisioningError kind.
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
  owner: {
    uuid: string;
    external_id?: string | null;
    name_first: string;
    name_last: string;
    email: string;
  } | null;
  limits: {
    cpu: number;
    memory: number;
    disk: number;
    swap: number;
    memory_overhead: number;
    io_weight: number | null;
  };
}

export interface PanelEgg {
  uuid: string;
  name: string;
  docker_images?: Record<string, string>;
  startup_commands?: Record<string, string>;
  startup?: string;
}

interface Page<T> {
  total: number;
  per_page: number;
  page: number;
  data: T[];
}

/** `errors[]`, with double-encoded model-level errors (`"{\"errors\":[…]}"`) unwrapped (spec §2.2). */
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

function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 422) return 'invalid-input';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  // A 500 is how the panel reports that Wings refused the create; it deletes the row again, and our
  // create looks up the external id first, so a later retry is safe.
  if (status === 429 || status === 500 || status === 502 || status === 503 || status === 504)
    return 'unavailable';
  return 'remote';
}

function hintFor(status: number, errors: string[]): string {
  if (status === 401) return ': check the API key in the server password field';
  const permission = errors.map((e) => /permission to perform this action: (\S+)/.exec(e)?.[1]).find(Boolean);
  if (permission) return `: tick the admin permission ${permission} on the API key in the panel`;
  if (status === 403) return ': check the API key, its allowed IPs and its owner account';
  if (status === 429) return ': the panel rate-limits per client address; the operation will be retried';
  if (status === 500) return ': often the node daemon (Wings) is unreachable; the operation will be retried';
  return '';
}

export class CalagopusClient {
  constructor(
    private readonly http: HttpClient,
    private readonly where: string,
  ) {}

  /** Base URL as WHMCS builds it: `http[s]://host[:port]`, the port only when not the scheme's default. */
  static baseUrl(server: { secure: boolean; host: string; port: number }): string {
    const scheme = server.secure ? 'https' : 'http';
    const defaultPort = server.secure ? 443 : 80;
    return `${scheme}://${server.host}${server.port && server.port !== defaultPort ? `:${server.port}` : ''}`;
  }

  static forServer(ctx: ServerContext, timeoutMs = 30_000): CalagopusClient {
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
    return new CalagopusClient(http, where);
  }

  get panelUrl(): string {
    return this.http.baseUrl.replace(/\/+$/, '');
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
      throw legacyModuleError(
        'invalid-input',
        `${this.where} answered ${method} ${path} with a redirect (HTTP ${status} to ${target}): the Secure setting probably does not match the panel (http vs https), or the hostname carries a path`,
        { code: 'calagopus.redirect', details: { status, location: target } },
      );
    }
    if (status >= 200 && status < 300) {
      if (typeof response.json !== 'object' || response.json === null) {
        throw legacyModuleError(
          'remote',
          `${this.where} answered ${method} ${path} with something that is not the Calagopus API (HTTP ${status}, not JSON): check the hostname and port`,
          { code: 'calagopus.not_json' },
        );
      }
      return response.json as T;
    }
    const errors = panelErrorMessages(response.json);
    const text = errors.length ? errors.join(', ') : response.body.slice(0, 200) || 'no error text';
    throw legacyModuleError(
      kindForStatus(status),
      `${this.where} refused ${method} ${path} (HTTP ${status}): ${text}${hintFor(status, errors)}`,
      {
        code: `calagopus.http_${status}`,
        details: { status, errors },
        retryAfterSeconds: status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined,
      },
    );
  }

  /** Like `call`, but a 404 is `undefined` (not-found is detected by status, not by message text). */
  async find<T>(path: string, query?: HttpRequest['query']): Promise<T | undefined> {
    try {
      return await this.call<T>('GET', path, { query });
    } catch (error) {
      if (error instanceof ProvisioningError && error.kind === 'not-found') return undefined;
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
      {
        query: { page: 1, per_page: 100 },
      },
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

  async deleteServer(uuid: string, deleteBackups: boolean): Promise<void> {
    await this.call('DELETE', `/servers/${uuid}`, { body: { force: false, delete_backups: deleteBackups } });
  }
}
