import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import {
  type EmulatorControl,
  type ExtraControlRoute,
  handleControlRoute,
  readRequestBody,
} from './control.js';
import { type FaultInterceptor, FaultList, type FaultRule } from './faults.js';
import { type LoggedRequest, type RequestFilter, RequestLog } from './request-log.js';
import { createTlsListener, type EmulatorCertificate, PLAIN_HTTP_ON_TLS_PORT } from './tls.js';

/** A request as an HTTP emulator's router sees it: the raw wire, parsed by the emulator itself. */
export interface WireRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** `?a=1` as received, or ''. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** The body as sent; the router decides how to read it (JSON, form, XML). */
  body: string;
}

export interface WireReply {
  status: number;
  /** Serialised as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * The parts of `EmulatorControl` every emulator implements the same way: the request log, the
 * fault list and latency. An emulator spreads this into its handle and adds reset, snapshot, seed.
 */
export class WireControls {
  readonly log = new RequestLog();
  readonly faultList: FaultList;
  latencyMs: number;

  constructor(options: { latencyMs?: number; seed?: number } = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.faultList = new FaultList(options.seed ?? 1);
  }

  /** The shared members of the handle, bound to this instance. */
  members(): Pick<
    EmulatorControl,
    'requests' | 'clearRequests' | 'injectFault' | 'interceptFaults' | 'faults' | 'clearFaults' | 'setLatency'
  > {
    return {
      requests: (filter) => this.log.list(filter),
      clearRequests: () => this.log.clear(),
      injectFault: (rule: FaultRule) => this.faultList.add(rule),
      interceptFaults: (interceptor) => this.faultList.intercept(interceptor),
      faults: () => this.faultList.list(),
      clearFaults: () => this.faultList.clear(),
      setLatency: (ms: number) => {
        this.latencyMs = ms;
      },
    };
  }

  /** Forgets the log and the faults (part of every emulator's reset). */
  clear(): void {
    this.log.clear();
    this.faultList.clear();
  }
}

/**
 * The request log, faults and latency of an emulator written as a class: the shared members of
 * the control handle, once. A subclass adds its id, state, reset, snapshot and seed.
 */
export abstract class WireControlledEmulator {
  protected readonly controls: WireControls;

  protected constructor(options: { latencyMs?: number; seed?: number }) {
    this.controls = new WireControls({ latencyMs: options.latencyMs ?? 0, seed: options.seed ?? 1 });
  }

  requests(filter?: RequestFilter): LoggedRequest[] {
    return this.controls.log.list(filter);
  }

  clearRequests(): void {
    this.controls.log.clear();
  }

  injectFault(rule: FaultRule): void {
    this.controls.faultList.add(rule);
  }

  interceptFaults(interceptor: FaultInterceptor | undefined): void {
    this.controls.faultList.intercept(interceptor);
  }

  faults(): FaultRule[] {
    return this.controls.faultList.list();
  }

  clearFaults(): void {
    this.controls.faultList.clear();
  }

  setLatency(ms: number): void {
    this.controls.latencyMs = ms;
  }
}

export interface HttpEmulatorOptions {
  host?: string;
  port?: number;
  /** Serve TLS with this certificate; a plain request then gets nginx's 400 page. */
  certificate?: EmulatorCertificate | null;
  controls: WireControls;
  /** The emulator's control handle, for the `/__emulator/` routes. */
  control: () => EmulatorControl;
  extraControl?: ExtraControlRoute;
  /** The backend itself: parses the raw request and answers. */
  handle(request: WireRequest): WireReply | Promise<WireReply>;
  /** Body of an `error` fault without one (the backend's usual error envelope). */
  faultBody?(status: number): unknown;
}

export interface ServedEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function send(res: ServerResponse, reply: WireReply, entry: LoggedRequest): void {
  const text = reply.rawBody ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  const headers: Record<string, string> = {
    ...(reply.rawBody === undefined && reply.body !== undefined
      ? { 'content-type': 'application/json' }
      : {}),
    'content-length': String(Buffer.byteLength(text)),
    ...reply.headers,
  };
  entry.status = reply.status;
  entry.ok = reply.status < 400;
  entry.response = text;
  res.writeHead(reply.status, headers);
  res.end(text);
}

/**
 * Serves an HTTP emulator: control routes, request log, latency, faults, then the backend's own
 * router. Over TLS when given a certificate, answering a plain request as nginx does.
 */
export async function serveHttpEmulator(options: HttpEmulatorOptions): Promise<ServedEmulator> {
  const { controls } = options;
  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readRequestBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const control = handleControlRoute(options.control(), method, url, raw, options.extraControl);
    if (control) {
      const text = JSON.stringify(control.body);
      res.writeHead(control.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      return void res.end(text);
    }
    const entry = controls.log.open({ method, path: url.pathname, query: url.search, body: raw });
    if (controls.latencyMs > 0) await pause(controls.latencyMs);
    const fault = controls.faultList.take(method, url.pathname);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop-before') return void req.socket.destroy();
    if (fault?.kind === 'delay') await pause(fault.delayMs ?? 1_000);
    if (fault?.kind === 'error') {
      const status = fault.status ?? 500;
      // A text body (an XML envelope) is sent as it is; anything else as JSON.
      const body = fault.body ?? options.faultBody?.(status) ?? { error: 'Server Error' };
      return send(
        res,
        {
          status,
          ...(typeof body === 'string' ? { rawBody: body } : { body }),
          ...(fault.headers ? { headers: fault.headers } : {}),
        },
        entry,
      );
    }
    const reply = await options.handle({
      method,
      path: url.pathname,
      query: url.searchParams,
      rawQuery: url.search,
      headers: req.headers,
      body: raw,
    });
    // The backend acted (`ok` says whether it accepted), and the answer never leaves: dropped, or
    // held until the client gives up.
    if (fault?.kind === 'drop-after' || fault?.kind === 'hang-after') {
      entry.ok = reply.status < 400;
      entry.response = null;
      if (fault.kind === 'drop-after') req.socket.destroy();
      return;
    }
    send(res, reply, entry);
  };
  const http = createServer((req, res) => {
    listener(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator bug: ${(error as Error).message}`);
    });
  });
  // The backends sit behind nginx, whose keep-alive timeout is 75 s; Node's 5 s default closed
  // idle connections just as a client on a busy machine reused them (ECONNRESET on a GET).
  http.keepAliveTimeout = 75_000;
  http.headersTimeout = 80_000;
  const front: Server = options.certificate
    ? createTlsListener(
        options.certificate,
        (socket) => http.emit('connection', socket),
        PLAIN_HTTP_ON_TLS_PORT,
      )
    : http;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  return {
    url: `${options.certificate ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      if (front !== http) http.close();
    },
  };
}
