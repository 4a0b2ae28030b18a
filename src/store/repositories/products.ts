import type { Selectable } from 'kysely';
import type { SecretBox } from '../../core/secret-box.js';
import type { SettingValue } from '../../core/values.js';
import type { Db } from '../database.js';
import { parseJson, toJson } from '../json.js';
import type { ProductsTable } from '../schema.js';

export interface ProductRecord {
  id: number;
  /** Billing's id of the product, unique where set. */
  externalId: string | null;
  name: string;
  module: string;
  productType: string | null;
  serverGroupId: number | null;
  /** All settings, secrets decrypted: only for the engine; APIs mask secret fields. */
  settings: Record<string, SettingValue>;
  /** Names of the settings that were stored sealed. */
  secretSettingNames: string[];
  configOptions: unknown[];
  welcomeTemplate: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewProduct {
  externalId?: string | null;
  name: string;
  module: string;
  productType?: string | null;
  serverGroupId?: number | null;
  /** Already validated and split by modules/settings.ts. */
  plainSettings: Record<string, SettingValue>;
  secretSettings: Record<string, SettingValue>;
  configOptions?: unknown[];
  welcomeTemplate?: string | null;
}

function toRecord(row: Selectable<ProductsTable>, box: SecretBox): ProductRecord {
  const secret = parseJson<Record<string, SettingValue>>(box.decryptNullable(row.secret_settings_sealed), {});
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    module: row.module,
    productType: row.product_type,
    serverGroupId: row.server_group_id,
    settings: { ...parseJson<Record<string, SettingValue>>(row.settings, {}), ...secret },
    secretSettingNames: Object.keys(secret),
    configOptions: parseJson(row.config_options, []),
    welcomeTemplate: row.welcome_template,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function sealSecrets(box: SecretBox, secret: Record<string, SettingValue>): string | null {
  return Object.keys(secret).length === 0 ? null : box.encrypt(toJson(secret));
}

export async function insertProduct(
  db: Db,
  box: SecretBox,
  input: NewProduct,
  now: number,
): Promise<ProductRecord> {
  const row = await db
    .insertInto('products')
    .values({
      external_id: input.externalId ?? null,
      name: input.name,
      module: input.module,
      product_type: input.productType ?? null,
      server_group_id: input.serverGroupId ?? null,
      settings: toJson(input.plainSettings),
      secret_settings_sealed: sealSecrets(box, input.secretSettings),
      config_options: toJson(input.configOptions ?? []),
      welcome_template: input.welcomeTemplate ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row, box);
}

export async function getProduct(db: Db, box: SecretBox, id: number): Promise<ProductRecord | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row, box);
}

export async function listProducts(
  db: Db,
  box: SecretBox,
  filter: { module?: string; externalId?: string } = {},
): Promise<ProductRecord[]> {
  let query = db.selectFrom('products').selectAll().orderBy('id');
  if (filter.externalId !== undefined) query = query.where('external_id', '=', filter.externalId);
  if (filter.module) query = query.where('module', '=', filter.module);
  return (await query.execute()).map((row) => toRecord(row, box));
}

export async function updateProduct(
  db: Db,
  box: SecretBox,
  id: number,
  patch: Partial<NewProduct>,
  now: number,
): Promise<void> {
  await db
    .updateTable('products')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.serverGroupId !== undefined ? { server_group_id: patch.serverGroupId } : {}),
      ...(patch.plainSettings !== undefined ? { settings: toJson(patch.plainSettings) } : {}),
      ...(patch.secretSettings !== undefined
        ? { secret_settings_sealed: sealSecrets(box, patch.secretSettings) }
        : {}),
      ...(patch.configOptions !== undefined ? { config_options: toJson(patch.configOptions) } : {}),
      ...(patch.welcomeTemplate !== undefined ? { welcome_template: patch.welcomeTemplate } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}
