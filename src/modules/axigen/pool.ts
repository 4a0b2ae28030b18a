import { createHash } from 'node:crypto';
import type { ServerConnection, ServerContext } from '../contract.js';
import { axigenErrors } from './errors.js';
import { AxigenCliSession, type SessionOptions } from './session.js';

/**
 * Authenticated CLI sessions per server, kept in module scope and shared by every operation.
 *
 * Why: the vendor module connects and logs in for every action (docs/specs/axigen.md §10). A
 * login costs a connect, a banner and two round trips (three with TLS's handshake); with a pool
 * an account create is its ~10 commands and nothing else (bench/axigen.ts measures the
 * difference).
 *
 * Rules: a session is lent to one user at a time; it is returned to the root context before it
 * goes back to the pool; after any error or timeout it is discarded (EXIT when still connected);
 * an idle session is closed with EXIT after the server's `sessionIdleSeconds` (default 60, well
 * before the CLI's own 300 s idle timeout), and every pooled session is closed with EXIT when
 * the engine stops (module `close`), so the server never sees a session simply vanish; at most
 * `maxSessions` sessions exist per server, and callers wait for one beyond that.
 */
export interface PoolSettings {
  maxSessions: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  idleCloseMs: number;
}

class SessionPool {
  private readonly idle: AxigenCliSession[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly exits = new Set<Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;
  private size = 0;
  private closed = false;

  constructor(readonly settings: PoolSettings) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, Math.floor(settings.idleCloseMs / 4)));
    this.sweeper.unref();
  }

  async acquire(ctx: ServerContext, options: SessionOptions): Promise<AxigenCliSession> {
    for (;;) {
      if (this.closed)
        throw axigenErrors.error(
          'axigen.pool_closed',
          'the Axigen session pool is shutting down: retry after restart',
        );
      const reused = this.takeIdle();
      if (reused) return reused;
      if (this.size < this.settings.maxSessions) {
        this.size += 1;
        try {
          const session = await AxigenCliSession.open(options, ctx);
          await session.login(ctx.server.username, ctx.server.secret);
          return session;
        } catch (error) {
          this.size -= 1;
          this.wakeOne();
          throw error;
        }
      }
      await this.waitForRelease(ctx.signal);
    }
  }

  private expired(session: AxigenCliSession): boolean {
    return !session.usable || Date.now() - session.lastUsed >= this.settings.idleCloseMs;
  }

  private takeIdle(): AxigenCliSession | undefined {
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      if (!this.expired(session)) return session;
      this.end(session);
    }
    return undefined;
  }

  private waitForRelease(signal: AbortSignal): Promise<void> {
    const interrupted = () =>
      axigenErrors.error('axigen.pool_wait_aborted', 'waiting for a free Axigen session was interrupted');
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(interrupted());
      const onAbort = (): void => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(interrupted());
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  /** Ends a session with EXIT (when still connected) and frees its place. */
  private end(session: AxigenCliSession): void {
    this.size -= 1;
    const exit = session.exit().finally(() => this.exits.delete(exit));
    this.exits.add(exit);
  }

  release(session: AxigenCliSession, healthy: boolean): void {
    if (healthy && session.usable && session.context === '' && !this.closed) this.idle.push(session);
    else if (session.usable) this.end(session);
    else {
      session.destroy();
      this.size -= 1;
    }
    this.wakeOne();
  }

  /** Closes idle sessions that have waited too long; busy ones are kept until released. */
  private sweep(): void {
    const keep = this.idle.filter((session) => !this.expired(session));
    for (const session of this.idle) if (!keep.includes(session)) this.end(session);
    this.idle.splice(0, this.idle.length, ...keep);
  }

  /** EXITs every idle session and waits for the goodbyes; busy sessions EXIT when released. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const session of this.idle.splice(0)) this.end(session);
    await Promise.all(this.exits);
  }

  /** `idleOpen`: idle sessions whose connection is still open (a dropped one is not reused). */
  get stats(): { size: number; idle: number; idleOpen: number; waiting: number } {
    return {
      size: this.size,
      idle: this.idle.length,
      idleOpen: this.idle.filter((session) => session.usable).length,
      waiting: this.waiters.length,
    };
  }
}

const pools = new Map<string, SessionPool>();

/** Pools are per server *and* per credential/TLS policy, so a changed password never reuses an old login. */
function poolKey(server: ServerConnection): string {
  const secret = createHash('sha256').update(server.secret).digest('hex').slice(0, 16);
  return [
    server.id,
    server.host,
    server.port,
    server.secure,
    server.tls.verify,
    server.tls.fingerprint ?? '',
    server.username,
    secret,
  ].join('|');
}

function poolFor(server: ServerConnection, settings: PoolSettings): SessionPool {
  const key = poolKey(server);
  let pool = pools.get(key);
  if (
    !pool ||
    pool.settings.maxSessions !== settings.maxSessions ||
    pool.settings.idleCloseMs !== settings.idleCloseMs
  ) {
    void pool?.close();
    pool = new SessionPool(settings);
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Runs `work` with an authenticated session of `ctx.server`, at the root context. The session
 * goes back to the pool only when `work` succeeded and the session is back at root; on any
 * error it BACKs out (dropping drafts, §10) when still connected, EXITs, and is discarded.
 */
export async function withAxigenSession<T>(
  ctx: ServerContext,
  settings: PoolSettings,
  work: (session: AxigenCliSession) => Promise<T>,
): Promise<T> {
  const pool = poolFor(ctx.server, settings);
  const options: SessionOptions = {
    server: ctx.server,
    commandTimeoutMs: settings.commandTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
  };
  const session = await pool.acquire(ctx, options);
  session.bind(ctx);
  let healthy = false;
  try {
    const result = await work(session);
    await session.toRoot();
    healthy = true;
    return result;
  } catch (error) {
    if (session.usable) await session.toRoot().catch(() => session.destroy());
    throw error;
  } finally {
    if (!healthy && session.usable) await session.exit();
    session.unbind();
    pool.release(session, healthy);
  }
}

/**
 * Runs `work` on each part of `items`, split over up to `maxSessions` sessions of the server at
 * once (usage and reconcile read thousands of mailboxes this way). Every part is tried; the first
 * error is thrown after all parts ended.
 */
export async function onParallelSessions<I, R>(
  ctx: ServerContext,
  settings: PoolSettings,
  items: readonly I[],
  work: (session: AxigenCliSession, part: readonly I[]) => Promise<R[]>,
): Promise<R[]> {
  if (items.length === 0) return [];
  const parts = Math.min(settings.maxSessions, items.length);
  const size = Math.ceil(items.length / parts);
  const results = await Promise.allSettled(
    Array.from({ length: parts }, (_, i) =>
      withAxigenSession(ctx, settings, (session) => work(session, items.slice(i * size, (i + 1) * size))),
    ),
  );
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.flatMap((result) => (result as PromiseFulfilledResult<R[]>).value);
}

/**
 * Closes every pooled session of every server with EXIT. The engine calls it on shutdown (after
 * the runner has drained); tests call it in afterAll/afterEach.
 */
export async function closeAxigenSessionPools(): Promise<void> {
  const closing = [...pools.values()].map((pool) => pool.close());
  pools.clear();
  await Promise.all(closing);
}

/** Sessions per server key (tests and the bench check reuse with it). */
export function axigenPoolStats(): Array<SessionPool['stats']> {
  return [...pools.values()].map((pool) => pool.stats);
}
