import type { FaultKind } from './faults.js';

/**
 * What an emulator received and answered, as on the wire: tests assert literal traffic (method,
 * path, query, body, command lines), never a decoded call name. Kept in memory only, never written
 * to disk; line protocols mask password lines (`***`), HTTP bodies are kept as sent.
 */
export interface LoggedRequest {
  seq: number;
  /** Wall-clock time it arrived (ms since the epoch). */
  at: number;
  /** Connection number (line protocols), so a test can tell sessions apart. */
  connection?: number;
  /** HTTP method, or `CLI` for a line-protocol command. */
  method: string;
  /** HTTP path, or the command line as received. */
  path: string;
  /** `?a=1&b=2` as received, or ''. */
  query: string;
  /** Raw request body, or ''. */
  body: string;
  /** Line protocols: the prompt (context) the command arrived in, e.g. `domain#`. */
  context?: string;
  /** HTTP status answered; null when nothing was answered (a dropped or hung request). */
  status: number | null;
  /**
   * Whether the backend accepted it (HTTP: status < 400; CLI: `+OK`), also when a `drop-after` or
   * `hang-after` fault then lost the answer; null when the backend never handled it.
   */
  ok: boolean | null;
  /** What was answered (body or reply text); null when nothing was. */
  response: string | null;
  fault?: FaultKind;
}

export interface RequestFilter {
  method?: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path?: string;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  /** Opens an entry for a request that just arrived; the caller fills in the answer. */
  open(
    request: Pick<LoggedRequest, 'method' | 'path' | 'query' | 'body'> & Partial<LoggedRequest>,
  ): LoggedRequest {
    const entry: LoggedRequest = {
      seq: ++this.seq,
      at: Date.now(),
      status: null,
      ok: null,
      response: null,
      ...request,
    };
    this.entries.push(entry);
    return entry;
  }

  list(filter: RequestFilter = {}): LoggedRequest[] {
    return this.entries.filter(
      (e) =>
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.path ||
          (filter.path.endsWith('*') ? e.path.startsWith(filter.path.slice(0, -1)) : e.path === filter.path)),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
