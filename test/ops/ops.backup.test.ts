import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OpenedEngine, openEngine } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureBuilt, localEnv, runCli } from '../cli/support.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

beforeAll(() => ensureBuilt(), 180_000);

const open = (env: NodeJS.ProcessEnv): Promise<OpenedEngine> =>
  openEngine(loadConfig({ env: { ...env, PROVISIO_CONFIG: undefined } }), {
    modules: [createFixtureModule()],
    logger: pino({ level: 'silent' }),
  });

const dirOf = (env: NodeJS.ProcessEnv) => dirname(env.PROVISIO_SQLITE_PATH!);
const mode = (path: string) => statSync(path).mode & 0o777;

describe('provisio backup and restore', () => {
  it('backs up while the engine writes, restores into a new folder with its key, and every secret decrypts', async () => {
    const source = localEnv();
    const backend = await startFixtureBackend();
    const opened = await open(source);
    const { engine } = opened;
    await setUpFixtureService(engine, backend, {
      serverSecret: 'srv-secret-backup-1',
      password: 'svc-pw-backup-2',
    });
    opened.engine.start();
    // Load: clients with a sealed Pass Key each, written as fast as the engine takes them.
    let writing = true;
    let written = 0;
    const load = (async () => {
      while (writing && written < 5_000) {
        await engine.clients.create({
          email: `c${written}@example.com`,
          customFields: { 'Pass Key': `pk-${written}-secret`, Phone: String(written) },
        });
        written++;
      }
    })();
    await waitUntil(() => written >= 20, 20_000, '20 clients written');
    const out = join(dirOf(source), 'backup', 'provisio-backup.db');
    const keyOut = join(dirOf(source), 'backup', 'provisio-backup.key');
    mkdirSync(dirname(out));
    const backup = await runCli(['backup', '--out', out, '--with-key', keyOut], source);
    const writtenDuringBackup = written;
    writing = false;
    await load;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backup written to .*provisio-backup\.db/);
    expect(backup.stdout).toMatch(/\d+ stored secrets checked: every one decrypts with the key in use/);
    expect(mode(out)).toBe(0o600);
    expect(mode(keyOut)).toBe(0o600);
    expect(readFileSync(keyOut, 'utf8')).toBe(readFileSync(source.PROVISIO_KEY_FILE!, 'utf8'));
    expect(readdirSync(dirname(out)).sort()).toEqual(['provisio-backup.db', 'provisio-backup.key']);
    await opened.close();
    await backend.close();

    // A new machine: an empty folder, the backup and its key.
    const target = localEnv();
    const restored = await runCli(['restore', '--from', out, '--key', keyOut], target);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/stored secrets decrypt with the key now in/);
    expect(readFileSync(target.PROVISIO_KEY_FILE!, 'utf8')).toBe(readFileSync(keyOut, 'utf8'));
    expect(mode(target.PROVISIO_KEY_FILE!)).toBe(0o600);
    const verify = await runCli(['secrets', 'verify'], target);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/\d+ stored secrets: every one decrypts/);

    const copy = await open(target);
    try {
      const clients = await copy.engine.clients.list({ limit: 1000 });
      // A consistent snapshot taken while clients were being added: some, not all, and each whole.
      expect(clients.length).toBeGreaterThan(20);
      expect(clients.length).toBeLessThanOrEqual(writtenDuringBackup + 2);
      const { getClient } = await import('../../src/store/repositories/clients.js');
      for (const listed of clients.filter((c) => c.email.startsWith('c'))) {
        const client = await getClient(copy.engine.store.db, copy.engine.deps.box, listed.id);
        expect(client!.customFields['Pass Key']).toBe(`pk-${client!.customFields.Phone}-secret`);
      }
      const [server] = await copy.engine.servers.list();
      const { getServerConnection } = await import('../../src/store/repositories/servers.js');
      expect(
        (await getServerConnection(copy.engine.store.db, copy.engine.deps.box, server!.id))?.secret,
      ).toBe('srv-secret-backup-1');
      const [service] = await copy.engine.services.list({});
      const { getServicePassword } = await import('../../src/store/repositories/services.js');
      expect(await getServicePassword(copy.engine.store.db, copy.engine.deps.box, service!.id)).toBe(
        'svc-pw-backup-2',
      );
    } finally {
      await copy.close();
    }

    // Bad input changes nothing.
    const again = await runCli(['restore', '--from', out, '--key', keyOut], target);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toMatch(/^error restore\.target_exists: a database exists at/);
    expect((await runCli(['backup', '--out', out], source)).stderr).toMatch(/^error backup\.file_exists/);
  }, 120_000);

  it('refuses a wrong or missing key and a file that is no backup, and writes nothing', async () => {
    const source = localEnv();
    const opened = await open(source);
    await opened.engine.clients.create({ email: 'k@example.com', customFields: { 'Pass Key': 'pk-only' } });
    await opened.close();
    const out = join(dirOf(source), 'b.db');
    const plainBackup = await runCli(['backup', '--out', out], source);
    expect(plainBackup.code).toBe(0);
    expect(plainBackup.stderr).toContain('the key is not in the backup');

    const noKey = localEnv();
    const missing = await runCli(['restore', '--from', out], noKey);
    expect(missing.stderr).toMatch(/^error restore\.key_mismatch: there is no key/);
    const otherKey = localEnv();
    await runCli(['secrets', 'new-key', '--out', otherKey.PROVISIO_KEY_FILE!], otherKey);
    const wrong = await runCli(['restore', '--from', out], otherKey);
    expect(wrong.stderr).toMatch(/^error restore\.key_mismatch: 1 of 1 secrets in .* do not decrypt/);
    expect(existsSync(otherKey.PROVISIO_SQLITE_PATH!)).toBe(false);
    expect(existsSync(noKey.PROVISIO_SQLITE_PATH!)).toBe(false);

    const notABackup = join(dirOf(source), 'notes.txt');
    writeFileSync(notABackup, 'hello');
    const junk = await runCli(['restore', '--from', notABackup, '--key', source.PROVISIO_KEY_FILE!], noKey);
    expect(junk.stderr).toMatch(/^error backup\.invalid/);
    expect(existsSync(noKey.PROVISIO_SQLITE_PATH!)).toBe(false);
    expect((await runCli(['--url', 'http://localhost:1', 'backup', '--out', 'x'], source)).code).toBe(2);
  }, 120_000);

  it('on PostgreSQL points at pg_dump and still writes the key alone', async () => {
    const env: NodeJS.ProcessEnv = { ...localEnv(), DATABASE_URL: TEST_DATABASE_URL };
    const refused = await runCli(['backup', '--out', join(dirOf(env), 'x.db')], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error backup\.unsupported_dialect: .*pg_dump --format=custom/);
    await runCli(['secrets', 'new-key', '--out', env.PROVISIO_KEY_FILE!], env);
    const keyOnly = join(dirOf(env), 'key.backup');
    const written = await runCli(['backup', '--key-only', '--with-key', keyOnly], env);
    expect(written.code).toBe(0);
    expect(readFileSync(keyOnly, 'utf8')).toBe(readFileSync(env.PROVISIO_KEY_FILE!, 'utf8'));
    expect(mode(keyOnly)).toBe(0o600);
  }, 60_000);
});

