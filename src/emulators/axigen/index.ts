import type { ControlReply, ExtraControlRoute } from '../kit/control.js';
import { serveControl } from '../kit/control.js';
import type { FaultInterceptor, FaultRule } from '../kit/faults.js';
import { WireControls } from '../kit/http-emulator.js';
import type { LoggedRequest, RequestFilter } from '../kit/request-log.js';
import { makeCertificate } from '../kit/tls.js';
import type { ControlledEmulator, EmulatorDefinition } from '../types.js';
import { DEFAULT_ADMIN, defaultUsers, loadFixtures } from './fixtures.js';
import { GUESSED } from './guesses.js';
import { CliInterpreter, type CliUser, DEFAULT_LIMITS, type SessionLimits } from './interpreter.js';
import { SEED_ENTITIES, seedEntity } from './seed.js';
import { type CliWire, serveCli } from './server.js';
import { clearServerState, createServerState, type ServerState, snapshot } from './state.js';

export { DEFAULT_ADMIN } from './fixtures.js';

/**
 * The Axigen CLI emulator (docs/specs/axigen.md §9): the CLI on a real socket (plain TCP or
 * implicit TLS with a self-signed certificate made at start), and the common control handle of
 * every emulator — in-process through this object, over HTTP through `serveControl` on its own
 * port (`/__emulator/...`, plus `POST usage` and `POST drop`).
 */
export interface AxigenEmulatorOptions {
  host?: string;
  port?: number;
  tls?: boolean;
  latencyMs?: number;
  /** `X6`, `X7`, or a full `GET VERSION` line. Default X7. */
  version?: string;
  users?: Record<string, CliUser>;
  /** Load the demo data (default true); `reset` reloads it unless told otherwise. */
  fixtures?: boolean;
  /** Close a connection idle this long (§1: 300 s). */
  idleTimeoutMs?: number;
  limits?: Partial<SessionLimits>;
  /** Port of the HTTP control interface; false for none. Default 0 (ephemeral). */
  controlPort?: number | false;
  /** Seed of probabilistic faults. */
  seed?: number;
}

function resolveVersion(version: string | undefined): string {
  const key = version ?? 'X7';
  return GUESSED.versions[key] ?? key;
}

export class AxigenEmulator implements ControlledEmulator {
  readonly id = 'axigen';
  readonly seedEntities = SEED_ENTITIES;
  readonly state: ServerState = createServerState();
  readonly users: Map<string, CliUser>;
  readonly version: string;
  readonly secure: boolean;
  url = '';
  port = 0;
  controlUrl: string | undefined;
  fingerprint256: string | undefined;
  /** Connections accepted (after the TLS handshake) and logins that succeeded, since start. */
  connectionsAccepted = 0;
  logins = 0;
  private readonly controls: WireControls;
  private readonly withFixtures: boolean;
  private wire: CliWire | null = null;
  private control: { url: string; close(): Promise<void> } | null = null;

  private constructor(private readonly options: AxigenEmulatorOptions) {
    this.controls = new WireControls({ latencyMs: options.latencyMs ?? 0, seed: options.seed ?? 1 });
    this.version = resolveVersion(options.version);
    this.secure = options.tls === true;
    this.withFixtures = options.fixtures !== false;
    this.users = options.users ? new Map(Object.entries(options.users)) : defaultUsers();
    if (this.withFixtures) loadFixtures(this.state);
  }

