import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenScope } from '../../core/scopes.js';
import type { Db } from '../database.js';

export interface ApiTokenRecord {
  id: number;
  name: string;
  prefix: string;
  scope: TokenScope;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Customer tokens: the client they belong to. */
  clientId: number | null;
}

/**
 * Tokens are 32 random bytes; only their SHA-256 is stored. A fast hash is right here: the input
 * has 256 bits of entropy, so there is nothing for a slow hash to protect against.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApiToken(
  db: Db,
  input: { name: string; scope: TokenScope; clientId?: number | null },
  now: number,
): Promise<{ token: string; record: ApiTokenRecord }> {
  const token = `pvo_${randomBytes(32).toString('base64url')}`;
  const row = await db
    .insertInto('api_tokens')
    .values({
      name: input.name,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, 10),
      scope: input.scope,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
      client_id: input.clientId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, record: toRecord(row) };
}

function toRecord(row: {
  id: number;
  name: string;
  token_prefix: string;
  scope: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  client_id: number | null;
}): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    scope: row.scope as TokenScope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    clientId: row.client_id,
  };
}

export async function findActiveToken(db: Db, token: string): Promise<ApiTokenRecord | undefined> {
  const hash = hashToken(token);
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
  return toRecord(row);
}

export async function touchToken(db: Db, id: number, now: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function listApiTokens(db: Db): Promise<ApiTokenRecord[]> {
  return (await db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(toRecord);
}

export async function revokeApiToken(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countApiTokens(db: Db): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
