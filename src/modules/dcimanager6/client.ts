import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisioningError } from '../../core/errors.js';
import { createHttpClient, type HttpClient, type HttpResponse } from '../../transport/http-client.js';
import type { ModuleLog } from '../../transport/module-log.js';
import type { ServerContext } from '../contract.js';
import { dcimanager6Errors as errors } from './errors.js';
import {
  DCI_ROUTES,
  type DciList,
  type DciServer,
  type DciUser,
  type LoginBody,
  type RouteName,
  routePath,
} from './routes.js';
import { acquireSession, dropSession, type Session, sessionKey } from './sessions.js';

/**
 * DCImanager 6 API client (docs/specs/dcimanager6.md §2–§4): Auth v4 token login, the token sent
 * as `x-xsrf-token`, `ISP-Session` and cookie `ses6`, sessions pooled per DCImanager (§14) and
 * logged in again once when expired, 503 ("service waking up") re-sent every 500 ms for up to 60 s
 * as ISPsystem's own library does, `{list,size}` lists, and the `{"error":{code,msg}}` envelope
 * mapped to the catalogue's codes.
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

function tokenHeaders(token: string): Record<string, string> {
  return { 'x-xsrf-token': token, 'ISP-Session': token, cookie: `ses6=${token}` };
}

export class Dci6Client {
  private readonly http: HttpClient;
  private readonly retryDelayMs: number;
  private readonly unavailableAfterMs: number;
  private readonly sessionKey: string;
  readonly where: string;
  readonly baseUrl: string;

  constructor(
    private readonly ctx: ServerContext,
    private readonly options: Dci6ClientOptions = {},
  ) {
    const { server } = ctx;
    this.baseUrl = `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}`;
    this.where = `DCImanager 6 at ${server.hostname || server.host}`;
    this.sessionKey = sessionKey(this.baseUrl, server.username);
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.unavailableAfterMs = options.unavailableAfterMs ?? 60_000;
    this.http = this.httpClient(ctx.signal);
  }

  /** Registers a value this client sends (a generated password) as a secret of the operation. */
  addSecret(value: string): void {
    this.ctx.addSecret(value);
  }

  /** The pooled session, or a new login; its token is registered as a secret of this context. */
  async session(): Promise<Session> {
    const session = await acquireSession(this.sessionKey, this.ctx.server.secret, () => this.login());
    this.ctx.addSecret(session.token);
    return session;
  }

  /** One API call: uses the session, logs in again once on an expired token, maps the envelope. */
  async call<T>(route: RouteName, options: CallOptions = {}): Promise<T> {
    let session = await this.session();
    let response = await this.send(route, options, session.token);
    if (response.status === 401) {
      dropSession(this.sessionKey, session);
      session = await this.session();
      response = await this.send(route, options, session.token);
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

  private httpClient(signal: AbortSignal | undefined): HttpClient {
    return createHttpClient({
      baseUrl: this.baseUrl,
      tls: this.ctx.server.tls,
      moduleLog: maskingIssuedCredentials(this.ctx.moduleLog),
      ...(signal ? { signal } : {}),
      backendName: this.where,
      timeoutMs: this.options.timeoutMs ?? 60_000,
    });
  }

  private async login(): Promise<Session> {
    const { username, secret } = this.ctx.server;
    const body: LoginBody = { email: username, password: secret };
    const response = await this.send('login', { body });
    if (response.status >= 400) {
      const envelope = envelopeOf(response);
      throw errors.error(
        response.status >= 500 ? 'dcimanager6.unavailable' : 'dcimanager6.login_failed',
        `${this.where} refused the login for ${username}${envelope.msg ? ` (${envelope.msg})` : ''}: check the admin email and password of this server`,
      );
    }
    const json = response.json as { token?: unknown; access_token?: unknown; id?: unknown } | undefined;
    const token =
      typeof json?.token === 'string'
        ? json.token
        : typeof json?.access_token === 'string'
          ? json.access_token
          : undefined;
    if (!token)
      throw errors.error('dcimanager6.login_no_token', `${this.where} answered the login without a token`);
    this.ctx.addSecret(token);
    // Ending the session outlives this operation (module close): no operation signal, short timeout.
    const ender = this.httpClient(undefined);
    const tokenId = typeof json?.id === 'number' || typeof json?.id === 'string' ? String(json.id) : token;
    return {
      token,
      tokenId,
      end: async () => {
        try {
          await ender.request({
            method: 'DELETE',
            path: routePath('logout', { token: tokenId }),
            headers: tokenHeaders(token),
            timeoutMs: 5_000,
          });
        } catch {
          // The session expires on its own; nothing waits for this.
        }
      },
    };
  }

  /** Sends one request, re-sending while the service answers 503 (it is waking up). */
  private async send(route: RouteName, options: CallOptions, token?: string): Promise<HttpResponse> {
    const spec = DCI_ROUTES[route];
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
        headers: token ? tokenHeaders(token) : {},
      });
      if (response.status !== 503) return response;
      if (Date.now() - started >= this.unavailableAfterMs) {
        throw errors.error(
          'dcimanager6.unavailable',
          `${this.where} kept answering 503 (service waking up) for ${Math.round(this.unavailableAfterMs / 1000)} s; it will be tried again`,
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
    const details = { status: response.status, errorCode: envelope.code };
    const fail = (code: Parameters<typeof errors.error>[0], message: string) =>
      errors.error(code, message, { details });
    if (response.status === 404 && envelope.code === HANDLER_NOT_FOUND)
      return fail(
        'dcimanager6.handler_not_found',
        `${this.where} has no handler for ${what} (code ${HANDLER_NOT_FOUND}): this DCImanager version's API differs from the module's route table (src/modules/dcimanager6/routes.ts)`,
      );
    switch (response.status) {
      case 401:
        return fail(
          'dcimanager6.session_refused',
          `${this.where} refused the session for ${what} even after a new login${backendText}`,
        );
      case 403:
        return fail(
          'dcimanager6.forbidden',
          `${this.where} refused ${what} for ${this.ctx.server.username}${backendText}: the configured user needs the @admin role`,
        );
      case 404:
        return fail('dcimanager6.not_found', `${this.where}: ${what} found nothing${backendText}`);
      case 409:
        return fail('dcimanager6.conflict', `${this.where} refused ${what}${backendText}`);
      case 429:
      case 502:
      case 504:
        return fail(
          'dcimanager6.unavailable',
          `${this.where} answered ${response.status} to ${what}; it will be tried again`,
        );
      default:
        return fail(
          'dcimanager6.refused',
          `${this.where} refused ${what} (HTTP ${response.status})${backendText || ': unknown error'}`,
        );
    }
  }
}
