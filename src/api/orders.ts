import { ProvisioningError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { EnqueueResult } from '../engine/enqueue.js';
import { findClientByExternalId } from '../store/repositories/clients.js';
import { getOperationByIdempotencyKey, type OperationRecord } from '../store/repositories/operations.js';
import type { ServiceRecord } from '../store/repositories/services.js';
import { ApiError } from './errors.js';
import type { OrderBody } from './schemas.js';

export interface AcceptedOrder {
  orderId: string;
  client: Awaited<ReturnType<Engine['clients']['get']>>;
  clientCreated: boolean;
  services: { service: ServiceRecord; enqueued: EnqueueResult }[];
  created: boolean;
}

/** The order id is the order's idempotency key: operation keys derive from it. */
const operationKey = (orderId: string, index: number) => `order:${orderId}:${index}`;

/**
 * Accepts an order the way billing systems place one: a client (existing by id or external id,
 * or new), its services, and a create operation for each, then an `order.accepted` event.
 *
 * Everything that can be checked without writing is checked first (products, groups, servers,
 * the client's fields), so a rejected order writes nothing. What can still fail after the first
 * write (placement finding every server full, a race) is compensated: the order's queued
 * operations and pending services are cancelled, and the order id is spent.
 */
export async function acceptOrder(engine: Engine, order: OrderBody): Promise<AcceptedOrder> {
  const fingerprint = engine.deps.box.mac(JSON.stringify(['order', order]));
  const replay = await replayOrder(engine, order, fingerprint);
  if (replay) return replay;
  if ((order.clientId === undefined) === (order.client === undefined)) {
    throw new ApiError(
      'order.client_missing',
      'an order needs either clientId (an existing client) or client (found by externalId, or added)',
    );
  }
  await checkOrderServices(engine, order);
  const { client, clientCreated } = await resolveClient(engine, order);
  const placed: { service: ServiceRecord; enqueued?: EnqueueResult }[] = [];
  try {
    for (const [index, item] of order.services.entries()) {
      const service = await engine.services.create({ ...item, clientId: client.id });
      placed.push({ service });
      placed[index]!.enqueued = await engine.operations.enqueue({
        serviceId: service.id,
        action: 'create',
        args: { orderId: order.orderId, orderFingerprint: fingerprint },
        idempotencyKey: operationKey(order.orderId, index),
      });
    }
  } catch (error) {
    await rollBackOrder(engine, placed);
    throw error;
  }
  const serviceIds = placed.map((p) => p.service.id);
  await engine.store.write((trx) =>
    engine.events.bus.publish(trx, 'order.accepted', {
      orderId: order.orderId,
      clientId: client.id,
      serviceIds,
    }),
  );
  engine.events.bus.poke();
  return {
    orderId: order.orderId,
    client,
    clientCreated,
    services: placed.map((p) => ({ service: p.service, enqueued: p.enqueued! })),
    created: true,
  };
}

async function replayOrder(
  engine: Engine,
  order: OrderBody,
  fingerprint: string,
): Promise<AcceptedOrder | undefined> {
  const first = await getOperationByIdempotencyKey(engine.store.db, operationKey(order.orderId, 0));
  if (!first) return undefined;
  if (first.args.orderFingerprint !== fingerprint) {
    throw new ProvisioningError(
      'conflict',
      `order ${order.orderId} was accepted before with different contents: use a new order id for a new order`,
      {
        code: 'idempotency.key_reused',
      },
    );
  }
  const operations: OperationRecord[] = [];
  for (let index = 0; index < order.services.length; index++) {
    const operation = await getOperationByIdempotencyKey(engine.store.db, operationKey(order.orderId, index));
    if (!operation || operation.status === 'cancelled') {
      throw new ApiError(
        'order.failed_before',
        `order ${order.orderId} failed before and was rolled back: send it again under a new order id`,
      );
    }
    operations.push(operation);
  }
  const services = await Promise.all(operations.map((operation) => engine.services.get(operation.serviceId)));
  const client = await engine.clients.get(services[0]!.clientId);
  return {
    orderId: order.orderId,
    client,
    clientCreated: false,
    services: services.map((service, index) => ({
      service,
      enqueued: { operation: operations[index]!, created: false },
    })),
    created: false,
  };
}

async function checkOrderServices(engine: Engine, order: OrderBody): Promise<void> {
  for (const item of order.services) {
    const product = await engine.products.get(item.productId);
    if (item.serverId != null) {
      const server = await engine.servers.get(item.serverId);
      if (server.module !== product.module) {
        throw new ProvisioningError(
          'invalid-input',
          `server ${server.id} is a ${server.module} server; product ${product.id} needs ${product.module}`,
          { code: 'server.module_mismatch' },
        );
      }
    } else if (product.serverGroupId === null) {
      throw new ProvisioningError(
        'invalid-input',
        `product ${product.id} has no server group: give it one before ordering it`,
        { code: 'product.no_server_group' },
      );
    }
  }
}

async function resolveClient(engine: Engine, order: OrderBody) {
  if (order.clientId !== undefined)
    return { client: await engine.clients.get(order.clientId), clientCreated: false };
  const input = order.client!;
  if (input.externalId) {
    const existing = await findClientByExternalId(engine.store.db, engine.deps.box, input.externalId);
    if (existing) return { client: existing, clientCreated: false };
  }
  return { client: await engine.clients.create(input), clientCreated: true };
}

async function rollBackOrder(
  engine: Engine,
  placed: { service: ServiceRecord; enqueued?: EnqueueResult }[],
): Promise<void> {
  for (const { service, enqueued } of placed) {
    try {
      if (enqueued) await engine.operations.cancel(enqueued.operation.id);
      await engine.services.cancel(service.id);
    } catch (error) {
      engine.logger.error(
        { err: (error as Error).message, serviceId: service.id },
        'could not roll back a service of a failed order',
      );
    }
  }
}
