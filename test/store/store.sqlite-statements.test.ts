import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { literalLimit } from '../../src/store/literal-limit.js';
import { undeliveredEvents } from '../../src/store/repositories/events.js';
import { claimOperations } from '../../src/store/repositories/operations.js';
import { claimDeliveries } from '../../src/store/repositories/webhooks.js';
import { openTestStore, type TestStore } from '../support/databases.js';

/**
 * SQLite plans a statement again at every run when a parameter it looked at while planning is
 * bound anew, and it looks at a bound LIMIT (src/store/literal-limit.ts). The statements that run
 * on every claim and every delivery round must therefore state their limits: this records the
 * text of every statement the store prepares, as SQLite receives it.
 */
describe('SQLite statements of the hot paths', () => {
  let t: TestStore;
  let prepared: string[];
  const original = SqliteDatabase.prototype.prepare;

  beforeEach(async () => {
    prepared = [];
    SqliteDatabase.prototype.prepare = function (this: SqliteDatabase.Database, source: string) {
      prepared.push(source);
      return original.call(this, source);
    } as typeof original;
    t = await openTestStore('sqlite');
    prepared = [];
  });
  afterEach(async () => {
    SqliteDatabase.prototype.prepare = original;
    await t.cleanup();
  });

  it('claims of operations and webhook deliveries, and event rounds, write their limits out', async () => {
    const now = Date.now();
    await claimOperations(t.store, { owner: 'w', now, leaseMs: 1_000, limit: 16 });
    await claimDeliveries(t.store, { owner: 'w', now, leaseMs: 1_000, limit: 8 });
    await undeliveredEvents(t.store.db, 'webhooks', 0, 100);

    const reads = prepared.filter((text) => /\blimit\b/i.test(text));
    expect(reads.length).toBe(4);
    for (const text of reads) expect(text).not.toMatch(/\blimit\s+\?/i);
    // The claim looks four times further than it takes (operations.ts, LOOK_AHEAD).
    expect(reads.filter((text) => /from "operations"/.test(text) && /limit 64\b/.test(text))).toHaveLength(2);
    expect(
      reads.filter((text) => /from "webhook_deliveries"/.test(text) && /limit 8\b/.test(text)),
    ).toHaveLength(1);
    expect(reads.filter((text) => /from "events"/.test(text) && /limit 100\b/.test(text))).toHaveLength(1);
  });

  it('refuses a limit that is not a whole number of rows, rather than write it into SQL', () => {
    for (const bad of [1.5, -1, Number.NaN, 2 ** 60]) expect(() => literalLimit(bad)).toThrow(RangeError);
  });
});
