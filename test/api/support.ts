import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createMetrics } from '../../src/api/metrics.js';
import { buildApi } from '../../src/api/server.js';
import type { TokenScope } from '../../src/core/scopes.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { AnyModule } from '../../src/modules/contract.js';
import { createApiToken } from '../../src/store/repositories/api-tokens.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { openTestStore } from '../support/databases.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers of many shapes
  body: any;
  headers: Headers;
}

export interface ApiHarness {
  url: string;
  api: FastifyInstance;
  engine: Engine;
  backend: RunningFixtureBackend;
  tokens: Record<Exclude<TokenScope, 'customer'>, string>;
  /** A real HTTP request; `token` defaults to the admin token, `null` sends none. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Client, fixture server, group and product: ids for further calls. */
  setUp(): Promise<{ clientId: number; serverId: number; groupId: number; productId: number }>;
  close(): Promise<void>;
}

export async function startApiHarness(
  options: { maxWaitSeconds?: number; start?: boolean; modules?: readonly AnyModule[] } = {},
): Promise<ApiHarness> {
  const testStore = await openTestStore('sqlite');
  const metrics = createMetrics();
  // As test/support/engine.ts builds it, plus the metrics observer the API's /metrics reads.
  const engine = createEngine({
    store: testStore.store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: [createFixtureModule(), ...(options.modules ?? [])],
    logger: pino({ level: 'silent' }),
    maxAttempts: 3,
    eventPollMs: 20,
    observer: metrics.observer,
    runner: {
      concurrency: 4,
      leaseMs: 5_000,
      pollMs: 10,
      operationTimeoutMs: 10_000,
      shutdownGraceMs: 2_000,
      retry: { baseMs: 20, capMs: 200 },
    },
  });
  if (options.start !== false) engine.start();
  const backend = await startFixtureBackend();
  const api = await buildApi({ engine, metrics, maxWaitSeconds: options.maxWaitSeconds ?? 10 });
  const address = await api.listen({ host: '127.0.0.1', port: 0 });
  const now = engine.clock.now();
  const tokens = {} as Record<Exclude<TokenScope, 'customer'>, string>;
  for (const scope of ['admin', 'operator', 'read'] as const)
    tokens[scope] = (await createApiToken(engine.store.db, { name: scope, scope }, now)).token;

  const call: ApiHarness['call'] = async (method, path, callOptions = {}) => {
    const token = callOptions.token === undefined ? tokens.admin : callOptions.token;
    const headers: Record<string, string> = { ...callOptions.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const payload =
      callOptions.rawBody ?? (callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body));
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await fetch(`${address}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: response.status, body, headers: response.headers };
  };

  return {
    url: address,
    api,
    engine,
    backend,
    tokens,
    call,
    async setUp() {
      const backendUrl = new URL(backend.url);
      const client = await call('POST', '/v1/clients', {
        body: { email: 'ada@example.com', firstName: 'Ada', externalId: `ext-${Math.random()}` },
      });
      const server = await call('POST', '/v1/servers', {
        body: {
          name: `fx-${Math.random().toString(36).slice(2, 8)}`,
          module: 'fixture',
          hostname: backendUrl.hostname,
          port: Number(backendUrl.port),
          secure: false,
          secret: 'server-api-key-123',
        },
      });
      const group = await call('POST', '/v1/server-groups', {
        body: { name: `g-${server.body.id}`, fillType: 'least-full', serverIds: [server.body.id] },
      });
      const product = await call('POST', '/v1/products', {
        body: {
          name: `p-${server.body.id}`,
          module: 'fixture',
          serverGroupId: group.body.id,
          settings: { plan: 'gold', apiToken: 'product-secret-token' },
        },
      });
      for (const answer of [client, server, group, product])
        if (answer.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(answer.body)}`);
      return {
        clientId: client.body.id,
        serverId: server.body.id,
        groupId: group.body.id,
        productId: product.body.id,
      };
    },
    async close() {
      await api.close();
      await engine.stop();
      await closeHttpAgents();
      await backend.close();
      await testStore.cleanup();
    },
  };
}
