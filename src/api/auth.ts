import type { Db } from '../store/database.js';
import { findActiveToken, type TokenScope, touchToken } from '../store/repositories/api-tokens.js';
import { ApiError } from './errors.js';

/** Who is calling: a token's identity, or the local CLI working directly on the database. */
export interface Caller {
  tokenId: number | null;
  name: string;
  scope: TokenScope;
}

export type Authenticate = (bearer: string) => Promise<Caller | undefined>;

/** read < operator < admin: a token may do what its scope and every lower scope may. */
const RANK: Readonly<Record<TokenScope, number>> = { read: 0, operator: 1, admin: 2 };

export function allows(scope: TokenScope, required: TokenScope): boolean {
  return RANK[scope] >= RANK[required];
}

/**
 * Tokens are looked up by hash on every request (one indexed read). `last_used_at` is written at
 * most once a minute per token: a write per request would serialise every API call behind the
 * SQLite writer lock.
 */
export function tokenAuthenticator(db: Db, now: () => number, touchEveryMs = 60_000): Authenticate {
  const lastTouch = new Map<number, number>();
  return async (bearer) => {
    const record = await findActiveToken(db, bearer);
    if (!record) return undefined;
    const at = now();
    if (at - (lastTouch.get(record.id) ?? record.lastUsedAt ?? 0) >= touchEveryMs) {
      lastTouch.set(record.id, at);
      await touchToken(db, record.id, at);
    }
    return { tokenId: record.id, name: record.name, scope: record.scope };
  };
}

/** The local CLI: whoever can open the database and its key is an administrator already. */
export const localAdmin: Authenticate = async () => ({ tokenId: null, name: 'local', scope: 'admin' });

export function parseBearer(header: string | undefined): string {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match)
    throw new ApiError(
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
    throw new ApiError(
      'auth.invalid_token',
      'the API token is unknown or was revoked: create a new one with `provisio token create`',
    );
  if (!allows(caller.scope, required)) {
    throw new ApiError(
      'auth.insufficient_scope',
      `this route needs a token with scope ${required} or higher; token "${caller.name}" has scope ${caller.scope}`,
    );
  }
  return caller;
}
