import { WireControls } from '../kit/http-emulator.js';
import { makeCertificate } from '../kit/tls.js';
import type { ControlledEmulator, EmulatorDefinition, EmulatorStartOptions } from '../types.js';
import { loadFixtures } from './fixtures.js';
import { STOREGRID_GUESSES as G } from './guesses.js';
import { BY_HAND_CHANGES, changeByHand, SEED_ENTITIES, seedEntity } from './seed.js';
import { serveStoreGrid } from './server.js';
import { type AccountType, type AccountView, type Machine, StoreGridState } from './state.js';

export type { AccountType, AccountView, Machine } from './state.js';

/** The whole emulated server, as `snapshot()` and `GET /__emulator/snapshot` give it. */
export interface StoreGridSnapshot {
  resellers: AccountView[];
  customers: AccountView[];
  machines: Machine[];
}

/**
 * The handle: the common control interface (issue 12) plus the StoreGrid specifics — the HTTPS
 * listener beside the HTTP one, the admin credentials, and the changes staff make by hand.
 */
export interface StoreGridEmulator extends ControlledEmulator {
  /** HTTPS listener (the console's secured port). `url`/`port` are the plain-HTTP one. */
  readonly tlsUrl: string;
  readonly tlsPort: number;
  readonly fingerprint256: string;
  readonly credentials: { username: string; password: string };
  snapshot(): StoreGridSnapshot;
  /** One account as the console has it now, or undefined. */
  account(type: AccountType, name: string): AccountView | undefined;
  /** What staff do in the console by hand: drift for reconcile, foreign changes for ownership. */
  byHand(change: (typeof BY_HAND_CHANGES)[number], input: Record<string, unknown>): unknown;
}

function tlsPortOf(options: EmulatorStartOptions): number {
  const asked = options.options?.tlsPort;
  if (asked !== undefined) return Number(asked);
  // `provisio emulate storegrid` serves 6060 and 6061; tests ask for free ports (0).
  return options.port ? options.port + 1 : 0;
}

export async function startStoreGridEmulator(options: EmulatorStartOptions = {}): Promise<StoreGridEmulator> {
  const state = new StoreGridState();
  const withFixtures = options.fixtures !== false;
  if (withFixtures) loadFixtures(state);
  const credentials = {
    username: options.options?.username ?? G.adminUsername,
    password: options.options?.password ?? G.adminPassword,
  };
  const controls = new WireControls({
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const certificate = await makeCertificate('storegrid.emulator');

  const snapshot = (): StoreGridSnapshot => ({
    resellers: state.list('reseller').map((a) => state.view(a)),
    customers: state.list('customer').map((a) => state.view(a)),
    machines: [...state.machines.values()].map((m) => ({ ...m })),
  });
  const byHand: StoreGridEmulator['byHand'] = (change, input) => changeByHand(state, change, input);
  const control = {
    id: 'storegrid',
    seedEntities: SEED_ENTITIES,
    ...controls.members(),
    reset: (resetOptions: { fixtures?: boolean } = {}) => {
      state.clear();
      controls.clear();
      if (resetOptions.fixtures ?? withFixtures) loadFixtures(state);
    },
    snapshot,
    seed: (entity: string, input: Record<string, unknown>) => seedEntity(state, entity, input),
  };

  const listeners = await serveStoreGrid({
    host: options.host ?? '127.0.0.1',
    httpPort: options.port ?? 0,
    httpsPort: tlsPortOf(options),
    certificate,
    state,
    credentials,
    controls,
    control: () => control,
    extraControl: (method, path, body) => {
      const change = path.startsWith('/by-hand/') ? path.slice('/by-hand/'.length) : undefined;
      if (method !== 'POST' || change === undefined) return undefined;
      return { status: 200, body: changeByHand(state, change, body) };
    },
  });
  const { http, https } = listeners;

  return {
    ...control,
    url: http.url,
    port: http.port,
    tlsUrl: https.url,
    tlsPort: https.port,
    fingerprint256: certificate.fingerprint256,
    credentials,
    account: (type, name) => {
      const account = state.get(type, name);
      return account ? state.view(account) : undefined;
    },
    byHand,
    describe: () => [
      `StoreGrid web console (emulated): ${http.url} and ${https.url}`,
      `TLS certificate SHA-256 fingerprint: ${certificate.fingerprint256}`,
      `  provisio server add --name sg --module storegrid --hostname 127.0.0.1 --port ${https.port} --username ${credentials.username} --secret-env SG_PASSWORD --tls-fingerprint ${certificate.fingerprint256}`,
      `admin user ${credentials.username}, password ${credentials.password}`,
      `control: ${http.url}/__emulator (requests, faults, reset, snapshot, seed/{${SEED_ENTITIES.join(',')}}, by-hand/{${BY_HAND_CHANGES.join(',')}})`,
    ],
    close: () => listeners.close(),
  };
}

export const emulator: EmulatorDefinition = {
  id: 'storegrid',
  description: 'StoreGrid SP backup server web console (wire format assumed: docs/specs/storegrid.md §4)',
  defaultPort: 6060,
  start: (options) => startStoreGridEmulator(options),
};
