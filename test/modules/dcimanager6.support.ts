import { setTimeout as sleep } from 'node:timers/promises';
import type { ManualClock } from '../../src/core/clock.js';
import { type Dci6Emulator, startDci6Emulator } from '../../src/emulators/dcimanager6/index.js';
import type { LoggedRequest } from '../../src/emulators/kit/request-log.js';
import { dcimanager6Module } from '../../src/modules/dcimanager6/index.js';
import type { OperationRecord } from '../../src/store/repositories/operations.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/** A real engine on a manual clock, driving the module against an emulator that shares the clock. */
export interface Dci6Harness {
  harness: TestEngine;
  engine: TestEngine['engine'];
  clock: ManualClock;
  emulator: Dci6Emulator;
  groupId: number;
  close(): Promise<void>;
}

export const BASE_SETTINGS = {
  configuration: 'E-2146G-64Gb-1920SSD',
  osTemplate: 'Ubuntu 22.04',
  ipv4Pool: '1',
  locationId: '1',
};

export async function startHarness(options: { concurrency?: number } = {}): Promise<Dci6Harness> {
  const harness = await createTestEngine({
    modules: [dcimanager6Module],
    clock: 'manual',
    runner: { concurrency: options.concurrency ?? 4 },
  });
  const clock = harness.manualClock as ManualClock;
  const emulator = await startDci6Emulator({ now: () => clock.now() });
  const { engine } = harness;
  const server = await engine.servers.create({
    name: 'dci-1',
    module: 'dcimanager6',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    username: 'admin@example.com',
    secret: 'secret',
  });
  const group = await engine.serverGroups.create({
    name: 'dci',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  const h: Dci6Harness = {
    harness,
    engine,
    clock,
    emulator,
    groupId: group.id,
    async close() {
      // `this.harness` may have been replaced by a restarted engine.
      await h.harness.close();
      await emulator.close();
    },
  };
  return h;
}

let serial = 0;

export async function order(
  h: Dci6Harness,
  input: {
    settings?: Record<string, unknown>;
    email?: string;
    emailVerified?: boolean;
    configOptions?: Record<string, string>;
    customFields?: Record<string, string>;
    password?: string;
    domain?: string;
  } = {},
) {
  serial++;
  const client = await h.engine.clients.create({
    email: input.email ?? `client${serial}@example.net`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    emailVerified: input.emailVerified ?? true,
  });
  const product = await h.engine.products.create({
    name: `Dedicated ${serial}`,
    module: 'dcimanager6',
    serverGroupId: h.groupId,
    settings: { ...BASE_SETTINGS, ...input.settings },
  });
  const service = await h.engine.services.create({
    clientId: client.id,
    productId: product.id,
    domain: input.domain ?? `host${serial}.example.net`,
    password: input.password ?? 'Root-Pass-42',
    ...(input.configOptions ? { configOptions: input.configOptions } : {}),
    ...(input.customFields ? { customFields: input.customFields } : {}),
  });
  return { client, product, service };
}

const FINAL = ['succeeded', 'failed', 'cancelled'];

/** Runs an operation to its end, moving the virtual clock on whenever it parks on a wait. */
export async function drive(
  h: Dci6Harness,
  operationId: number,
  stepMs = 60_000,
  maxSteps = 400,
): Promise<OperationRecord> {
  for (let i = 0; i < maxSteps * 20; i++) {
    const operation = await h.engine.operations.get(operationId);
    if (operation && FINAL.includes(operation.status)) return operation;
    // Parked on a wait or on a retry backoff: both are due on the virtual clock.
    if (operation && ['waiting', 'queued'].includes(operation.status) && operation.runAt > h.clock.now()) {
      h.clock.advance(Math.max(stepMs, operation.runAt - h.clock.now()));
    } else {
      await sleep(5);
    }
  }
  throw new Error(`operation ${operationId} did not end`);
}

/** Enqueues an action and drives it to its end. */
export async function run(
  h: Dci6Harness,
  serviceId: number,
  action: string,
  args?: Record<string, unknown>,
  secretArgs?: Record<string, unknown>,
): Promise<OperationRecord> {
  const { operation } = await h.engine.operations.enqueue({
    serviceId,
    action: action as 'create',
    ...(args ? { args } : {}),
    ...(secretArgs ? { secretArgs } : {}),
  });
  return drive(h, operation.id);
}

/**
 * An activated service whose install still runs (`dontWaitOsInstall`), the request log cleared;
 * `installDone` moves the clock past the install so nothing is left to abort.
 */
export async function activeService(
  h: Dci6Harness,
  settings: Record<string, unknown> = {},
  options: { installDone?: boolean } = {},
) {
  const ordered = await order(h, { settings: { dontWaitOsInstall: true, ...settings } });
  const created = await run(h, ordered.service.id, 'create');
  if (created.status !== 'succeeded') throw new Error(`activation failed: ${created.errorMessage}`);
  if (options.installDone) h.clock.advance(30 * 60_000);
  h.emulator.clearRequests();
  return ordered;
}

/** Waits until an operation reaches a status (without moving the clock). */
export async function until(h: Dci6Harness, operationId: number, status: string): Promise<OperationRecord> {
  for (let i = 0; i < 2000; i++) {
    const operation = await h.engine.operations.get(operationId);
    if (operation?.status === status) return operation;
    if (operation && FINAL.includes(operation.status))
      throw new Error(`operation ${operationId} ended ${operation.status}: ${operation.errorMessage}`);
    await sleep(5);
  }
  throw new Error(`operation ${operationId} never became ${status}`);
}

/** One request as it went over the wire: `METHOD /path?query body`. */
export function wireLine(entry: LoggedRequest): string {
  return `${entry.method} ${entry.path}${entry.query}${entry.body ? ` ${entry.body}` : ''}`;
}

/** The whole request log, literally. */
export function wire(emulator: Dci6Emulator): string[] {
  return emulator.requests().map(wireLine);
}

/** The state-changing requests (`METHOD /path`), in order; logins and logouts left out. */
export function mutations(emulator: Dci6Emulator): string[] {
  return emulator
    .requests()
    .filter((entry) => entry.method !== 'GET' && !entry.path.startsWith('/auth/v4/'))
    .map((entry) => `${entry.method} ${entry.path}`);
}

/** The body of the first request to `method path`, parsed. */
export function bodyOf(emulator: Dci6Emulator, method: string, path: string): unknown {
  const entry = emulator.requests({ method, path })[0];
  return entry ? JSON.parse(entry.body) : undefined;
}
