import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorKind, legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import { createHttpClient, type HttpClient, type HttpResponse } from '../../transport/http-client.js';
import type { ModuleLog } from '../../transport/module-log.js';
import type { ServerContext } from '../contract.js';
import {
  DCI_ROUTES,
  type DciList,
  type DciServer,
  type DciUser,
  type LoginBody,
  type RouteName,
  routePath,
} from './routes.js';

/**
 * DCImanager 6 API client (spec §2–§4): Auth v4 token login, the token sent as `x-xsrf-token`,
 * `ISP-Session` and cookie `ses6`, one re-login when the token has expired, 503 ("service waking
 * up") re-sent every 500 ms for up to 60 s as ISPsystem's own library does, `{list,size}` lists
 * and the `{"error":{code,msg}}` envelope mapped to error kinds.
 */
export interface Dci6ClientOptions {
  /** Pause between 503 re-sends (default 500 ms, as the vendor library). */
  retryDelayMs?: number;
  /** Give up on 503s after this long (default 60 s, the library's per-request timeout). */
  unavailableAfterMs?: number;
  timeoutMs?: number;
}

export interface ListQuery {
  where?: string;
  orderby?: string;
  /** `offset,count` or `count`. */
  limit?: string;
}

export interface CallOptions {
  params?: Readonly<Record<string, string | number>>;
  query?: Readonly<Record<string, string | undefined>>;
  body?: unknown;
}

/** Error codes of the envelope known from the vendor library (spec §4.3). */
const HANDLER_NOT_FOUND = 1106;

interface ErrorEnvelope {
  code?: number;
  msg?: string;
}

function envelopeOf(response: HttpResponse): ErrorEnvelope {
  const error = (response.json as { error?: ErrorEnvelope } | undefined)?.error;
  return error && typeof error === 'object' ? error : {};
}

/** Quotes a value for the `where` grammar: single quotes, embedded quotes doubled. */
export function whereValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

const ISSUED_CREDENTIAL = /"(token|access_token|key)"\s*:\s*"[^"]*"/g;

/**
 * The transport logs an answer before the client can read it, so a session token or sign-in key
 * in a login or key answer would reach the sink before `addSecret` knows it: masked here first.
 */
function maskingIssuedCredentials(log: ModuleLog): ModuleLog {
  return {
    redactor: log.redactor,
    record: (call) =>
      log.record({ ...call, response: call.response.replace(ISSUED_CREDENTIAL, '"$1":"***"') }),
  };
}

export class Dci6Client {
  private token: string | undefined;
  private readonly http: HttpClient;
  private readonly retryDelayMs: number;
  private readonly unavailableAfterMs: number;
  readonly where: string;
  readonly baseUrl: string;

