import { sql } from 'kysely';
import { isSecretKeyName } from '../core/redaction.js';
import type { Db } from './database.js';
import { parseJson, toJson } from './json.js';

/**
 * Every place a sealed secret is stored. Key rotation re-seals exactly these, backup checks and
 * `provisio secrets verify` open exactly these; test/ops/ops.key-rotation.test.ts fails when a
 * column holding sealed values is not listed here (it scans every column of every table).
 *
 * - `value`: the column holds one sealed value (or null).
 * - `secret-named-fields`: a JSON object whose secret-named keys (a StoreGrid "Pass Key", a panel password) hold
 *   sealed values one by one, the other keys clear text.
 */
export type SealedForm = 'value' | 'secret-named-fields';

export interface SealedColumn {
  table: string;
  column: string;
  form: SealedForm;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = Object.freeze([
  { table: 'servers', column: 'secret_sealed', form: 'value' },
  { table: 'products', column: 'secret_settings_sealed', form: 'value' },
  { table: 'services', column: 'password_sealed', form: 'value' },
  { table: 'operations', column: 'args_sealed', form: 'value' },
  { table: 'clients', column: 'custom_fields', form: 'secret-named-fields' },
  { table: 'services', column: 'custom_fields', form: 'secret-named-fields' },
  { table: 'webhooks', column: 'secret_sealed', form: 'value' },
] satisfies SealedColumn[]);

const SEALED_PREFIX = 'v1:';
const PAGE = 500;

/** Where a sealed value lives, for messages: `servers.secret_sealed of row 3`. */
export interface SealedLocation {
  table: string;
  column: string;
  id: number;
  field?: string;
}

export const describeLocation = (at: SealedLocation) =>
  `${at.table}.${at.column}${at.field ? ` field "${at.field}"` : ''} of row ${at.id}`;

/**
 * Visits every sealed value in id order, page by page. `visit` returns a replacement (written at
 * once, in the caller's transaction when `db` is one) or undefined to leave the value as it is.
 * Returns how many values each column holds.
 */
export async function visitSealedValues(
  db: Db,
  visit: (sealed: string, at: SealedLocation) => string | undefined,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table, column, form } of SEALED_COLUMNS) {
    let count = 0;
    let afterId = 0;
    for (;;) {
      const { rows } = await sql<{ id: number; value: string }>`
        select id, ${sql.ref(column)} as value from ${sql.table(table)}
        where ${sql.ref(column)} is not null and id > ${afterId} order by id limit ${PAGE}`.execute(db);
      for (const row of rows) {
        const id = Number(row.id);
        let replacement: string | undefined;
        if (form === 'value') {
          count++;
          replacement = visit(row.value, { table, column, id });
        } else {
          const fields = parseJson<Record<string, unknown>>(row.value, {});
          let changed = false;
          for (const [field, value] of Object.entries(fields)) {
            if (!isSecretKeyName(field) || typeof value !== 'string' || !value.startsWith(SEALED_PREFIX))
              continue;
            count++;
            const next = visit(value, { table, column, id, field });
            if (next !== undefined) {
              fields[field] = next;
              changed = true;
            }
          }
          if (changed) replacement = toJson(fields);
        }
        if (replacement !== undefined)
          await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${replacement} where id = ${id}`.execute(
            db,
          );
      }
      if (rows.length < PAGE) break;
      afterId = Number(rows[rows.length - 1]!.id);
    }
    counts.set(`${table}.${column}`, count);
  }
  return counts;
}
