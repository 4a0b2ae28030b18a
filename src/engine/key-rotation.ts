import { fail } from '../core/error-catalogue.js';
import type { SecretBox } from '../core/secret-box.js';
import type { Db, Store } from '../store/database.js';
import { describeLocation, type SealedLocation, visitSealedValues } from '../store/sealed-columns.js';

export interface SealedCounts {
  /** `table.column` → how many sealed values it holds. */
  columns: Record<string, number>;
  total: number;
}

const summary = (counts: Map<string, number>): SealedCounts => ({
  columns: Object.fromEntries(counts),
  total: [...counts.values()].reduce((a, b) => a + b, 0),
});

/**
 * Re-seals every stored secret under `to`, in one transaction: either every value is sealed with
 * the new key or, when one cannot be opened with any key `from` knows, nothing changed. `from`
 * should know the new key as well (a keyring), so a rotation that is run again after it
 * committed (the key file was not yet switched) still succeeds.
 *
 * Cost: one decrypt and one encrypt per value, one UPDATE per row: 10,000 secrets take about a
 * second on SQLite. SQLite's write lock is held meanwhile, so other processes on the same file
 * wait (busy timeout 5 s): stop `serve` for large databases, or rotate when it is quiet.
 */
export async function resealAll(store: Store, from: SecretBox, to: SecretBox): Promise<SealedCounts> {
  return store.write(async (trx) =>
    summary(
      await visitSealedValues(trx, (sealed, at) => {
        let plain: string;
        try {
          plain = from.decrypt(sealed);
        } catch {
          throw fail(
            'secret.undecryptable',
            `cannot decrypt ${describeLocation(at)} with the configured keys (PROVISIO_SECRET_KEY or the key file, and PROVISIO_PREVIOUS_SECRET_KEYS): nothing was re-sealed`,
          );
        }
        return to.encrypt(plain);
      }),
    ),
  );
}

export interface VerifyResult extends SealedCounts {
  /** Values that do not decrypt with the box given. */
  failures: SealedLocation[];
}

/** Opens every stored secret with `box`; changes nothing. */
export async function verifySealedValues(db: Db, box: SecretBox): Promise<VerifyResult> {
  const failures: SealedLocation[] = [];
  const counts = await visitSealedValues(db, (sealed, at) => {
    try {
      box.decrypt(sealed);
    } catch {
      failures.push(at);
    }
    return undefined;
  });
  return { ...summary(counts), failures };
}
