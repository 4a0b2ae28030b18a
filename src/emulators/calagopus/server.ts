import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readBody, sendJson } from '../http-kit.js';
import { authenticate, hasPermission } from './auth.js';
import { type Faults, takeFault } from './faults.js';
import { NON_API_TEXT, RATE_LIMIT_BEFORE_AUTH } from './guesses.js';
import { matchRoute, PlainTextError, parsePayload, type Route, type RouteContext } from './router.js';
import { catalogRoutes } from './routes-catalog.js';
import { serverRoutes } from './routes-servers.js';
import { userRoutes } from './routes-users.js';
import type { PanelState } from './state.js';
import { ApiError, type Json } from './validation.js';

/** The panel's HTTP surface: latency, faults, rate limit, auth ladder, routes, request log. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  /** Raw request body ('' when none). The Authorization header is never logged. */
  body: string;
  contentType: string | undefined;
  status: number | 'dropped' | 'hung';
  errors?: string[];
}

export interface PanelRuntime {
  state: PanelState;
  faults: Faults;
  log: LoggedRequest[];
  /** Control routes (`/__emulator/...`), handled before anything else. */
  control(method: string, path: string, body: Json): { status: number; body: unknown } | undefined;
}

const ROUTES: readonly Route[] = [...catalogRoutes, ...userRoutes, ...serverRoutes];

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

interface Window {
  count: number;
  resetAt: number;
}

function rateLimited(
  runtime: PanelRuntime,
  windows: Map<string, Window>,
  ip: string,
  now: number,
): ApiError | undefined {
  const limit = runtime.faults.rateLimit;
  if (!limit) return undefined;
  let window = windows.get(ip);
  if (!window || window.resetAt <= now) {
    window = { count: 0, resetAt: now + limit.windowSeconds * 1000 };
    windows.set(ip, window);
  }
  window.count++;
  const retry = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  const headers = {
    'x-ratelimit-limit': String(limit.limit),
    'x-ratelimit-remaining': String(Math.max(0, limit.limit - window.count)),
    'x-ratelimit-reset': String(retry),
  };
  if (window.count <= limit.limit) return undefined;
  return new ApiError(429, [`you are ratelimited, retry in ${retry}s`], {
    ...headers,
    'retry-after': String(retry),
  });
}

export function startPanelServer(runtime: PanelRuntime): { server: Server; sockets: Set<Socket> } {
  const windows = new Map<string, Window>();
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://panel');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    if (url.pathname.startsWith('/__emulator/')) {
      let body: Json = {};
      try {
        body = raw.trim() ? (JSON.parse(raw) as Json) : {};
      } catch {
        return sendJson(res, 400, { errors: ['control body must be JSON'] });
      }
      const answer = runtime.control(method, url.pathname, body);
      return answer
        ? sendJson(res, answer.status, answer.body)
        : sendJson(res, 404, { errors: ['no such control route'] });
    }
    if (runtime.faults.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, runtime.faults.latencyMs));
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      body: raw,
      contentType: req.headers['content-type'],
      status: 200,
    };
    runtime.log.push(entry);
    if (takeFault(runtime.faults.hang, method, url.pathname)) {
      entry.status = 'hung';
      return;
    }
    const failure = takeFault(runtime.faults.failNext, method, url.pathname);
    if (failure) {
      entry.status = failure.status;
      entry.errors = failure.errors;
      return sendJson(res, failure.status, { errors: failure.errors }, failure.headers);
    }
    const drop = takeFault(runtime.faults.dropAfterCommit, method, url.pathname);
    const { status, body, headers } = dispatch(req, method, url, raw);
    entry.status = drop ? 'dropped' : status;
    if (status >= 400) entry.errors = (body as { errors?: string[] }).errors;
    // The work is done (committed); only the answer is lost.
    if (drop) {
      req.socket.destroy();
      return;
    }
    if (typeof body === 'string') return sendText(res, status, body);
    sendJson(res, status, body, headers);
  }

  function dispatch(
    req: IncomingMessage,
    method: string,
    url: URL,
    raw: string,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    try {
      if (!url.pathname.startsWith('/api/')) return { status: 404, body: NON_API_TEXT };
      const match = matchRoute(ROUTES, method, url.pathname);
      if (match === undefined) throw new ApiError(404, ['route not found']);
      if (match === 'method') return { status: 405, body: '' };
      const ip = req.socket.remoteAddress ?? '';
      if (RATE_LIMIT_BEFORE_AUTH) {
        const limited = rateLimited(runtime, windows, ip, Date.now());
        if (limited) throw limited;
      }
      const caller = authenticate(runtime.state, req.headers.authorization, ip, Date.now());
      let parsed: Json | undefined;
      const ctx: RouteContext = {
        state: runtime.state,
        faults: runtime.faults,
        params: match.params,
        query: url.searchParams,
        caller: caller.user,
        bodyLength: raw.length,
        body() {
          parsed ??= parsePayload(req.headers['content-type'], raw);
          return parsed;
        },
        requirePermission(permission) {
          if (!hasPermission(caller, permission)) {
            throw new ApiError(403, [`you do not have permission to perform this action: ${permission}`]);
          }
        },
      };
      const result = match.route.handle(ctx);
      return { status: result.status ?? 200, body: result.body };
    } catch (error) {
      if (error instanceof ApiError)
        return { status: error.status, body: { errors: error.errors }, headers: error.headers };
      if (error instanceof PlainTextError) return { status: error.status, body: error.text };
      return { status: 500, body: { errors: ['internal server error'] } };
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: ['internal server error'] });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return { server, sockets };
}
