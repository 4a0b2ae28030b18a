import type { IncomingHttpHeaders } from 'node:http';
import type { WireReply, WireRequest } from '../kit/http-emulator.js';
import { GUESSES } from './guesses.js';
import { apiError, HANDLERS, type Sessions } from './handlers.js';
import { matchRoute, PUBLIC_HANDLERS } from './routes.js';
import type { Dci6State } from './state.js';
import { WhereSyntaxError } from './where.js';

/**
 * The wire side of the emulator: reads the raw request as DCImanager 6 would (docs/specs/
 * dcimanager6.md §2): every route at `/X` and `/api/X`, the body as JSON whatever Content-Type
 * says, the session token from `x-xsrf-token`, `ISP-Session` or cookie `ses6`, then the route
 * table and its handler.
 */
function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  for (const name of ['x-xsrf-token', 'isp-session']) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return /(?:^|;\s*)ses6=([^;]+)/.exec(headers.cookie ?? '')?.[1];
}

function parseBody(raw: string): Record<string, unknown> | undefined {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function answerDci6(state: Dci6State, sessions: Sessions, request: WireRequest): WireReply {
  const match = matchRoute(request.method, request.path);
  if (!match) return apiError(404, GUESSES.codes.handlerNotFound, 'request handler not found');
  const body = parseBody(request.body);
  if (!body) return apiError(400, GUESSES.codes.invalidValue, 'request body is not a JSON object');
  const session = sessions.tokens.get(tokenOf(request.headers) ?? '');
  const user = session ? state.users.get(session.userId) : undefined;
  if (!PUBLIC_HANDLERS.has(match.handler)) {
    if (!user) return apiError(GUESSES.httpStatus.unauthorized, GUESSES.codes.unauthorized, 'Unauthorized');
    if (match.handler !== 'logout' && !user.roles.includes('@admin'))
      return apiError(GUESSES.httpStatus.forbidden, GUESSES.codes.forbidden, 'Access denied');
  }
  try {
    return HANDLERS[match.handler]({
      state,
      sessions,
      params: match.params,
      query: request.query,
      body,
      user,
    });
  } catch (error) {
    if (error instanceof WhereSyntaxError)
      return apiError(400, GUESSES.codes.invalidValue, `where: ${error.message}`);
    throw error;
  }
}
