import type { IncomingHttpHeaders } from 'node:http';
import type { WireReply, WireRequest } from '../kit/http-emulator.js';
import type { ApiReply, ApiRequest, ResellerApi } from './api.js';
import { LOGIN_REDIRECT } from './guesses.js';

/**
 * The wire of the reseller API: reads the raw request as a Laravel API would (spec §2) and turns
 * the answer back into HTTP. Parsing is this emulator's own; nothing is shared with the module.
 */
function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization'));
  return match?.[1];
}

/** Laravel reads a body as JSON only when the client says it is JSON (guess 19). */
function fieldsOf(request: WireRequest): Record<string, unknown> {
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(header(request.headers, 'content-type'))) return {};
  try {
    const parsed: unknown = JSON.parse(request.body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // Laravel's JSON input is an empty bag for a body that does not parse: validation then fails.
    return {};
  }
}

/** Laravel's `wantsJson()`: the first type the client accepts is JSON (`…/json` or `…+json`). */
function wantsJson(headers: IncomingHttpHeaders): boolean {
  const first = header(headers, 'accept').split(',')[0] ?? '';
  return /\/json|\+json/i.test(first);
}

/** A non-JSON client gets Laravel's web answers: 401 → login page, 422 → back (guess 18). */
function webAnswer(reply: ApiReply): WireReply | undefined {
  if (reply.status === 401) return { status: 302, rawBody: '', headers: { location: LOGIN_REDIRECT } };
  if (reply.status === 422) return { status: 302, rawBody: '', headers: { location: '/' } };
  return undefined;
}

export function parseApiRequest(request: WireRequest): ApiRequest {
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    bearer: bearerOf(request.headers),
    fields: fieldsOf(request),
  };
}

export function answerWire(api: ResellerApi, request: WireRequest): WireReply {
  const reply = api.handle(parseApiRequest(request));
  if (!wantsJson(request.headers)) {
    const web = webAnswer(reply);
    if (web) return web;
  }
  return { status: reply.status, body: reply.body };
}
