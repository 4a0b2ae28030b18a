import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { easymailarchiveModule } from '../../src/modules/easymailarchive/index.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { openTestStore, type TestStore } from '../support/databases.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Reconcile on an interval (`reconcileIntervalMs`, from PROVISIO_RECONCILE_INTERVAL_MINUTES):
 * runs by itself, stores what it finds, and repairs nothing.
 */
let emulator: EasyMailArchiveEmulator;
let store: TestStore;
let engine: Engine;
let serviceId: number;

beforeAll(async () => {
  emulator = await startEasyMailArchiveEmulator({ fixtures: false });
  store = await openTestStore('sqlite');
  engine = createEngine({
    store: store.store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: [easymailarchiveModule],
    logger: pino({ level: 'silent' }),
    eventTriggers: false,
    reconcileIntervalMs: 50,
    runner: { pollMs: 10, retry: { baseMs: 20, capMs: 200 } },
  });
  const server = await engine.servers.create({
    name: 'archive',
    module: 'easymailarchive',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    secret: emulator.apiKey,
    settings: { baseDomain: emulator.baseDomain },
  });
  const group = await engine.serverGroups.create({
    name: 'g',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  const product = await engine.products.create({
    name: 'Archive',
    module: 'easymailarchive',
    serverGroupId: group.id,
  });
  const client = await engine.clients.create({ email: 'a@example.com', company: 'Acme' });
  serviceId = (
    await engine.services.create({ clientId: client.id, productId: product.id, domain: 'acme.com' })
  ).id;
  engine.start();
  expect((await engine.run(serviceId, 'create')).status).toBe('succeeded');
});

afterAll(async () => {
  await engine?.stop();
  await closeHttpAgents();
  await store?.cleanup();
  await emulator?.close();
});

describe('scheduled reconcile', () => {
  it('runs on its interval, finds drift, and queues nothing', async () => {
    await fetch(`${emulator.url}/__emulator/seed/deletion`, {
      method: 'POST',
      body: JSON.stringify({ slug: 'acme' }),
    });
    await waitUntil(
      async () => (await engine.reconcile.findings({ kind: 'missing' })).length === 1,
      30_000,
      'a scheduled run to find the deleted tenant',
    );
    const runs = await engine.reconcile.runs();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.trigger === 'schedule')).toBe(true);
    expect((await engine.operations.list({ serviceId })).map((o) => o.action)).toEqual(['create']);
  });
});
