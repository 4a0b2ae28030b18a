import { ProvisioningError } from '../../core/errors.js';
import { MASK } from '../../core/redaction.js';
import { LineConnection, probeTls } from '../../transport/line-client.js';
import type { ModuleLog } from '../../transport/module-log.js';
import type { ServerConnection } from '../contract.js';
import { axigenErrors } from './errors.js';
import { quoteValue } from './quoting.js';

/**
 * One Axigen CLI session (docs/specs/axigen.md §1–§3, §10): prompt-driven reader, CRLF framing, the context read
 * from every prompt, login, and the module log. A reply is judged only by its `+OK`/`-ERR`
 * prefix, never by its text.
 */
export interface CliReply {
  ok: boolean;
  /** Status text after `+OK: ` / `-ERR: ` ('' when absent). */
  text: string;
  data: string[];
  /** The context of the prompt that ended the reply: '' at root, `domain-account`, `login`, `password`. */
  context: string;
}

/** Who the session currently works for: its module log and abort signal. */
export interface SessionUse {
  moduleLog: ModuleLog;
  signal?: AbortSignal;
}

export interface SendOptions {
  /** Whether the command may change server state (decides unknown-outcome on a lost answer). */
  mutating: boolean;
  /** Send this instead of the command to the module log (password lines). */
  logAs?: string;
}

