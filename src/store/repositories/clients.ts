import type { Selectable } from 'kysely';
import type { SecretBox } from '../../core/secret-box.js';
import type { Db } from '../database.js';
import { bit, bool } from '../json.js';
import type { ClientsTable } from '../schema.js';
import { openCustomFields, sealCustomFields } from '../sealed-fields.js';

export interface ClientRecord {
  id: number;
  externalId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  emailVerified: boolean;
  customFields: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface NewClient {
  externalId?: string | null;
  email: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  emailVerified?: boolean;
  customFields?: Record<string, string>;
}

/**
 * Custom fields whose names say they are secret (a StoreGrid "Pass Key") are sealed one by one,
 * so the others stay searchable and readable in the database.
 */
export function toClientRecord(row: Selectable<ClientsTable>, box: SecretBox): ClientRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    company: row.company,
    emailVerified: bool(row.email_verified),
    customFields: openCustomFields(box, row.custom_fields),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Every column of `clients`, for a query that reads a client next to another table's row. */
export const CLIENT_COLUMNS = [
  'id',
  'external_id',
  'email',
  'first_name',
  'last_name',
  'company',
  'email_verified',
  'custom_fields',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ClientsTable)[];

export async function insertClient(
  db: Db,
  box: SecretBox,
  input: NewClient,
  now: number,
): Promise<ClientRecord> {
  const row = await db
    .insertInto('clients')
    .values({
      external_id: input.externalId ?? null,
      email: input.email,
      first_name: input.firstName ?? '',
      last_name: input.lastName ?? '',
      company: input.company ?? '',
      email_verified: bit(input.emailVerified),
      custom_fields: sealCustomFields(box, input.customFields ?? {}),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClientRecord(row, box);
}

export async function getClient(db: Db, box: SecretBox, id: number): Promise<ClientRecord | undefined> {
  const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toClientRecord(row, box);
}

export async function findClientByExternalId(
  db: Db,
  box: SecretBox,
  externalId: string,
): Promise<ClientRecord | undefined> {
  const row = await db
    .selectFrom('clients')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return row && toClientRecord(row, box);
}

export async function listClients(
  db: Db,
  box: SecretBox,
  page: { limit: number; afterId?: number },
): Promise<ClientRecord[]> {
  const rows = await db
    .selectFrom('clients')
    .selectAll()
    .where('id', '>', page.afterId ?? 0)
    .orderBy('id')
    .limit(page.limit)
    .execute();
  return rows.map((row) => toClientRecord(row, box));
}

export async function updateClient(
  db: Db,
  box: SecretBox,
  id: number,
  patch: Partial<NewClient>,
  now: number,
): Promise<void> {
  await db
    .updateTable('clients')
    .set({
      ...(patch.externalId !== undefined ? { external_id: patch.externalId } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.firstName !== undefined ? { first_name: patch.firstName } : {}),
      ...(patch.lastName !== undefined ? { last_name: patch.lastName } : {}),
      ...(patch.company !== undefined ? { company: patch.company } : {}),
      ...(patch.emailVerified !== undefined ? { email_verified: bit(patch.emailVerified) } : {}),
      ...(patch.customFields !== undefined
        ? { custom_fields: sealCustomFields(box, patch.customFields) }
        : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Merges custom fields (a module storing a pass key must not erase the others). */
export async function mergeClientCustomFields(
  db: Db,
  box: SecretBox,
  id: number,
  fields: Record<string, string>,
  now: number,
): Promise<void> {
  const current = await getClient(db, box, id);
  if (!current) return;
  await updateClient(db, box, id, { customFields: { ...current.customFields, ...fields } }, now);
}
