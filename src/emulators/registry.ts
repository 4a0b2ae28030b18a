import type { EmulatorDefinition } from './types.js';

/** Emulators load on demand: `provisio emulate <id>` imports only the one it starts. */
const EMULATORS: Record<string, () => Promise<EmulatorDefinition>> = {
  axigen: async () => (await import('./axigen/index.js')).emulator,
  calagopus: async () => (await import('./calagopus/index.js')).emulator,
  dcimanager6: async () => (await import('./dcimanager6/index.js')).emulator,
  easymailarchive: async () => (await import('./easymailarchive/index.js')).emulator,
  storegrid: async () => (await import('./storegrid/index.js')).emulator,
};

export const EMULATOR_IDS = Object.keys(EMULATORS);

export async function loadEmulator(id: string): Promise<EmulatorDefinition | undefined> {
  const load = EMULATORS[id];
  return load ? load() : undefined;
}
