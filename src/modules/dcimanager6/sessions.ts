import { createHash } from 'node:crypto';

/**
 * DCImanager sessions shared by every operation of this process on one DCImanager (spec §14): an
 * activation's wait checks and a batch of suspensions log in once instead of once per run, and the
 * sessions end where they can be ended: on module `close()` (engine stop) and whenever a session
 * is replaced (expired and logged in again, or the server's credentials changed). A killed process
 * cannot log out; it leaves one session per DCImanager, which DCImanager expires on its own.
 */
export interface Session {
  /** The token sent on every request (a secret: every context that uses it registers it). */
  token: string;
  /** The token's id (auth v4 answers it); `DELETE auth/v4/token/<id>` ends the session. */
  tokenId: string;
  /** Ends the session on the backend; never throws. */
  end(): Promise<void>;
}

interface Entry {
  credentials: string;
  session: Promise<Session>;
  /** Set once the login answered, so a stale session is recognised at once. */
  resolved?: Session;
}

const pool = new Map<string, Entry>();

function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function endQuietly(session: Promise<Session>): Promise<void> {
  return session.then(
    (s) => s.end(),
    () => undefined,
  );
}

/** Pool key of a DCImanager (base URL) and the user who logs in. */
export function sessionKey(baseUrl: string, username: string): string {
  return `${baseUrl}|${username.toLowerCase()}`;
}

/**
 * The session for `backend` (`sessionKey`): the pooled one, or a new login (concurrent callers
 * share one login). A pooled session made with another password is replaced.
 */
export function acquireSession(
  backend: string,
  secret: string,
  login: () => Promise<Session>,
): Promise<Session> {
  const credentials = secretHash(secret);
  const held = pool.get(backend);
  if (held?.credentials === credentials) return held.session;
  if (held) void endQuietly(held.session);
  const session = login();
  const entry: Entry = { credentials, session };
  pool.set(backend, entry);
  session.then(
    (resolved) => {
      entry.resolved = resolved;
    },
    // A failed login is not kept: the next call tries again.
    () => {
      if (pool.get(backend) === entry) pool.delete(backend);
    },
  );
  return session;
}

/** The backend refused `stale` (expired): forget it if it is still the pooled one, and end it. */
export function dropSession(backend: string, stale: Session): void {
  if (pool.get(backend)?.resolved === stale) pool.delete(backend);
  void stale.end();
}

/** Ends every pooled session (module close on engine stop). */
export async function endAllSessions(): Promise<void> {
  const entries = [...pool.values()];
  pool.clear();
  await Promise.all(entries.map((entry) => endQuietly(entry.session)));
}
