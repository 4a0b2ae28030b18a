import { connect as netConnect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { ProvisioningError } from '../core/errors.js';
import type { TlsPolicy } from '../core/values.js';
import { type TransportFailure, transportError } from './transport-errors.js';

/**
 * Line-protocol transport for modules that speak text over TCP or implicit TLS (Axigen CLI):
 * connect with a time limit, TLS policy (verify, pin a SHA-256 fingerprint, or accept
 * self-signed), a buffered reader that waits until a predicate says a reply is complete, a
 * per-read time limit and abort signal, and failures mapped to error kinds as http-client does:
 * refused/unreachable → unavailable; answer lost after a command was sent → unknown-outcome
 * (for commands that change something); TLS trust → auth; plain/TLS mismatch → invalid-input.
 *
 * It knows nothing of any protocol's framing or logging: the session on top decides what a
 * complete reply is and writes the module log.
 */
export interface LineClientOptions {
  host: string;
  port: number;
  /** Implicit TLS: the handshake starts as soon as the TCP connection is up. */
  secure: boolean;
  tls?: TlsPolicy;
  /** Time limit for TCP connect plus TLS handshake (default 10 s). */
  connectTimeoutMs?: number;
  /** Name used in error messages: "the Axigen CLI at mail.example.com:7000". */
  backendName: string;
  /** Usual plain and TLS ports, suggested when the two sides disagree about TLS. */
  portHint?: { plain: number; secure: number };
  signal?: AbortSignal;
}

export interface ReadOptions {
  timeoutMs: number;
  /** Whether the bytes just sent may have changed something: decides unknown-outcome vs unavailable. */
  mutating: boolean;
  signal?: AbortSignal;
  /** A closed connection ends the read instead of failing it (a reply to EXIT/QUIT). */
  endOnClose?: boolean;
}

/**
 * Returns the length of the first complete message at the start of `buffer`, or -1 when more
 * bytes are needed.
 */
export type CompletePredicate = (buffer: string) => number;

const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'PROVISIO_FINGERPRINT_MISMATCH',
]);
const TLS_SPEAKS_PLAIN =
  /wrong version number|packet length too long|unknown protocol|record layer failure|http request/i;

function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

function fail(kind: TransportFailure, message: string, cause?: unknown): ProvisioningError {
  return transportError(kind, message, cause);
}

function portAdvice(hint: LineClientOptions['portHint']): { plain: string; secure: string } {
  return hint
    ? { plain: ` (usually port ${hint.plain})`, secure: ` (usually port ${hint.secure})` }
    : { plain: '', secure: '' };
}

