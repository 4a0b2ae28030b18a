import { hostname } from 'node:os';
import { fail } from '../core/error-catalogue.js';
import { isSecretKeyName, MASK } from '../core/redaction.js';
import type { EngineEvent } from '../core/values.js';
import * as repo from '../store/repositories/webhooks.js';
import { postSignedJson } from '../transport/webhook-post.js';
import { type BackoffPolicy, retryDelayMs } from './backoff.js';
import type { EngineDeps } from './deps.js';
import type { EventBus } from './events.js';
import { RoundLoop } from './round-loop.js';
import { FieldErrors } from './validation.js';

/**
 * Webhooks: HTTP subscribers of the events outbox.
 *
 * The outbox delivers each event at least once to the subscriber `webhooks`, which fans it out
 * into one `webhook_deliveries` row per enabled webhook that wants its type (a unique index makes
 * a repeated fan-out harmless). That table is both the delivery log and the retry queue: nodes
 * claim due rows with a lease (as operations are claimed), POST the signed event, and record the
 * attempt; a failure is retried with exponential backoff until `maxAttempts`, then the row ends
 * `failed` and waits for a replay. A node that dies while sending leaves a lease that expires, and
 * another node sends again: receivers get every event at least once and deduplicate on
 * `Provisio-Event-Id`. Order is not guaranteed across retries (as with Stripe): receivers order by
 * the event's `createdAt` or id.
 */

/** Event types the engine publishes (engine/events.ts); `*` subscribes to all of them. */
export const EVENT_TYPES: readonly string[] = Object.freeze([
  'client.created',
  'order.accepted',
  'service.created',
  'service.suspended',
  'service.unsuspended',
  'service.terminated',
  'service.package_changed',
  'service.password_changed',
  'service.cancelled',
  'service.action_completed',
  'service.repaired',
  'operation.failed',
]);

export interface WebhookOptions {
  /** Time limit of one POST. */
  timeoutMs: number;
  maxAttempts: number;
  retry: BackoffPolicy;
  pollMs: number;
  /** Deliveries sent at once by this process. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = Object.freeze({
  timeoutMs: 10_000,
  maxAttempts: 12,
  retry: { baseMs: 10_000, capMs: 3_600_000 },
  pollMs: 1_000,
  concurrency: 8,
});

/** The body a receiver gets: the event, with every value under a secret-named key masked. */
export function webhookBody(event: EngineEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    data: maskSecretKeys(event.payload),
  });
}

/** Events carry ids, not secrets; this keeps it so whatever a future event adds. */
function maskSecretKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecretKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, isSecretKeyName(key) ? MASK : maskSecretKeys(inner)]),
    );
  return value;
}

const SECRET_MIN_LENGTH = 16;

/** Every problem with a webhook's fields at once; nothing is written when there is one. */
function checkWebhook(input: repo.WebhookPatch, creating: boolean): void {
  const errors = new FieldErrors();
  if (input.url !== undefined || creating) {
    const problem = urlProblem(input.url);
    if (problem) throw fail('webhook.url_invalid', `the webhook URL ${problem}`);
  }
  if (input.eventTypes !== undefined || creating) {
    const types = input.eventTypes ?? [];
    if (types.length === 0) errors.add('eventTypes', 'eventTypes needs at least one event type (or "*")');
    const unknown = types.filter((type) => type !== '*' && !EVENT_TYPES.includes(type));
    if (unknown.length)
      throw fail(
        'webhook.event_type_unknown',
        `unknown event type${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: choose from ${EVENT_TYPES.join(', ')} or "*"`,
        {
          details: unknown.map((type) => ({ field: 'eventTypes', message: `${type} is not an event type` })),
        },
      );
  }
  if (input.secret !== undefined || creating) {
    if (typeof input.secret !== 'string' || input.secret.length < SECRET_MIN_LENGTH)
      errors.add('secret', `secret must be at least ${SECRET_MIN_LENGTH} characters (use a random string)`);
  }
  errors.text('description', input.description, { max: 200 });
  errors.throwIfAny(creating ? 'the webhook was not added' : 'the webhook was not changed');
}

