import type { WireReply, WireRequest } from '../kit/http-emulator.js';
import { authenticate, hasPermission } from './auth.js';
import { CLIENT_ADDRESS, NON_API_TEXT, RATE_LIMIT_BEFORE_AUTH } from './guesses.js';
import { type Payload, parsePayload } from './payload.js';
import type { RateLimiter } from './rate-limit.js';
import { matchRoute, PlainTextError, type Route, type RouteContext } from './router.js';
import { catalogRoutes } from './routes-catalog.js';
import { serverRoutes } from './routes-servers.js';
import { userRoutes } from './routes-users.js';
import type { PanelState } from './state.js';
import { ApiError } from './validation.js';

/**
 * The panel's HTTP surface on one raw request (the kit has already logged it and applied latency
 * and faults): only `/api` is the panel, then the route table, rate limit, auth ladder, routes.
 */
export interface PanelRuntime {
  state: PanelState;
  limiter: RateLimiter;
  random: () => number;
}

const ROUTES: readonly Route[] = [...catalogRoutes, ...userRoutes, ...serverRoutes];

/** Every handled error is `{"errors": [...]}` (§2.1); axum's own rejections are plain text. */
function errorReply(error: unknown): WireReply {
  if (error instanceof ApiError)
    return { status: error.status, body: { errors: error.errors }, headers: error.headers };
  if (error instanceof PlainTextError)
    return {
      status: error.status,
      rawBody: error.text,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    };
  return { status: 500, body: { errors: ['internal server error'] } };
}

export function answerPanelRequest(runtime: PanelRuntime, request: WireRequest): WireReply {
  const remoteIp = CLIENT_ADDRESS;
  try {
    if (!request.path.startsWith('/api/'))
      return { status: 404, rawBody: NON_API_TEXT, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    const match = matchRoute(ROUTES, request.method, request.path);
    if (match === undefined) throw new ApiError(404, ['route not found']);
    if (match === 'method') return { status: 405, rawBody: '' };
    if (RATE_LIMIT_BEFORE_AUTH) {
      const limited = runtime.limiter.hit(remoteIp, Date.now());
      if (limited) throw limited;
    }
    const caller = authenticate(runtime.state, request.headers.authorization, remoteIp, Date.now());
    let parsed: Payload | undefined;
    const ctx: RouteContext = {
      state: runtime.state,
      params: match.params,
      query: request.query,
      caller: caller.user,
      random: runtime.random,
      body() {
        parsed ??= parsePayload(request.headers['content-type'], request.body);
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
    return errorReply(error);
  }
}
