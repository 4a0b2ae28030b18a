import type { Selectable } from 'kysely';
import type { SecretBox } from '../../core/secret-box.js';
import type { ServerConnection, SettingValue } from '../../core/values.js';
import type { Db } from '../database.js';
import { bit, bool, parseJson, toJson } from '../json.js';
import type { ServersTable } from '../schema.js';

/** A server as listed and returned by the API: the secret never leaves the store. */
export interface ServerRecord {
  id: number;
  /** Billing's id of the server, unique where set. */
  externalId: string | null;
  name: string;
  module: string;
  hostname: string;
  ip: string | null;
  port: number;
  secure: boolean;
  username: string;
  hasSecret: boolean;
  maxAccounts: number | null;
  maxConcurrency: number;
  enabled: boolean;
  tlsVerify: boolean;
  tlsFingerprint: string | null;
  settings: Record<string, SettingValue>;
  createdAt: number;
  updatedAt: number;
}

export interface NewServer {
  externalId?: string | null;
  name: string;
  module: string;
  hostname: string;
  ip?: string | null;
  port: number;
  secure?: boolean;
  username?: string;
  secret?: string | null;
  maxAccounts?: number | null;
  maxConcurrency?: number;
  enabled?: boolean;
  tlsVerify?: boolean;
  tlsFingerprint?: string | null;
  settings?: Record<string, SettingValue>;
}

type ServerRow = Selectable<ServersTable>;

function toRecord(row: ServerRow): ServerRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    module: row.module,
    hostname: row.hostname,
    ip: row.ip,
    port: row.port,
    secure: bool(row.secure),
    username: row.username,
    hasSecret: row.secret_sealed !== null,
    maxAccounts: row.max_accounts,
    maxConcurrency: row.max_concurrency,
    enabled: bool(row.enabled),
    tlsVerify: bool(row.tls_verify),
    tlsFingerprint: row.tls_fingerprint,
    settings: parseJson(row.settings, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertServer(
  db: Db,
  box: SecretBox,
  input: NewServer,
  now: number,
): Promise<ServerRecord> {
  const row = await db
    .insertInto('servers')
    .values({
      external_id: input.externalId ?? null,
      name: input.name,
      module: input.module,
      hostname: input.hostname,
      ip: input.ip ?? null,
      port: input.port,
      secure: bit(input.secure ?? true),
      username: input.username ?? '',
      secret_sealed: box.encryptNullable(input.secret),
      max_accounts: input.maxAccounts ?? null,
      max_concurrency: input.maxConcurrency ?? 8,
      enabled: bit(input.enabled ?? true),
      tls_verify: bit(input.tlsVerify ?? true),
      tls_fingerprint: input.tlsFingerprint ?? null,
      settings: toJson(input.settings ?? {}),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

export async function getServer(db: Db, id: number): Promise<ServerRecord | undefined> {
  const row = await db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function listServers(
  db: Db,
  filter: { module?: string; enabled?: boolean; externalId?: string } = {},
): Promise<ServerRecord[]> {
  let query = db.selectFrom('servers').selectAll().orderBy('id');
  if (filter.externalId !== undefined) query = query.where('external_id', '=', filter.externalId);
  if (filter.module) query = query.where('module', '=', filter.module);
  if (filter.enabled !== undefined) query = query.where('enabled', '=', bit(filter.enabled));
  return (await query.execute()).map(toRecord);
}

export async function updateServer(
  db: Db,
  box: SecretBox,
  id: number,
  patch: Partial<NewServer>,
  now: number,
): Promise<void> {
  await db
    .updateTable('servers')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.hostname !== undefined ? { hostname: patch.hostname } : {}),
      ...(patch.ip !== undefined ? { ip: patch.ip } : {}),
      ...(patch.port !== undefined ? { port: patch.port } : {}),
      ...(patch.secure !== undefined ? { secure: bit(patch.secure) } : {}),
      ...(patch.username !== undefined ? { username: patch.username } : {}),
      ...(patch.secret !== undefined ? { secret_sealed: box.encryptNullable(patch.secret) } : {}),
      ...(patch.maxAccounts !== undefined ? { max_accounts: patch.maxAccounts } : {}),
      ...(patch.maxConcurrency !== undefined ? { max_concurrency: patch.maxConcurrency } : {}),
      ...(patch.enabled !== undefined ? { enabled: bit(patch.enabled) } : {}),
      ...(patch.tlsVerify !== undefined ? { tls_verify: bit(patch.tlsVerify) } : {}),
      ...(patch.tlsFingerprint !== undefined ? { tls_fingerprint: patch.tlsFingerprint } : {}),
      ...(patch.settings !== undefined ? { settings: toJson(patch.settings) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteServer(db: Db, id: number): Promise<void> {
  await db.deleteFrom('servers').where('id', '=', id).execute();
}

/** The decrypted view a module gets. Only the engine calls this, for the operation at hand. */
export async function getServerConnection(
  db: Db,
  box: SecretBox,
  id: number,
): Promise<ServerConnection | undefined> {
  const row = await db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConnection(row, box);
}

export function toConnection(row: ServerRow, box: SecretBox): ServerConnection {
  return {
    id: row.id,
    name: row.name,
    module: row.module,
    hostname: row.hostname,
    ip: row.ip,
    host: row.hostname || row.ip || '',
    port: row.port,
    secure: bool(row.secure),
    username: row.username,
    secret: box.decryptNullable(row.secret_sealed) ?? '',
    tls: {
      verify: bool(row.tls_verify),
      ...(row.tls_fingerprint ? { fingerprint: row.tls_fingerprint } : {}),
    },
    maxAccounts: row.max_accounts,
    settings: parseJson(row.settings, {}),
  };
}
