import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/api/errors.js';
import { SETTINGS } from '../../src/config.js';

/** Every `code: '…'` in engine, core, store, transport and API code (modules document their own). */
function codesIn(dir: string): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const code of codesIn(path)) codes.add(code);
    else if (entry.name.endsWith('.ts'))
      for (const match of readFileSync(path, 'utf8').matchAll(/code: '([a-z_.-]+)'/g)) codes.add(match[1]!);
  }
  return codes;
}

/** A table row starting `| \`first\` | second |`, whatever the column padding. */
const row = (first: string, second: string) =>
  new RegExp(
    `^\\|\\s*\`${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`\\s*\\|\\s*${second.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\|`,
    'm',
  );

describe('the error catalogue', () => {
  it('lists every code the engine and the API raise, with a 4xx or 5xx status', () => {
    const raised = new Set(
      ['engine', 'core', 'store', 'transport', 'api'].flatMap((dir) => [...codesIn(join('src', dir))]),
    );
    // `${what}.not_found` in engine.ts builds these from record names.
    for (const record of ['client', 'server', 'server_group', 'product', 'service', 'operation'])
      raised.add(`${record}.not_found`);
    const missing = [...raised].filter((code) => !(code in ERROR_CATALOGUE));
    expect(missing).toEqual([]);
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE))
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
  });

  it('is documented entry by entry in docs/errors.md', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE))
      expect(doc, code).toMatch(row(code, String(entry.status)));
  });

  it('documents every setting in docs/configuration.md', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const setting of SETTINGS) expect(doc, setting.env).toMatch(row(setting.env, `\`${setting.key}\``));
  });
});
