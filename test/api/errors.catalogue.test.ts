import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, renderErrorsDoc } from '../../scripts/error-docs.js';
import { SETTINGS } from '../../src/config.js';
import { engineErrors } from '../../src/core/error-catalogue.js';

/** Every `code: '…'` option left in the code: codes come from a catalogue entry, never from a literal. */
function codesIn(dir: string): Set<string> {
  const codes = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const code of codesIn(path)) codes.add(code);
    else if (entry.name.endsWith('.ts'))
      for (const match of readFileSync(path, 'utf8').matchAll(/\bcode: [`'][a-z_.-]+/g))
        codes.add(`${path}: ${match[0]}`);
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
  it('is generated into docs/errors.md (run `npm run docs:errors` after changing a catalogue)', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(renderErrorsDoc(doc)).toBe(doc);
  });

  it('gives every engine code a 4xx or 5xx status and a meaning', () => {
    for (const entry of Object.values(engineErrors.entries)) {
      expect(entry.status, entry.code).toBeGreaterThanOrEqual(400);
      expect(entry.meaning.length, entry.code).toBeGreaterThan(10);
    }
  });

  it('is the only way to raise an error: no engine code is a string made at the call site', () => {
    const raised = ['engine', 'core', 'store', 'transport', 'api', 'cli'].flatMap((dir) => [
      ...codesIn(join('src', dir)),
    ]);
    expect(raised).toEqual([]);
  });

  it('documents every setting in docs/configuration.md', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    for (const setting of SETTINGS) expect(doc, setting.env).toMatch(row(setting.env, `\`${setting.key}\``));
  });
});