describe('provisio secrets rotate-key', () => {
  it('re-seals everything under a new key file, keeps the old key beside it, and the old key no longer opens anything', async () => {
    const env = localEnv();
    const backend = await startFixtureBackend();
    const opened = await open(env);
    await setUpFixtureService(opened.engine, backend, { serverSecret: 'srv-rot', password: 'pw-rot' });
    await opened.engine.clients.create({ email: 'r@example.com', customFields: { 'Pass Key': 'pk-rot' } });
    await opened.close();
    await backend.close();
    const oldKey = readFileSync(env.PROVISIO_KEY_FILE!, 'utf8').trim();

    const rotated = await runCli(['secrets', 'rotate-key'], env);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const resealed = Number(/re-sealed (\d+) stored secrets in one transaction/.exec(rotated.stdout)?.[1]);
    expect(resealed).toBeGreaterThanOrEqual(3);
    expect(rotated.stdout).toMatch(/servers\.secret_sealed\s+1/);
    const newKey = readFileSync(env.PROVISIO_KEY_FILE!, 'utf8').trim();
    expect(newKey).not.toBe(oldKey);
    expect(mode(env.PROVISIO_KEY_FILE!)).toBe(0o600);
    const kept = readdirSync(dirOf(env)).filter((name) => name.startsWith('secret.key.old-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dirOf(env), kept[0]!), 'utf8').trim()).toBe(oldKey);
    expect(existsSync(`${env.PROVISIO_KEY_FILE}.new`)).toBe(false);

    expect((await runCli(['secrets', 'verify'], env)).code).toBe(0);
    const withOldKey = await runCli(['secrets', 'verify'], { ...env, PROVISIO_SECRET_KEY: oldKey });
    expect(withOldKey.code).toBe(1);
    expect(withOldKey.stderr).toContain(`${resealed} of ${resealed} stored secrets do not decrypt`);
    // During a rolling rotation the old key is accepted as a previous one.
    const rolling = await runCli(['secrets', 'verify'], {
      ...env,
      PROVISIO_SECRET_KEY: oldKey,
      PROVISIO_PREVIOUS_SECRET_KEYS: newKey,
    });
    expect(rolling.code).toBe(0);
    const finish = await runCli(['secrets', 'rotate-key', '--reseal'], {
      ...env,
      PROVISIO_SECRET_KEY: oldKey,
      PROVISIO_PREVIOUS_SECRET_KEYS: newKey,
    });
    expect(finish.code).toBe(0);
    expect((await runCli(['secrets', 'verify'], { ...env, PROVISIO_SECRET_KEY: oldKey })).code).toBe(0);
    const badPrevious = await runCli(['secrets', 'verify'], { ...env, PROVISIO_PREVIOUS_SECRET_KEYS: 'abc' });
    expect(badPrevious.stderr).toMatch(/^error key\.invalid: PROVISIO_PREVIOUS_SECRET_KEYS: key 1/);
  }, 120_000);
});
