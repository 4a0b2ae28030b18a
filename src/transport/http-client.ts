import { isIP } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { Agent, buildConnector, type Dispatcher, request as undiciRequest } from 'undici';
import { fail } from '../core/error-catalogue.js';
import { type ErrorKind, isProvisioningError, type ProvisioningError } from '../core/errors.js';
import type { TlsPolicy } from '../core/values.js';
import type { ModuleLog } from './module-log.js';
import { type TransportFailure, transportError } from './transport-errors.js';

/**
 * HTTP transport for modules: timeouts, TLS policy (verify, pin a fingerprint, or accept
 * self-signed), module logging with redaction at the sink, and transport failures mapped to
 * error kinds so the engine knows whether a retry is safe.
 *
 * Status codes are not errors here: every backend has its own error envelope, so the module's
 * client reads `status` and `body` and decides. `statusKind` gives the usual mapping.
 */
export interface HttpClientOptions {
  /** `https://panel.example.com:8443` — no trailing slash needed. */
  baseUrl: string;
  headers?: Record<string, string>;
  /** Per-request time limit in ms (default 30 s). */
  timeoutMs?: number;
  tls?: TlsPolicy;
  moduleLog: ModuleLog;
  /** Cancels every request of this client (operation timeout or shutdown). */
  signal?: AbortSignal;
  /** Name used in error messages: "the Calagopus panel at panel.example.com". */
  backendName?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  readonly baseUrl: string;
}

const agents = new Map<string, Agent>();

function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

/** One keep-alive agent per TLS policy, shared by every client, so operations reuse connections. */
function agentFor(tls: TlsPolicy): Agent {
  const key = `${tls.verify}|${tls.fingerprint ?? ''}`;
  let agent = agents.get(key);
  if (agent) return agent;
  const pin = tls.fingerprint ? normaliseFingerprint(tls.fingerprint) : undefined;
  if (pin) {
    const base = buildConnector({ rejectUnauthorized: false });
    agent = new Agent({
      connect(options, callback) {
        base(options, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error('no socket'), null);
          if (options.protocol === 'https:') {
            const presented = normaliseFingerprint(
              (socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '',
            );
            if (presented !== pin) {
              socket.destroy();
              const mismatch = Object.assign(
                new Error(`certificate fingerprint ${presented} is not the pinned ${pin}`),
                {
                  code: 'PROVISIO_FINGERPRINT_MISMATCH',
                },
              );
              return callback(mismatch, null);
            }
          }
          callback(null, socket);
        });
      },
    });
  } else {
    agent = new Agent({ connect: { rejectUnauthorized: tls.verify } });
  }
  agents.set(key, agent);
  return agent;
}

/** Closes the shared agents (tests and shutdown). */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((agent) => agent.close()));
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'PROVISIO_FINGERPRINT_MISMATCH',
]);

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (error as { code?: string })?.code ?? '';
}

/** Safe methods can be retried blindly; others may have taken effect when the answer was lost. */
function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

export function classifyTransportError(
  error: unknown,
  method: string,
  where: string,
  timedOut: boolean,
): ProvisioningError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  let kind: TransportFailure;
  let text: string;
  if (NOT_SENT_CODES.has(code)) {
    kind = 'unavailable';
    text =
      code === 'ECONNREFUSED'
        ? `${where} refused the connection: check the host, the port and that the service is running`
        : code === 'UND_ERR_CONNECT_TIMEOUT'
          ? `${where} did not accept a connection in time: check the host, the port and firewalls`
          : `${where} cannot be reached (${code}): check the host name and the network`;
  } else if (TLS_TRUST_CODES.has(code)) {
    kind = 'auth';
    text = `${where} presented a certificate that is not trusted (${message}): install a trusted certificate, pin its fingerprint, or allow self-signed certificates for this server`;
  } else if (
    code === 'EPROTO' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    /wrong version number|packet length too long/i.test(message)
  ) {
    kind = 'invalid-input';
    text = `${where} does not speak TLS on this port (or speaks only TLS): check http vs https and the port`;
  } else if (timedOut) {
    kind = isSafeMethod(method) ? 'unavailable' : 'unknown-outcome';
    text = `${where} did not answer in time${isSafeMethod(method) ? '' : '; the request may have taken effect'}`;
  } else {
    kind = isSafeMethod(method) ? 'unavailable' : 'unknown-outcome';
    text = `${where} closed the connection before answering (${code || message})${isSafeMethod(method) ? '' : '; the request may have taken effect'}`;
  }
  return transportError(kind, text, error);
}

