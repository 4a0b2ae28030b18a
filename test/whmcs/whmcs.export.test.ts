import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeModule } from '../../src/engine/module-catalogue.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { phpLiteral } from '../../src/whmcs/php.js';
import { ensureBuilt, localEnv, runCli } from '../cli/support.js';

const run = promisify(execFile);
let out: string;
let exported: { name: string; module: string; productType: string | null; files: string[] }[];

/** Runs a snippet of PHP that includes one generated module (as WHMCS does) and prints JSON. */
async function phpJson(moduleFile: string, expression: string) {
  const code = `define('WHMCS', true); require ${JSON.stringify(moduleFile)}; echo json_encode(${expression});`;
  const { stdout } = await run('php', ['-r', code]);
  return JSON.parse(stdout);
}

beforeAll(async () => {
  ensureBuilt();
  out = mkdtempSync(join(tmpdir(), 'provisio-whmcs-export-'));
  const answer = await runCli(
    [
      'whmcs',
      'export',
      '--out',
      out,
      '--engine-url',
      'https://provisio.example.net:8443',
      '--token-file',
      '/etc/provisio/whmcs.token',
      '--json',
    ],
    localEnv(),
  );
  expect(answer.stderr).toBe('');
  expect(answer.code).toBe(0);
  exported = JSON.parse(answer.stdout).items;
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('provisio whmcs export', () => {
  it('writes one WHMCS module per module and product type, with template, README and config', () => {
    const expected = BUILTIN_MODULES.flatMap((m) => {
      const types = describeModule(m).productTypes;
      return types.map((t) => (types.length > 1 ? `provisio_${m.id}${t.id}` : `provisio_${m.id}`));
    });
    expect(exported.map((e) => e.name).sort()).toEqual(expected.sort());
    for (const name of expected) {
      const dir = join(out, 'modules', 'servers', name);
      expect(readdirSync(dir).sort()).toEqual(
        ['README.md', 'clientarea.tpl', 'lib', `${name}.php`, 'provisio.config.php'].sort(),
      );
      expect(statSync(join(dir, 'provisio.config.php')).mode & 0o777).toBe(0o640);
    }
  });

  it('every generated PHP file passes php -l', async () => {
    const files = exported.flatMap((e) => e.files).filter((f) => f.endsWith('.php'));
    expect(files.length).toBe(exported.length * 3);
    for (const file of files) {
      const { stdout } = await run('php', ['-l', file]);
      expect(stdout).toContain('No syntax errors detected');
    }
  }, 120_000);

  it('ConfigOptions mirror each settings schema: at most 24, the same order, loaders for dynamic dropdowns', async () => {
    for (const module of BUILTIN_MODULES) {
      const description = describeModule(module);
      for (const type of description.productTypes) {
        const entry = exported.find((e) => e.module === module.id && e.productType === type.id)!;
        const file = entry.files.find((f) => f.endsWith(`${entry.name}.php`))!;
        const options = await phpJson(file, `${entry.name}_ConfigOptions()`);
        const keys = Object.keys(options);
        expect(keys.length).toBeLessThanOrEqual(24);
        expect(keys).toEqual(type.settings.map((f) => f.name));
        for (const field of type.settings) {
          const option = options[field.name];
          expect(option.FriendlyName).toBe(field.label);
          if (field.loader) {
            expect(option.Loader).toBe(`${entry.name}_Load${field.name}`);
            const exists = await phpJson(file, `function_exists(${JSON.stringify(option.Loader)})`);
            expect(exists).toBe(true);
          } else if (field.type === 'dropdown') {
            expect(Object.keys(option.Options)).toEqual(field.options?.map((o) => o.value));
          }
        }
      }
    }
  }, 120_000);

  it('MetaData names the module, its default ports and, where there is a login link, the SSO label', async () => {
    for (const entry of exported) {
      const description = describeModule(BUILTIN_MODULES.find((m) => m.id === entry.module)!);
      const file = entry.files.find((f) => f.endsWith(`${entry.name}.php`))!;
      const meta = await phpJson(file, `${entry.name}_MetaData()`);
      expect(meta.DisplayName).toContain(description.displayName);
      expect(meta.DefaultNonSSLPort).toBe(description.server.defaultPort.plain);
      expect(meta.DefaultSSLPort).toBe(description.server.defaultPort.secure);
      expect('ServiceSingleSignOnLabel' in meta).toBe(description.loginLink);
      const sso = await phpJson(file, `function_exists('${entry.name}_ServiceSingleSignOn')`);
      expect(sso).toBe(description.loginLink);
      // An action the module lacks has no function: WHMCS then hides it.
      const changePassword = await phpJson(file, `function_exists('${entry.name}_ChangePassword')`);
      expect(changePassword).toBe(description.lifecycle.includes('change-password'));
    }
  }, 120_000);

  it('the config file holds the engine URL and token path, verifies TLS, and is read nowhere from $params', async () => {
    const entry = exported[0]!;
    const configFile = join(out, 'modules', 'servers', entry.name, 'provisio.config.php');
    const { stdout } = await run('php', ['-r', `echo json_encode(require ${JSON.stringify(configFile)});`]);
    const config = JSON.parse(stdout);
    expect(config).toMatchObject({
      engineUrl: 'https://provisio.example.net:8443',
      tokenFile: '/etc/provisio/whmcs.token',
      waitSeconds: 25,
      verifyTls: true,
    });
    const library = readFileSync(
      join(out, 'modules', 'servers', entry.name, 'lib', 'ProvisioBridge.php'),
      'utf8',
    );
    expect(library).not.toMatch(/\$p(arams)?\['(engine|token)/i);
  });

  it('refuses an engine URL with credentials or another scheme (usage error, nothing written)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provisio-whmcs-bad-'));
    for (const url of ['https://admin:secret@provisio.example.net', 'ftp://provisio.example.net']) {
      const answer = await runCli(['whmcs', 'export', '--out', dir, '--engine-url', url], localEnv());
      expect(answer.code).toBe(2);
      expect(answer.stderr).toMatch(/engine URL/);
    }
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('phpLiteral writes strings no value can break out of', async () => {
    const tricky = ["it's", 'back\\slash\\', `$var {$x} \${y}`, "'; system('id'); '", 'line\nbreak'];
    const { stdout } = await run('php', ['-r', `echo json_encode(${phpLiteral(tricky)});`]);
    expect(JSON.parse(stdout)).toEqual(tricky);
  });
});
