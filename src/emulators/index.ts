/**
 * `provisio/emulators`: the fake backends provisio is tested against, for your own tests and
 * demos (a real network server each, with the common control handle of `kit/control.ts`).
 */
export type { EmulatorControl } from './kit/control.js';
export type { FaultInterceptor, FaultKind, FaultRule } from './kit/faults.js';
export type { LoggedRequest } from './kit/request-log.js';
export { EMULATOR_IDS, loadEmulator } from './registry.js';
export type {
  ControlledEmulator,
  EmulatorDefinition,
  EmulatorStartOptions,
  RunningEmulator,
} from './types.js';
