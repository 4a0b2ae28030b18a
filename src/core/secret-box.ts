import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail } from './error-catalogue.js';

/**
 * AES-256-GCM for secrets at rest (server passwords and API keys, service passwords, secret
 * product settings, secret operation arguments).
 *
 * Stored form: `v1:<base64(iv | tag | ciphertext)>`. The version prefix lets a later key rotation
 * recognise old values; a random 96-bit IV per value, as GCM requires.
 */
const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes (AES-256)');
    this.key = key;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(sealed: string): string {
    if (!sealed.startsWith(VERSION))
      throw fail(
        'secret.undecryptable',
        'a stored secret is not sealed (missing v1: prefix): the database was altered',
      );
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw fail(
        'secret.undecryptable',
        'cannot decrypt a stored secret: it was sealed with another key (check PROVISIO_SECRET_KEY or the key file) or it was altered',
      );
    }
  }

  /**
   * Keyed digest for comparing values without storing them (the idempotency request hash covers
   * a new password): unlike a bare SHA-256 it cannot be brute-forced without the key.
   */
  mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('hex');
  }

  encryptNullable(plain: string | null | undefined): string | null {
    return plain === null || plain === undefined ? null : this.encrypt(plain);
  }

  decryptNullable(sealed: string | null | undefined): string | null {
    return sealed === null || sealed === undefined ? null : this.decrypt(sealed);
  }
}

/** Accepts 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error('PROVISIO_SECRET_KEY must be 32 bytes written as 64 hex characters or base64');
  }
  return key;
}

/**
 * The key comes from `PROVISIO_SECRET_KEY` when set; otherwise from a key file, created with mode
 * 0600 on first start. Losing the key file makes every stored secret unreadable: back it up.
 */
export function loadSecretKey(options: { envValue?: string | undefined; keyFile: string }): Buffer {
  if (options.envValue) return parseSecretKey(options.envValue);
  if (existsSync(options.keyFile)) return parseSecretKey(readFileSync(options.keyFile, 'utf8'));
  mkdirSync(dirname(options.keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(options.keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(options.keyFile, 0o600);
  return key;
}
