import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StoreGridEmulator, startStoreGridEmulator } from '../../src/emulators/storegrid/index.js';
import type { Engine } from '../../src/engine/engine.js';
import {
  handleTriggerEvent,
  registerEventTriggers,
  TRIGGER_SUBSCRIBER,
} from '../../src/engine/event-triggers.js';
import type { EngineEvent } from '../../src/modules/contract.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import type { OperationRecord } from '../../src/store/repositories/operations.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { waitUntil } from '../support/wait-until.js';
import { addStoreGridServer } from './storegrid.support.js';

let emulator: StoreGridEmulator;
let harness: TestEngine;
let engine: Engine;
let groupId: number;

async function product(signupOn: string, action: 'reseller' | 'customer' = 'reseller') {
  return engine.products.create({
    name: `Backup on ${signupOn} ${action}`,
    module: 'storegrid',
    serverGroupId: groupId,
    settings: {
      action,
      signupOn,
      storageAllottedBytes: 1024 ** 3,
      ...(action === 'customer' ? { resellerName: 'demo-reseller' } : {}),
    },
  });
}

/** Waits until `count` storegrid operations exist and have all finished. */
async function finishedOperations(count: number): Promise<OperationRecord[]> {
  let operations: OperationRecord[] = [];
  await waitUntil(
    async () => {
      operations = await engine.operations.list({ module: 'storegrid' });
      return operations.length >= count;
    },
    15_000,
    `${count} storegrid operations`,
  );
  return Promise.all(operations.map((op) => engine.operations.waitFor(op.id, { timeoutMs: 15_000 })));
}

async function eventsOfType(type: string): Promise<EngineEvent[]> {
  return engine.events.list({ type });
}

beforeAll(async () => {
  emulator = await startStoreGridEmulator();
});
beforeEach(async () => {
  harness = await createTestEngine({ modules: [storegridModule] });
  engine = harness.engine;
  const serverId = await addStoreGridServer(engine, emulator);
  groupId = (
    await engine.serverGroups.create({ name: 'backup', fillType: 'least-full', serverIds: [serverId] })
  ).id;
});
afterEach(async () => {
  await harness.close();
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

describe('storegrid sign-up driven by engine events', () => {
  it('signs a new client up once, even when client.created is delivered twice', async () => {
    const hooked = await product('client-created');
    await product('create');
    const unsubscribe = registerEventTriggers(engine);
    const client = await engine.clients.create({ email: 'new@example.com', firstName: 'New' });

    const [first] = await finishedOperations(1);
    expect(first).toMatchObject({
      status: 'succeeded',
      action: 'create',
      idempotencyKey: `trigger:client.created:${client.id}:${hooked.id}`,
    });

    // A crash before the acknowledgement: the delivery record is lost and a fresh subscriber
    // (another node, or this one restarted) gets the same event again.
    unsubscribe();
    await engine.store.db
      .deleteFrom('event_deliveries')
      .where('subscriber', '=', TRIGGER_SUBSCRIBER)
      .execute();
    registerEventTriggers(engine);
    await engine.events.deliverPending();
    const redelivered = await engine.store.db
      .selectFrom('event_deliveries')
      .select('event_id')
      .where('subscriber', '=', TRIGGER_SUBSCRIBER)
      .execute();
    expect(redelivered.length).toBeGreaterThan(0);

    const services = await engine.services.list({ clientId: client.id });
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ productId: hooked.id, status: 'active' });
    expect(await engine.operations.list({ module: 'storegrid' })).toHaveLength(1);
    expect(emulator.requests({ path: '/sgwebapi/SignupReseller' })).toHaveLength(1);
    expect(emulator.account('reseller', `sg${services[0]!.id}`)?.email).toBe('new@example.com');
  });

  it('provisions once when two nodes handle the same event at the same moment', async () => {
    const hooked = await product('client-created', 'customer');
    const client = await engine.clients.create({ email: 'race@example.com' });
    const [event] = await eventsOfType('client.created');
    await Promise.all([handleTriggerEvent(engine, event!), handleTriggerEvent(engine, event!)]);
    await finishedOperations(1);
    const services = await engine.services.list({ clientId: client.id, productId: hooked.id });
    expect(services.filter((s) => s.status === 'active')).toHaveLength(1);
    expect(services.filter((s) => s.status !== 'active').every((s) => s.status === 'cancelled')).toBe(true);
    expect(emulator.requests({ path: '/sgwebapi/SignupCustomer' })).toHaveLength(1);
  });

  it('signs up on order acceptance only for products that ask for it', async () => {
    const onOrder = await product('order-accepted', 'customer');
    await product('client-created');
    const client = await engine.clients.create({ email: 'order@example.com' });
    const orderAccepted: EngineEvent = {
      id: 9_001,
      type: 'order.accepted',
      payload: { orderId: 77, clientId: client.id },
      createdAt: 0,
    };
    await handleTriggerEvent(engine, orderAccepted);
    await handleTriggerEvent(engine, orderAccepted);
    const [operation] = await finishedOperations(1);
    expect(operation).toMatchObject({
      status: 'succeeded',
      idempotencyKey: `trigger:order.accepted:77:${onOrder.id}`,
    });
    const services = await engine.services.list({ clientId: client.id });
    expect(services.map((s) => s.productId)).toEqual([onOrder.id]);
    expect(emulator.requests({ path: '/sgwebapi/Signup*' }).map((r) => r.path)).toEqual([
      '/sgwebapi/SignupCustomer',
    ]);
  });

  it('leaves products that sign up on create alone', async () => {
    await product('create');
    const client = await engine.clients.create({ email: 'plain@example.com' });
    const [event] = await eventsOfType('client.created');
    await handleTriggerEvent(engine, event!);
    expect(await engine.services.list({ clientId: client.id })).toEqual([]);
  });
});
