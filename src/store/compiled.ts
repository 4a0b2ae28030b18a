import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './database.js';

/** Where a value goes in a statement compiled once: replaced by the value of that name at each run. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A statement Kysely builds and compiles once per dialect (and per shape, see `shape`), then runs
 * with new values. Kysely builds an operation tree and compiles it to SQL on every call, which was
 * a quarter of an operation's CPU on SQLite, where the statements themselves take microseconds;
 * the hot statements of an operation's path (enqueue, load, completion) are compiled once instead.
 *
 * `build` gets stand-ins for the values: each is put in the statement where Kysely puts a bound
 * parameter, and replaced at run time by the value of the same name. So a stand-in may only be
 * used as a value (in `where`, `set`, `values`), never inside an expression that would change the
 * SQL text; a value that changes the SQL's shape (which columns a patch sets) belongs in `shape`.
 */
export function compiledStatement<V extends Record<string, unknown>, R, S = undefined>(
  build: (db: Db, values: V, shape: S) => Compilable<R>,
  options: { shapeKey?: (shape: S) => string } = {},
): (db: Db, values: V, shape?: S) => Promise<QueryResult<R>> {
  const stand = new Map<string, Slot>();
  const standIns = new Proxy({} as V, {
    get: (_, name) => {
      const key = String(name);
      let slot = stand.get(key);
      if (!slot) {
        slot = new Slot(key);
        stand.set(key, slot);
      }
      return slot;
    },
  });
  // The compiled SQL depends on the dialect's compiler only: one entry per adapter and shape.
  const compiledBy = new WeakMap<object, Map<string, CompiledQuery<R>>>();
  return (db, values, shape) => {
    const adapter = db.getExecutor().adapter;
    let byShape = compiledBy.get(adapter);
    if (!byShape) {
      byShape = new Map();
      compiledBy.set(adapter, byShape);
    }
    const key = options.shapeKey ? options.shapeKey(shape as S) : '';
    let compiled = byShape.get(key);
    if (!compiled) {
      compiled = build(db, standIns, shape as S).compile();
      byShape.set(key, compiled);
    }
    const parameters = compiled.parameters.map((parameter) =>
      parameter instanceof Slot ? values[parameter.name] : parameter,
    );
    return db.executeQuery<R>({ ...compiled, parameters });
  };
}

/** The shape of a patch of plain values (its sorted keys); undefined when a value is an expression. */
export function plainPatchShape(patch: Record<string, unknown>): string | undefined {
  for (const value of Object.values(patch)) if (value !== null && typeof value === 'object') return undefined;
  return Object.keys(patch).sort().join(',');
}
