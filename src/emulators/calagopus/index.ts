import type { EmulatorControl } from '../kit/control.js';
import { seededRandom } from '../kit/faults.js';
import { serveHttpEmulator, WireControls } from '../kit/http-emulator.js';
import { type EmulatorCertificate, makeCertificate } from '../kit/tls.js';
import type { ControlledEmulator, EmulatorDefinition, EmulatorStartOptions } from '../types.js';
import { FIXTURE, loadFixtures } from './fixtures.js';
import { presentServer } from './present.js';
import { parseRateLimitOption, RateLimiter, type RateLimitSetting } from './rate-limit.js';
import { applyDrift, DRIFT_KINDS, SEED_ENTITIES, seedApiKey, seedEntity } from './seed.js';
import { answerPanelRequest, type PanelRuntime } from './server.js';
import { emptyState, type PanelServer, type PanelState } from './state.js';
import type { Json } from './validation.js';

/**
 * Calagopus panel emulator: the admin API of docs/specs/calagopus.md on a real socket (TLS with
 * `tls: true`), in-memory state, fixtures, the kit's request log, faults, latency and control
 * routes, seed entities for everything the panel holds and drift for what staff change by hand.
 *
 * Faults the panel itself produces are kit faults: Wings refusing a create is an `error` 500 on
 * `POST /api/admin/servers` (the panel deletes the row again, so nothing is kept); Wings refusing
 * a delete is an `error` 417 with `failed to delete server: …`.
 */
export { FIXTURE } from './fixtures.js';

export interface CalagopusEmulator extends ControlledEmulator {
  /** The live state (tests read it; change it through seed and drift). */
  readonly state: PanelState;
  servers(): PanelServer[];
  /** An API key for an admin account (or the given one), with the given admin permissions. */
  createApiKey(options?: {
    permissions?: readonly string[];
    allowedIps?: string[];
    user?: Record<string, unknown>;
  }): string;
  /** A change made by hand in the panel: `suspend`, `unsuspend`, `delete`, `limits`, `duplicate`, … */
  drift(kind: string, input: Record<string, unknown>): unknown;
  /** Rate limit per client address; null switches it off (benchmarks). */
  setRateLimit(setting: RateLimitSetting | null): void;
}

function snapshotOf(state: PanelState) {
  return {
    users: [...state.users.values()],
    apiKeys: state.apiKeys.map((k) => ({ ...k, key: `${k.key.slice(0, 16)}…` })),
    locations: [...state.locations.values()],
    nodes: [...state.nodes.values()],
    allocations: [...state.allocations.values()],
    nests: [...state.nests.values()],
    eggs: [...state.eggs.values()],
    backupConfigurations: [...state.backupConfigurations.values()],
    servers: [...state.servers.values()].map((s) => ({
      ...presentServer(state, s),
      variables: Object.fromEntries(s.variables),
      backups: s.backups,
    })),
    deletedBackups: state.deletedBackups,
  };
}

export async function startCalagopusEmulator(options: EmulatorStartOptions = {}): Promise<CalagopusEmulator> {
  // `provisio emulate calagopus --set seed=7` for repeatable deploy draws from the command line.
  const seed = options.seed ?? (options.options?.seed ? Number(options.options.seed) : 1);
  const state = emptyState();
  const controls = new WireControls({ latencyMs: options.latencyMs ?? 0, seed });
  const configuredLimit = parseRateLimitOption(options.options?.ratelimit);
  const runtime: PanelRuntime = {
    state,
    limiter: new RateLimiter(configuredLimit),
    random: seededRandom(seed),
  };
  if (options.fixtures !== false) loadFixtures(state);
  const certificate: EmulatorCertificate | null = options.tls
    ? await makeCertificate('calagopus-emulator')
    : null;

  const control: EmulatorControl & Omit<CalagopusEmulator, keyof ControlledEmulator | keyof EmulatorControl> =
    {
      id: 'calagopus',
      ...controls.members(),
      state,
      seedEntities: SEED_ENTITIES,
      reset(resetOptions = {}) {
        Object.assign(state, emptyState());
        if (resetOptions.fixtures !== false) loadFixtures(state);
        controls.clear();
        runtime.limiter.clear();
        runtime.random = seededRandom(seed);
      },
      snapshot: () => snapshotOf(state),
      seed: (entity, input) => seedEntity(state, entity, input as Json),
      servers: () => [...state.servers.values()],
      createApiKey(keyOptions = {}) {
        return seedApiKey(state, {
          ...(keyOptions.permissions ? { admin_permissions: [...keyOptions.permissions] } : {}),
          ...(keyOptions.allowedIps ? { allowed_ips: keyOptions.allowedIps } : {}),
          ...(keyOptions.user ? { user: keyOptions.user } : { user_uuid: FIXTURE.adminUser }),
        }).key;
      },
      drift: (kind, input) => applyDrift(state, kind, input as Json),
      setRateLimit(setting) {
        runtime.limiter.setting = setting;
        runtime.limiter.clear();
      },
    };

  const served = await serveHttpEmulator({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 0,
    certificate,
    controls,
    control: () => control,
    extraControl: (method, path, body) => {
      const drift = /^\/drift\/([a-z-]+)$/.exec(path);
      if (method === 'POST' && drift)
        return { status: 200, body: applyDrift(state, drift[1] as string, body) };
      return undefined;
    },
    handle: (request) => answerPanelRequest(runtime, request),
    faultBody: (status) =>
      status === 417
        ? { errors: ['failed to delete server: wings responded with 500 Internal Server Error'] }
        : { errors: [status === 500 ? 'internal server error' : `emulated fault (HTTP ${status})`] },
  });

  return {
    ...control,
    url: served.url,
    port: served.port,
    fingerprint256: certificate?.fingerprint256,
    describe: () => [
      `Calagopus panel emulator at ${served.url} (admin API under /api/admin)`,
      ...(certificate ? [`TLS certificate SHA-256 fingerprint: ${certificate.fingerprint256}`] : []),
      ...(state.apiKeys.some((k) => k.key === FIXTURE.apiKey)
        ? [
            `Admin API key (server password): ${FIXTURE.apiKey}`,
            `Nest ${FIXTURE.nestMinecraft}, egg ${FIXTURE.eggPaper}`,
            `Node eu-node-1 ${FIXTURE.nodeEu1}; locations eu-west ${FIXTURE.locationEu}, us-east ${FIXTURE.locationUs}`,
          ]
        : ['No fixtures: seed an api-key, location, node, allocation, nest, egg first']),
      `Rate limit: ${configuredLimit ? `${configuredLimit.limit} requests / ${configuredLimit.windowSeconds} s per address` : 'off'} (--set ratelimit=off|<hits>/<seconds>)`,
      `Control: ${served.url}/__emulator (requests, faults, reset, snapshot, seed/<${SEED_ENTITIES.join('|')}>, drift/<${DRIFT_KINDS.join('|')}>, latency)`,
    ],
    close: () => served.close(),
  };
}

export const emulator: EmulatorDefinition = {
  id: 'calagopus',
  description: 'Calagopus game-server panel admin API (users, locations, nodes, eggs, servers, deploy)',
  defaultPort: 8000,
  start: (options) => startCalagopusEmulator(options),
};
