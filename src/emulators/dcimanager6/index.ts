import type { ControlReply } from '../kit/control.js';
import type { FaultInterceptor, FaultRule } from '../kit/faults.js';
import { type ServedEmulator, serveHttpEmulator, WireControls } from '../kit/http-emulator.js';
import type { LoggedRequest, RequestFilter } from '../kit/request-log.js';
import { type EmulatorCertificate, makeCertificate } from '../kit/tls.js';
import type { ControlledEmulator, EmulatorDefinition, EmulatorStartOptions } from '../types.js';
import { FIXTURE_ADMIN, loadFixtures } from './fixtures.js';
import type { Sessions } from './handlers.js';
import { SEED_ENTITIES, seedEntity } from './seed.js';
import { answerDci6 } from './server.js';
import {
  Dci6State,
  type EmuOperation,
  type ForcedOutcome,
  type OperationKind,
  type WireServer,
} from './state.js';

/**
 * DCImanager 6 emulator (docs/specs/dcimanager6.md §9): a real HTTP(S) server on the emulator kit
 * (request log, faults, latency, control routes, TLS with a fingerprint) answering the DCI6 API
 * from its own route table, with operations on a virtual clock. The handle is a
 * `ControlledEmulator` plus what only a DCImanager has: its clock, forced operation outcomes and
 * durations, and expiring sessions (also as control routes: `POST /__emulator/advance {"ms"}`,
 * `/outcome {"kind","outcome","message"}`, `/duration {"kind","ms"}`, `/expire-sessions`).
 */
export interface Dci6EmulatorOptions extends EmulatorStartOptions {
  /** The clock operations advance on (the engine's ManualClock in tests). Default: wall time. */
  now?: () => number;
}

