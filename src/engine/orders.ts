import { fail } from '../core/error-catalogue.js';
import type { Db } from '../store/database.js';
import {
  type ClientRecord,
  findClientByExternalId,
  getClient,
  insertClient,
  type NewClient,
} from '../store/repositories/clients.js';
import { getOperationByIdempotencyKey, type OperationRecord } from '../store/repositories/operations.js';
import { getProduct } from '../store/repositories/products.js';
import {
  getService,
  insertService,
  type NewService,
  type ServiceRecord,
} from '../store/repositories/services.js';
import type { EngineDeps } from './deps.js';
import { type EnqueueResult, enqueueWithin } from './enqueue.js';
import { generatePassword } from './passwords.js';
import { checkChosenServer } from './server-choice.js';
import { checkNewClient, checkNewService } from './validation.js';

export interface OrderInput {
  /** The billing system's order id: the order's idempotency key. */
  orderId: string;
  /** An existing client, or `client` (found by its externalId, or added). */
  clientId?: number;
  client?: NewClient;
  services: Omit<NewService, 'clientId'>[];
}

export interface AcceptedOrder {
  orderId: string;
  client: ClientRecord;
  clientCreated: boolean;
  services: { service: ServiceRecord; enqueued: EnqueueResult }[];
  /** False when the same order was accepted before (a resend). */
  created: boolean;
}

const operationKey = (orderId: string, index: number) => `order:${orderId}:${index}`;

/**
 * Accepts an order as billing systems place one: the client (existing or new), its services, a
 * create operation for each and the `order.accepted` event, in ONE transaction. A refused order
 * (bad field, full server group, unknown product) writes nothing; a resend of an accepted order
 * returns it; the same order id with other contents is a conflict.
 */
export async function acceptOrder(deps: EngineDeps, order: OrderInput): Promise<AcceptedOrder> {
  checkOrder(order);
  const fingerprint = deps.box.mac(JSON.stringify(['order', order]));
  return deps.store.write(async (trx) => {
    const replay = await replayOrder(deps, trx, order, fingerprint);
    if (replay) return replay;
    const { client, clientCreated } = await resolveClient(deps, trx, order);
    const now = deps.clock.now();
    const services: AcceptedOrder['services'] = [];
    for (const [index, item] of order.services.entries()) {
      await checkOrderedProduct(deps, trx, item);
      const service = await insertService(
        trx,
        deps.box,
        { ...item, clientId: client.id, password: item.password ?? generatePassword() },
        now,
      );
      const enqueued = await enqueueWithin(deps, trx, {
        serviceId: service.id,
        action: 'create',
        args: { orderId: order.orderId, orderFingerprint: fingerprint },
        idempotencyKey: operationKey(order.orderId, index),
      });
      services.push({ service: (await getService(trx, service.id))!, enqueued });
    }
    await deps.events.publish(trx, 'order.accepted', {
      orderId: order.orderId,
      clientId: client.id,
      serviceIds: services.map((s) => s.service.id),
    });
    return { orderId: order.orderId, client, clientCreated, services, created: true };
  });
}

function checkOrder(order: OrderInput): void {
  if (typeof order.orderId !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(order.orderId)) {
    throw fail('order.invalid', 'orderId must be 1 to 100 printable characters without spaces');
  }
  if ((order.clientId === undefined) === (order.client === undefined)) {
    throw fail(
      'order.client_missing',
      'an order needs either clientId (an existing client) or client (found by externalId, or added)',
    );
  }
  if (order.services.length === 0) throw fail('order.invalid', 'an order needs at least one service');
  if (order.client) checkNewClient(order.client).throwIfAny('the order was not accepted');
  for (const [index, item] of order.services.entries())
    checkNewService(item, { clientKnown: true }).throwIfAny(
      `the order was not accepted (service ${index + 1})`,
    );
}

async function replayOrder(
  deps: EngineDeps,
  trx: Db,
  order: OrderInput,
  fingerprint: string,
): Promise<AcceptedOrder | undefined> {
  const operations: OperationRecord[] = [];
  for (let index = 0; index < order.services.length; index++) {
    const operation = await getOperationByIdempotencyKey(trx, operationKey(order.orderId, index));
    if (!operation) break;
    operations.push(operation);
  }
  if (operations.length === 0) return undefined;
  if (
    operations.length !== order.services.length ||
    operations.some((op) => op.args.orderFingerprint !== fingerprint)
  ) {
    throw fail(
      'idempotency.key_reused',
      `order ${order.orderId} was accepted before with different contents: use a new order id for a new order`,
    );
  }
  const services = await Promise.all(
    operations.map(async (operation) => (await getService(trx, operation.serviceId))!),
  );
  return {
    orderId: order.orderId,
    client: await getClientOrThrow(deps, trx, services[0]!.clientId),
    clientCreated: false,
    services: services.map((service, index) => ({
      service,
      enqueued: { operation: operations[index]!, created: false },
    })),
    created: false,
  };
}

async function getClientOrThrow(deps: EngineDeps, trx: Db, id: number): Promise<ClientRecord> {
  const client = await getClient(trx, deps.box, id);
  if (!client) throw fail('client.not_found', `client ${id} does not exist`);
  return client;
}

async function resolveClient(
  deps: EngineDeps,
  trx: Db,
  order: OrderInput,
): Promise<{ client: ClientRecord; clientCreated: boolean }> {
  if (order.clientId !== undefined)
    return { client: await getClientOrThrow(deps, trx, order.clientId), clientCreated: false };
  const input = order.client!;
  if (input.externalId) {
    const existing = await findClientByExternalId(trx, deps.box, input.externalId);
    if (existing) return { client: existing, clientCreated: false };
  }
  const client = await insertClient(trx, deps.box, input, deps.clock.now());
  await deps.events.publish(trx, 'client.created', { clientId: client.id, email: client.email });
  return { client, clientCreated: true };
}

async function checkOrderedProduct(
  deps: EngineDeps,
  trx: Db,
  item: OrderInput['services'][number],
): Promise<void> {
  const product = await getProduct(trx, deps.box, item.productId);
  if (!product) throw fail('product.not_found', `product ${item.productId} does not exist`);
  if (item.serverId != null) await checkChosenServer(trx, product, item.serverId, false);
}
