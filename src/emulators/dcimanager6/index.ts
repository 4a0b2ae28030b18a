import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DCI_ROUTES, type DciServer, type RouteName } from '../../modules/dcimanager6/routes.js';
import { readBody } from '../http-kit.js';
import type { EmulatorDefinition, EmulatorStartOptions, RunningEmulator } from '../types.js';
import { GUESSES } from './guesses.js';
import { apiError, HANDLERS, type HandlerResult, PUBLIC_ROUTES, type Sessions } from './handlers.js';
import {
  Dci6State,
  type EmuOperation,
  type EmuUser,
  type ForcedOutcome,
  loadFixtures,
  type OperationKind,
} from './state.js';
import { WhereSyntaxError } from './where.js';

/**
 * DCImanager 6 emulator: a real HTTP server (node:http) serving the module's route table at `/X`
 * and `/api/X`, Auth v4 tokens from any of the three carriers, `{list,size}` lists with the `where`
 * grammar, operations on a virtual clock, 503 injection, dropped connections, forced outcomes, a
 * request log and a control API under `/__emulator/`. Tests use the handle's methods directly.
 */
export interface Dci6EmulatorOptions extends EmulatorStartOptions {
  /** The clock operations advance on (the engine's ManualClock in tests). Default: wall time. */
  now?: () => number;
}

export interface LoggedRequest {
  method: string;
  /** Path without the `/api` prefix and without the query. */
  path: string;
  route: RouteName | null;
  query: Record<string, string>;
  body: Record<string, unknown>;
  status: number;
}

/** What goes wrong with the next matching request. */
export type Fault =
  | { kind: 'status'; status: number; code?: number; msg?: string }
  /** Close the connection without processing the request. */
  | { kind: 'drop-before' }
  /** Process the request, then close the connection without answering (lost answer). */
  | { kind: 'drop-after' };

interface CompiledRoute {
  name: RouteName;
  method: string;
  pattern: RegExp;
  keys: string[];
}

function compileRoutes(): CompiledRoute[] {
  const compiled = (Object.entries(DCI_ROUTES) as [RouteName, (typeof DCI_ROUTES)[RouteName]][]).map(
    ([name, spec]) => {
      const keys: string[] = [];
      const source = spec.path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a?: string, b?: string) => {
          const key = (a ?? b) as string;
          keys.push(key);
          return key === 'id' || key.endsWith('Id') ? '(\\d+)' : '([^/]+)';
        });
      return { name, method: spec.method, pattern: new RegExp(`^${source}$`), keys };
    },
  );
  // Literal routes first, so `server/configuration` never reads as `server/{id}`.
  return compiled.sort((a, b) => a.keys.length - b.keys.length);
}

const ROUTES = compileRoutes();

function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-xsrf-token'] ?? req.headers['isp-session'];
  if (typeof header === 'string' && header) return header;
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)ses6=([^;]+)/.exec(cookie)?.[1];
}

export class Dci6Emulator implements RunningEmulator {
  readonly state: Dci6State;
  readonly log: LoggedRequest[] = [];
  url = '';
  port = 0;
  private offsetMs = 0;
  private unavailableCount = 0;
  private readonly faults = new Map<RouteName, Fault[]>();
  private readonly sessions: Sessions = { tokens: new Map(), keys: new Map() };
  private readonly server: Server;
  private readonly clock: () => number;