  constructor(
    private readonly ctx: ServerContext,
    options: Dci6ClientOptions = {},
  ) {
    const { server } = ctx;
    this.baseUrl = `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}`;
    this.where = `DCImanager 6 at ${server.hostname || server.host}`;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.unavailableAfterMs = options.unavailableAfterMs ?? 60_000;
    this.http = createHttpClient({
      baseUrl: this.baseUrl,
      tls: server.tls,
      moduleLog: maskingIssuedCredentials(ctx.moduleLog),
      signal: ctx.signal,
      backendName: this.where,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  async login(): Promise<void> {
    const { username, secret } = this.ctx.server;
    const body: LoginBody = { email: username, password: secret };
    const response = await this.send('login', { body });
    if (response.status >= 400) {
      const envelope = envelopeOf(response);
      throw legacyModuleError(
        response.status >= 500 ? 'unavailable' : 'auth',
        `${this.where} refused the login for ${username}${envelope.msg ? ` (${envelope.msg})` : ''}: check the admin email and password of this server`,
        { code: 'dcimanager6.login_failed' },
      );
    }
    const json = response.json as { token?: unknown; access_token?: unknown } | undefined;
    const token =
      typeof json?.token === 'string'
        ? json.token
        : typeof json?.access_token === 'string'
          ? json.access_token
          : undefined;
    if (!token) {
      throw legacyModuleError('remote', `${this.where} answered the login without a token`, {
        code: 'dcimanager6.login_no_token',
      });
    }
    this.ctx.addSecret(token);
    this.token = token;
  }

  /** Ends the session; a failure here must not fail the action that already did its work. */
  async logout(): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.token = undefined;
    try {
      await this.send('logout', { params: { token } }, token);
    } catch {
      // The session expires on its own; the action's result stands.
    }
  }

  /** One API call: logs in when needed, re-logs in once on an expired token, maps the envelope. */
  async call<T>(route: RouteName, options: CallOptions = {}): Promise<T> {
    if (!this.token) await this.login();
    let response = await this.send(route, options, this.token);
    if (response.status === 401) {
      this.token = undefined;
      await this.login();
      response = await this.send(route, options, this.token);
    }
    if (response.status >= 400) throw this.errorFrom(route, response);
    return (response.json ?? {}) as T;
  }

  async list<T>(
    route: RouteName,
    query: ListQuery = {},
    params?: Readonly<Record<string, string | number>>,
  ): Promise<DciList<T>> {
    const json = await this.call<Partial<DciList<T>>>(route, {
      query: { ...query },
      ...(params ? { params } : {}),
    });
    const list = Array.isArray(json.list) ? json.list : [];
    return { list, size: typeof json.size === 'number' ? json.size : list.length };
  }

  async getServer(id: number): Promise<DciServer> {
    return this.call<DciServer>('serverGet', { params: { id } });
  }

  async findUserByEmail(email: string): Promise<DciUser | undefined> {
    const found = await this.list<DciUser>('userList', { where: `(email EQ ${whereValue(email)})` });
    return found.list.find((user) => user.email.toLowerCase() === email.toLowerCase());
  }

  /** Sends one request, re-sending while the service answers 503 (it is waking up). */
  private async send(route: RouteName, options: CallOptions, token?: string): Promise<HttpResponse> {
    const spec = DCI_ROUTES[route];
    const headers: Record<string, string> = token
      ? { 'x-xsrf-token': token, 'ISP-Session': token, cookie: `ses6=${token}` }
      : {};
    // Wall time on purpose: this bounds real sleeping, which a virtual engine clock would not see.
    const started = Date.now();
    for (;;) {
      const response = await this.http.request({
        method: spec.method,
        path: routePath(route, options.params),
        ...(options.query ? { query: options.query } : {}),
        // The vendor library sends `{}` on a bodiless POST.
        ...(spec.method === 'POST'
          ? { body: options.body ?? {} }
          : options.body
            ? { body: options.body }
            : {}),
        headers,
      });
      if (response.status !== 503) return response;
      if (Date.now() - started >= this.unavailableAfterMs) {
        throw legacyModuleError(
          'unavailable',
          `${this.where} kept answering 503 (service waking up) for ${Math.round(this.unavailableAfterMs / 1000)} s; it will be tried again`,
          {
            code: 'dcimanager6.unavailable',
          },
        );
      }
      await sleep(this.retryDelayMs, undefined, { signal: this.ctx.signal });
    }
  }

  private errorFrom(route: RouteName, response: HttpResponse): ProvisioningError {
    const envelope = envelopeOf(response);
    const spec = DCI_ROUTES[route];
    const what = `${spec.method} ${spec.path}`;
    const backendText = envelope.msg ? `: ${envelope.msg}` : '';
    const code = `dcimanager6.http_${response.status}${envelope.code !== undefined ? `_${envelope.code}` : ''}`;
    let kind: ErrorKind;
    let message: string;
    if (response.status === 404 && envelope.code === HANDLER_NOT_FOUND) {
      kind = 'unsupported';
      message = `${this.where} has no handler for ${what} (code ${HANDLER_NOT_FOUND}): this DCImanager version's API differs from the module's route table (src/modules/dcimanager6/routes.ts)`;
    } else if (response.status === 401) {
      kind = 'auth';
      message = `${this.where} refused the session for ${what} even after a new login${backendText}`;
    } else if (response.status === 403) {
      kind = 'auth';
      message = `${this.where} refused ${what} for ${this.ctx.server.username}${backendText}: the configured user needs the @admin role`;
    } else if (response.status === 404) {
      kind = 'not-found';
      message = `${this.where}: ${what} found nothing${backendText}`;
    } else if (response.status === 409) {
      kind = 'conflict';
      message = `${this.where} refused ${what}${backendText}`;
    } else if (response.status === 502 || response.status === 504 || response.status === 429) {
      kind = 'unavailable';
      message = `${this.where} answered ${response.status} to ${what}; it will be tried again`;
    } else {
      kind = 'remote';
      message = `${this.where} refused ${what} (HTTP ${response.status})${backendText || ': unknown error'}`;
    }
    return legacyModuleError(kind, message, {
      code,
      details: { status: response.status, errorCode: envelope.code },
    });
  }
}
