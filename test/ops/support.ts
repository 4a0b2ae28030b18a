import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { KeyringSecretBox } from '../../src/core/keyring.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.js';
import type { Dialect } from '../../src/store/database.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { openTestStore, type TestStore } from '../support/databases.js';
import { createFixtureModule } from '../support/fixture-module.js';

export interface OpsEngine {
  engine: Engine;
  testStore: TestStore;
  secretKey: Buffer;
  logLines: string[];
  close(options?: { keepStore?: boolean }): Promise<void>;
}

/** Test timing for webhooks: quick polls, short backoff, a short time limit for the hang tests. */
export const FAST_WEBHOOKS = {
  timeoutMs: 400,
  maxAttempts: 4,
  retry: { baseMs: 20, capMs: 100 },
  pollMs: 20,
  concurrency: 4,
};

/**
 * An engine as test/support/engine.ts builds it, plus the production features under test
 * (webhooks, notifications, retention) and a keyring secret box.
 */
export async function startOpsEngine(
  options: {
    dialect?: Dialect;
    testStore?: TestStore;
    secretKey?: Buffer;
    previousKeys?: Buffer[];
    start?: boolean;
  } & Pick<EngineOptions, 'webhooks' | 'notifications' | 'retention'> = {},
): Promise<OpsEngine> {
  const testStore = options.testStore ?? (await openTestStore(options.dialect ?? 'sqlite'));
  const secretKey = options.secretKey ?? randomBytes(32);
  const logLines: string[] = [];
  const engine = createEngine({
    store: testStore.store,
    secretBox: new KeyringSecretBox(secretKey, options.previousKeys ?? []),
    modules: [createFixtureModule()],
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    maxAttempts: 1,
    eventPollMs: 20,
    eventRetryMs: 50,
    eventTriggers: false,
    webhooks: { ...FAST_WEBHOOKS, ...options.webhooks },
    ...(options.notifications ? { notifications: options.notifications } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
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
  return {
    engine,
    testStore,
    secretKey,
    logLines,
    async close(closeOptions = {}) {
      await engine.stop();
      await closeHttpAgents();
      if (!closeOptions.keepStore) await testStore.cleanup();
    },
  };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type ReceiverAnswer = 'ok' | 'error' | 'hang';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order; then `ok`. */
  plan(...answers: ReceiverAnswer[]): void;
  close(): Promise<void>;
}

/** A webhook receiver over a real socket: records every request, answers as planned. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const planned: ReceiverAnswer[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const answer = planned.shift() ?? 'ok';
      if (answer === 'hang') return;
      response.writeHead(answer === 'ok' ? 200 : 500, { 'content-type': 'text/plain' });
      response.end(answer === 'ok' ? 'thanks' : 'receiver broke');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/provisio`,
    requests,
    plan: (...answers) => void planned.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a receiver that is down. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/down`;
}
