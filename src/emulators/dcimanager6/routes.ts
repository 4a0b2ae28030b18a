import { GUESSED_ROUTES } from './guesses.js';

/**
 * The emulator's own route table: what a DCImanager 6 answers, by method and path (without the
 * optional `/api` prefix, spec §2). Verified routes are written here with their source; guessed
 * ones come from `GUESSED_ROUTES` in guesses.ts. Nothing here is shared with the module.
 */
export type HandlerName =
  | 'login'
  | 'logout'
  | 'userKey'
  | 'exchangeKey'
  | 'userPassword'
  | 'serverList'
  | 'configurationList'
  | 'serverGet'
  | 'powerReset'
  | 'userList'
  | 'userCreate'
  | 'switchPorts'
  | 'ipPoolList'
  | 'ipList'
  | keyof typeof GUESSED_ROUTES;

interface RouteEntry {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handler: HandlerName;
}

const VERIFIED: readonly RouteEntry[] = [
  // auth/v4: docs/specs/dcimanager6.md §3 (auth_v4_api.yaml of ISPsystem's public download mirror).
  { method: 'POST', path: 'auth/v4/public/token', handler: 'login' },
  { method: 'DELETE', path: 'auth/v4/token/{token}', handler: 'logout' },
  { method: 'POST', path: 'auth/v4/user/{user}/key', handler: 'userKey' },
  { method: 'POST', path: 'auth/v4/public/key', handler: 'exchangeKey' },
  { method: 'POST', path: 'auth/v4/user/{user}/password', handler: 'userPassword' },
  // dci/v3: §5 (the DCI6 "Examples of API use" page, live clients C1-C4).
  { method: 'GET', path: 'dci/v3/server', handler: 'serverList' },
  { method: 'GET', path: 'dci/v3/server/configuration', handler: 'configurationList' },
  { method: 'GET', path: 'dci/v3/server/{id}', handler: 'serverGet' },
  { method: 'POST', path: 'dci/v3/server/{id}/power_reset', handler: 'powerReset' },
  { method: 'GET', path: 'dci/v3/user', handler: 'userList' },
  { method: 'POST', path: 'dci/v3/user', handler: 'userCreate' },
  { method: 'GET', path: 'dci/v3/switch/{switchId}/port', handler: 'switchPorts' },
  // ip/v3 (IPmanager, ipmgr_api.json) and its dci/v3/ipmgr proxy (C3): §5.5.
  { method: 'GET', path: 'ip/v3/ippool', handler: 'ipPoolList' },
  { method: 'GET', path: 'ip/v3/ip', handler: 'ipList' },
  { method: 'GET', path: 'dci/v3/ipmgr/ip', handler: 'ipList' },
];

const ROUTES: readonly RouteEntry[] = [
  ...VERIFIED,
  ...Object.entries(GUESSED_ROUTES).map(([handler, route]) => ({
    method: route.method,
    path: route.path,
    handler: handler as HandlerName,
  })),
];

interface CompiledRoute extends RouteEntry {
  pattern: RegExp;
  keys: string[];
}

function compile(route: RouteEntry): CompiledRoute {
  const keys: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      keys.push(param[1] as string);
      return /id$/i.test(param[1] as string) ? '(\\d+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), keys };
}

// Literal routes first, so `server/configuration` never reads as `server/{id}`.
const COMPILED = ROUTES.map(compile).sort((a, b) => a.keys.length - b.keys.length);

export interface RouteMatch {
  handler: HandlerName;
  params: Record<string, string>;
}

/** The route for a method and a path as received (`/api` prefix and trailing slash allowed). */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const path = rawPath
    .replace(/^\/api\//, '/')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
  for (const route of COMPILED) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(found[i + 1] ?? '');
    });
    return { handler: route.handler, params };
  }
  return undefined;
}

/** Routes served without a token (auth v4 `security: []`). */
export const PUBLIC_HANDLERS: ReadonlySet<HandlerName> = new Set(['login', 'exchangeKey']);
