import { type RawBuilder, sql } from 'kysely';

/**
 * A LIMIT written into the statement's text instead of bound. SQLite (3.53, as better-sqlite3 12
 * bundles it) reads a bound LIMIT's value while planning and so marks the statement to be planned
 * again whenever that parameter is bound — which is at every run: a cached `… LIMIT ?` is parsed
 * and planned anew each time (`sqlite3ExprIsInteger` sets the statement's `expmask`; binding a
 * masked parameter sets `expired`). In the engine bench the claim's two reads took 90–110 µs each
 * that way, against 9 µs with the limit written out. For the statements that run on every claim
 * or delivery round; each distinct limit gets a cached statement of its own, and a hot statement
 * uses only a few.
 */
export function literalLimit(limit: number): RawBuilder<number> {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`a limit is a whole number of rows, not ${limit}`);
  return sql.lit(limit);
}
