import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import type { AnyModule } from '../modules/contract.js';
import type { Store } from '../store/database.js';
import type { OperationRecord } from '../store/repositories/operations.js';
import type { RemoteCallRecord } from '../transport/module-log.js';
import type { EventBus } from './events.js';
import type { AppLogger } from './logger.js';

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
}