export interface SessionOptions {
  server: ServerConnection;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

const PROMPT_AT_END = /(?:^|\r\n)<(login|password|[A-Za-z0-9-]*#)> $/;
const STATUS_LINE = /^(\+OK|-ERR)(?::\s?(.*))?$/;
// The CLI may send telnet IAC sequences or ANSI colour codes to a terminal; a raw socket should
// get none (§1), but they are dropped in case a server sends them anyway.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI sequences being removed.
const NOISE = /\x1b\[[0-9;?]*[A-Za-z]|\uFFFD[\s\S]?[\s\S]?/g;

/** Length of a complete reply at the start of the buffer: it ends with a prompt (§2 reader). */
export function replyLength(buffer: string): number {
  const tail = buffer.length > 512 ? buffer.slice(-512) : buffer;
  const match = PROMPT_AT_END.exec(tail.replace(NOISE, ''));
  if (!match) return -1;
  const prompt = match[1] as string;
  if (prompt.endsWith('#')) {
    // A context prompt counts only after a status line, so a data line that happens to end in
    // `<x#> ` cannot end the reply early.
    const before = buffer
      .slice(0, buffer.length - prompt.length - 3)
      .replace(NOISE, '')
      .replace(/\r\n$/, '');
    const lastLine = before.slice(before.lastIndexOf('\r\n') + 1).replace(/^\n/, '');
    if (!/^(\+OK|-ERR)/.test(lastLine)) return -1;
  }
  return buffer.length;
}

export function parseReply(message: string): CliReply {
  const lines = message.replace(NOISE, '').split('\r\n');
  const prompt = (lines.pop() ?? '').trim();
  const promptName = prompt.replace(/^<|>$/g, '');
  const context = promptName.endsWith('#') ? promptName.slice(0, -1) : promptName;
  const last = lines[lines.length - 1] ?? '';
  const status = STATUS_LINE.exec(last);
  if (status) lines.pop();
  return {
    ok: status ? status[1] === '+OK' : true,
    text: status?.[2] ?? '',
    data: lines,
    context: context.toLowerCase(),
  };
}

/** The first two words of a command: never a value, so never a secret. */
function commandSummary(command: string): string {
  return command.split(' ').slice(0, 2).join(' ');
}

export class AxigenCliSession {
  /** Context of the last prompt seen. */
  context = 'login';
  lastUsed = Date.now();
  private use: SessionUse | null = null;

  private constructor(
    private readonly connection: LineConnection,
    readonly options: SessionOptions,
    readonly where: string,
  ) {}

  /** Connects and reads the banner up to `<login> `. */
  static async open(options: SessionOptions, use: SessionUse): Promise<AxigenCliSession> {
    const { server } = options;
    const where = `the Axigen CLI at ${server.host}:${server.port}`;
    const started = performance.now();
    const connection = await LineConnection.open({
      host: server.host,
      port: server.port,
      secure: server.secure,
      tls: server.tls,
      connectTimeoutMs: options.connectTimeoutMs,
      backendName: where,
      portHint: { plain: 7000, secure: 7001 },
      ...(use.signal ? { signal: use.signal } : {}),
    }).catch((error: unknown) => {
      use.moduleLog.record({
        request: `(connect ${server.secure ? 'tls' : 'tcp'} ${server.host}:${server.port})`,
        response: '',
        durationMs: performance.now() - started,
        outcome: 'error',
        error: (error as Error).message,
      });
      throw error;
    });
    const session = new AxigenCliSession(connection, options, where);
    session.use = use;
    try {
      const greeting = await connection.readUntil(replyLength, {
        timeoutMs: options.connectTimeoutMs,
        mutating: false,
        ...(use.signal ? { signal: use.signal } : {}),
      });
      const reply = parseReply(greeting);
      session.context = reply.context;
      use.moduleLog.record({
        request: `(connect ${server.secure ? 'tls' : 'tcp'} ${server.host}:${server.port})`,
        response: greeting,
        durationMs: performance.now() - started,
        outcome: 'ok',
      });
      if (reply.context !== 'login')
        throw session.protocolError(`a greeting ending in <login>, got <${reply.context}>`);
      return session;
    } catch (error) {
      connection.destroy();
      const failure = await session.explainSilentGreeting(error);
      use.moduleLog.record({
        request: `(greeting from ${server.host}:${server.port})`,
        response: '',
        durationMs: performance.now() - started,
        outcome: 'error',
        error: (failure as Error).message,
      });
      throw failure;
    }
  }

  /** A plain client that hears nothing may be talking to a TLS port: a quick handshake tells. */
  private async explainSilentGreeting(error: unknown): Promise<unknown> {
    if (!(error instanceof ProvisioningError)) return error;
    const failure = error;
    const { server } = this.options;
    if (
      !server.secure &&
      this.connection.bytesReceived === 0 &&
      failure.kind === 'unavailable' &&
      !/closed/.test(failure.message)
    ) {
      if (await probeTls(server.host, server.port, Math.min(3000, this.options.connectTimeoutMs)))
        return this.connection.plainToTlsMismatch();
    }
    if (failure.kind === 'unavailable' && /did not answer/.test(failure.message)) {
      return axigenErrors.error(
        'axigen.no_greeting',
        `${this.where} accepted the connection but sent no greeting in time (network timeout): check that this port is the Axigen CLI service`,
        { cause: failure },
      );
    }
    return failure;
  }

  bind(use: SessionUse): void {
    this.use = use;
  }

  unbind(): void {
    this.use = null;
    this.lastUsed = Date.now();
  }

  get usable(): boolean {
    return !this.connection.closed;
  }

  /** Sends one command and reads its reply; `-ERR` is returned, not thrown. */
  async send(command: string, options: SendOptions): Promise<CliReply> {
    const use = this.use;
    if (!use) throw new Error('Axigen session used without an owner');
    const started = performance.now();
    const logged = options.logAs ?? command;
    try {
      this.connection.write(`${command}\r\n`);
      const raw = await this.connection.readUntil(replyLength, {
        timeoutMs: this.options.commandTimeoutMs,
        mutating: options.mutating,
        ...(use.signal ? { signal: use.signal } : {}),
      });
      const reply = parseReply(raw);
      this.context = reply.context;
      use.moduleLog.record({
        request: logged,
        response: raw,
        durationMs: performance.now() - started,
        outcome: reply.ok ? 'ok' : 'error',
      });
      return reply;
    } catch (error) {
      this.connection.destroy();
      use.moduleLog.record({
        request: logged,
        response: '',
        durationMs: performance.now() - started,
        outcome: 'error',
        error: (error as Error).message,
      });
      throw error;
    }
  }

  /** Sends a command that must succeed and must leave the session in `expect` context. */
  async ok(command: string, options: SendOptions & { expect: string; what: string }): Promise<CliReply> {
    const reply = await this.send(command, options);
    if (!reply.ok) {
      throw axigenErrors.error(
        'axigen.command_refused',
        `${this.where} refused ${options.what} (${commandSummary(options.logAs ?? command)}): ${reply.text || 'no reason given'}`,
      );
    }
    this.checkContext(options.expect);
    return reply;
  }

  /**
   * Refuses to go on when the prompt is not the one the sequence needs (§10). `parent-*`
   * accepts any sub-context of `parent`: several sub-context prompt names are unconfirmed (§5).
   */
  checkContext(expect: string): void {
    const wanted = expect.toLowerCase();
    const matches = wanted.endsWith('-*')
      ? this.context.startsWith(wanted.slice(0, -1))
      : this.context === wanted;
    if (!matches) throw this.protocolError(`the <${expect}#> prompt, got <${this.context}#>`);
  }

  protocolError(expected: string): ProvisioningError {
    this.connection.destroy();
    return axigenErrors.error(
      'axigen.protocol',
      `${this.where} answered unexpectedly: expected ${expected}. The server may run an unsupported Axigen version`,
    );
  }

  async login(username: string, password: string): Promise<void> {
    if (/[\r\n\0]/.test(password)) {
      throw axigenErrors.error(
        'axigen.value_unsendable',
        `the password stored for ${this.where} contains a line break: set it again without one (provisio server update N --secret ...)`,
      );
    }
    const name = /^[A-Za-z0-9._@-]+$/.test(username) ? username : quoteValue(username, 'the server username');
    const user = await this.send(`USER ${name}`, { mutating: false });
    if (user.context !== 'password') {
      throw axigenErrors.error(
        'axigen.login_failed',
        `${this.where} refused the user name "${username}" (${user.text || 'no reason given'}): check the server's username`,
      );
    }
    const reply = await this.send(password, { mutating: false, logAs: MASK });
    if (!reply.ok || reply.context !== '') {
      throw axigenErrors.error(
        'axigen.login_failed',
        `${this.where} refused the login of "${username}" (${reply.text || 'no reason given'}): check the username and password, and that the admin account is enabled`,
      );
    }
  }

  /** BACK until the root prompt, never sending BACK at root (§10); drafts are dropped. */
  async toRoot(): Promise<void> {
    for (let depth = 0; this.context !== '' && depth < 8; depth++) {
      const before = this.context;
      const reply = await this.send('BACK', { mutating: false });
      if (!reply.ok || reply.context.length >= before.length)
        throw this.protocolError(`a shorter prompt than <${before}#> after BACK`);
    }
    if (this.context !== '') throw this.protocolError('the root <#> prompt after BACK');
  }

  /**
   * EXIT politely (the server answers `+OK: have a nice day` and closes, §1), then close. An idle
   * pooled session has no operation to log to: its EXIT goes unlogged.
   */
  async exit(): Promise<void> {
    const use = this.use;
    if (!this.usable) return this.destroy();
    const started = performance.now();
    try {
      this.connection.write('EXIT\r\n');
      const raw = await this.connection.readUntil(() => -1, {
        timeoutMs: 2000,
        mutating: false,
        endOnClose: true,
      });
      use?.moduleLog.record({
        request: 'EXIT',
        response: raw,
        durationMs: performance.now() - started,
        outcome: 'ok',
      });
    } catch {
      // The session is ending anyway.
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.connection.destroy();
  }
}
