import { fail } from '../core/error-catalogue.js';
import { allows, type TokenScope } from '../core/scopes.js';
import type { TokensApi } from '../engine/tokens-api.js';

export { allows };

/** Who is calling: a token's identity, or the local CLI working directly on the database. */
export interface Caller {
  tokenId: number | null;
  name: string;
  scope: TokenScope;
  /** Customer tokens: the only client whose records they may see. */
  clientId: number | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, once the route's scope was checked (routes without a scope have none). */
    caller?: Caller;
  }
}

export type Authenticate = (bearer: string) => Promise<Caller | undefined>;

export interface TokenAuthenticator {
  authenticate: Authenticate;
  /** Drops cached lookups (after a revocation through this process). */
  forget(): void;
  /** Notes a write made with the caller's token (`last_used_at`). */
  recordWrite(caller: Caller): Promise<void>;
}

/**
 * Tokens are looked up by hash and the answer cached for `cacheMs` (2 s): on SQLite every query
 * of the process shares one connection, so an uncached lookup waits behind the runner's
 * transactions before the request has even started (bench/api.ts measures enqueue latency with
 * the runner busy). The price: a token revoked on another node still works here for up to
 * `cacheMs`; revocations through this process apply at once.
 * `last_used_at` is the token's last write through the API (a GET writes nothing, not even
 * this), recorded at most once a minute per token, for the same reason.
 */
export function tokenAuthenticator(
  tokens: TokensApi,
  now: () => number,
  options: { cacheMs?: number; touchEveryMs?: number } = {},
): TokenAuthenticator {
  const cacheMs = options.cacheMs ?? 2_000;
  const touchEveryMs = options.touchEveryMs ?? 60_000;
  const cache = new Map<string, { caller: Caller | undefined; until: number }>();
  const lastTouch = new Map<number, number>();
  const lookUp = async (bearer: string): Promise<Caller | undefined> => {
    const record = await tokens.findActive(bearer);
    if (!record) return undefined;
    if (!lastTouch.has(record.id)) lastTouch.set(record.id, record.lastUsedAt ?? 0);
    return { tokenId: record.id, name: record.name, scope: record.scope, clientId: record.clientId };
  };
  return {
    async authenticate(bearer) {
      const at = performance.now();
      const hit = cache.get(bearer);
      if (hit && hit.until > at) return hit.caller;
      const caller = await lookUp(bearer);
      if (cache.size > 10_000) cache.clear();
      // Unknown tokens are cached too: a flood of bad tokens must not become a flood of queries.
      cache.set(bearer, { caller, until: at + cacheMs });
      return caller;
    },
    forget: () => cache.clear(),
    async recordWrite(caller) {
      if (caller.tokenId === null) return;
      const at = now();
      if (at - (lastTouch.get(caller.tokenId) ?? 0) < touchEveryMs) return;
      lastTouch.set(caller.tokenId, at);
      await tokens.touch(caller.tokenId);
    },
  };
}

/** The local CLI: whoever can open the database and its key is an administrator already. */
export const localAdmin: Authenticate = async () => ({
  tokenId: null,
  name: 'local',
  scope: 'admin',
  clientId: null,
});

export function parseBearer(header: string | undefined): string {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match)
    throw fail(
      'auth.missing_token',
      'this route needs an API token: send "Authorization: Bearer <token>" (create one with `provisio token create`)',
    );
  return match[1]!;
}

export async function authorize(
  authenticate: Authenticate,
  header: string | undefined,
  required: TokenScope,
): Promise<Caller> {
  const caller = await authenticate(
    header === undefined && authenticate === localAdmin ? '' : parseBearer(header),
  );
  if (!caller)
    throw fail(
      'auth.invalid_token',
      'the API token is unknown or was revoked: create a new one with `provisio token create`',
    );
  if (!allows(caller.scope, required)) {
    throw fail(
      'auth.insufficient_scope',
      `this route needs a token with scope ${required} or higher; token "${caller.name}" has scope ${caller.scope}`,
    );
  }
  return caller;
}
