import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

/**
 * Issue 11, found by a user: creates enqueued at once on one node all took the node's first free
 * allocation, and the panel's 409 for the losers ended their operations as permanent conflicts.
 */
const CREATES = 50;

let emulator: CalagopusEmulator;
let harness: TestEngine;
let productId: number;

beforeAll(async () => {
  emulator = await startCalagopusEmulator({ latencyMs: 5, options: { ratelimit: 'off' } });
  for (let i = 0; i < CREATES + 10; i++) {
    emulator.seed('allocation', { node_uuid: FIXTURE.nodeUs1, ip: '10.1.0.9', port: 30000 + i });
  }
  harness = await createTestEngine({
    modules: [calagopusModule],
    runner: { concurrency: CREATES, operationTimeoutMs: 60_000 },
  });
  const server = await harness.engine.servers.create({
    name: 'panel',
    module: 'calagopus',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    secret: FIXTURE.apiKey,
    maxConcurrency: CREATES,
  });
  const group = await harness.engine.serverGroups.create({
    name: 'panel',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  productId = (
    await harness.engine.products.create({
      name: 'Game on one node',
      module: 'calagopus',
      serverGroupId: group.id,
      settings: { nestUuid: FIXTURE.nestMinecraft, eggUuid: FIXTURE.eggPaper, nodeUuid: FIXTURE.nodeUs1 },
    })
  ).id;
}, 60_000);

afterAll(async () => {
  await harness.close();
  await emulator.close();
});

describe('calagopus: concurrent creates on one node', () => {
  it(`${CREATES} creates enqueued at once all succeed, on ${CREATES} distinct allocations`, async () => {
    const { engine } = harness;
    const services: number[] = [];
    for (let i = 0; i < CREATES; i++) {
      const client = await engine.clients.create({
        email: `racer${i}@example.com`,
        firstName: 'Race',
        lastName: `Player${i}`,
      });
      services.push((await engine.services.create({ clientId: client.id, productId })).id);
    }
    const results = await Promise.all(services.map((id) => engine.run(id, 'create', { timeoutMs: 120_000 })));
    const failed = results.filter((op) => op.status !== 'succeeded');
    expect(failed.map((op) => op.errorMessage)).toEqual([]);
    const servers = emulator.servers().filter((s) => s.node_uuid === FIXTURE.nodeUs1);
    expect(servers).toHaveLength(CREATES);
    const allocations = new Set(servers.flatMap((s) => s.allocations.map((a) => a.allocation_uuid)));
    expect(allocations.size).toBe(CREATES);
  }, 180_000);
});
