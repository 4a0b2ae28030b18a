import type { EmulatorDefinition } from '../types.js';
import { startStoreGridServer } from './server.js';

export type { RequestLogEntry, StoreGridEmulator, StoreGridFault } from './server.js';
export { startStoreGridServer } from './server.js';

export const emulator: EmulatorDefinition = {
  id: 'storegrid',
  description: 'StoreGrid SP backup server web console (wire format assumed, see wire-adapter.ts)',
  defaultPort: 6060,
  start: (options) => startStoreGridServer(options),
};
