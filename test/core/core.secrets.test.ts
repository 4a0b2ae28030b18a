import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASK, Redactor } from '../../src/core/redaction.js';
import { loadSecretKey, parseSecretKey, SecretBox } from '../../src/core/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));
  it('round-trips and never repeats a ciphertext', () => {
    const a = box.encrypt('hunter2');
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain('hunter2');
    expect(box.encrypt('hunter2')).not.toBe(a);
    expect(box.decrypt(a)).toBe('hunter2');
  });
  it('detects tampering with the IV, the tag or the ciphertext, and a wrong key', () => {
    for (let round = 0; round < 50; round++) {
      const sealed = box.encrypt(`secret-${round}`);
      const raw = Buffer.from(sealed.slice('v1:'.length), 'base64');
      // IV, authentication tag, ciphertext: flip one real bit in each (not in the base64 text,
      // whose last character may carry only padding bits).
      for (const position of [0, 12, raw.length - 1]) {
        const copy = Buffer.from(raw);
        copy.writeUInt8(copy.readUInt8(position) ^ 0x01, position);
        expect(() => box.decrypt(`v1:${copy.toString('base64')}`)).toThrow(
          /sealed with another key .* or it was altered/,
        );
      }
      expect(() => new SecretBox(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow(
        /sealed with another key .* or it was altered/,
      );
    }
  });
  it('creates a key file with mode 0600 once, then reuses it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'provisio-key-')), 'sub', 'secret.key');
    const first = loadSecretKey({ keyFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ keyFile: file }).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(64);
  });
  it('takes the key from the environment in hex or base64, and refuses a bad one', () => {
    const hex = 'ab'.repeat(32);
    expect(parseSecretKey(hex).length).toBe(32);
    expect(parseSecretKey(Buffer.alloc(32, 1).toString('base64')).length).toBe(32);
    expect(() => parseSecretKey('short')).toThrow(/32 bytes/);
  });
});

describe('Redactor', () => {
  it('masks known values and their encoded forms', () => {
    const redactor = new Redactor(['p@ss "w"']);
    expect(redactor.redactText('login p@ss "w" ok')).toBe(`login ${MASK} ok`);
    expect(redactor.redactText(JSON.stringify({ x: 'p@ss "w"' }))).toBe(`{"x":"${MASK}"}`);
    expect(redactor.redactText(`q=${encodeURIComponent('p@ss "w"')}`)).toBe(`q=${MASK}`);
  });
  it('masks values under secret-named keys whatever they are', () => {
    const redactor = new Redactor();
    expect(
      redactor.redactValue({
        user: 'a',
        password: 'x',
        nested: { apiKey: 'k', token: 't', note: 'n' },
        'Pass Key': 'pk',
      }),
    ).toEqual({
      user: 'a',
      password: MASK,
      nested: { apiKey: MASK, token: MASK, note: 'n' },
      'Pass Key': MASK,
    });
  });
  it('masks the longest secret first', () => {
    const redactor = new Redactor(['abc', 'abcdef']);
    expect(redactor.redactText('xabcdefx')).toBe(`x${MASK}x`);
  });
});
