import { AttributeError } from './attributes.js';
import { ContextCommands } from './commands.js';
import { CommandError, type Frame, upper } from './frames.js';
import { GUESSED } from './guesses.js';
import type { ServerState } from './state.js';
import { type Token, TokenizeError, tokenize } from './tokenizer.js';

/**
 * One CLI connection's interpreter (docs/specs/axigen.md §2–§9): the login context, session
 * limits, and the reply framing (data lines, status line, prompt with one trailing space). The
 * commands of each context are in commands.ts. Pure and synchronous: server.ts adds sockets,
 * latency, faults and the request log around it.
 */
export interface CliUser {
  password: string;
  /** `none`: may log in but every command after login is refused (a delegated admin without rights). */
  permission: 'full' | 'none';
}

export interface SessionLimits {
  maxErrors: number;
  maxAuthErrors: number;
  maxAuthCommands: number;
}

/** §1 [V: S6, S7 config defaults]. */
export const DEFAULT_LIMITS: SessionLimits = { maxErrors: 20, maxAuthErrors: 5, maxAuthCommands: 20 };

export interface CliReply {
  /** Bytes to send (data lines, status line, prompt), '' for none. */
  text: string;
  /** Close the connection after sending. */
  close: boolean;
  /** Whether the command succeeded (for the request log). */
  ok: boolean;
}

export class CliInterpreter {
  private phase: 'login' | 'password' | 'auth' = 'login';
  private pendingUser = '';
  private user: CliUser | null = null;
  private authErrors = 0;
  private preAuthCommands = 0;
  private errors = 0;
  private readonly frames: Frame[] = [{ kind: 'root', prompt: GUESSED.prompts.root }];
  private readonly commands: ContextCommands;

  constructor(
    state: ServerState,
    private readonly users: ReadonlyMap<string, CliUser>,
    private readonly version: string,
    private readonly limits: SessionLimits = DEFAULT_LIMITS,
  ) {
    this.commands = new ContextCommands(state, this.frames);
  }

  greeting(): string {
    return `${GUESSED.banner.join('\r\n')}\r\n<login> `;
  }

  /** The prompt the client currently sees, without brackets: `login`, `password`, `#`, `domain#`. */
  get promptName(): string {
    if (this.phase === 'login') return 'login';
    if (this.phase === 'password') return 'password';
    return `${(this.frames[this.frames.length - 1] as Frame).prompt}#`;
  }

  get loggedIn(): boolean {
    return this.phase === 'auth';
  }

  private reply(data: readonly string[], status: string, close = false): CliReply {
    const lines = [...data, status];
    const body = `${lines.join('\r\n')}\r\n`;
    return { text: close ? body : `${body}<${this.promptName}> `, close, ok: status.startsWith('+OK') };
  }

  handle(line: string): CliReply {
    if (this.phase === 'password') return this.password(line);
    let tokens: Token[];
    try {
      tokens = tokenize(line);
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      return this.failure(new CommandError('syntaxError', true));
    }
    if (tokens.length === 0) return { text: `<${this.promptName}> `, close: false, ok: true };
    const verb = upper(tokens[0]);
    if (verb === 'EXIT' || verb === 'QUIT')
      return { text: `${GUESSED.status.goodbye}\r\n`, close: true, ok: true };
    if (this.phase === 'login') return this.login(tokens);
    try {
      if (this.user?.permission === 'none' && verb !== 'HELP') throw new CommandError('permissionDenied');
      const result = this.commands.run(tokens);
      return this.reply(result.data, GUESSED.status[result.status ?? 'ok']);
    } catch (error) {
      if (error instanceof CommandError) return this.failure(error);
      if (error instanceof AttributeError) return this.failure(new CommandError(error.reason));
      throw error;
    }
  }

  private failure(error: CommandError): CliReply {
    if (this.phase !== 'auth') return this.reply([], GUESSED.status[error.status]);
    if (error.countsAsError || GUESSED.countRefusalsAsErrors) this.errors += 1;
    return this.reply([], GUESSED.status[error.status], this.errors >= this.limits.maxErrors);
  }

  /** The login context (10.6.30 help "login"): HELP, USER, GET VERSION, SET CONSOLE-CODES|QUIET, SHOW. */
  private login(tokens: Token[]): CliReply {
    this.preAuthCommands += 1;
    if (this.limits.maxAuthCommands > 0 && this.preAuthCommands > this.limits.maxAuthCommands)
      return this.reply([], GUESSED.status.notLoggedIn, true);
    const verb = upper(tokens[0]);
    if (verb === 'USER' && tokens[1]) {
      this.pendingUser = (tokens[1] as Token).text;
      this.phase = 'password';
      return this.reply([], GUESSED.status.userAccepted);
    }
    if (verb === 'GET' && upper(tokens[1]) === 'VERSION')
      return this.reply([this.version], GUESSED.status.ok);
    if (verb === 'HELP')
      return this.reply(
        ['USER <user>', 'GET VERSION', 'SET CONSOLE-CODES on|off', 'SET QUIET off|on', 'SHOW'],
        GUESSED.status.ok,
      );
    if (
      verb === 'SET' &&
      ['CONSOLE-CODES', 'QUIET'].includes(upper(tokens[1])) &&
      /^(on|off)$/i.test(tokens[2]?.text ?? '')
    )
      return this.reply([], GUESSED.status.ok);
    if (verb === 'SHOW' && tokens.length === 1)
      return this.reply(['', 'CONSOLE-CODES = off', 'QUIET = off', ''], GUESSED.status.ok);
    return this.reply(
      [],
      GUESSED.preAuthCommands.includes(verb) ? GUESSED.status.syntaxError : GUESSED.status.notLoggedIn,
    );
  }

  private password(line: string): CliReply {
    const user = this.users.get(this.pendingUser);
    if (user && user.password === line) {
      this.user = user;
      this.phase = 'auth';
      return this.reply([], GUESSED.status.loginOk);
    }
    this.phase = 'login';
    this.authErrors += 1;
    return this.reply([], GUESSED.status.loginFailed, this.authErrors >= this.limits.maxAuthErrors);
  }
}