/** The usual meaning of an HTTP status for a module that has no better knowledge. */
export function statusKind(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid-input';
  if (status === 408 || status === 429 || status === 502 || status === 503 || status === 504)
    return 'unavailable';
  return 'remote';
}

/** Retry-After as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function buildUrl(baseUrl: string, path: string, query: HttpRequest['query']): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** nginx's page for a plain-HTTP request on its TLS port (see emulators/kit/tls.ts). */
const PLAIN_ON_TLS = /plain HTTP request was sent to HTTPS port/i;

function plainOnTlsPort(where: string): ProvisioningError {
  return transportError(
    'invalid-input',
    `${where} speaks TLS on this port, but Secure is off for this server: turn Secure on (\`provisio server update N --secure\`), or use the backend's plain port`,
  );
}

function isClosedBeforeAnswer(error: unknown): boolean {
  const code = errorCode(error);
  return !NOT_SENT_CODES.has(code) && !TLS_TRUST_CODES.has(code) && !isProvisioningError(error);
}

/** Whether host:port completes a TLS handshake (certificate not judged: only the protocol is asked). */
function speaksTls(url: URL, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port || 80),
      rejectUnauthorized: false,
      ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
    });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const tls = options.tls ?? { verify: true };
  const dispatcher: Dispatcher = agentFor(tls);
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const where = options.backendName ?? new URL(options.baseUrl).host;

  return {
    baseUrl: options.baseUrl,
    async request(req) {
      const url = buildUrl(options.baseUrl, req.path, req.query);
      const bodyText = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...options.headers,
        ...req.headers,
      };
      if (bodyText !== undefined && req.rawBody === undefined) headers['content-type'] ??= 'application/json';
      const requestLine = `${req.method} ${new URL(url).pathname}${new URL(url).search}${bodyText ? ` ${bodyText}` : ''}`;
      const timeoutMs = req.timeoutMs ?? defaultTimeout;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      const started = performance.now();
      try {
        const response = await undiciRequest(url, {
          method: req.method,
          headers,
          body: bodyText,
          dispatcher,
          signal,
        });
        const body = await response.body.text();
        const flatHeaders: Record<string, string> = {};
        for (const [key, value] of Object.entries(response.headers)) {
          if (value !== undefined) flatHeaders[key] = Array.isArray(value) ? value.join(', ') : value;
        }
        if (new URL(url).protocol === 'http:' && response.statusCode === 400 && PLAIN_ON_TLS.test(body)) {
          throw plainOnTlsPort(where);
        }
        let json: unknown;
        if (body !== '') {
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
        }
        options.moduleLog.record({
          request: requestLine,
          response: `${response.statusCode} ${body}`,
          durationMs: performance.now() - started,
          outcome: response.statusCode < 400 ? 'ok' : 'error',
        });
        return { status: response.statusCode, headers: flatHeaders, body, json };
      } catch (thrown) {
        const aborted = options.signal?.aborted === true;
        // A plain request that a TLS port cut off without a word: ask the port (a short TLS
        // handshake) before calling it a passing fault, so a wrong Secure setting is said as such.
        const error =
          !aborted && !timeout.aborted && isClosedBeforeAnswer(thrown) && new URL(url).protocol === 'http:'
            ? (await speaksTls(new URL(url)))
              ? plainOnTlsPort(where)
              : thrown
            : thrown;
        const failure = isProvisioningError(error)
          ? error
          : aborted
            ? fail(
                'transport.aborted',
                `the request to ${where} was interrupted (operation cancelled or timed out)`,
                { cause: error },
              )
            : classifyTransportError(error, req.method, where, timeout.aborted);
        options.moduleLog.record({
          request: requestLine,
          response: '',
          durationMs: performance.now() - started,
          outcome: 'error',
          error: failure.message,
        });
        throw failure;
      }
    },
  };
}
