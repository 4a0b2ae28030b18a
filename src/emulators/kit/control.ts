import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FaultInterceptor, type FaultRule, parseFaultRule } from './faults.js';
import type { LoggedRequest, RequestFilter } from './request-log.js';

/**
 * The control handle every emulator offers, in-process (tests) and over HTTP under
 * `/__emulator/` (demo, chaos runs, other processes): request log, faults, reset, snapshot, seed.
 *
 * | route                                  | does                                                    |
 * |----------------------------------------|---------------------------------------------------------|
 * | `GET /__emulator`                      | which emulator, its seed entities, these routes          |
 * | `GET /__emulator/requests?method=&path=` | the request log (with answers); `DELETE` clears it     |
 * | `POST /__emulator/faults`              | adds a fault rule (see faults.ts); `GET` lists, `DELETE` clears |
 * | `POST /__emulator/reset`               | state back to fixtures (`{"fixtures": false}`: empty); log and faults cleared |
 * | `GET /__emulator/snapshot`             | the whole backend state as JSON                         |
 * | `POST /__emulator/seed/<entity>`       | adds one object provisio did not create (`{"items": [...]}` for several) |
 * | `POST /__emulator/latency`             | `{"ms": 5}`: added to every request                     |
 */
export interface EmulatorControl {
  /** The emulator's id (`axigen`, `calagopus`, …). */
  readonly id: string;
  requests(filter?: RequestFilter): LoggedRequest[];
  clearRequests(): void;
  injectFault(rule: FaultRule): void;
  /** In-process only: a function that may pick a fault for each request (see `FaultInterceptor`). */
  interceptFaults(interceptor: FaultInterceptor | undefined): void;
  faults(): FaultRule[];
  clearFaults(): void;
  /** State back to the fixtures (or empty), request log and faults cleared. */
  reset(options?: { fixtures?: boolean }): void;
  /** The whole backend state, JSON-safe. */
  snapshot(): unknown;
  /** Entities `seed` accepts, e.g. `domain`, `account`. */
  readonly seedEntities: readonly string[];
  /** Adds one object as if staff or another tool had made it; throws `SeedError` for bad input. */
  seed(entity: string, input: Record<string, unknown>): unknown;
  setLatency(ms: number): void;
}

/** A seed request the emulator cannot honour (unknown entity, missing field, name taken). */
export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export interface ControlReply {
  status: number;
  body: unknown;
}

export type ExtraControlRoute = (
  method: string,
  path: string,
  body: Record<string, unknown>,
) => ControlReply | undefined;

export const CONTROL_PREFIX = '/__emulator';

function objectOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** Answers one control request; `undefined` when the path is not a control route at all. */
export function handleControlRoute(
  control: EmulatorControl,
  method: string,
  url: URL,
  rawBody: string,
  extra?: ExtraControlRoute,
): ControlReply | undefined {
  if (url.pathname !== CONTROL_PREFIX && !url.pathname.startsWith(`${CONTROL_PREFIX}/`)) return undefined;
  let parsed: unknown = {};
  if (rawBody.trim() !== '') {
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return { status: 400, body: { error: 'the control body must be JSON' } };
    }
  }
  const body = objectOf(parsed);
  const path = url.pathname.slice(CONTROL_PREFIX.length) || '/';
  const route = `${method} ${path}`;
  try {
    switch (route) {
      case 'GET /':
        return {
          status: 200,
          body: {
            emulator: control.id,
            seedEntities: control.seedEntities,
            routes: ['requests', 'faults', 'reset', 'snapshot', 'seed/<entity>', 'latency'],
          },
        };
      case 'GET /requests': {
        const filter: RequestFilter = {};
        const m = url.searchParams.get('method');
        const p = url.searchParams.get('path');
        if (m) filter.method = m;
        if (p) filter.path = p;
        return { status: 200, body: { requests: control.requests(filter) } };
      }
      case 'DELETE /requests':
        control.clearRequests();
        return { status: 200, body: { ok: true } };
      case 'GET /faults':
        return { status: 200, body: { faults: control.faults() } };
      case 'POST /faults': {
        const rule = parseFaultRule(parsed);
        if (typeof rule === 'string') return { status: 422, body: { error: rule } };
        control.injectFault(rule);
        return { status: 201, body: { ok: true } };
      }
      case 'DELETE /faults':
        control.clearFaults();
        return { status: 200, body: { ok: true } };
      case 'POST /reset':
        control.reset({ fixtures: body.fixtures !== false });
        return { status: 200, body: { ok: true } };
      case 'GET /snapshot':
        return { status: 200, body: control.snapshot() };
      case 'POST /latency':
        if (typeof body.ms !== 'number' || body.ms < 0)
          return { status: 422, body: { error: 'ms must be a number ≥ 0' } };
        control.setLatency(body.ms);
        return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path.startsWith('/seed/')) {
      const entity = path.slice('/seed/'.length);
      const items = Array.isArray(body.items) ? body.items.map(objectOf) : [body];
      const created = items.map((item) => control.seed(entity, item));
      return { status: 201, body: Array.isArray(body.items) ? { items: created } : created[0] };
    }
    return extra?.(method, path, body) ?? { status: 404, body: { error: `no control route ${route}` } };
  } catch (error) {
    if (error instanceof SeedError) return { status: 422, body: { error: error.message } };
    throw error;
  }
}

export async function readRequestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A separate HTTP control server, for emulators whose backend protocol is not HTTP (Axigen's CLI). */
export async function serveControl(
  control: EmulatorControl,
  host: string,
  port: number,
  extra?: ExtraControlRoute,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const raw = await readRequestBody(req);
    const url = new URL(req.url ?? '/', 'http://control');
    const reply = handleControlRoute(control, req.method ?? 'GET', url, raw, extra) ?? {
      status: 404,
      body: { error: `control routes live under ${CONTROL_PREFIX}/` },
    };
    sendJson(res, reply.status, reply.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}${CONTROL_PREFIX}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
