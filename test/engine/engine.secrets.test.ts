import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';

const SECRETS = {
  servicePassword: 'Sup3r-Secret-Pw!',
  newPassword: 'N3w "quoted" Pw\\x',
  serverKey: 'server-api-key-5f1d8c',
  productToken: 'prod-token-a8b7c6',
  passKey: 'passkey-0e9d8c7b',
};

for (const dialect of DIALECTS) {
  describe(`secrets stay secret (${dialect})`, () => {
    let backend: RunningFixtureBackend;
    let t: TestEngine;
    const logLines: string[] = [];

    beforeEach(async () => {
      logLines.length = 0;
      backend = await startFixtureBackend();
      t = await createTestEngine({ modules: [createFixtureModule()], dialect, logLines });
    });
    afterEach(async () => {
      await t.close();
      await backend.close();
    });

    it('after a full lifecycle, neither the database, the module log nor the application log holds one in clear', async () => {
      const { engine } = t;
      const { service, client } = await setUpFixtureService(engine, backend, {
        password: SECRETS.servicePassword,
        serverSecret: SECRETS.serverKey,
        settings: { apiToken: SECRETS.productToken, steps: 2 },
      });
      await engine.clients.update(client.id, {
        customFields: { 'Pass Key': SECRETS.passKey, Phone: '555-0100' },
      });
      // A backend that echoes a secret in its error must not get it into the operation's error.
      backend.state.behave(`fx-${service.id}`, 'create', {
        kind: 'fail',
        message: `bad password ${SECRETS.servicePassword}`,
      });
      const failed = await engine.run(service.id, 'create');
      expect(failed.status).toBe('failed');
      expect(failed.errorMessage).toContain('bad password ***');
      backend.state.behaviours.clear();
      await engine.operations.retry(failed.id);
      expect((await engine.operations.waitFor(failed.id, { timeoutMs: 10_000 })).status).toBe('succeeded');
      for (const [action, secretArgs] of [
        ['suspend'],
        ['unsuspend'],
        ['change-password', { password: SECRETS.newPassword }],
        ['terminate'],
      ] as const) {
        const op = await engine.run(service.id, action, secretArgs ? { secretArgs } : {});
        expect(op.status, `${action}: ${op.errorMessage}`).toBe('succeeded');
      }
      // Write-only in every answer; an operator's audited reveal shows it.
      expect((await engine.clients.get(client.id)).customFields['Pass Key']).toBe('********');
      const operator = { name: 'ops', tokenId: null };
      expect((await engine.clients.revealCustomField(client.id, 'Pass Key', operator)).value).toBe(
        SECRETS.passKey,
      );
      expect((await engine.audit.list({ action: 'client.reveal_custom_field' })).map((e) => e.actor)).toEqual(
        ['ops'],
      );

      // The module really sent them: the backend saw the password (so the test can fail).
      const log = await engine.moduleLog.query({ limit: 1000 });
      expect(log.some((row) => row.request.includes('"password":"***"'))).toBe(true);
      const everything = [...(await dumpDatabase(t)), JSON.stringify(log), logLines.join('\n')].join('\n');
      expect(logLines.some((line) => line.includes('creating fx-'))).toBe(true);
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(everything.includes(secret), `${name} found in clear`).toBe(false);
        expect(everything.includes(JSON.stringify(secret).slice(1, -1)), `${name} found JSON-escaped`).toBe(
          false,
        );
      }
    });
  });
}

/** Every byte the database keeps: the SQLite files themselves, or every PostgreSQL row as text. */
async function dumpDatabase(t: TestEngine): Promise<string[]> {
  const { testStore } = t;
  if (testStore.dialect === 'sqlite') {
    await t.engine.stop();
    const dir = dirname(testStore.location);
    return readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString('latin1'));
  }
  const tables = [
    'clients',
    'servers',
    'products',
    'services',
    'operations',
    'module_log',
    'events',
    'api_tokens',
  ];
  const out: string[] = [];
  for (const table of tables) {
    const rows = await t.engine.store.db
      .selectFrom(table as 'clients')
      .selectAll()
      .execute();
    out.push(JSON.stringify(rows));
  }
  return out;
}
