import type { FastifyInstance } from 'fastify';
import type { Authenticate } from './api/auth.js';
import { createMetrics, type Metrics } from './api/metrics.js';
import { buildApi } from './api/server.js';
import type { Config } from './config.js';
import { keyringFromConfig } from './core/keyring.js';
import type { EngineObserver } from './engine/deps.js';
import { createEngine, type Engine } from './engine/engine.js';
import { type AppLogger, createAppLogger } from './engine/logger.js';
import type { AnyModule } from './modules/contract.js';
import { BUILTIN_MODULES } from './modules/registry.js';
import { notificationSettings, retentionPolicy, webhookOptions } from './production-config.js';
import { migrateStore, openStore, type Store } from './store/database.js';
import { closeHttpAgents } from './transport/http-client.js';

/** Creates or upgrades the database schema; returns the migrations applied. */
export async function migrateDatabase(config: Pick<Config, 'databaseUrl' | 'sqlitePath'>): Promise<string[]> {
  const store = openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  try {
    return await migrateStore(store);
  } finally {
    await store.close();
  }
}

export interface OpenedEngine {
  engine: Engine;
  store: Store;
  /** Stops the engine (running actions finish or are released), then closes the store. */
  close(): Promise<void>;
}

/** config → store → migrations → secret key → engine. The runner is not started here. */
export async function openEngine(
  config: Config,
  options: { logger?: AppLogger; observer?: EngineObserver; modules?: readonly AnyModule[] } = {},
): Promise<OpenedEngine> {
  const store = openStore({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    pgPoolSize: config.pgPoolSize,
  });
  try {
    await migrateStore(store);
    const secretBox = keyringFromConfig(config);
    const engine = createEngine({
      store,
      secretBox,
      modules: options.modules ?? BUILTIN_MODULES,
      logger: options.logger ?? createAppLogger({ level: config.logLevel }),
      maxAttempts: config.maxAttempts,
      usageIntervalMs: config.usageIntervalMinutes * 60_000,
      reconcileIntervalMs: config.reconcileIntervalMinutes * 60_000,
      webhooks: webhookOptions(config),
      retention: retentionPolicy(config),
      ...(notificationSettings(config) ? { notifications: notificationSettings(config)! } : {}),
      runner: {
        concurrency: config.concurrency,
        operationTimeoutMs: config.operationTimeoutSeconds * 1000,
        shutdownGraceMs: config.shutdownGraceSeconds * 1000,
      },
      ...(options.observer ? { observer: options.observer } : {}),
    });
    let closed = false;
    return {
      engine,
      store,
      async close() {
        if (closed) return;
        closed = true;
        await engine.stop();
        await closeHttpAgents();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export interface RunningApp extends OpenedEngine {
  api: FastifyInstance;
  metrics: Metrics;
  url: string;
  /** Set on the first start only: the admin token created for an empty database. */
  bootstrapToken: string | undefined;
}

/**
 * `provisio serve`: the engine with its runner, the HTTP API and metrics. On a database without
 * any API token it creates an admin token and returns it once, to be printed.
 */
export async function startApp(
  config: Config,
  options: { logger?: AppLogger; modules?: readonly AnyModule[]; authenticate?: Authenticate } = {},
): Promise<RunningApp> {
  const metrics = createMetrics();
  const opened = await openEngine(config, { ...options, observer: metrics.observer });
  const { engine } = opened;
  let bootstrapToken: string | undefined;
  if (config.bootstrapToken && (await engine.tokens.count()) === 0) {
    bootstrapToken = (await engine.tokens.create({ name: 'admin (first start)', scope: 'admin' })).token;
  }
  const api = await buildApi({
    engine,
    metrics,
    maxWaitSeconds: config.maxWaitSeconds,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(options.authenticate ? { authenticate: options.authenticate } : {}),
  });
  engine.start();
  let address: string;
  try {
    address = await api.listen({ host: config.host, port: config.port });
  } catch (error) {
    await opened.close();
    throw error;
  }
  const url = address.replace('://127.0.0.1', '://localhost').replace('://[::1]', '://localhost');
  return {
    ...opened,
    api,
    metrics,
    url,
    bootstrapToken,
    async close() {
      // Stop taking requests first, then let running actions finish (or release their leases).
      await api.close();
      await opened.close();
    },
  };
}