  constructor(private readonly options: Dci6EmulatorOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.state = new Dci6State(() => this.now());
    if (options.fixtures !== false) loadFixtures(this.state);
    this.applySetOptions(options.options ?? {});
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          this.send(res, apiError(500, 0, error instanceof Error ? error.message : String(error)));
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) =>
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
    return this;
  }

  now(): number {
    return this.clock() + this.offsetMs;
  }

  // ------------------------------------------------------------------ handle methods for tests

  /** Moves the emulator's own time on (adds to the given clock). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** The next `count` API requests answer 503 ("service waking up"). */
  inject503(count: number): void {
    this.unavailableCount += count;
  }

  /** The next request to `route` meets `fault`. */
  failNext(route: RouteName, fault: Fault): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), fault]);
  }

  /** The next operation of `kind` ends this way (`hang` never ends). */
  forceOutcome(kind: OperationKind, outcome: ForcedOutcome, message?: string): void {
    this.state.forced[kind].push({ outcome, ...(message ? { message } : {}) });
  }

  setDuration(kind: OperationKind, ms: number): void {
    this.state.durations[kind] = ms;
  }

  /** Every session token stops working (an expired session). */
  expireTokens(): void {
    this.sessions.tokens.clear();
  }

  server_(id: number): DciServer {
    const server = this.state.servers.get(id);
    if (!server) throw new Error(`no server ${id}`);
    return this.state.wireServer(server);
  }

  operations(serverId: number): EmuOperation[] {
    return this.state.operationsOf(serverId);
  }

  /** Route names of the logged API calls, oldest first (control and unknown routes left out). */
  calls(): string[] {
    return this.log.filter((entry) => entry.route !== null).map((entry) => entry.route as string);
  }

  clearLog(): void {
    this.log.length = 0;
  }

  describe(): string[] {
    return [
      `DCImanager 6 emulator at ${this.url} (also under ${this.url}/api)`,
      'admin login: admin@example.com / secret (an @admin user); ops@example.com is another administrator',
      'configurations: E-2146G-64Gb-1920SSD (servers 101-104), i9-9900K-64Gb-2x1024NVMe (201, 202)',
      'pools: 1 public IPv4, 2 diagnostics, 3 public-v6; templates: Ubuntu 22.04, Debian 12, AlmaLinux 9, Diag6',
      `control: ${this.url}/__emulator/{state,log,advance,outcome,fault,expire-tokens}`,
    ];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ HTTP

  private applySetOptions(set: Record<string, string>): void {
    if (set.installMinutes) this.setDuration('os_install', Number(set.installMinutes) * 60_000);
    if (set.diagMinutes) this.setDuration('diag', Number(set.diagMinutes) * 60_000);
  }

  private send(res: ServerResponse, result: HandlerResult): void {
    const text = JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const text = await readBody(req);
    if (url.pathname.startsWith('/__emulator/')) {
      return this.send(res, this.control(req.method ?? 'GET', url.pathname.slice(12), text));
    }
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    const path = url.pathname
      .replace(/^\/api\//, '/')
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const match = ROUTES.map((route) => ({
      route,
      found: route.method === method ? route.pattern.exec(path) : null,
    })).find((entry) => entry.found);
    let body: Record<string, unknown> = {};
    // The vendor library sends JSON whatever Content-Type says, so the body is read as JSON.
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return this.send(res, apiError(400, GUESSES.codes.invalidValue, 'request body is not JSON'));
      }
    }
    const entry: LoggedRequest = {
      method,
      path,
      route: match?.route.name ?? null,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
    };
    this.log.push(entry);
    const finish = (result: HandlerResult): void => {
      entry.status = result.status;
      this.send(res, result);
    };
    if (this.unavailableCount > 0) {
      this.unavailableCount--;
      return finish(apiError(503, 0, 'Service Unavailable'));
    }
    if (!match?.found)
      return finish(apiError(404, GUESSES.codes.handlerNotFound, 'request handler not found'));
    const name = match.route.name;
    const fault = this.faults.get(name)?.shift();
    if (fault?.kind === 'status')
      return finish(apiError(fault.status, fault.code ?? 0, fault.msg ?? 'injected failure'));
    if (fault?.kind === 'drop-before') {
      entry.status = -1;
      res.socket?.destroy();
      return;
    }
    let user: EmuUser | undefined;
    if (!PUBLIC_ROUTES.has(name)) {
      const userId = this.sessions.tokens.get(tokenOf(req) ?? '');
      user = userId === undefined ? undefined : this.state.users.get(userId);
      if (!user)
        return finish(apiError(GUESSES.httpStatus.unauthorized, GUESSES.codes.unauthorized, 'Unauthorized'));
      if (name !== 'logout' && !user.roles.includes('@admin'))
        return finish(apiError(GUESSES.httpStatus.forbidden, GUESSES.codes.forbidden, 'Access denied'));
    }
    const params = Object.fromEntries(
      match.route.keys.map((key, i) => [key, decodeURIComponent(match.found?.[i + 1] ?? '')]),
    );
    let result: HandlerResult;
    try {
      result = HANDLERS[name](this.state, this.sessions, { params, query: url.searchParams, body, user });
    } catch (error) {
      if (!(error instanceof WhereSyntaxError)) throw error;
      result = apiError(400, GUESSES.codes.invalidValue, `where: ${error.message}`);
    }
    if (fault?.kind === 'drop-after') {
      entry.status = result.status;
      res.socket?.destroy();
      return;
    }
    finish(result);
  }

  private control(method: string, action: string, text: string): HandlerResult {
    const input = (text.trim() ? JSON.parse(text) : {}) as Record<string, unknown>;
    switch (`${method} ${action}`) {
      case 'GET state':
        return {
          status: 200,
          body: {
            now: this.now(),
            servers: this.state.wireServers(),
            users: [...this.state.users.values()].map((u) => this.state.wireUser(u)),
          },
        };
      case 'GET log':
        return { status: 200, body: { log: this.log } };
      case 'DELETE log':
        this.clearLog();
        break;
      case 'POST advance':
        this.advance(Number(input.ms ?? 0));
        break;
      case 'POST outcome':
        this.forceOutcome(
          input.kind as OperationKind,
          input.outcome as ForcedOutcome,
          input.message as string | undefined,
        );
        break;
      case 'POST expire-tokens':
        this.expireTokens();
        break;
      case 'POST fault':
        if (input.kind === '503') this.inject503(Number(input.count ?? 1));
        else this.failNext(input.route as RouteName, input as unknown as Fault);
        break;
      default:
        return apiError(404, GUESSES.codes.handlerNotFound, `no control action ${method} ${action}`);
    }
    return { status: 200, body: { ok: true } };
  }
}

export async function startDci6Emulator(options: Dci6EmulatorOptions = {}): Promise<Dci6Emulator> {
  return new Dci6Emulator(options).listen();
}

export const emulator: EmulatorDefinition = {
  id: 'dcimanager6',
  description:
    'DCImanager 6 dedicated servers: auth v4, servers, switch ports, IP pools, OS installs on a virtual clock',
  defaultPort: 1500,
  start: (options) => startDci6Emulator(options),
};
