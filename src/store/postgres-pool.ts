import pg from 'pg';

type PreparedStatementNames = ReturnType<typeof preparedStatementNames>;

/** Where connections are checked out (what Kysely calls a pool). */
export interface PostgresCheckout {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

/**
 * The store's PostgreSQL connections: pipelined (a transaction's BEGIN travels with its first
 * statement, and a batch's statements with each other), each statement prepared once per
 * connection, and safe when the server goes away. `checkout` is the pool as Kysely and the
 * pipelined batches take connections from it: a connection whose server ended its session
 * goes back as broken, so the next write never gets a dead one.
 */
export function openPostgresPool(
  connection: pg.ClientConfig,
  max: number,
): { pool: pg.Pool; checkout: PostgresCheckout } {
  const pool = new pg.Pool({ ...connection, max, pipeline: true });
  const names = preparedStatementNames();
  const dead = new WeakSet<pg.PoolClient>();
  // An idle connection that loses its server is dropped by the pool, which then emits 'error';
  // unheard, that would end the process (a database restart must not).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    nameStatements(client, names, dead);
    // A checked-out client that loses its server fails every query on the wire and then emits
    // 'error', which nobody hears while it is checked out. The queries carry the error to their
    // callers; unheard, the event would end the process.
    client.on('error', () => undefined);
  });
  const checkout: PostgresCheckout = {
    connect: async () => {
      const client = await pool.connect();
      // The pool sets `release` at each checkout; a FATAL answer comes before the socket closes,
      // so without this a dead client could go back idle and fail the next write.
      const release = client.release.bind(client);
      client.release = (error?: Error | boolean) => release(error || dead.has(client));
      return client;
    },
    end: () => pool.end(),
  };
  return { pool, checkout };
}

/**
 * Kysely's PostgreSQL driver sends every statement unnamed, so the server parses and plans it
 * anew each time. Naming it makes node-postgres prepare it once per connection and then send only
 * Bind/Execute: a third less server CPU per statement on the engine's short queries, and the
 * server's CPU is what bounds the engine's rate on PostgreSQL. The engine issues a few dozen
 * distinct statements; past `limit` distinct texts (inlined lists vary), new ones run unnamed, so
 * a connection never holds an unbounded number of prepared statements.
 */
function preparedStatementNames(limit = 500) {
  const names = new Map<string, string>();
  let next = 0;
  return {
    nameOf(text: string): string | undefined {
      let name = names.get(text);
      if (name === undefined && names.size < limit) {
        name = `provisio_${next++}`;
        names.set(text, name);
      }
      return name;
    },
    /**
     * A prepared statement whose result columns changed under it (a migration added a column to a
     * table it reads with `*`) fails with "cached plan must not change result type" on every run.
     * Forgetting its name makes the next run prepare it afresh under a new one: one failed
     * statement per connection during an upgrade, not a broken engine.
     */
    forget(text: string): void {
      names.delete(text);
    },
  };
}

function nameStatements(
  client: pg.PoolClient,
  names: PreparedStatementNames,
  dead: WeakSet<pg.PoolClient>,
): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const heard = (error: unknown) => {
    if (isFatal(error)) dead.add(client);
    throw error;
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || args.length !== 2) {
      const result = query(...args);
      return result instanceof Promise ? result.catch(heard) : result;
    }
    const name = names.nameOf(text);
    if (name === undefined) return query(text, values).catch(heard);
    return query({ name, text, values }).catch((error: unknown) => {
      if ((error as { code?: string }).code === '0A000') names.forget(text);
      return heard(error);
    });
  };
}

/** The server ends the session after a FATAL (or PANIC) error: shutdown, pg_terminate_backend, crash. */
function isFatal(error: unknown): boolean {
  const severity = (error as { severity?: string }).severity;
  return severity === 'FATAL' || severity === 'PANIC';
}
