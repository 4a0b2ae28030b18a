import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'provisio-config-')), 'provisio.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('uses the defaults: SQLite in ./data, port 8080, a key file', () => {
    const config = loadConfig({ env: {}, file: configFile({}) });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      sqlitePath: './data/provisio.db',
      keyFile: './data/secret.key',
      databaseUrl: undefined,
      bootstrapToken: true,
    });
  });

  it('takes the file over the defaults and the environment over the file; file paths are relative to the file', () => {
    const file = configFile({ port: 9000, concurrency: 3, sqlitePath: 'db/p.db' });
    const config = loadConfig({ env: { PROVISIO_PORT: '9100', PROVISIO_BOOTSTRAP_TOKEN: 'no' }, file });
    expect(config.port).toBe(9100);
    expect(config.concurrency).toBe(3);
    expect(config.sqlitePath).toBe(join(file, '..', 'db/p.db'));
    expect(config.bootstrapToken).toBe(false);
  });

  it('refuses unknown keys, wrong types and out-of-range values with the setting named', () => {
    expect(() => loadConfig({ env: {}, file: configFile({ prot: 1 }) })).toThrow(/unknown settings: prot/);
    expect(() => loadConfig({ env: { PROVISIO_PORT: 'eighty' }, file: configFile({}) })).toThrow(
      /PROVISIO_PORT: port must be a whole number/,
    );
    expect(() => loadConfig({ env: { PROVISIO_CONCURRENCY: '0' }, file: configFile({}) })).toThrow(
      /at least 1/,
    );
    expect(() => loadConfig({ env: {}, file: configFile('{oops') })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { PROVISIO_CONFIG: '/nonexistent/provisio.json' } })).toThrow(
      /does not exist/,
    );
  });
});
