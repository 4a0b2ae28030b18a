import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import type { WireControls } from '../kit/http-emulator.js';
import { createTlsListener, type EmulatorCertificate } from '../kit/tls.js';
import { GUESSED } from './guesses.js';
import type { CliInterpreter } from './interpreter.js';

/**
 * The Axigen CLI on the wire (docs/specs/axigen.md §1–§2): plain TCP, or implicit TLS through the
 * kit's listener as a bare TLS service (a plain client that writes gets its connection closed;
 * one that waits for a greeting hears nothing). Lines are split on LF with an optional CR; one command runs at a time per
 * connection; every command goes to the kit's request log (password lines as `***`), meets the
 * kit's faults (matched by command prefix) and the configured latency.
 */
export interface CliWireOptions {
  host: string;
  port: number;
  certificate: EmulatorCertificate | null;
  controls: WireControls;
  /** Close a connection idle this long (§1: listener idleTimeout 300 s). */
  idleTimeoutMs: number;
  newSession(): CliInterpreter;
  /** Told of each accepted connection (after the TLS handshake) and each successful login. */
  onAccept(): void;
  onLogin(): void;
}

export interface CliWire {
  url: string;
  port: number;
  readonly openConnections: number;
  /** Drops every open client connection, as a restarted CLI service would. */
  dropConnections(): void;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function serveCli(options: CliWireOptions): Promise<CliWire> {
  const sockets = new Set<Socket>();
  let nextConnection = 1;

  const accept = (socket: Socket): void => {
    const connection = nextConnection++;
    options.onAccept();
    socket.on('error', () => socket.destroy());
    socket.setTimeout(options.idleTimeoutMs, () => socket.end());
    socket.setEncoding('utf8');
    const session = options.newSession();
    socket.write(session.greeting());
    let buffer = '';
    const queue: string[] = [];
    let busy = false;
    let hung = false;
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length && !hung && !socket.destroyed) {
        const line = queue.shift() as string;
        hung = await execute(connection, session, socket, line);
      }
      busy = false;
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        queue.push(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
      }
      void pump();
    });
  };

  /** Runs one command line; true when a `hang` fault took the connection. */
  const execute = async (
    connection: number,
    session: CliInterpreter,
    socket: Socket,
    line: string,
  ): Promise<boolean> => {
    const { controls } = options;
    const isPassword = session.promptName === 'password';
    const entry = controls.log.open({
      method: 'CLI',
      path: isPassword ? '***' : line,
      query: '',
      body: '',
      connection,
      context: session.promptName,
    });
    if (controls.latencyMs > 0) await pause(controls.latencyMs);
    if (socket.destroyed) return false;
    const fault = isPassword ? undefined : controls.faultList.take('CLI', line);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'hang') return true;
    if (fault?.kind === 'drop-before') {
      socket.destroy();
      return false;
    }
    if (fault?.kind === 'delay') await pause(fault.delayMs ?? 1_000);
    if (fault?.kind === 'error') {
      const status = typeof fault.body === 'string' ? fault.body : GUESSED.status.unknownCommand;
      entry.ok = false;
      entry.response = `${status}\r\n<${session.promptName}> `;
      socket.write(entry.response);
      return false;
    }
    const wasLoggedIn = session.loggedIn;
    const reply = session.handle(line);
    if (!wasLoggedIn && session.loggedIn) options.onLogin();
    entry.ok = reply.ok;
    if (fault?.kind === 'drop-after') {
      socket.destroy();
      return false;
    }
    // Acted, and the reply never leaves: the connection is taken, as by `hang`.
    if (fault?.kind === 'hang-after') return true;
    entry.response = reply.text;
    if (reply.close) socket.end(reply.text);
    else socket.write(reply.text);
    return false;
  };

  const server: Server = options.certificate
    ? createTlsListener(options.certificate, accept, null)
    : createServer(accept);
  // The raw sockets (before any TLS handshake), so a drop or a close reaches every connection.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `${options.certificate ? 'tls' : 'tcp'}://${options.host}:${port}`,
    port,
    get openConnections() {
      return sockets.size;
    },
    dropConnections,
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
