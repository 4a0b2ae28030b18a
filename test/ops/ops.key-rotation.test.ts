import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyringSecretBox } from '../../src/core/keyring.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { resealAll, verifySealedValues } from '../../src/engine/key-rotation.js';
import type { Db, Dialect } from '../../src/store/database.js';
import { getClient } from '../../src/store/repositories/clients.js';
import { getServerConnection } from '../../src/store/repositories/servers.js';
import { SEALED_COLUMNS } from '../../src/store/sealed-columns.js';
import { sealCustomFields } from '../../src/store/sealed-fields.js';
import { DIALECTS } from '../support/databases.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { type OpsEngine, startOpsEngine } from './support.js';

export const SECRETS = {
  serverKey: 'server-api-key-rot-1',
  productToken: 'prod-token-rot-2',
  servicePassword: 'svc-Password-rot-3',
  newPassword: 'new-Password-rot-4',
  passKey: 'pass-key-rot-5',
  webhookSecret: 'whsec_rotation_secret_6',
  serviceField: 'panel-pw-rot-7',
};

/** One of every kind of stored secret, through the engine as production writes them. */
export async function seedEverySecret(t: OpsEngine, backend: RunningFixtureBackend) {
  const { engine } = t;
  const { service, client, server, product } = await setUpFixtureService(engine, backend, {
    serverSecret: SECRETS.serverKey,
    password: SECRETS.servicePassword,
    settings: { apiToken: SECRETS.productToken },
  });
  await engine.clients.update(client.id, {
    customFields: { 'Pass Key': SECRETS.passKey, Phone: '555-0100' },
  });
  // Services' secret-named custom fields are sealed one by one too (a panel password).
  await engine.store.db
    .updateTable('services')
    .set({
      custom_fields: sealCustomFields(t.engine.deps.box, {
        'Panel Password': SECRETS.serviceField,
        Plan: 'gold',
      }),
    })
    .where('id', '=', service.id)
    .execute();
  // A queued change-password keeps its new password sealed in the operation's arguments.
  await engine.store.db
    .updateTable('services')
    .set({ status: 'active', server_id: server.id })
    .where('id', '=', service.id)
    .execute();
  await engine.operations.enqueue({
    serviceId: service.id,
    action: 'change-password',
    secretArgs: { password: SECRETS.newPassword },
  });
  await engine.webhooks.create({
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    secret: SECRETS.webhookSecret,
  });
  return { service, client, server, product };
}

/** Every text value of every table (introspected, not listed), with where it was found. */
export async function everyTextValue(db: Db, dialect: Dialect): Promise<{ where: string; value: string }[]> {
  const tables =
    dialect === 'sqlite'
      ? (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
            db,
          )
        ).rows.map((r) => r.name);
  const out: { where: string; value: string }[] = [];
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    for (const row of rows)
      for (const [column, value] of Object.entries(row))
        if (typeof value === 'string') out.push({ where: `${table}.${column}`, value });
  }
  return out;
}

const SEALED = /v1:[A-Za-z0-9+/]{20,}={0,2}/g;

/** Every sealed token anywhere in the database: `table.column` → the tokens. */
async function sealedTokens(db: Db, dialect: Dialect): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const { where, value } of await everyTextValue(db, dialect))
    for (const match of value.matchAll(SEALED)) found.set(where, [...(found.get(where) ?? []), match[0]]);
  return found;
}

const opens = (box: SecretBox, sealed: string) => {
  try {
    box.decrypt(sealed);
    return true;
  } catch {
    return false;
  }
};

