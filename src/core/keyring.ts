import { fail } from './error-catalogue.js';
import { loadSecretKey, parseSecretKey, SecretBox } from './secret-box.js';

/**
 * A secret box that seals with one key and opens with that key or older ones: during a key
 * rotation (docs/operations.md) every node gets the new key as PROVISIO_SECRET_KEY and the old
 * one in PROVISIO_PREVIOUS_SECRET_KEYS, so values sealed either way stay readable until
 * `provisio secrets rotate-key` has re-sealed them all. GCM's tag tells a wrong key at once, so
 * trying the keys in turn costs one failed tag check per older key.
 */
export class KeyringSecretBox extends SecretBox {
  private readonly older: readonly SecretBox[];

  constructor(primary: Buffer, older: readonly Buffer[] = []) {
    super(primary);
    this.older = older.filter((key) => !key.equals(primary)).map((key) => new SecretBox(key));
  }

  override decrypt(sealed: string): string {
    try {
      return super.decrypt(sealed);
    } catch (error) {
      for (const box of this.older) {
        try {
          return box.decrypt(sealed);
        } catch {
          // the next key
        }
      }
      throw error;
    }
  }

  /** True when the value is sealed with the primary key (rotation skips nothing: it re-seals all). */
  isCurrent(sealed: string): boolean {
    try {
      super.decrypt(sealed);
      return true;
    } catch {
      return false;
    }
  }
}

/** `a,b` → keys; each 64 hex characters or base64 of 32 bytes. */
export function parseKeyList(text: string | undefined): Buffer[] {
  return (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, index) => {
      try {
        return parseSecretKey(part);
      } catch {
        throw fail(
          'key.invalid',
          `PROVISIO_PREVIOUS_SECRET_KEYS: key ${index + 1} is not 32 bytes written as 64 hex characters or base64`,
        );
      }
    });
}

export function keyringFromConfig(config: {
  secretKey: string | undefined;
  keyFile: string;
  previousSecretKeys?: string | undefined;
}): KeyringSecretBox {
  return new KeyringSecretBox(
    loadSecretKey({ envValue: config.secretKey, keyFile: config.keyFile }),
    parseKeyList(config.previousSecretKeys),
  );
}