function urlProblem(url: string | undefined): string | null {
  if (!url) return 'is required';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'must start with http:// or https://';
  if (parsed.username || parsed.password)
    return 'must not hold a user name or password: the signature authenticates provisio';
  const secretParam = [...parsed.searchParams.keys()].find(isSecretKeyName);
  if (secretParam)
    return `must not carry a credential in its query (${secretParam}): it would be stored and shown in clear; the signature authenticates provisio`;
  return null;
}

/** Claims and sends due deliveries; one per process, started with the engine. */
export class WebhookDispatcher {
  private readonly loop: RoundLoop;
  private unsubscribe: (() => void) | null = null;
  private readonly owner = `${hostname()}:${process.pid}:webhooks`;
  private webhookList: {
    readAt: number;
    rows: Awaited<ReturnType<typeof repo.enabledWebhooks>>;
  } | null = null;

  /** A webhook was added, changed or removed: the next fan-out reads the list again. */
  forgetWebhooks(): void {
    this.webhookList = null;
  }

  constructor(
    private readonly deps: Pick<EngineDeps, 'store' | 'box' | 'clock' | 'logger'>,
    readonly options: WebhookOptions,
  ) {
    this.loop = new RoundLoop(
      () => this.deliverDue(),
      options.pollMs,
      (error) => deps.logger.error({ err: error.message }, 'webhook delivery round failed'),
    );
  }

  /** Subscribes the fan-out to the outbox and starts sending. */
  start(bus: EventBus): void {
    if (this.loop.isRunning) return;
    this.unsubscribe = bus.subscribe('webhooks', (event) => this.fanOut(event));
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop.stop();
  }

  poke(): void {
    this.loop.poke();
  }

  /**
   * One pending delivery per webhook that wants the event (and existed when it happened). The
   * list of webhooks is read once for a page of events: a list read after an event was created
   * holds every webhook that existed then (a strictly later clock reading, so a clock that stands
   * still never reuses it), and a change made through this engine drops it. Reading it per event
   * was one query per operation on the hot path.
   */
  async fanOut(event: EngineEvent): Promise<void> {
    const { db } = this.deps.store;
    if (!this.webhookList || this.webhookList.readAt <= event.createdAt) {
      const readAt = this.deps.clock.now();
      this.webhookList = { readAt, rows: await repo.enabledWebhooks(db) };
    }
    const ids = this.webhookList.rows
      .filter((w) => w.createdAt <= event.createdAt)
      .filter((w) => w.eventTypes.includes('*') || w.eventTypes.includes(event.type))
      .map((w) => w.id);
    await repo.insertFirstDeliveries(db, ids, event, this.deps.clock.now());
    if (ids.length) this.poke();
  }

  /** Sends everything due now, batch after batch; returns how many attempts were made. */
  async deliverDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const claimed = await repo.claimDeliveries(this.deps.store, {
        owner: this.owner,
        now: this.deps.clock.now(),
        // Long enough for the POST and the write after it; a dead node's rows are due again after.
        leaseMs: this.options.timeoutMs + 30_000,
        limit: this.options.concurrency,
      });
      await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
      attempts += claimed.length;
      if (claimed.length < this.options.concurrency) return attempts;
    }
  }

  private async attempt(delivery: repo.ClaimedDelivery): Promise<void> {
    const { store, box, clock, logger } = this.deps;
    const target = await repo.webhookTarget(store.db, box, delivery.webhookId);
    const event = await repo.getEvent(store.db, delivery.eventId);
    const attemptNumber = delivery.attempts + 1;
    const result =
      target && event
        ? await postSignedJson(target.url, target.secret, webhookBody(event), {
            timeoutMs: this.options.timeoutMs,
            now: () => clock.now(),
            headers: {
              'Provisio-Event-Id': String(event.id),
              'Provisio-Event-Type': event.type,
              'Provisio-Delivery-Id': String(delivery.id),
              'Provisio-Attempt': String(attemptNumber),
            },
          })
        : {
            status: null,
            ok: false,
            error: event ? 'the webhook was deleted' : 'the event was pruned by retention',
            durationMs: 0,
          };
    const now = clock.now();
    const gaveUp = !result.ok && (attemptNumber >= this.options.maxAttempts || !target || !event);
    const status: repo.DeliveryStatus = result.ok ? 'delivered' : gaveUp ? 'failed' : 'pending';
    const recorded = await repo.recordAttempt(store.db, delivery, {
      attempt: { at: now, status: result.status, error: result.error, durationMs: result.durationMs },
      status,
      nextAttemptAt: status === 'pending' ? now + retryDelayMs(this.options.retry, attemptNumber) : now,
    });
    if (!recorded) return;
    if (status === 'failed')
      logger.warn(
        {
          webhookId: delivery.webhookId,
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          err: result.error,
        },
        `webhook delivery gave up after ${attemptNumber} attempts; replay it with provisio webhook replay`,
      );
  }
}