export class Dci6Emulator implements ControlledEmulator {
  readonly id = 'dcimanager6';
  readonly seedEntities = SEED_ENTITIES;
  state: Dci6State;
  url = '';
  port = 0;
  private offsetMs = 0;
  private sessions: Sessions = { tokens: new Map(), keys: new Map(), nextTokenId: 0 };
  private readonly controls: WireControls;
  private served: ServedEmulator | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly options: Dci6EmulatorOptions = {},
    private readonly certificate: EmulatorCertificate | null = null,
  ) {
    this.clock = options.now ?? Date.now;
    this.controls = new WireControls({ latencyMs: options.latencyMs ?? 0, seed: options.seed ?? 1 });
    this.state = this.freshState(options.fixtures !== false);
    this.applySetOptions(options.options ?? {});
  }

  get fingerprint256(): string | undefined {
    return this.certificate?.fingerprint256;
  }

  async listen(): Promise<this> {
    this.served = await serveHttpEmulator({
      host: this.options.host ?? '127.0.0.1',
      port: this.options.port ?? 0,
      certificate: this.certificate,
      controls: this.controls,
      control: () => this,
      extraControl: (method, path, body) => this.extraControl(method, path, body),
      handle: (request) => answerDci6(this.state, this.sessions, request),
      faultBody: (status) => ({ error: { code: 0, msg: `injected failure (HTTP ${status})`, value: {} } }),
    });
    this.url = this.served.url;
    this.port = this.served.port;
    return this;
  }

  now(): number {
    return this.clock() + this.offsetMs;
  }

  // ------------------------------------------------------------------ the kit's control handle

  requests(filter?: RequestFilter): LoggedRequest[] {
    return this.controls.log.list(filter);
  }

  clearRequests(): void {
    this.controls.log.clear();
  }

  injectFault(rule: FaultRule): void {
    this.controls.faultList.add(rule);
  }

  interceptFaults(interceptor: FaultInterceptor | undefined): void {
    this.controls.faultList.intercept(interceptor);
  }

  faults(): FaultRule[] {
    return this.controls.faultList.list();
  }

  clearFaults(): void {
    this.controls.faultList.clear();
  }

  setLatency(ms: number): void {
    this.controls.latencyMs = ms;
  }

  reset(options: { fixtures?: boolean } = {}): void {
    this.state = this.freshState(options.fixtures !== false);
    this.sessions = { tokens: new Map(), keys: new Map(), nextTokenId: 0 };
    this.controls.clear();
  }

  snapshot(): unknown {
    const { state } = this;
    return {
      now: this.now(),
      servers: state.wireServers(),
      users: [...state.users.values()].map((user) => state.wireUser(user)),
      pools: [...state.pools.values()],
      ips: [...state.ips.values()],
      templates: [...state.templates.values()],
      locations: [...state.locations.values()],
      operations: [...state.operations.values()].map((op) => state.operation(op.id)),
    };
  }

  seed(entity: string, input: Record<string, unknown>): unknown {
    return seedEntity(this.state, entity, input);
  }

  // ------------------------------------------------------------------ what only a DCImanager has

  /** Moves the emulator's own time on (adds to the given clock). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** The next operation of `kind` ends this way (`hang` never ends). */
  forceOutcome(kind: OperationKind, outcome: ForcedOutcome, message?: string): void {
    this.state.forced[kind].push({ outcome, ...(message ? { message } : {}) });
  }

  setDuration(kind: OperationKind, ms: number): void {
    this.state.durations[kind] = ms;
  }

  /** Every session token stops working (an expired session). */
  expireSessions(): void {
    this.sessions.tokens.clear();
  }

  /** Session tokens that still work (a test counts the sessions a module left open). */
  openSessions(): number {
    return this.sessions.tokens.size;
  }

  /** A server as the API shows it. */
  server(id: number): WireServer {
    const server = this.state.servers.get(id);
    if (!server) throw new Error(`no server ${id}`);
    return this.state.wireServer(server);
  }

  operations(serverId: number): EmuOperation[] {
    return this.state.operationsOf(serverId);
  }

  describe(): string[] {
    return [
      `DCImanager 6 emulator at ${this.url} (also under ${this.url}/api)`,
      ...(this.fingerprint256 ? [`certificate SHA-256 fingerprint: ${this.fingerprint256}`] : []),
      `admin login: ${FIXTURE_ADMIN.email} / ${FIXTURE_ADMIN.password} (an @admin user); ops@example.com is another administrator`,
      'configurations: E-2146G-64Gb-1920SSD (servers 101-104), i9-9900K-64Gb-2x1024NVMe (201, 202)',
      'pools: 1 public IPv4, 2 diagnostics, 3 public-v6; templates: Ubuntu 22.04, Debian 12, AlmaLinux 9, Diag6',
      `control: ${this.url}/__emulator (requests, faults, reset, snapshot, seed/<${SEED_ENTITIES.join('|')}>, latency, advance, outcome, duration, expire-sessions)`,
    ];
  }

  async close(): Promise<void> {
    await this.served?.close();
  }

  private freshState(fixtures: boolean): Dci6State {
    const state = new Dci6State(() => this.now());
    if (fixtures) loadFixtures(state);
    return state;
  }

  private applySetOptions(set: Record<string, string>): void {
    if (set.installMinutes) this.setDuration('os_install', Number(set.installMinutes) * 60_000);
    if (set.diagMinutes) this.setDuration('diag', Number(set.diagMinutes) * 60_000);
  }

  private extraControl(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): ControlReply | undefined {
    const kind = body.kind === 'diag' || body.kind === 'os_install' ? body.kind : undefined;
    switch (`${method} ${path}`) {
      case 'POST /advance':
        if (typeof body.ms !== 'number' || body.ms < 0)
          return { status: 422, body: { error: 'ms must be a number ≥ 0' } };
        this.advance(body.ms);
        return { status: 200, body: { now: this.now() } };
      case 'POST /outcome':
        if (!kind || !['ok', 'failed', 'hang'].includes(String(body.outcome)))
          return { status: 422, body: { error: 'kind os_install|diag and outcome ok|failed|hang' } };
        this.forceOutcome(
          kind,
          body.outcome as ForcedOutcome,
          typeof body.message === 'string' ? body.message : undefined,
        );
        return { status: 200, body: { ok: true } };
      case 'POST /duration':
        if (!kind || typeof body.ms !== 'number' || body.ms < 0)
          return { status: 422, body: { error: 'kind os_install|diag and ms ≥ 0' } };
        this.setDuration(kind, body.ms);
        return { status: 200, body: { ok: true } };
      case 'POST /expire-sessions':
        this.expireSessions();
        return { status: 200, body: { ok: true } };
      default:
        return undefined;
    }
  }
}

export async function startDci6Emulator(options: Dci6EmulatorOptions = {}): Promise<Dci6Emulator> {
  const certificate = options.tls ? await makeCertificate('dcimanager6-emulator') : null;
  return new Dci6Emulator(options, certificate).listen();
}

export const emulator: EmulatorDefinition = {
  id: 'dcimanager6',
  description:
    'DCImanager 6 dedicated servers: auth v4, servers, switch ports, IP pools, OS installs and diagnostics on a virtual clock',
  defaultPort: 1500,
  start: (options) => startDci6Emulator(options),
};
