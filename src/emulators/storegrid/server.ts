import { X509Certificate } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import {
  accountTypeFromWire,
  DATA_KEYS,
  decodeForm,
  decodeSignup,
  encodeResponse,
  STOREGRID_WIRE,
  type WireErrorCode,
  type WireOperation,
} from '../../modules/storegrid/wire-adapter.js';
import { readBody, sendJson } from '../http-kit.js';
import type { EmulatorStartOptions, RunningEmulator } from '../types.js';
import { STOREGRID_GUESSES as G } from './guesses.js';
import { failure, type Outcome, StoreGridState, success } from './state.js';

/**
 * The StoreGrid web-console emulator: a real HTTP(S) server speaking the wire adapter's assumed
 * format, with fault injection, latency, a request log, control routes under `/__emulator/` and
 * the same controls as methods on the handle.
 */
export interface StoreGridFault {
  /** Which operation it hits; every operation when absent. */
  operation?: WireOperation;
  /**
   * error: answer with `status` and `code`; drop: close the connection without doing anything;
   * drop-after: do the work, then close without answering (lost answer); hang: never answer.
   */
  kind: 'error' | 'drop' | 'drop-after' | 'hang';
  status?: number;
  code?: WireErrorCode;
  message?: string;
  /** How many requests it hits (default 1). */
  times?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  operation: WireOperation | null;
  /** Request parameters, the password masked. */
  params: Record<string, string>;
  status: number | 'dropped' | 'hung';
}

