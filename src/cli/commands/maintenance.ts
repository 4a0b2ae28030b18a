import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { fail } from '../../core/error-catalogue.js';
import { isProvisioningError } from '../../core/errors.js';
import { KeyringSecretBox, parseKeyList } from '../../core/keyring.js';
import { parseSecretKey, SecretBox } from '../../core/secret-box.js';
import { CliError } from '../connection.js';
import { configFrom, type GlobalOptions, reportError } from '../context.js';

/**
 * Commands that work on the local database files and the secret key directly: backup, restore,
 * key rotation. They refuse `--url`: a remote engine's files are not reachable over the API.
 */

function localConfig(command: Command, what: string): Config {
  const options = command.optsWithGlobals() as GlobalOptions;
  if (options.url)
    throw new CliError(
      `${what} works on the local database and key: run it on the engine's machine, without --url`,
      2,
    );
  return configFrom(options);
}

/** Catalogue errors read as every command prints them: `error <code>: <message>`. */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    reportError(isProvisioningError(error) ? new CliError(`error ${error.code}: ${error.message}`) : error);
  }
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

function readKeyFile(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fail(
      'key.invalid',
      `cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  try {
    return parseSecretKey(text);
  } catch {
    throw fail('key.invalid', `${path} does not hold a key: 32 bytes as 64 hex characters or base64`);
  }
}

/** Written once, mode 0600, never over an existing file. */
function writeKeyFile(path: string, key: Buffer): void {
  try {
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw fail('backup.file_exists', `${path} exists already: nothing was written`);
    throw error;
  }
  chmodSync(path, 0o600);
}

/** Replaces a key file atomically (a crash leaves the old or the new key, never half of one). */
function replaceKeyFile(path: string, key: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** The key in use: PROVISIO_SECRET_KEY, or the key file. Never creates one. */
function keyInUse(config: Config): Buffer | undefined {
  if (config.secretKey) {
    try {
      return parseSecretKey(config.secretKey);
    } catch {
      throw fail('key.invalid', 'PROVISIO_SECRET_KEY is not 32 bytes written as 64 hex characters or base64');
    }
  }
  return existsSync(config.keyFile) ? readKeyFile(config.keyFile) : undefined;
}

const previousKeys = (config: Config): Buffer[] => parseKeyList(config.previousSecretKeys);

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
const where = (config: Config) => (config.secretKey ? 'PROVISIO_SECRET_KEY' : config.keyFile);

const PG_DUMP_ADVICE =
  'back PostgreSQL up with its own tools, e.g. pg_dump --format=custom --file=provisio.dump "$DATABASE_URL" (restore: pg_restore --clean --dbname "$DATABASE_URL" provisio.dump), and keep the secret key apart: provisio backup --key-only --with-key FILE';

async function openLocalStore(config: Config) {
  const { openLocalStore: open } = await import('../../maintenance.js');
  return open(config);
}

function printCounts(columns: Record<string, number>): void {
  for (const [column, count] of Object.entries(columns)) say(`  ${column.padEnd(32)} ${count}`);
}

export function registerMaintenanceCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'copy the SQLite database while the engine runs (online backup); the key only with --with-key',
    )
    .option('--out <file>', 'the backup file to write (never overwritten)')
    .option(
      '--with-key <file>',
      'also write the secret key to this file (mode 0600): keep it apart from the backup',
    )
    .option('--key-only', 'write only the key (--with-key), e.g. beside a pg_dump of PostgreSQL')
    .action((options: { out?: string; withKey?: string; keyOnly?: boolean }, command: Command) =>
      run(async () => {
        const config = localConfig(command, 'backup');
        if (options.keyOnly && !options.withKey) throw new CliError('--key-only needs --with-key <file>', 2);
        if (!options.keyOnly && !options.out) throw new CliError('backup needs --out <file>', 2);
        const key = keyInUse(config);
        if (!key && options.withKey)
          throw fail(
            'key.invalid',
            `there is no key yet (${config.keyFile} does not exist): nothing to back up`,
          );
        if (options.keyOnly) {
          writeKeyFile(options.withKey!, key!);
          say(
            `secret key written to ${options.withKey} (mode 0600): store it apart from the database backups`,
          );
          return;
        }
        if (config.databaseUrl)
          throw fail('backup.unsupported_dialect', `the database is PostgreSQL: ${PG_DUMP_ADVICE}`);
        if (options.withKey && existsSync(options.withKey))
          throw fail('backup.file_exists', `${options.withKey} exists already: nothing was written`);
        const { backupSqlite, openReadOnly } = await import('../../maintenance.js');
        const { verifySealedValues } = await import('../../engine/key-rotation.js');
        const info = await backupSqlite(config.sqlitePath, options.out!);
        const copy = openReadOnly(info.path);
        const check = key
          ? await verifySealedValues(copy.db, new KeyringSecretBox(key, previousKeys(config))).finally(() =>
              copy.close(),
            )
          : await copy.close().then(() => undefined);
        say(
          `backup written to ${info.path} (${(info.bytes / 1_048_576).toFixed(1)} MB, schema ${info.migrations.at(-1) ?? 'empty'}, mode 0600)`,
        );
        if (check)
          say(
            `${check.total} stored secrets checked: ${check.failures.length ? `${check.failures.length} do not decrypt with the key in use` : 'every one decrypts with the key in use'}`,
          );
        if (options.withKey) {
          writeKeyFile(options.withKey, key!);
          say(`secret key written to ${options.withKey} (mode 0600): store it apart from the backup`);
        } else
          warn(
            `the key is not in the backup: without it the stored secrets (server passwords, API keys, service passwords) cannot be read. Keep a copy of ${where(config)} apart from the backup, or run again with --with-key <file>.`,
          );
      }),
    );

  program
    .command('restore')
    .description('replace the local SQLite database with a backup, after checking it and its key')
    .requiredOption('--from <file>', 'the backup file')
    .option('--key <file>', "the backup's key file (default: the key in use)")
    .option('--force', 'replace an existing database and key file (stop the engine first)')
    .action((options: { from: string; key?: string; force?: boolean }, command: Command) =>
      run(async () => {
        const config = localConfig(command, 'restore');
        if (config.databaseUrl)
          throw fail('backup.unsupported_dialect', `the database is PostgreSQL: ${PG_DUMP_ADVICE}`);
        const { inspectBackup, installBackup, openReadOnly } = await import('../../maintenance.js');
        const { verifySealedValues } = await import('../../engine/key-rotation.js');
        const info = inspectBackup(options.from);
        const key = options.key ? readKeyFile(options.key) : keyInUse(config);
        if (!key)
          throw fail(
            'restore.key_mismatch',
            `there is no key at ${config.keyFile}: give the backup's key with --key <file>`,
          );
        const copy = openReadOnly(options.from);
        const check = await verifySealedValues(
          copy.db,
          new KeyringSecretBox(key, previousKeys(config)),
        ).finally(() => copy.close());
        if (check.failures.length)
          throw fail(
            'restore.key_mismatch',
            `${check.failures.length} of ${check.total} secrets in ${options.from} do not decrypt with ${options.key ?? where(config)}: give the key that was in use when the backup was taken (--key); nothing was changed`,
          );
        const current = keyInUse(config);
        if (options.key && current && !current.equals(key)) {
          if (config.secretKey)
            throw fail(
              'restore.key_mismatch',
              `PROVISIO_SECRET_KEY holds another key than ${options.key}: set it to the backup's key; nothing was changed`,
            );
          if (!options.force)
            throw fail(
              'restore.target_exists',
              `${config.keyFile} holds another key than ${options.key}: pass --force to replace it (the current one is kept beside it); nothing was changed`,
            );
        }
        installBackup(options.from, config.sqlitePath, { force: options.force === true });
        if (options.key && !config.secretKey && !(current?.equals(key) ?? false)) {
          if (current) {
            const aside = `${config.keyFile}.before-restore-${stamp()}`;
            copyFileSync(config.keyFile, aside);
            chmodSync(aside, 0o600);
            say(`the key that was in ${config.keyFile} is kept in ${aside}`);
          }
          replaceKeyFile(config.keyFile, key);
        }
        say(
          `restored ${options.from} (schema ${info.migrations.at(-1) ?? 'empty'}) into ${config.sqlitePath}; ${check.total} stored secrets decrypt with the key${options.key ? ` now in ${config.secretKey ? 'PROVISIO_SECRET_KEY' : config.keyFile}` : ' in use'}`,
        );
        say(
          'start the engine (provisio serve): it applies the migrations of this version if the backup is older',
        );
      }),
    );

  const secrets = program
    .command('secrets')
    .description('the secret key: verify every stored secret, rotate the key');
  secrets
    .command('verify')
    .description('open every stored secret with the configured key(s); print counts, never values')
    .action((_options: unknown, command: Command) =>
      run(async () => {
        const config = localConfig(command, 'secrets verify');
        const key = keyInUse(config);
        if (!key) throw fail('key.invalid', `there is no key yet (${config.keyFile} does not exist)`);
        const { verifySealedValues } = await import('../../engine/key-rotation.js');
        const store = await openLocalStore(config);
        try {
          const result = await verifySealedValues(store.db, new KeyringSecretBox(key, previousKeys(config)));
          printCounts(result.columns);
          if (result.failures.length) {
            const { describeLocation } = await import('../../maintenance.js');
            for (const failure of result.failures) warn(`does not decrypt: ${describeLocation(failure)}`);
            throw new CliError(
              `${result.failures.length} of ${result.total} stored secrets do not decrypt with the configured keys`,
            );
          }
          say(`${result.total} stored secrets: every one decrypts`);
        } finally {
          await store.close();
        }
      }),
    );
  secrets
    .command('new-key')
    .description('write a fresh random key to a file (mode 0600), for a rotation across several nodes')
    .requiredOption('--out <file>', 'the key file to write (never overwritten)')
    .action((options: { out: string }) =>
      run(async () => {
        writeKeyFile(options.out, randomBytes(32));
        say(`a new key is in ${options.out} (mode 0600)`);
      }),
    );
  secrets
    .command('rotate-key')
    .description('re-seal every stored secret under a new key in one transaction')
    .option('--new-key-file <file>', 'the new key (default: a fresh one, written beside the key file)')
    .option(
      '--reseal',
      'no new key: re-seal every secret under the key in use (the last step of a rotation across nodes)',
    )
    .action((options: { newKeyFile?: string; reseal?: boolean }, command: Command) =>
      run(async () => {
        const config = localConfig(command, 'secrets rotate-key');
        if (options.reseal && options.newKeyFile)
          throw new CliError('--reseal and --new-key-file exclude each other', 2);
        const current = keyInUse(config);
        if (!current)
          throw fail(
            'key.invalid',
            `there is no key yet (${config.keyFile} does not exist): nothing to rotate`,
          );
        const older = previousKeys(config);
        let target = current;
        let generated: string | undefined;
        if (options.newKeyFile) target = readKeyFile(options.newKeyFile);
        else if (!options.reseal) {
          // Written before anything is re-sealed: a crash after the commit must not lose the key.
          generated = `${config.keyFile}.new`;
          if (existsSync(generated)) {
            target = readKeyFile(generated);
            warn(`using the new key left in ${generated} by an earlier, interrupted rotation`);
          } else {
            target = randomBytes(32);
            writeKeyFile(generated, target);
          }
        }
        if (!options.reseal && target.equals(current))
          throw fail('key.invalid', 'the new key is the key in use: to re-seal under it, use --reseal');
        const { resealAll } = await import('../../engine/key-rotation.js');
        const store = await openLocalStore(config);
        let counts: Awaited<ReturnType<typeof resealAll>>;
        try {
          // The new key opens values too: a rotation run again after it committed still succeeds.
          counts = await resealAll(
            store,
            new KeyringSecretBox(current, [...older, target]),
            new SecretBox(target),
          );
        } finally {
          await store.close();
        }
        say(`re-sealed ${counts.total} stored secrets in one transaction:`);
        printCounts(counts.columns);
        if (options.reseal) {
          say(
            'every secret is sealed with the key in use: PROVISIO_PREVIOUS_SECRET_KEYS can go once every node runs with this key',
          );
          return;
        }
        if (config.secretKey) {
          say(
            `the new key is in ${options.newKeyFile ?? generated}: set PROVISIO_SECRET_KEY to it on every node now and restart them (the old key cannot read the database any more; keep it while backups sealed with it exist)`,
          );
          return;
        }
        const kept = `${config.keyFile}.old-${stamp()}`;
        copyFileSync(config.keyFile, kept);
        chmodSync(kept, 0o600);
        replaceKeyFile(config.keyFile, target);
        if (generated) rmSync(generated, { force: true });
        say(
          `${config.keyFile} now holds the new key; the old one is kept in ${kept}: backups taken before now need it`,
        );
        say('restart provisio serve now: a running engine still holds the old key');
      }),
    );
}