/** The engine's `webhooks` area: records, the delivery log, replays. */
export function createWebhooksApi(
  deps: Pick<EngineDeps, 'store' | 'box' | 'clock'>,
  dispatcher: WebhookDispatcher,
) {
  const { store, box, clock } = deps;
  const { db } = store;
  const requireWebhook = async (id: number) =>
    (await repo.getWebhook(db, id)) ??
    Promise.reject(fail('webhook.not_found', `webhook ${id} does not exist`));
  const requireDelivery = async (webhookId: number, deliveryId: number) => {
    await requireWebhook(webhookId);
    const delivery = await repo.getDelivery(db, deliveryId);
    if (!delivery || delivery.webhookId !== webhookId)
      throw fail('webhook_delivery.not_found', `webhook ${webhookId} has no delivery ${deliveryId}`);
    return delivery;
  };
  return {
    eventTypes: EVENT_TYPES,
    async create(input: repo.NewWebhook) {
      checkWebhook(input, true);
      const created = await repo.insertWebhook(
        db,
        box,
        { ...input, eventTypes: [...new Set(input.eventTypes)] },
        clock.now(),
      );
      dispatcher.forgetWebhooks();
      return created;
    },
    get: requireWebhook,
    list: () => repo.listWebhooks(db),
    async update(id: number, patch: repo.WebhookPatch) {
      await requireWebhook(id);
      checkWebhook(patch, false);
      const eventTypes = patch.eventTypes && [...new Set(patch.eventTypes)];
      const updated = (await repo.updateWebhook(
        db,
        box,
        id,
        { ...patch, ...(eventTypes ? { eventTypes } : {}) },
        clock.now(),
      ))!;
      dispatcher.forgetWebhooks();
      return updated;
    },
    async delete(id: number) {
      await requireWebhook(id);
      await store.write((trx) => repo.deleteWebhook(trx, id));
      dispatcher.forgetWebhooks();
    },
    async deliveries(filter: repo.DeliveryFilter) {
      await requireWebhook(filter.webhookId);
      return repo.listDeliveries(db, filter);
    },
    delivery: requireDelivery,
    /** Sends the event of a delivery again, as a new delivery with fresh attempts. */
    async replay(webhookId: number, deliveryId: number) {
      const delivery = await requireDelivery(webhookId, deliveryId);
      const replay = await repo.insertReplay(db, delivery, clock.now());
      dispatcher.poke();
      return replay;
    },
    /** Replays every failed delivery of the webhook that a later delivery has not made good. */
    async replayFailed(webhookId: number, limit = 1_000) {
      await requireWebhook(webhookId);
      const failed = await repo.failedDeliveries(db, webhookId, limit);
      const now = clock.now();
      const replays = await store.write(async (trx) => {
        const out: repo.DeliveryRecord[] = [];
        for (const delivery of failed) out.push(await repo.insertReplay(trx, delivery, now));
        return out;
      });
      dispatcher.poke();
      return replays;
    },
    deliverDue: () => dispatcher.deliverDue(),
  };
}

export type WebhooksApi = ReturnType<typeof createWebhooksApi>;