export interface StoreGridEmulator extends RunningEmulator {
  state: StoreGridState;
  credentials: { username: string; password: string };
  /** SHA-256 fingerprint of the self-signed certificate when TLS is on. */
  fingerprint256: string | undefined;
  requests(): RequestLogEntry[];
  /** Operation names of the logged backend requests, oldest first (ordered-call tests). */
  operations(): WireOperation[];
  clearRequests(): void;
  injectFault(fault: StoreGridFault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Empties the state (and reloads the fixtures when asked), the log and the faults. */
  reset(options?: { fixtures?: boolean }): void;
}

const OPERATION_BY_PATH = new Map<string, WireOperation>(
  Object.entries(STOREGRID_WIRE.operations).map(([operation, route]) => [
    route.path,
    operation as WireOperation,
  ]),
);
const P = STOREGRID_WIRE.params;

function loadFixtures(state: StoreGridState): void {
  const { reseller, customer } = G.fixtures;
  const common = {
    company: 'Demo Hosting',
    activate: true,
    autoAuthorization: true,
    storageLocation: '',
    consolidatedReportEmails: null,
    mcal: 'auto' as const,
    throttling: { mode: 'global' as const },
    sendMail: false,
    notes: 'fixture',
  };
  state.signup({
    ...common,
    type: 'reseller',
    name: reseller.name,
    email: reseller.email,
    storageAllottedBytes: reseller.storageAllottedBytes,
  });
  state.signup({
    ...common,
    type: 'customer',
    name: customer.name,
    email: customer.email,
    resellerName: reseller.name,
    storageAllottedBytes: customer.storageAllottedBytes,
  });
}

function isAuthorized(req: IncomingMessage, credentials: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded === `${credentials.username}:${credentials.password}`;
}

function dispatch(state: StoreGridState, operation: WireOperation, params: Record<string, string>): Outcome {
  if (operation === 'serverInfo') {
    return success({
      [DATA_KEYS.product]: G.product,
      [DATA_KEYS.version]: G.version,
      [DATA_KEYS.resellers]: String(state.resellers.size),
      [DATA_KEYS.customers]: String(state.customers.size),
    });
  }
  if (operation === 'signupReseller') return state.signup(decodeSignup('reseller', params));
  if (operation === 'signupCustomer') return state.signup(decodeSignup('customer', params));
  if (operation === 'getPassKey') return state.passKey(params[P.name] ?? '');
  const type = accountTypeFromWire(params[P.accountType]);
  if (!type) return failure(400, 'INVALID_VALUE', `${P.accountType} must be Reseller or Customer`);
  const name = params[P.name] ?? '';
  if (operation === 'getAccount') return state.details(type, name);
  return state.setActive(type, name, operation === 'activate');
}

export async function startStoreGridServer(options: EmulatorStartOptions): Promise<StoreGridEmulator> {
  const state = new StoreGridState();
  const credentials = {
    username: options.options?.username ?? G.adminUsername,
    password: options.options?.password ?? G.adminPassword,
  };
  let latencyMs = options.latencyMs ?? 0;
  let faults: StoreGridFault[] = [];
  let log: RequestLogEntry[] = [];
  if (options.fixtures !== false) loadFixtures(state);

  function takeFault(operation: WireOperation): StoreGridFault | undefined {
    const fault = faults.find((f) => f.operation === undefined || f.operation === operation);
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  function send(res: ServerResponse, outcome: Outcome): void {
    res.writeHead(outcome.status, { 'content-type': 'application/xml; charset=utf-8' });
    res.end(encodeResponse(outcome.response));
  }

  function reset(resetOptions: { fixtures?: boolean } = {}): void {
    state.clear();
    log = [];
    faults = [];
    if (resetOptions.fixtures ?? options.fixtures !== false) loadFixtures(state);
  }

  async function control(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: string,
  ): Promise<void> {
    const route = `${req.method} ${path}`;
    if (route === 'GET /__emulator/state') {
      return sendJson(res, 200, {
        resellers: [...state.resellers.values()],
        customers: [...state.customers.values()],
      });
    }
    if (route === 'GET /__emulator/requests') return sendJson(res, 200, log);
    if (route === 'POST /__emulator/reset') {
      reset(body ? (JSON.parse(body) as { fixtures?: boolean }) : {});
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'POST /__emulator/faults') {
      faults.push(JSON.parse(body) as StoreGridFault);
      return sendJson(res, 200, { faults });
    }
    if (route === 'DELETE /__emulator/faults') {
      faults = [];
      return sendJson(res, 200, { faults });
    }
    if (route === 'POST /__emulator/latency') {
      latencyMs = Number((JSON.parse(body) as { ms?: number }).ms ?? 0);
      return sendJson(res, 200, { latencyMs });
    }
    return sendJson(res, 404, { error: `no control route ${route}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/__emulator/')) return control(req, res, url.pathname, body);
    const operation = OPERATION_BY_PATH.get(url.pathname) ?? null;
    const params = req.method === 'GET' ? Object.fromEntries(url.searchParams) : decodeForm(body);
    const entry: RequestLogEntry = {
      method: req.method ?? '',
      path: url.pathname,
      operation,
      params: P.password in params ? { ...params, [P.password]: '***' } : params,
      status: 0,
    };
    log.push(entry);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (!operation || STOREGRID_WIRE.operations[operation].method !== req.method) {
      entry.status = 404;
      return send(
        res,
        failure(404, 'INVALID_VALUE', `No such web-console call: ${req.method} ${url.pathname}`),
      );
    }
    if (!isAuthorized(req, credentials)) {
      entry.status = 401;
      return send(res, failure(401, 'AUTH_FAILED', 'Invalid web console user name or password'));
    }
    const fault = takeFault(operation);
    if (fault?.kind === 'hang') {
      entry.status = 'hung';
      return;
    }
    if (fault?.kind === 'drop') {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'error') {
      const outcome = failure(
        fault.status ?? 503,
        fault.code ?? 'SERVER_BUSY',
        fault.message ?? 'The backup server is busy; try again later',
      );
      entry.status = outcome.status;
      return send(res, outcome);
    }
    const outcome = dispatch(state, operation, params);
    if (fault?.kind === 'drop-after') {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }
    entry.status = outcome.status;
    send(res, outcome);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: error.message });
    });
  };
  let server: Server;
  let fingerprint256: string | undefined;
  if (options.tls) {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    fingerprint256 = new X509Certificate(pems.cert).fingerprint256;
    server = createHttpsServer({ key: pems.private, cert: pems.cert }, listener);
  } else {
    server = createHttpServer(listener);
  }
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    url,
    port,
    state,
    credentials,
    fingerprint256,
    describe: () => [
      `StoreGrid web console (emulated) at ${url}`,
      `admin user ${credentials.username}, password ${credentials.password}`,
      `control: GET ${url}/__emulator/state, GET ${url}/__emulator/requests, POST ${url}/__emulator/faults`,
    ],
    requests: () => [...log],
    operations: () => log.flatMap((entry) => (entry.operation ? [entry.operation] : [])),
    clearRequests: () => {
      log = [];
    },
    injectFault: (fault) => {
      faults.push({ ...fault });
    },
    clearFaults: () => {
      faults = [];
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
