import { QUERY_REJECTION_TEXT } from './guesses.js';
import type { Payload } from './payload.js';
import type { PanelState, PanelUser } from './state.js';
import { checkLength, checkRange, routeValidationError } from './validation.js';

/** What a route handler gets: state, path params, query, the lazily parsed body and permissions. */
export interface RouteContext {
  state: PanelState;
  params: Record<string, string>;
  query: URLSearchParams;
  caller: PanelUser;
  /** The emulator's seeded generator (deploy's weighted draw). */
  random: () => number;
  /** Parses the body (`payload.ts`): Content-Type strictness, empty body = `{}`. */
  body(): Payload;
  /** 403 `you do not have permission to perform this action: <p>` unless user AND key grant it. */
  requirePermission(permission: string): void;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** `/api/admin/servers/:id`; literal segments win over parameters. */
  pattern: string;
  handle(ctx: RouteContext): RouteResult;
}

export interface Pagination {
  page: number;
  perPage: number;
  search: string | undefined;
}

/** `page` ≥1 (1), `per_page` 1..100 (25), `search` 1..128 (empty = absent): spec §2.3. */
export function readPagination(query: URLSearchParams): Pagination {
  const number = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    if (!/^-?\d+$/.test(raw))
      throw new PlainTextError(400, QUERY_REJECTION_TEXT(`${name}: invalid digit found in string`));
    return Number(raw);
  };
  const page = number('page', 1);
  const perPage = number('per_page', 25);
  const rawSearch = query.get('search');
  const search = rawSearch === null || rawSearch === '' ? undefined : rawSearch;
  const errors: string[] = [];
  checkRange(errors, 'page', page, 1);
  checkRange(errors, 'per_page', perPage, 1, 100);
  checkLength(errors, 'search', search, 1, 128);
  if (errors.length) throw routeValidationError(errors);
  return { page, perPage, search };
}

/** axum's own rejections are plain text, not the JSON envelope. */
export class PlainTextError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

/** SQL `ILIKE '%s%'` where `_` and `%` stay wildcards (the panel does not escape them). */
export function ilike(haystack: string, needle: string): boolean {
  const pattern = needle
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(pattern, 'i').test(haystack);
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'method' | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
  let pathMatched = false;
  for (const route of routes) {
    const parts = route.pattern.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] as string;
      const segment = segments[i] as string;
      if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(segment);
      else if (part === segment) literals++;
      else ok = false;
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    if (!best || literals > best.literals) best = { route, params, literals };
  }
  if (best) return { route: best.route, params: best.params };
  return pathMatched ? 'method' : undefined;
}
