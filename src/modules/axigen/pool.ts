import { createHash } from 'node:crypto';
import { legacyModuleError } from '../../core/errors.js';
import type { ServerConnection, ServerContext } from '../contract.js';
import { AxigenCliSession, type SessionOptions } from './session.js';

/**
 * Authenticated CLI sessions per server, kept in module scope and shared by every operation.
 *
 * Why: the vendor module connects and logs in for every action (spec §10). A login costs a
 * connect, a banner and two round trips (three with TLS's handshake); with a pool an account
 * create is its ~10 commands and nothing else (bench/axigen.ts measures the difference).
 *
 * Rules: a session is lent to one user at a time; it is returned to the root context before it
 * goes back to the pool; after any error or timeout it is discarded (EXIT when still connected);
 * idle sessions are closed after IDLE_CLOSE_MS, well before the server's 300 s idle timeout; at
 * most `maxSessions` sessions exist per server, and callers wait for one beyond that.
 */
export const IDLE_CLOSE_MS = 60_000;

export interface PoolSettings {
  maxSessions: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

class SessionPool {
  private readonly idle: AxigenCliSession[] = [];
  private readonly waiters: Array<() => void> = [];
  private size = 0;
  closed = false;

  constructor(readonly settings: PoolSettings) {}

  async acquire(ctx: ServerContext, options: SessionOptions): Promise<AxigenCliSession> {
    for (;;) {
      if (this.closed)
        throw legacyModuleError('unavailable', 'the Axigen session pool is shutting down', {
          code: 'axigen.pool_closed',
        });
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

  private takeIdle(): AxigenCliSession | undefined {
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      if (session.usable && Date.now() - session.lastUsed < IDLE_CLOSE_MS) return session;
      session.destroy();
      this.size -= 1;
    }
    return undefined;
  }

  private waitForRelease(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted)
        return reject(
          legacyModuleError('unavailable', 'waiting for a free Axigen session was interrupted', {
            code: 'axigen.pool_wait_aborted',
          }),
        );
      const onAbort = (): void => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          legacyModuleError('unavailable', 'waiting for a free Axigen session was interrupted', {
            code: 'axigen.pool_wait_aborted',
          }),
        );
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

  release(session: AxigenCliSession, healthy: boolean): void {
    if (healthy && session.usable && session.context === '' && !this.closed) {
      this.idle.push(session);
    } else {
      session.destroy();
      this.size -= 1;
    }
    this.wakeOne();
  }

  /** Closes idle sessions that have waited too long; busy ones are closed when released. */
  sweep(all: boolean): void {
    const keep: AxigenCliSession[] = [];
    for (const session of this.idle) {
      if (!all && session.usable && Date.now() - session.lastUsed < IDLE_CLOSE_MS) keep.push(session);
      else {
        session.destroy();
        this.size -= 1;
      }
    }
    this.idle.splice(0, this.idle.length, ...keep);
  }

  get stats(): { size: number; idle: number; waiting: number } {
    return { size: this.size, idle: this.idle.length, waiting: this.waiters.length };
  }
}

const pools = new Map<string, SessionPool>();
let sweeper: NodeJS.Timeout | null = null;

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
  if (!pool || pool.settings.maxSessions !== settings.maxSessions) {
    pool?.sweep(true);
    pool = new SessionPool(settings);
    pools.set(key, pool);
  }
  if (!sweeper) {
    sweeper = setInterval(() => {
      for (const each of pools.values()) each.sweep(false);
    }, IDLE_CLOSE_MS / 2);
    sweeper.unref();
  }
  return pool;
}

/**
 * Runs `work` with an authenticated session of `ctx.server`, at the root context. The session
 * goes back to the pool only when `work` succeeded and the session is back at root; on any
 * error it BACKs out (dropping drafts, spec §10) when still connected, EXITs, and is discarded.
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
    if (session.usable) {
      await session
        .toRoot()
        .then(() => session.exit())
        .catch(() => session.destroy());
    }
    throw error;
  } finally {
    session.unbind();
    pool.release(session, healthy);
  }
}

/**
 * Closes every pooled session of every server. The engine calls it on shutdown (after the
 * runner has drained); tests call it in afterAll/afterEach.
 */
export async function closeAxigenSessionPools(): Promise<void> {
  for (const pool of pools.values()) {
    pool.closed = true;
    pool.sweep(true);
  }
  pools.clear();
  if (sweeper) clearInterval(sweeper);
  sweeper = null;
}

/** Sessions per server key (tests and the bench check reuse with it). */
export function axigenPoolStats(): Array<{ size: number; idle: number; waiting: number }> {
  return [...pools.values()].map((pool) => pool.stats);
}