  static async start(options: AxigenEmulatorOptions = {}): Promise<AxigenEmulator> {
    const emulator = new AxigenEmulator(options);
    await emulator.listen();
    return emulator;
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const certificate = this.secure ? await makeCertificate('axigen-emulator.local') : null;
    this.fingerprint256 = certificate?.fingerprint256;
    const limits = { ...DEFAULT_LIMITS, ...this.options.limits };
    this.wire = await serveCli({
      host,
      port: this.options.port ?? 0,
      certificate,
      controls: this.controls,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 300_000,
      newSession: () => new CliInterpreter(this.state, this.users, this.version, limits),
      onAccept: () => {
        this.connectionsAccepted += 1;
      },
      onLogin: () => {
        this.logins += 1;
      },
    });
    this.url = this.wire.url;
    this.port = this.wire.port;
    if (this.options.controlPort !== false) {
      this.control = await serveControl(this, host, this.options.controlPort ?? 0, this.extraRoutes);
      this.controlUrl = this.control.url;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The common control handle (kit/control.ts)

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
    clearServerState(this.state);
    this.controls.clear();
    if (options.fixtures ?? this.withFixtures) loadFixtures(this.state);
  }

  snapshot(): Record<string, unknown> {
    return snapshot(this.state);
  }

  seed(entity: string, input: Record<string, unknown>): unknown {
    return seedEntity(this.state, entity, input);
  }

  // -------------------------------------------------------------------------------------------
  // Axigen extras

  /** Command lines received (password lines as `***`), on one connection or all, in order. */
  commands(connection?: number): string[] {
    return this.requests()
      .filter((entry) => connection === undefined || entry.connection === connection)
      .map((entry) => entry.path);
  }

  setMailboxUsage(domain: string, account: string, usage: { sizeKb: number; messages?: number }): void {
    const found = this.state.domains.get(domain)?.accounts.get(account);
    if (!found) throw new Error(`no account ${account}@${domain} in the emulator`);
    found.registry.mboxSizeKb = usage.sizeKb;
    if (usage.messages !== undefined) found.registry.messageCount = usage.messages;
  }

  dropConnections(): void {
    this.wire?.dropConnections();
  }

  get openConnections(): number {
    return this.wire?.openConnections ?? 0;
  }

  private readonly extraRoutes: ExtraControlRoute = (method, path, body): ControlReply | undefined => {
    if (method === 'POST' && path === '/usage') {
      this.setMailboxUsage(String(body.domain), String(body.account), {
        sizeKb: Number(body.sizeKb ?? 0),
        messages: Number(body.messages ?? 0),
      });
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === '/drop') {
      this.dropConnections();
      return { status: 200, body: { ok: true } };
    }
    return undefined;
  };

  describe(): string[] {
    return [
      `Axigen CLI emulator (${this.version}) on ${this.url}${this.secure ? ' (implicit TLS, self-signed)' : ''}`,
      `log in with ${DEFAULT_ADMIN.username} / ${DEFAULT_ADMIN.password}; domains: ${[...this.state.domains.keys()].join(', ') || 'none'}`,
      ...(this.fingerprint256 ? [`certificate SHA-256 fingerprint: ${this.fingerprint256}`] : []),
      `control interface: ${this.controlUrl ?? 'none'} (requests, faults, reset, snapshot, seed/<${SEED_ENTITIES.join('|')}>, latency, usage, drop)`,
      `try: nc ${this.url.replace(/^\w+:\/\//, '').replace(':', ' ')}`,
    ];
  }

  async close(): Promise<void> {
    await Promise.all([this.wire?.close(), this.control?.close()]);
  }
}

/** `provisio emulate axigen [--tls] [--no-fixtures] [--set version=X6|X7] [--set controlPort=N]`. */
export const emulator: EmulatorDefinition = {
  id: 'axigen',
  description: 'Axigen mail server CLI (X6 10.6 / X7 10.7) over TCP or implicit TLS',
  defaultPort: 7000,
  start(options) {
    const extra = options.options ?? {};
    return AxigenEmulator.start({
      ...(options.host === undefined ? {} : { host: options.host }),
      port: options.port ?? 0,
      tls: options.tls === true,
      latencyMs: options.latencyMs ?? 0,
      fixtures: options.fixtures !== false,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(extra.version ? { version: extra.version } : {}),
      ...(extra.controlPort ? { controlPort: Number(extra.controlPort) } : {}),
    });
  },
};
