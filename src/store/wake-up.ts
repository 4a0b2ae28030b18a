import type pg from 'pg';

/**
 * How one node tells the others that an operation is due now, so an idle runner starts it within
 * milliseconds instead of at its next poll (200 ms by default). A wake-up is a hint, never the
 * source of truth: a lost one costs a poll interval, nothing else, so the poll stays.
 */
export interface WakeUp {
  /** Tell every runner on this database; call after the commit that made work due. */
  wake(): void;
  /** Called on every wake-up (and after a reconnect, when some may have been missed). */
  onWake(listener: () => void): () => void;
  close(): Promise<void>;
}

/** SQLite: one process owns the file's writes, so the wake-up goes to the runners of this store. */
export function localWakeUp(): WakeUp {
  const listeners = new Set<() => void>();
  return {
    wake: () => {
      for (const listener of listeners) listener();
    },
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => listeners.clear(),
  };
}

/** The least time between two NOTIFYs of one store. */
const NOTIFY_SPACING_MS = 10;

/**
 * PostgreSQL: NOTIFY on a channel named after the schema (nodes of another schema on the same
 * database are not woken), heard by one LISTEN connection per store, opened when the first
 * runner listens. Wakes are coalesced and spaced: one NOTIFY at once, then at most one per
 * NOTIFY_SPACING_MS however many enqueues happen meanwhile (a NOTIFY is a statement and a commit,
 * and under a steady stream the nodes it could wake are busy already), so a wake-up is late by at
 * most that spacing and a burst costs two statements, not one per operation.
 */
export function postgresWakeUp(pool: pg.Pool, connect: () => pg.Client, schema: string | undefined): WakeUp {
  const channel = `provisio_due_${schema ?? 'public'}`.slice(0, 63);
  const listeners = new Set<() => void>();
  let sending = false;
  let due = false;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let spacing: NodeJS.Timeout | null = null;
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const notifyAll = () => {
    for (const listener of listeners) listener();
  };

  const send = (): void => {
    if (closed) return;
    due = true;
    if (sending || spacing) return;
    const wait = lastSentAt + NOTIFY_SPACING_MS - performance.now();
    if (wait > 0) {
      spacing = setTimeout(() => {
        spacing = null;
        send();
      }, wait);
      spacing.unref();
      return;
    }
    due = false;
    sending = true;
    lastSentAt = performance.now();
    pool
      .query('select pg_notify($1, $2)', [channel, ''])
      .catch(() => undefined)
      .finally(() => {
        sending = false;
        if (due) send();
      });
  };

  const listen = async (): Promise<void> => {
    if (client || closed || listeners.size === 0) return;
    const next = connect();
    client = next;
    const reconnect = () => {
      if (client !== next) return;
      client = null;
      void next.end().catch(() => undefined);
      if (!closed && !retry)
        retry = setTimeout(() => {
          retry = null;
          void listen();
        }, 1_000).unref();
    };
    next.on('error', reconnect);
    next.on('end', reconnect);
    next.on('notification', (message) => {
      if (message.channel === channel) notifyAll();
    });
    try {
      await next.connect();
      await next.query(`listen "${channel.replaceAll('"', '""')}"`);
      // Anything queued while we were not listening is found now rather than at the next poll.
      notifyAll();
    } catch {
      reconnect();
    }
  };

  return {
    wake: send,
    onWake(listener) {
      listeners.add(listener);
      void listen();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && client) {
          const current = client;
          client = null;
          void current.end().catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      if (retry) clearTimeout(retry);
      if (spacing) clearTimeout(spacing);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