/** Maps a failure while connecting (TCP or TLS handshake) to a kind and a readable message. */
export function classifyConnectError(error: unknown, options: LineClientOptions): ProvisioningError {
  const where = options.backendName;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const ports = portAdvice(options.portHint);
  if (code === 'ECONNREFUSED') {
    return fail(
      'unavailable',
      `${where} refused the connection: check the host and port, and that the service is running and listening on that address`,
      error,
    );
  }
  if (NOT_CONNECTED_CODES.has(code))
    return fail(
      'unavailable',
      `${where} cannot be reached (${code}): check the host name and the network`,
      error,
    );
  if (TLS_TRUST_CODES.has(code)) {
    return fail(
      'auth',
      `${where} presented a TLS certificate that is not trusted (${message}): install a trusted certificate, pin its SHA-256 fingerprint, or allow self-signed certificates for this server`,
      error,
    );
  }
  if (
    options.secure &&
    (TLS_SPEAKS_PLAIN.test(message) || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO')
  ) {
    return fail(
      'invalid-input',
      `${where} answered in plain text, but Secure (TLS) is on for this server: the server side seems to be a plain listener. Either turn Secure off and use the plain port${ports.plain}, or enable TLS on the server's listener and use its TLS port${ports.secure}`,
      error,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return fail(
      'unavailable',
      `${where} closed the connection while it was being set up (${code}): check the port and the service's allowed clients`,
      error,
    );
  }
  return fail('unavailable', `${where}: connection failed (${code || message})`, error);
}

export class LineConnection {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private closedReason: Error | null = null;
  private waiter: (() => void) | null = null;
  /** Bytes received since connect; 0 after a silent greeting timeout hints at a TLS-only port. */
  bytesReceived = 0;
  /** Leading raw bytes, to recognise a TLS record sent to a plain client. */
  private firstBytes: Buffer | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly options: LineClientOptions,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.bytesReceived === 0) this.firstBytes = chunk.subarray(0, 4);
      this.bytesReceived += chunk.length;
      this.buffer += this.decoder.write(chunk);
      this.wake();
    });
    socket.on('error', (error) => {
      this.closedReason ??= error;
      this.wake();
    });
    socket.on('close', () => {
      this.closedReason ??= new Error('connection closed by the server');
      this.wake();
    });
  }

  /** Opens the connection: TCP connect and, for `secure`, the TLS handshake and its policy check. */
  static open(options: LineClientOptions): Promise<LineConnection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const tls = options.tls ?? { verify: true };
    const pin = tls.fingerprint ? normaliseFingerprint(tls.fingerprint) : undefined;
    return new Promise<LineConnection>((resolve, reject) => {
      let settled = false;
      const socket: Socket = options.secure
        ? tlsConnect({
            host: options.host,
            port: options.port,
            rejectUnauthorized: tls.verify && !pin,
            ...(/^[\d.:]+$/.test(options.host) ? {} : { servername: options.host }),
          })
        : netConnect({ host: options.host, port: options.port });
      const finish = (error: ProvisioningError | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        if (error) {
          socket.destroy();
          reject(error);
        } else {
          resolve(new LineConnection(socket, options));
        }
      };
      const onError = (error: Error): void => finish(classifyConnectError(error, options));
      const onAbort = (): void =>
        finish(
          fail(
            'unavailable',
            `connecting to ${options.backendName} was interrupted (operation cancelled or timed out)`,
          ),
        );
      const timer = setTimeout(
        () =>
          finish(
            fail(
              'unavailable',
              `${options.backendName} did not accept a connection within ${Math.round(timeoutMs / 1000)} s (network timeout): a firewall may be blocking the port, or the service is not listening on this address`,
            ),
          ),
        timeoutMs,
      );
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once(options.secure ? 'secureConnect' : 'connect', () => {
        if (pin) {
          const presented = normaliseFingerprint(
            (socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '',
          );
          if (presented !== pin) {
            const mismatch = Object.assign(
              new Error(`certificate fingerprint ${presented} is not the pinned ${pin}`),
              {
                code: 'PROVISIO_FINGERPRINT_MISMATCH',
              },
            );
            return finish(classifyConnectError(mismatch, options));
          }
        }
        socket.setNoDelay(true);
        finish(null);
      });
    });
  }

  get closed(): boolean {
    return this.closedReason !== null || this.socket.destroyed;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** Sends text as is (the caller adds the line ending). */
  write(text: string): void {
    if (this.closed) throw fail('unavailable', `the connection to ${this.options.backendName} is closed`);
    this.socket.write(text);
  }

  /**
   * Waits until `complete` finds a whole message at the start of the buffer and returns it.
   * Everything after it stays buffered for the next read.
   */
  async readUntil(complete: CompletePredicate, options: ReadOptions): Promise<string> {
    const where = this.options.backendName;
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const length = complete(this.buffer);
      if (length >= 0) {
        const message = this.buffer.slice(0, length);
        this.buffer = this.buffer.slice(length);
        return message;
      }
      if (this.closedReason) {
        if (options.endOnClose) {
          const rest = this.buffer;
          this.buffer = '';
          return rest;
        }
        throw this.lostAnswer(
          `${where} closed the connection before the reply was complete`,
          options.mutating,
        );
      }
      if (options.signal?.aborted) {
        this.destroy();
        throw this.lostAnswer(
          `the command to ${where} was interrupted (operation cancelled or timed out)`,
          options.mutating,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.destroy();
        if (this.looksLikeTls()) throw this.plainToTlsMismatch();
        throw this.lostAnswer(
          `${where} did not answer within ${Math.round(options.timeoutMs / 100) / 10} s`,
          options.mutating,
        );
      }
      await this.nextEvent(remaining, options.signal);
    }
  }

  private nextEvent(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiter = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  private lostAnswer(text: string, mutating: boolean): ProvisioningError {
    return mutating
      ? fail('unknown-outcome', `${text}; the command may have taken effect`, this.closedReason ?? undefined)
      : fail('unavailable', text, this.closedReason ?? undefined);
  }

  /** A plain client that got a TLS record (alert 0x15 / handshake 0x16, version 0x03) is on a TLS port. */
  private looksLikeTls(): boolean {
    const first = this.firstBytes;
    return (
      !this.options.secure &&
      !!first &&
      first.length >= 2 &&
      (first[0] === 0x15 || first[0] === 0x16) &&
      first[1] === 0x03
    );
  }

  plainToTlsMismatch(): ProvisioningError {
    const ports = portAdvice(this.options.portHint);
    return fail(
      'invalid-input',
      `${this.options.backendName} expects TLS, but Secure is off for this server: the server side seems to be a TLS listener. Either turn Secure on and use the TLS port${ports.secure}, or use the plain port${ports.plain}`,
    );
  }

  /** Closes at once (no goodbye); pending reads fail. */
  destroy(): void {
    this.closedReason ??= new Error('connection closed by the client');
    this.socket.destroy();
  }
}

/**
 * Whether a TLS handshake succeeds on this port (any certificate): tells a silent TLS listener
 * from a hung plain service when a plain client got no greeting.
 */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false });
    const done = (result: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}
