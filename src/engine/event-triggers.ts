import { isProvisioningError, isTransient } from '../core/errors.js';
import type { EngineEvent } from '../modules/contract.js';
import { getOperationByIdempotencyKey } from '../store/repositories/operations.js';
import type { ProductRecord } from '../store/repositories/products.js';
import type { Engine } from './engine.js';

/**
 * Hook-driven provisioning (a module's `eventTriggers`): as StoreGrid's WHMCS action hooks sign a
 * client up on `ClientAdd` or `AcceptOrder`, a product whose module declares a trigger for an
 * engine event, and whose settings ask for it, gets a service for the event's client and its
 * create enqueued.
 *
 * At most once per (event subject, product), although events arrive at least once: the create
 * carries the idempotency key `trigger:<event>:<subject>:<product>`, and the service is marked
 * with the same key in its custom field `provisio.trigger`, so a redelivery after a crash between
 * "service created" and "create enqueued" finds and reuses that service instead of adding one.
 *
 * Subjects: `client.created` → the client id; `order.accepted` → `payload.orderId` (the event id
 * when the publisher gives none). Both payloads must carry `clientId`.
 */
export const TRIGGER_EVENTS = ['client.created', 'order.accepted'] as const;
export const TRIGGER_SUBSCRIBER = 'event-triggers';
export const TRIGGER_MARKER_FIELD = 'provisio.trigger';

export function triggerKey(event: EngineEvent, productId: number): string | undefined {
  const subject =
    event.type === 'client.created' ? event.payload.clientId : (event.payload.orderId ?? event.id);
  if (typeof subject !== 'number' && typeof subject !== 'string') return undefined;
  return `trigger:${event.type}:${subject}:${productId}`;
}

/** Products whose module has a trigger for this event and whose settings say it applies. */
export function productsTriggeredBy(
  engine: Engine,
  event: EngineEvent,
  products: readonly ProductRecord[],
): ProductRecord[] {
  return products.filter((product) => {
    const triggers = engine.modules.get(product.module)?.eventTriggers ?? [];
    return triggers.some((trigger) => trigger.event === event.type && trigger.appliesTo(product.settings));
  });
}

async function provisionOnce(
  engine: Engine,
  clientId: number,
  product: ProductRecord,
  key: string,
): Promise<void> {
  if (await getOperationByIdempotencyKey(engine.store.db, key)) return;
  const earlier = await engine.services.list({ clientId, productId: product.id });
  const service =
    earlier.find((candidate) => candidate.customFields[TRIGGER_MARKER_FIELD] === key) ??
    (await engine.services.create({
      clientId,
      productId: product.id,
      customFields: { [TRIGGER_MARKER_FIELD]: key },
    }));
  try {
    await engine.operations.enqueue({ serviceId: service.id, action: 'create', idempotencyKey: key });
  } catch (error) {
    // Another node handled the same event at the same moment and enqueued the create for its own
    // service first: withdraw ours, which never reached the backend.
    if (isProvisioningError(error) && error.code === 'idempotency.key_reused') {
      await engine.services.cancel(service.id);
      return;
    }
    throw error;
  }
}

export async function handleTriggerEvent(engine: Engine, event: EngineEvent): Promise<void> {
  const clientId = event.payload.clientId;
  if (typeof clientId !== 'number') {
    engine.logger.warn(
      { eventId: event.id, type: event.type },
      'event has no clientId; no product can be provisioned from it',
    );
    return;
  }
  for (const product of productsTriggeredBy(engine, event, await engine.products.list())) {
    const key = triggerKey(event, product.id);
    if (!key) continue;
    try {
      await provisionOnce(engine, clientId, product, key);
    } catch (error) {
      // Transient trouble: throw, and the event comes again. A permanent one (a product without a
      // server group, a deleted client) would fail on every delivery and hold up later events,
      // so it is logged for the operator instead.
      if (!isProvisioningError(error) || isTransient(error.kind)) throw error;
      engine.logger.error(
        { eventId: event.id, type: event.type, productId: product.id, clientId, err: error.message },
        'event-triggered provisioning failed',
      );
    }
  }
}

/** Subscribes the trigger handler to the engine's events; returns the unsubscribe function. */
export function registerEventTriggers(engine: Engine): () => void {
  return engine.events.subscribe(TRIGGER_SUBSCRIBER, (event) => handleTriggerEvent(engine, event), {
    types: TRIGGER_EVENTS,
  });
}
