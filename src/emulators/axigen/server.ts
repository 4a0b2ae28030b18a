import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { generate } from 'selfsigned';
import { defaultUsers, loadFixtures } from './fixtures.js';
import { GUESSED } from './guesses.js';
import { CliInterpreter, type CliUser, DEFAULT_LIMITS, type SessionLimits } from './interpreter.js';
import { createServerState, type ServerState, snapshot } from './state.js';

/**
 * The Axigen CLI emulator as a network server: plain TCP or implicit TLS (self-signed certificate
 * made at start), one interpreter per connection, per-command latency, fault injection, a request
 * log and a control interface (HTTP on its own port, and the methods of this handle).
 */
export interface AxigenEmulatorOptions {
  host?: string;
  port?: number;
  tls?: boolean;
  latencyMs?: number;
  /** `X6`, `X7`, or a full `GET VERSION` line. Default X7. */
  version?: string;
  users?: Record<string, CliUser>;
  fixtures?: boolean;
  /** Close a connection idle this long (spec: 300 s). */
  idleTimeoutMs?: number;
  limits?: Partial<SessionLimits>;
  /** Port of the HTTP control interface; false for none. Default 0 (ephemeral). */
  controlPort?: number | false;
}

export type FaultKind = 'drop-before' | 'drop-after' | 'hang' | 'error';

export interface FaultSpec {
  /** A RegExp tested against the command line, or a case-insensitive prefix. */
  match: RegExp | string;
  /** drop-before: close without running; drop-after: run, then close without replying; hang: never reply; error: `-ERR` without running. */
  kind: FaultKind;
  /** How many matching commands it applies to (default 1). */
  times?: number;
  /** Status line for `error` faults. */
  status?: string;
}

export interface RequestLogEntry {
  connection: number;
  /** The command line as received; password lines are logged as `***`. */
  command: string;
  /** Prompt name when the command arrived, e.g. `domain#`. */
  context: string;
  /** `null` when a fault dropped or hung the command before a reply. */
  ok: boolean | null;
  fault?: FaultKind;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

function matches(match: RegExp | string, line: string): boolean {
  return typeof match === 'string' ? line.toLowerCase().startsWith(match.toLowerCase()) : match.test(line);
}

function resolveVersion(version: string | undefined): string {
  const key = version ?? 'X7';
  return GUESSED.versions[key] ?? key;
}

export class AxigenEmulator {
  readonly state: ServerState = createServerState();
  readonly requests: RequestLogEntry[] = [];
  readonly users: Map<string, CliUser>;
  latencyMs: number;
  version: string;
  /** Connections accepted and logins that succeeded, since start. */
  connectionsAccepted = 0;
  logins = 0;
  private readonly faults: ActiveFault[] = [];
  private readonly sockets = new Set<Socket>();
  private nextConnection = 1;
  private server: NetServer | null = null;
  private control: HttpServer | null = null;
  private fixtures: boolean;
  url = '';
  port = 0;
  controlUrl: string | undefined;
  /** SHA-256 fingerprint of the self-signed certificate (TLS only). */
  fingerprint256: string | undefined;
  readonly secure: boolean;

  private constructor(private readonly options: AxigenEmulatorOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.version = resolveVersion(options.version);
    this.secure = options.tls === true;
    this.fixtures = options.fixtures !== false;
    this.users = options.users ? new Map(Object.entries(options.users)) : defaultUsers();
    if (this.fixtures) loadFixtures(this.state);
  }

