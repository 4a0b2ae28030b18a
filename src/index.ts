/**
 * provisio as a library: the engine, the module contract for writing a module of your own, the
 * error catalogue helpers and the built-in modules. Emulators are a separate entry
 * (`provisio/emulators`): they are test doubles, never needed to run the engine.
 *
 *   import { createEngine, defineModule, defineErrors, BUILTIN_MODULES } from 'provisio';
 */
export { type Clock, ManualClock, systemClock } from './core/clock.js';
export { engineErrors } from './core/error-catalogue.js';
export {
  defineErrors,
  ERROR_KINDS,
  type ErrorCatalogue,
  type ErrorEntry,
  type ErrorKind,
  type ErrorSpec,
  isProvisioningError,
  isTransient,
  ProvisioningError,
} from './core/errors.js';
export { SecretBox } from './core/secret-box.js';
export { type Actor, ENGINE_ACTOR } from './engine/audit-api.js';
export { createEngine, type Engine, type EngineOptions } from './engine/engine.js';
export type { ModuleDescription } from './engine/module-catalogue.js';
export type * from './engine/records.js';
export type * from './modules/contract.js';
export { defineModule, ownershipMark, serviceIdOfMark } from './modules/contract.js';
export { BUILTIN_MODULES } from './modules/registry.js';
export { migrateStore, openStore, type Store, type StoreOptions } from './store/database.js';
