import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import type { AnyModule, ServerConnection } from '../modules/contract.js';
import type { Store } from '../store/database.js';
import type { OperationRecord } from '../store/repositories/operations.js';
import type { ProductRecord } from '../store/repositories/products.js';
import type { RemoteCallRecord } from '../transport/module-log.js';
import type { EventBus } from './events.js';
import type { AppLogger } from './logger.js';
import type { TtlCache } from './ttl-cache.js';

/** Observes the engine for metrics; every member optional. */
export interface EngineObserver {
  operationFinished?(operation: OperationRecord, durationMs: number): void;
  remoteCall?(module: string, serverId: number, call: RemoteCallRecord): void;
}

/** What the engine's parts share. */
export interface EngineDeps {
  store: Store;
  box: SecretBox;
  modules: ReadonlyMap<string, AnyModule>;
  clock: Clock;
  logger: AppLogger;
  events: EventBus;
  observer: EngineObserver;
  /** Attempts an operation gets before transient failures end it (WHMCS never retries; we do). */
  defaultMaxAttempts: number;
  /** Decrypted products and server connections, read on every operation (see ttl-cache.ts). */
  cache: {
    products: TtlCache<number, ProductRecord | undefined>;
    servers: TtlCache<number, ServerConnection | undefined>;
  };
}
