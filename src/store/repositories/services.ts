import { type Selectable, sql, type Updateable } from 'kysely';
import type { ServiceStatus } from '../../core/lifecycle.js';
import type { SecretBox } from '../../core/secret-box.js';
import { compiledStatement } from '../compiled.js';
import type { Db } from '../database.js';
import { parseJson, toJson } from '../json.js';
import type { ClientsTable, ServicesTable } from '../schema.js';
import { openCustomFields, sealCustomFields } from '../sealed-fields.js';
import { CLIENT_COLUMNS, type ClientRecord, toClientRecord } from './clients.js';

export interface ServiceUsage {
  diskUsedMb?: number;
  diskLimitMb?: number;
  bandwidthUsedMb?: number;
  bandwidthLimitMb?: number;
  figures?: Record<string, number>;
}

export interface ServiceRecord {
  id: number;
  /** Billing's id of the service, unique where set. */
  externalId: string | null;
  clientId: number;
  productId: number;
  serverId: number | null;
  status: ServiceStatus;
  domain: string | null;
  username: string | null;
  hasPassword: boolean;
  configOptions: Record<string, string>;
  customFields: Record<string, string>;
  remoteIds: Record<string, string>;
  dedicatedIp: string | null;
  assignedIps: string[];
  usage: ServiceUsage;
  usageUpdatedAt: number | null;
  suspendReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewService {
  externalId?: string | null;
  /** A service that already exists on its backend (billing's Active one) is registered as such. */
  status?: 'pending' | 'active' | 'suspended';
  clientId: number;
  productId: number;
  serverId?: number | null;
  domain?: string | null;
  username?: string | null;
  password?: string | null;
  configOptions?: Record<string, string>;
  customFields?: Record<string, string>;
}

function toRecord(row: Selectable<ServicesTable>): ServiceRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    clientId: row.client_id,
    productId: row.product_id,
    serverId: row.server_id,
    status: row.status as ServiceStatus,
    domain: row.domain,
    username: row.username,
    hasPassword: row.password_sealed !== null,
    configOptions: parseJson(row.config_options, {}),
    // Secret-named fields stay sealed here; getServiceWithPassword opens them for the module.
    customFields: parseJson(row.custom_fields, {}),
    remoteIds: parseJson(row.remote_ids, {}),
    dedicatedIp: row.dedicated_ip,
    assignedIps: parseJson(row.assigned_ips, []),
    usage: parseJson(row.usage, {}),
    usageUpdatedAt: row.usage_updated_at,
    suspendReason: row.suspend_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertService(
  db: Db,
  box: SecretBox,
  input: NewService,
  now: number,
): Promise<ServiceRecord> {
  const row = await db
    .insertInto('services')
    .values({
      client_id: input.clientId,
      product_id: input.productId,
      external_id: input.externalId ?? null,
      server_id: input.serverId ?? null,
      status: input.status ?? 'pending',
      domain: input.domain ?? null,
      username: input.username ?? null,
      password_sealed: box.encryptNullable(input.password),
      config_options: toJson(input.configOptions ?? {}),
      custom_fields: sealCustomFields(box, input.customFields ?? {}),
      remote_ids: '{}',
      dedicated_ip: null,
      assigned_ips: '[]',
      usage: '{}',
      usage_updated_at: null,
      suspend_reason: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

const selectService = compiledStatement((db, v: { id: number }) =>
  db.selectFrom('services').selectAll().where('id', '=', v.id),
);

export async function getService(db: Db, id: number): Promise<ServiceRecord | undefined> {
  const [row] = (await selectService(db, { id })).rows;
  return row && toRecord(row);
}

/** The service and its decrypted password in one read (the runner needs both). */
export async function getServiceWithPassword(
  db: Db,
  box: SecretBox,
  id: number,
): Promise<{ service: ServiceRecord; password: string | null } | undefined> {
  const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return row;
  const service = { ...toRecord(row), customFields: openCustomFields(box, row.custom_fields) };
  return { service, password: box.decryptNullable(row.password_sealed) };
}

/** Every column of `services`, for a query that reads a service next to another table's row. */
export const SERVICE_COLUMNS = [
  'id',
  'external_id',
  'client_id',
  'product_id',
  'server_id',
  'status',
  'domain',
  'username',
  'password_sealed',
  'config_options',
  'custom_fields',
  'remote_ids',
  'dedicated_ip',
  'assigned_ips',
  'usage',
  'usage_updated_at',
  'suspend_reason',
  'created_at',
  'updated_at',
  'password_revealed_at',
] as const satisfies readonly (keyof ServicesTable)[];
// A column added to ServicesTable but not above fails to compile here.
const everyServiceColumn: Exclude<keyof ServicesTable, (typeof SERVICE_COLUMNS)[number]> extends never
  ? true
  : never = true;
void everyServiceColumn;

/**
 * A service's row with its client's columns under `client__`, as read, sealed fields still
 * sealed: what a claim hands the run that loads it (openServiceWithClient).
 */
export type ServiceWithClientRow = Selectable<ServicesTable> & { [column: `client__${string}`]: unknown };

export interface ServiceWithClient {
  service: ServiceRecord;
  password: string | null;
  client: ClientRecord;
}

/** The client's columns under `client__`, to select beside a service's. */
export const clientColumnsPrefixed = () =>
  CLIENT_COLUMNS.map((column) => sql.ref(`clients.${column}`).as(`client__${column}`));

export function openServiceWithClient(box: SecretBox, row: ServiceWithClientRow): ServiceWithClient {
  const fields = row as unknown as Record<string, unknown>;
  const clientRow = Object.fromEntries(CLIENT_COLUMNS.map((column) => [column, fields[`client__${column}`]]));
  return {
    service: { ...toRecord(row), customFields: openCustomFields(box, row.custom_fields) },
    password: box.decryptNullable(row.password_sealed),
    client: toClientRecord(clientRow as unknown as Selectable<ClientsTable>, box),
  };
}

/**
 * A service, its password and its client in one query: the runner loads all three for every
 * operation, and on PostgreSQL a round trip is a tenth of an operation's cost.
 */
const selectServiceWithClient = compiledStatement((db, v: { id: number }) =>
  db
    .selectFrom('services')
    .innerJoin('clients', 'clients.id', 'services.client_id')
    .selectAll('services')
    .select(clientColumnsPrefixed())
    .where('services.id', '=', v.id),
);

export async function getServiceWithClient(
  db: Db,
  box: SecretBox,
  id: number,
): Promise<ServiceWithClient | undefined> {
  const [row] = (await selectServiceWithClient(db, { id })).rows;
  return row && openServiceWithClient(box, row as ServiceWithClientRow);
}

/** Several services with their clients, as rows (see ServiceWithClientRow), by service id. */
export async function getServiceWithClientRows(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, ServiceWithClientRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('services')
    .innerJoin('clients', 'clients.id', 'services.client_id')
    .selectAll('services')
    .select(clientColumnsPrefixed())
    .where('services.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row as ServiceWithClientRow]));
}

export async function getServicePassword(db: Db, box: SecretBox, id: number): Promise<string | null> {
  const row = await db
    .selectFrom('services')
    .select('password_sealed')
    .where('id', '=', id)
    .executeTakeFirst();
  return box.decryptNullable(row?.password_sealed);
}

export interface ServiceFilter {
  externalId?: string;
  clientId?: number;
  productId?: number;
  serverId?: number;
  status?: ServiceStatus;
  statuses?: readonly ServiceStatus[];
  /** Part of the domain or username, or the exact id. */
  search?: string;
  limit?: number;
  afterId?: number;
}

export async function listServices(db: Db, filter: ServiceFilter = {}): Promise<ServiceRecord[]> {
  let query = db.selectFrom('services').selectAll().orderBy('id');
  if (filter.externalId !== undefined) query = query.where('external_id', '=', filter.externalId);
  if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
  if (filter.productId !== undefined) query = query.where('product_id', '=', filter.productId);
  if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.statuses?.length) query = query.where('status', 'in', [...filter.statuses]);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[%_!]/g, (c) => `!${c}`)}%`;
    const id = /^\d{1,10}$/.test(filter.search) ? Number(filter.search) : -1;
    // An explicit ESCAPE: SQLite has no default escape character for LIKE.
    query = query.where(
      sql<boolean>`(domain like ${pattern} escape '!' or username like ${pattern} escape '!' or id = ${id})`,
    );
  }
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return (await query.execute()).map(toRecord);
}

/** Services that occupy a slot on a server (placement counts them against max accounts). */
export async function countServicesOnServers(
  db: Db,
  serverIds: readonly number[],
): Promise<Map<number, number>> {
  const counts = new Map<number, number>(serverIds.map((id) => [id, 0]));
  if (serverIds.length === 0) return counts;
  const rows = await db
    .selectFrom('services')
    .select(['server_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('server_id', 'in', [...serverIds])
    .where('status', 'in', ['pending', 'active', 'suspended'])
    .groupBy('server_id')
    .execute();
  for (const row of rows) if (row.server_id !== null) counts.set(row.server_id, Number(row.n));
  return counts;
}

export interface ServiceFieldsPatch {
  serverId?: number | null;
  productId?: number;
  status?: ServiceStatus;
  domain?: string | null;
  username?: string | null;
  password?: string | null;
  configOptions?: Record<string, string>;
  customFields?: Record<string, string>;
  remoteIds?: Record<string, string>;
  dedicatedIp?: string | null;
  assignedIps?: readonly string[];
  suspendReason?: string | null;
}

/** The `services` columns a patch sets (sealing what is secret), for an UPDATE of one row. */
export function serviceRowPatch(box: SecretBox, patch: ServiceFieldsPatch, now: number): ServiceRowPatch {
  return {
    ...(patch.serverId !== undefined ? { server_id: patch.serverId } : {}),
    ...(patch.productId !== undefined ? { product_id: patch.productId } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.domain !== undefined ? { domain: patch.domain } : {}),
    ...(patch.username !== undefined ? { username: patch.username } : {}),
    ...(patch.password !== undefined
      ? { password_sealed: box.encryptNullable(patch.password), password_revealed_at: null }
      : {}),
    ...(patch.configOptions !== undefined ? { config_options: toJson(patch.configOptions) } : {}),
    ...(patch.customFields !== undefined ? { custom_fields: sealCustomFields(box, patch.customFields) } : {}),
    ...(patch.remoteIds !== undefined ? { remote_ids: toJson(patch.remoteIds) } : {}),
    ...(patch.dedicatedIp !== undefined ? { dedicated_ip: patch.dedicatedIp } : {}),
    ...(patch.assignedIps !== undefined ? { assigned_ips: toJson(patch.assignedIps) } : {}),
    ...(patch.suspendReason !== undefined ? { suspend_reason: patch.suspendReason } : {}),
    updated_at: now,
  };
}

export type ServiceRowPatch = Updateable<Omit<ServicesTable, 'id'>>;

export async function updateService(
  db: Db,
  box: SecretBox,
  id: number,
  patch: ServiceFieldsPatch,
  now: number,
): Promise<void> {
  await updateServiceRow(db, id, serviceRowPatch(box, patch, now));
}

const updateServiceStatement = compiledStatement(
  (db, v: Record<string, unknown>, columns: readonly string[]) =>
    db
      .updateTable('services')
      .set(Object.fromEntries(columns.map((column) => [column, v[column]])))
      .where('id', '=', v['@id'] as number),
  { shapeKey: (columns) => columns.join(',') },
);

/** Sets a service row's columns (plain values, as serviceRowPatch makes them). */
export async function updateServiceRow(db: Db, id: number, row: ServiceRowPatch): Promise<void> {
  await updateServiceStatement(db, { ...row, '@id': id }, Object.keys(row).sort());
}

/** Marks the current password as shown; false when it was shown before (compare-and-set). */
export async function markPasswordRevealed(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('services')
    .set({ password_revealed_at: now })
    .where('id', '=', id)
    .where('password_revealed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function writeServiceUsage(db: Db, id: number, usage: ServiceUsage, now: number): Promise<void> {
  await db
    .updateTable('services')
    .set({ usage: toJson(usage), usage_updated_at: now })
    .where('id', '=', id)
    .execute();
}
