import type { Clock } from '../core/clock.js';
import type { EngineEvent } from '../modules/contract.js';
import type { Db, Store } from '../store/database.js';
import { insertEvent, markDeliveredMany, undeliveredEvents } from '../store/repositories/events.js';
import type { AppLogger } from './logger.js';
import { RoundLoop } from './round-loop.js';

/**
 * The events outbox. Events are written in the same transaction as the change they describe, so
 * none is lost and none describes a change that was rolled back. Subscribers get them at least
 * once, in order, each acknowledged in `event_deliveries` under the subscriber's stable name; a
 * handler that throws gets the same event again later. Handlers must therefore be idempotent
 * (the event id, or an idempotency key derived from it, is the tool for that).
 *
 * Event types: client.created, order.accepted, service.created, service.suspended,
 * service.unsuspended, service.terminated, service.package_changed, service.password_changed,
 * service.cancelled, service.action_completed, operation.failed.
 */
export type EventHandler = (event: EngineEvent) => Promise<void>;

/** Events read and acknowledged at a time per subscriber. */
const PAGE_SIZE = 100;

/**
 * The least time between two delivery rounds asked for by publishes: under load a round then
 * delivers what 20 ms brought (three queries per round, whatever it delivers) instead of running
 * once per finished operation; an idle bus delivers a new event at once.
 */
const ROUND_GAP_MS = 20;

interface Subscription {
  name: string;
  handler: EventHandler;
  types: readonly string[] | undefined;
  cursor: number;
  retryAt: number;
}

export class EventBus {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly loop: RoundLoop;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly options: { pollMs: number; retryMs: number } = { pollMs: 250, retryMs: 5_000 },
  ) {
    this.loop = new RoundLoop(
      () => this.deliverPending(),
      options.pollMs,
      (error) => logger.error({ err: error.message }, 'event delivery round failed'),
      ROUND_GAP_MS,
    );
  }

  /** `name` must stay the same across restarts: deliveries are remembered under it. */
  subscribe(name: string, handler: EventHandler, options: { types?: readonly string[] } = {}): () => void {
    if (this.subscriptions.has(name)) throw new Error(`an event subscriber named ${name} exists already`);
    this.subscriptions.set(name, { name, handler, types: options.types, cursor: 0, retryAt: 0 });
    this.poke();
    return () => this.subscriptions.delete(name);
  }

  /** Who is subscribed in this process, for retention: an event is delivered once each acknowledged it. */
  subscribers(): { name: string; types: readonly string[] | undefined }[] {
    return [...this.subscriptions.values()].map(({ name, types }) => ({ name, types }));
  }

  async publish(trx: Db, type: string, payload: Record<string, unknown>): Promise<number> {
    return insertEvent(trx, type, payload, this.clock.now());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Deliver soon (after a publish committed). */
  poke(): void {
    this.loop.poke();
  }

  /** One delivery round over every subscriber; returns how many events were delivered. */
  async deliverPending(): Promise<number> {
    let delivered = 0;
    for (const subscription of [...this.subscriptions.values()]) {
      if (subscription.retryAt > this.clock.now() && this.loop.isRunning) continue;
      delivered += await this.deliverTo(subscription);
    }
    return delivered;
  }

  private async deliverTo(subscription: Subscription): Promise<number> {
    let delivered = 0;
    for (let page = 0; ; page++) {
      const events = await undeliveredEvents(
        this.store.db,
        subscription.name,
        subscription.cursor,
        PAGE_SIZE,
        subscription.types,
      );
      if (events.length === 0) {
        if (page === 0) await this.advanceIdleCursor(subscription);
        return delivered;
      }
      // Acknowledged per page, not per event: at-least-once holds (a crash before the ack
      // delivers the page again) and a page of 100 costs one write instead of 100.
      const handled: number[] = [];
      const acknowledge = () =>
        markDeliveredMany(this.store.db, subscription.name, handled, this.clock.now()).then(() => {
          if (handled.length) subscription.cursor = handled[handled.length - 1]!;
          delivered += handled.length;
        });
      for (const event of events) {
        try {
          await subscription.handler(event);
        } catch (error) {
          subscription.retryAt = this.clock.now() + this.options.retryMs;
          this.logger.warn(
            {
              subscriber: subscription.name,
              eventId: event.id,
              type: event.type,
              err: (error as Error).message,
            },
            'event handler failed; the event will be delivered again',
          );
          await acknowledge();
          return delivered;
        }
        handled.push(event.id);
      }
      await acknowledge();
      // A short page was all there was: asking again would cost a query to hear "nothing".
      if (events.length < PAGE_SIZE) return delivered;
    }
  }

  /**
   * With nothing pending, move the cursor up to a window below the newest event, so polls do not
   * re-scan the whole table after a restart. The window keeps events whose transactions commit
   * out of id order (concurrent writers on PostgreSQL) within reach.
   */
  private async advanceIdleCursor(subscription: Subscription): Promise<void> {
    const row = await this.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    const newest = Number(row?.max ?? 0);
    subscription.cursor = Math.max(subscription.cursor, newest - EventBus.OUT_OF_ORDER_WINDOW);
  }

  static readonly OUT_OF_ORDER_WINDOW = 1_000;
}