  static async start(options: AxigenEmulatorOptions = {}): Promise<AxigenEmulator> {
    const emulator = new AxigenEmulator(options);
    await emulator.listen();
    return emulator;
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    if (this.secure) {
      const pems = await generate([{ name: 'commonName', value: 'axigen-emulator.local' }], {
        keySize: 2048,
        extensions: [
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
            ],
          },
        ],
      });
      this.fingerprint256 = new X509Certificate(pems.cert).fingerprint256;
      this.server = createTlsServer({ key: pems.private, cert: pems.cert }, (socket) => this.accept(socket));
    } else {
      this.server = createNetServer((socket) => this.accept(socket));
    }
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.url = `${this.secure ? 'tls' : 'tcp'}://${host}:${this.port}`;
    if (this.options.controlPort !== false) await this.listenControl(host, this.options.controlPort ?? 0);
  }

  private accept(socket: Socket): void {
    const connection = this.nextConnection++;
    this.connectionsAccepted += 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.options.idleTimeoutMs ?? 300_000, () => socket.end());
    const interpreter = new CliInterpreter(this.state, this.users, this.version, {
      ...DEFAULT_LIMITS,
      ...this.options.limits,
    });
    socket.setEncoding('utf8');
    socket.write(interpreter.greeting());
    let buffer = '';
    const queue: string[] = [];
    let busy = false;
    let hung = false;
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length && !hung && !socket.destroyed) {
        const line = queue.shift() as string;
        await this.execute(connection, interpreter, socket, line, () => {
          hung = true;
        });
      }
      busy = false;
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        queue.push(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
      void pump();
    });
  }

  private async execute(
    connection: number,
    interpreter: CliInterpreter,
    socket: Socket,
    line: string,
    hang: () => void,
  ): Promise<void> {
    const isPassword = interpreter.promptName === 'password';
    const entry: RequestLogEntry = {
      connection,
      command: isPassword ? '***' : line,
      context: interpreter.promptName,
      ok: null,
    };
    this.requests.push(entry);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (socket.destroyed) return;
    const fault = isPassword ? undefined : this.takeFault(line);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'drop-before') {
      socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      hang();
      return;
    }
    if (fault?.kind === 'error') {
      entry.ok = false;
      socket.write(`${fault.status ?? GUESSED.status.unknownCommand}\r\n<${interpreter.promptName}> `);
      return;
    }
    const wasLoggedIn = interpreter.loggedIn;
    const reply = interpreter.handle(line);
    if (!wasLoggedIn && interpreter.loggedIn) this.logins += 1;
    entry.ok = reply.ok;
    if (fault?.kind === 'drop-after') {
      socket.destroy();
      return;
    }
    if (reply.close) socket.end(reply.text);
    else socket.write(reply.text);
  }

  private takeFault(line: string): FaultSpec | undefined {
    const index = this.faults.findIndex((fault) => matches(fault.spec.match, line));
    if (index < 0) return undefined;
    const fault = this.faults[index] as ActiveFault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.spec;
  }

  // -------------------------------------------------------------------------------------------
  // Direct control (tests) — the HTTP control interface calls the same methods.

  addFault(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Forget state, request log and faults; reload fixtures unless told otherwise. */
  reset(fixtures = this.fixtures): void {
    this.state.domains.clear();
    this.state.configSaves = 0;
    this.requests.length = 0;
    this.clearFaults();
    if (fixtures) loadFixtures(this.state);
  }

  /** Commands (not password lines) received on one connection or all, in order. */
  commands(connection?: number): string[] {
    return this.requests
      .filter((entry) => connection === undefined || entry.connection === connection)
      .map((entry) => entry.command);
  }

  snapshot(): Record<string, unknown> {
    return snapshot(this.state);
  }

  setMailboxUsage(domain: string, account: string, usage: { sizeKb: number; messages?: number }): void {
    const found = this.state.domains.get(domain)?.accounts.get(account);
    if (!found) throw new Error(`no account ${account}@${domain} in the emulator`);
    found.registry.mboxSizeKb = usage.sizeKb;
    if (usage.messages !== undefined) found.registry.messageCount = usage.messages;
  }

  /** Drops every open client connection (as a restarted CLI service would). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await Promise.all([
      new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.control ? this.control.close(() => resolve()) : resolve())),
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP control interface: /__emulator/{state,requests,reset,faults,latency,usage,drop}

  private async listenControl(host: string, port: number): Promise<void> {
    this.control = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        try {
          const result = this.controlRoute(
            request.method ?? 'GET',
            request.url ?? '/',
            body ? JSON.parse(body) : {},
          );
          response.writeHead(result === undefined ? 404 : 200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(result ?? { error: 'no such control route' }));
        } catch (error) {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        }
      });
    });
    const control = this.control;
    await new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.listen(port, host, () => resolve());
    });
    const address = control.address();
    this.controlUrl = `http://${host}:${typeof address === 'object' && address ? address.port : 0}/__emulator`;
  }

  private controlRoute(method: string, url: string, body: Record<string, unknown>): unknown {
    const route = `${method} ${url.replace(/\?.*$/, '')}`;
    switch (route) {
      case 'GET /__emulator/state':
        return this.snapshot();
      case 'GET /__emulator/requests':
        return this.requests;
      case 'POST /__emulator/reset':
        this.reset(body.fixtures === undefined ? this.fixtures : body.fixtures === true);
        return { ok: true };
      case 'POST /__emulator/faults': {
        const match = String(body.match ?? '');
        this.addFault({
          match: body.regex === true ? new RegExp(match, 'i') : match,
          kind: body.kind as FaultKind,
          times: typeof body.times === 'number' ? body.times : 1,
          ...(typeof body.status === 'string' ? { status: body.status } : {}),
        });
        return { ok: true };
      }
      case 'DELETE /__emulator/faults':
        this.clearFaults();
        return { ok: true };
      case 'POST /__emulator/latency':
        this.setLatency(Number(body.ms ?? 0));
        return { ok: true };
      case 'POST /__emulator/usage':
        this.setMailboxUsage(String(body.domain), String(body.account), {
          sizeKb: Number(body.sizeKb ?? 0),
          messages: Number(body.messages ?? 0),
        });
        return { ok: true };
      case 'POST /__emulator/drop':
        this.dropConnections();
        return { ok: true };
      default:
        return undefined;
    }
  }
}