for (const dialect of DIALECTS) {
  describe(`secrets rotate-key (${dialect})`, () => {
    let t: OpsEngine | undefined;
    let backend: RunningFixtureBackend | undefined;
    afterEach(async () => {
      await t?.close();
      await backend?.close();
      t = backend = undefined;
    });

    it('re-seals every sealed value in the database under the new key; none is left under the old one', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      backend = await startFixtureBackend();
      t = await startOpsEngine({ dialect, secretKey: oldKey, start: false });
      await seedEverySecret(t, backend);
      const { db } = t.engine.store;
      const before = await sealedTokens(db, dialect);
      // Every place that holds a sealed value is a registered sealed column: a new one fails here.
      const registered = new Set(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`));
      expect([...before.keys()].filter((where) => !registered.has(where))).toEqual([]);
      expect([...before.keys()].sort()).toEqual([...registered].sort());

      const counts = await resealAll(
        t.engine.store,
        new KeyringSecretBox(oldKey, [newKey]),
        new SecretBox(newKey),
      );
      expect(counts.total).toBe([...before.values()].flat().length);

      const oldBox = new SecretBox(oldKey);
      const newBox = new SecretBox(newKey);
      const after = await sealedTokens(db, dialect);
      for (const [where, tokens] of after)
        for (const token of tokens) {
          expect(opens(newBox, token), `${where} opens with the new key`).toBe(true);
          expect(opens(oldBox, token), `${where} still opens with the old key`).toBe(false);
        }
      expect((await verifySealedValues(db, newBox)).failures).toEqual([]);
      expect((await verifySealedValues(db, oldBox)).failures).toHaveLength(counts.total);
      // Nothing was in clear before or after.
      const text = (await everyTextValue(db, dialect)).map((v) => v.value).join('\n');
      for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), name).toBe(false);
      await t.close({ keepStore: true });

      // An engine with only the new key reads every secret back.
      t = await startOpsEngine({ testStore: t.testStore, secretKey: newKey, start: false });
      const server = (await t.engine.servers.list())[0]!;
      const connection = await getServerConnection(t.engine.store.db, t.engine.deps.box, server.id);
      expect(connection?.secret).toBe(SECRETS.serverKey);
      // Read through the repository: the engine's answers mask secret-named fields.
      const listed = (await t.engine.clients.list())[0]!;
      const client = await getClient(t.engine.store.db, t.engine.deps.box, listed.id);
      expect(client?.customFields['Pass Key']).toBe(SECRETS.passKey);
    });

    it('accepts the old key until done: a node with the new key and the old one as previous reads both', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      backend = await startFixtureBackend();
      t = await startOpsEngine({ dialect, secretKey: oldKey, start: false });
      const { client } = await seedEverySecret(t, backend);
      await t.close({ keepStore: true });
      t = await startOpsEngine({
        testStore: t.testStore,
        secretKey: newKey,
        previousKeys: [oldKey],
        start: false,
      });
      // Written now: sealed under the new key, next to values under the old one.
      await t.engine.clients.update(client.id, { customFields: { 'Pass Key': 'mixed-era-key', Phone: '1' } });
      expect(
        (await getClient(t.engine.store.db, t.engine.deps.box, client.id))?.customFields['Pass Key'],
      ).toBe('mixed-era-key');
      const keyring = new KeyringSecretBox(newKey, [oldKey]);
      expect((await verifySealedValues(t.engine.store.db, keyring)).failures).toEqual([]);
      await resealAll(t.engine.store, keyring, new SecretBox(newKey));
      expect((await verifySealedValues(t.engine.store.db, new SecretBox(newKey))).failures).toEqual([]);
    });

    it('changes nothing when one value opens with no key it knows, and names the value', async () => {
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      backend = await startFixtureBackend();
      t = await startOpsEngine({ dialect, secretKey: oldKey, start: false });
      const { server } = await seedEverySecret(t, backend);
      const { db } = t.engine.store;
      const stranger = new SecretBox(randomBytes(32)).encrypt('sealed elsewhere');
      await db.updateTable('servers').set({ secret_sealed: stranger }).where('id', '=', server.id).execute();
      const before = await everyTextValue(db, dialect);
      await expect(
        resealAll(t.engine.store, new KeyringSecretBox(oldKey, [newKey]), new SecretBox(newKey)),
      ).rejects.toMatchObject({
        code: 'secret.undecryptable',
        message: expect.stringContaining(`servers.secret_sealed of row ${server.id}`),
      });
      expect(await everyTextValue(db, dialect)).toEqual(before);
    });
  });
}
