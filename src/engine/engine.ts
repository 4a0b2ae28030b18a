import { sql } from 'kysely';
import { type Clock, systemClock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import type { EngineEvent } from '../core/values.js';
import type { AnyModule } from '../modules/contract.js';
import type { Store } from '../store/database.js';
import { listEvents } from '../store/repositories/events.js';
import * as logRepo from '../store/repositories/module-log.js';
import { countOperationsByStatus, type OperationRecord } from '../store/repositories/operations.js';
import type { AuditApi } from './audit-api.js';
import { type ClientsApi, createClientsApi } from './clients-api.js';
import { createDashboardApi, type DashboardApi } from './dashboard-api.js';
import type { EngineDeps, EngineObserver } from './deps.js';
import { registerEventTriggers, TRIGGER_EVENTS, TRIGGER_SUBSCRIBER } from './event-triggers.js';
import { EventBus, type EventHandler } from './events.js';
import { type AppLogger, createAppLogger } from './logger.js';
import { FailureNotifier, type NotificationSettings } from './notifications.js';
import { OperationRunner } from './operation-runner.js';
import { createOperationsApi, type OperationsApi } from './operations-api.js';
import { type AcceptedOrder, acceptOrder, type OrderInput } from './orders.js';
import { createProductsApi, type ProductsApi } from './products-api.js';
import { createReconcileApi, type ReconcileApi } from './reconcile-api.js';
import { type EventSubscriber, type PruneResult, prune, type RetentionPolicy } from './retention.js';
import { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from './runner-options.js';
import { createEngineScope } from './scope.js';
import { withMaskedFields } from './secret-fields.js';
import { createServerGroupsApi, type ServerGroupsApi } from './server-groups-api.js';
import { createServersApi, type ServersApi } from './servers-api.js';
import { createServicesApi, type ServicesApi } from './services-api.js';
import { createTokensApi, type TokensApi } from './tokens-api.js';
import { TtlCache } from './ttl-cache.js';
import { type ServerUsageResult, syncUsage, type UsageSyncOptions } from './usage-sync.js';
import {
  createWebhooksApi,
  DEFAULT_WEBHOOK_OPTIONS,
  WebhookDispatcher,
  type WebhookOptions,
  type WebhooksApi,
} from './webhooks.js';

export interface EngineOptions {
  store: Store;
  secretBox: SecretBox;
  modules: readonly AnyModule[];
  clock?: Clock;
  logger?: AppLogger;
  runner?: Partial<RunnerOptions>;
  observer?: EngineObserver;
  /** Attempts per operation before transient failures end it (default 5). */
  maxAttempts?: number;
  /** Usage sync interval in ms; 0 or undefined: only on demand. */
  usageIntervalMs?: number;
  /** Reconcile interval in ms (finds differences, never repairs); 0 or undefined: only on demand. */
  reconcileIntervalMs?: number;
  eventPollMs?: number;
  /** Provision products on engine events when their module declares triggers (default true). */
  eventTriggers?: boolean;
  /** Redelivery delay of an event whose handler failed (default 5 s). */
  eventRetryMs?: number;
  webhooks?: Partial<WebhookOptions>;
  /** Failure notifications; without channels, none. */
  notifications?: NotificationSettings;
  /** Pruning of old rows; `intervalMs` 0 or unset: only on demand. */
  retention?: RetentionPolicy & { intervalMs?: number };
}

/**
 * The engine facade: what every entry point (HTTP API, CLI, library) may call. Each area's API is
 * typed in its own file; this interface is the decision of what the facade offers.
 */
export interface Engine {
  readonly deps: EngineDeps;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: AppLogger;
  readonly modules: ReadonlyMap<string, AnyModule>;
  readonly runner: OperationRunner;
  readonly orders: {
    /** Client, services, their create operations and `order.accepted`, in one transaction. */
    accept(order: OrderInput): Promise<AcceptedOrder>;
  };
  readonly events: {
    subscribe(name: string, handler: EventHandler, opts?: { types?: readonly string[] }): () => void;
    deliverPending(): Promise<number>;
    list(filter?: { type?: string; afterId?: number; limit?: number }): Promise<EngineEvent[]>;
    bus: EventBus;
  };
  readonly clients: ClientsApi;
  readonly servers: ServersApi;
  readonly serverGroups: ServerGroupsApi;
  readonly products: ProductsApi;
  readonly services: ServicesApi;
  readonly operations: OperationsApi;
  readonly audit: AuditApi;
  readonly tokens: TokensApi;
  readonly webhooks: WebhooksApi;
  /** Drift between billing and the backends: runs, findings, repairs (reconcile.md). */
  readonly reconcile: ReconcileApi;
  readonly retention: { policy: RetentionPolicy; prune(): Promise<PruneResult> };
  /** Read-only aggregates for the admin UI. */
  readonly dashboard: DashboardApi;
  readonly moduleLog: {
    query(filter?: logRepo.ModuleLogFilter): Promise<logRepo.ModuleLogRecord[]>;
    forOperation(operationId: number): Promise<logRepo.ModuleLogRecord[]>;
  };
  readonly usage: { sync(opts?: UsageSyncOptions): Promise<ServerUsageResult[]> };
  /** Readiness: the database answers. */
  ready(): Promise<boolean>;
  /** Operations by status, action and module, over every node (metrics). */
  countOperations(): Promise<{ status: string; action: string; module: string; n: number }[]>;
  /** Enqueue and wait for the end: what a caller that needs an answer does. */
  run(
    serviceId: number,
    action: string,
    opts?: {
      args?: Record<string, unknown>;
      secretArgs?: Record<string, unknown>;
      idempotencyKey?: string;
      timeoutMs?: number;
    },
  ): Promise<OperationRecord>;
  start(): void;
  /** Graceful: running actions finish (or are released after the grace period). */
  stop(): Promise<void>;
}

/**
 * The engine: one object that owns the runner, the events outbox and usage sync, and offers the
 * operations every entry point (HTTP API, CLI, library) needs. Entry points parse and authorise;
 * every rule lives here or below.
 */
export function createEngine(options: EngineOptions): Engine {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createAppLogger();
  const store = options.store;
  const box = options.secretBox;
  const modules = new Map(options.modules.map((m) => [m.id, m]));
  const events = new EventBus(store, clock, logger, {
    pollMs: options.eventPollMs ?? 250,
    retryMs: options.eventRetryMs ?? 5_000,
  });
  const finishWaiters = new Map<number, Set<() => void>>();
  const observer: EngineObserver = {
    ...options.observer,
    operationFinished(operation, durationMs) {
      options.observer?.operationFinished?.(operation, durationMs);
      for (const wake of finishWaiters.get(operation.id) ?? []) wake();
    },
  };
  const deps: EngineDeps = {
    store,
    box,
    modules,
    clock,
    logger,
    events,
    observer,
    defaultMaxAttempts: options.maxAttempts ?? 5,
    cache: { products: new TtlCache(1_000), servers: new TtlCache(1_000) },
  };
  const runner = new OperationRunner(deps, { ...DEFAULT_RUNNER_OPTIONS, ...options.runner });
  let usageTimer: NodeJS.Timeout | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let retentionTimer: NodeJS.Timeout | null = null;
  let unsubscribeTriggers: (() => void) | null = null;
  const { db } = store;

  const scope = createEngineScope({ deps, runner, observer, finishWaiters });
  const clients = createClientsApi(scope);
  const servers = createServersApi(scope);
  const serverGroups = createServerGroupsApi(scope);
  const products = createProductsApi(scope);
  const services = createServicesApi(scope);
  const operations = createOperationsApi(scope);
  const { audit } = scope;
  const tokens = createTokensApi(scope);
  const reconcile = createReconcileApi(scope);
  const dispatcher = new WebhookDispatcher(deps, { ...DEFAULT_WEBHOOK_OPTIONS, ...options.webhooks });
  const webhooks = createWebhooksApi(deps, dispatcher);
  const notifier = options.notifications ? new FailureNotifier(deps, options.notifications) : undefined;
  const retentionPolicy: RetentionPolicy = options.retention ?? {
    operationsMs: 0,
    moduleLogMs: 0,
    eventsMs: 0,
  };
  /** Everyone who acknowledges events, started or not (a local CLI prunes without starting). */
  const eventSubscribers = (): EventSubscriber[] => {
    const declared: EventSubscriber[] = [
      { name: 'webhooks', types: undefined },
      ...(options.eventTriggers !== false ? [{ name: TRIGGER_SUBSCRIBER, types: TRIGGER_EVENTS }] : []),
      ...(notifier?.channels.length ? [{ name: 'notifications', types: ['operation.failed'] }] : []),
    ];
    const live = events.subscribers().filter((s) => !declared.some((d) => d.name === s.name));
    return [...declared, ...live];
  };
  const retention = {
    policy: retentionPolicy,
    prune: () => prune(store, retentionPolicy, clock.now(), eventSubscribers()),
  };

  const orders = {
    /** Client, services, their create operations and `order.accepted`, in one transaction. */
    async accept(order: OrderInput) {
      const accepted = await acceptOrder(deps, order);
      if (accepted.created) {
        runner.announce();
        events.poke();
      }
      return {
        ...accepted,
        client: withMaskedFields(accepted.client),
        services: accepted.services.map((s) => ({ ...s, service: withMaskedFields(s.service) })),
      };
    },
  };

  const engine: Engine = {
    deps,
    orders,
    store,
    clock,
    logger,
    modules,
    runner,
    events: {
      subscribe: (name: string, handler: EventHandler, opts: { types?: readonly string[] } = {}) =>
        events.subscribe(name, handler, opts),
      deliverPending: () => events.deliverPending(),
      list: (filter: { type?: string; afterId?: number; limit?: number } = {}) => listEvents(db, filter),
      bus: events,
    },
    clients,
    servers,
    serverGroups,
    products,
    services,
    operations,
    audit,
    tokens,
    /** Readiness: the database answers. */
    async ready(): Promise<boolean> {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    /** Operations by status, action and module, over every node (metrics). */
    countOperations: () => countOperationsByStatus(db),
    webhooks,
    retention,
    /** Read-only aggregates for the admin UI. */
    dashboard: createDashboardApi({ store, clock }),
    moduleLog: {
      query: (filter: logRepo.ModuleLogFilter = {}) => logRepo.queryModuleLog(db, filter),
      forOperation: (operationId: number) => logRepo.moduleLogForOperation(db, operationId),
    },
    usage: {
      sync: (opts: UsageSyncOptions = {}): Promise<ServerUsageResult[]> => syncUsage(deps, opts),
    },
    /** Drift between billing and backends: findings, and an operator's repairs. */
    reconcile,
    /** Enqueue and wait for the end: what a caller that needs an answer does. */
    async run(
      serviceId: number,
      action: string,
      opts: {
        args?: Record<string, unknown>;
        secretArgs?: Record<string, unknown>;
        idempotencyKey?: string;
        timeoutMs?: number;
      } = {},
    ) {
      const { operation } = await operations.enqueue({ serviceId, action, ...opts });
      return operations.waitFor(operation.id, { timeoutMs: opts.timeoutMs ?? 60_000 });
    },
    start() {
      if (options.eventTriggers !== false && !unsubscribeTriggers)
        unsubscribeTriggers = registerEventTriggers(engine);
      runner.start();
      dispatcher.start(events);
      notifier?.start(events);
      events.start();
      if (options.usageIntervalMs) {
        usageTimer = setInterval(() => {
          syncUsage(deps).catch((error) =>
            logger.error({ err: (error as Error).message }, 'scheduled usage sync failed'),
          );
        }, options.usageIntervalMs);
        usageTimer.unref();
      }
      if (options.reconcileIntervalMs && !reconcileTimer) {
        reconcileTimer = setInterval(() => {
          reconcile
            .runScheduled()
            .catch((error) => logger.error({ err: (error as Error).message }, 'scheduled reconcile failed'));
        }, options.reconcileIntervalMs);
        reconcileTimer.unref();
      }
      if (options.retention?.intervalMs && !retentionTimer) {
        retentionTimer = setInterval(() => {
          retention
            .prune()
            .catch((error) => logger.error({ err: (error as Error).message }, 'scheduled pruning failed'));
        }, options.retention.intervalMs);
        retentionTimer.unref();
      }
    },
    /** Graceful: running actions finish (or are released after the grace period). */
    async stop() {
      if (usageTimer) clearInterval(usageTimer);
      usageTimer = null;
      if (reconcileTimer) clearInterval(reconcileTimer);
      reconcileTimer = null;
      await reconcile.idle();
      if (retentionTimer) clearInterval(retentionTimer);
      retentionTimer = null;
      await runner.stop();
      await events.stop();
      await dispatcher.stop();
      notifier?.stop();
      await Promise.all([...modules.values()].map((module) => module.close?.()));
    },
  };
  return engine;
}
