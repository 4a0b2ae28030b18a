import { GUESSED, type GuessedStatus } from './guesses.js';
import {
  type AccountState,
  ATTRIBUTE_KEYS,
  type Attrs,
  type AttrValue,
  addDomain,
  cloneAccount,
  cloneAttrs,
  type DomainState,
  domainSizes,
  NUMERIC_KEYS,
  newAccount,
  type ServerState,
  YESNO_KEYS,
} from './state.js';
import { type Token, TokenizeError, tokenize } from './tokenizer.js';

/**
 * One CLI connection's interpreter (spec §2–§9): login context, context stack with drafts,
 * DONE/COMMIT/BACK, LIST/SHOW layouts and session limits. Pure and synchronous: the server adds
 * sockets, latency and faults around it.
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

export const DEFAULT_LIMITS: SessionLimits = { maxErrors: 20, maxAuthErrors: 5, maxAuthCommands: 20 };

export interface CliReply {
  /** Bytes to send (data lines, status line, prompt), '' for none. */
  text: string;
  /** Close the connection after sending. */
  close: boolean;
  /** Whether the command succeeded (for the request log). */
  ok: boolean;
}

type SectionName =
  | 'quotas'
  | 'limits'
  | 'contactInfo'
  | 'accountDefaultQuotas'
  | 'migrationData'
  | 'adminLimits';

type Frame =
  | { kind: 'root'; prompt: string }
  | { kind: 'domainCreate'; prompt: string; draft: DomainCreateDraft }
  | { kind: 'domain'; prompt: string; domain: DomainState; draft: DomainDraft }
  | { kind: 'domainEdit'; prompt: string; domain: DomainState; groupware: boolean }
  | { kind: 'account'; prompt: string; domain: DomainState; isNew: boolean; draft: AccountState }
  | {
      kind: 'accountClass';
      prompt: string;
      domain: DomainState;
      isNew: boolean;
      name: string;
      quotas: Attrs;
      limits: Attrs;
    }
  | {
      kind: 'section';
      prompt: string;
      section: SectionName;
      keys: readonly string[];
      draft: Attrs;
      commitable: boolean;
    };

interface DomainCreateDraft {
  name: string;
  location: string;
  postmasterPassword: string;
  groupware: boolean;
  objectsLocation?: string;
  messagesLocations: string[];
}

interface DomainDraft {
  adminLimits: Attrs;
  accountDefaultQuotas: Attrs;
  migrationData: Attrs;
  services: AttrValue | undefined;
}

class CommandError extends Error {
  constructor(
    readonly status: GuessedStatus,
    readonly countsAsError = false,
  ) {
    super(status);
  }
}

const EXIT_TEXT = '+OK: have a nice day';

function upper(token: Token | undefined): string {
  return token ? token.text.toUpperCase() : '';
}

/** `[name] <value>`: the `name` keyword is optional on 10.5+ (spec §4). */
function nameArgument(tokens: Token[], index: number): string {
  if (upper(tokens[index]) === 'NAME' && tokens.length > index + 1) return (tokens[index + 1] as Token).text;
  const token = tokens[index];
  if (!token || token.text === '') throw new CommandError('missingParameter');
  return token.text;
}

/** `key value key value …` into a map keyed by lower-case key. */
function pairs(tokens: Token[], start: number): Map<string, Token> {
  const map = new Map<string, Token>();
  for (let i = start; i < tokens.length; i += 2) {
    const key = tokens[i] as Token;
    const value = tokens[i + 1];
    if (!value) throw new CommandError('syntaxError', true);
    map.set(key.text.toLowerCase(), value);
  }
  return map;
}

function tokenValue(token: Token): AttrValue {
  return token.list ? [...token.list] : token.text;
}

function formatValue(key: string, value: AttrValue): string {
  if (Array.isArray(value)) return `(${value.join(' ')})`;
  if (/^\d+$/.test(value) || YESNO_KEYS.has(key) || key === 'accountType') return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function checkValue(key: string, value: AttrValue): void {
  if (NUMERIC_KEYS.has(key) && (Array.isArray(value) || !/^\d+$/.test(value)))
    throw new CommandError('badValue');
  if (YESNO_KEYS.has(key) && (Array.isArray(value) || !/^(yes|no)$/i.test(value)))
    throw new CommandError('badValue');
  if (key === 'services' && Array.isArray(value)) {
    for (const service of value)
      if (!GUESSED.accountServices.includes(service)) throw new CommandError('badValue');
  }
}

function canonicalKey(keys: readonly string[], raw: string): string {
  const found = keys.find((key) => key.toLowerCase() === raw.toLowerCase());
  if (!found) throw new CommandError('unknownAttribute');
  return found;
}

function pad(cells: string[]): string {
  return cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(GUESSED.lists.columnWidth)))
    .join('')
    .trimEnd();
}

function listLines(spec: { title: string; columns: string[] }, rows: string[][]): string[] {
  const header = pad(spec.columns);
  return ['', spec.title, '', header, '-'.repeat(Math.max(60, header.length)), ...rows.map(pad), ''];
}

export class CliInterpreter {
  private phase: 'login' | 'password' | 'auth' = 'login';
  private pendingUser = '';
  private user: CliUser | null = null;
  private authErrors = 0;
  private preAuthCommands = 0;
  private errors = 0;
  private readonly frames: Frame[] = [{ kind: 'root', prompt: GUESSED.prompts.root }];

  constructor(
    private readonly state: ServerState,
    private readonly users: ReadonlyMap<string, CliUser>,
    private readonly version: string,
    private readonly limits: SessionLimits = DEFAULT_LIMITS,
  ) {}

  greeting(): string {
    return `${GUESSED.banner.join('\r\n')}\r\n<login> `;
  }

  /** The prompt the client currently sees, without brackets: `login`, `password`, `#`, `domain#`. */
  get promptName(): string {
    if (this.phase === 'login') return 'login';
    if (this.phase === 'password') return 'password';
    return `${this.top.prompt}#`;
  }

  get loggedIn(): boolean {
    return this.phase === 'auth';
  }

  private get top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private reply(data: string[], status: string | null, close = false): CliReply {
    const lines = status === null ? data : [...data, status];
    const body = lines.length ? `${lines.join('\r\n')}\r\n` : '';
    return {
      text: close ? body : `${body}<${this.promptName}> `,
      close,
      ok: status === null || status.startsWith('+OK'),
    };
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
    if (tokens.length === 0) return this.reply([], null);
    const verb = upper(tokens[0]);
    if (verb === 'EXIT' || verb === 'QUIT') return { text: `${EXIT_TEXT}\r\n`, close: true, ok: true };
    if (this.phase === 'login') return this.login(tokens);
    try {
      if (
        this.user?.permission === 'none' &&
        verb !== 'HELP' &&
        !(verb === 'GET' && upper(tokens[1]) === 'VERSION')
      ) {
        throw new CommandError('permissionDenied');
      }
      const data = this.command(tokens);
      return this.reply(data, GUESSED.status.ok);
    } catch (error) {
      if (error instanceof CommandError) return this.failure(error);
      throw error;
    }
  }

  private failure(error: CommandError): CliReply {
    if (this.phase !== 'auth') return this.reply([], GUESSED.status[error.status]);
    if (error.countsAsError || GUESSED.countRefusalsAsErrors) this.errors += 1;
    const close = this.errors >= this.limits.maxErrors;
    return this.reply([], GUESSED.status[error.status], close);
  }

  private login(tokens: Token[]): CliReply {
    this.preAuthCommands += 1;
    if (this.limits.maxAuthCommands > 0 && this.preAuthCommands > this.limits.maxAuthCommands) {
      return this.reply([], GUESSED.status.notLoggedIn, true);
    }
    const verb = upper(tokens[0]);
    if (verb === 'USER' && tokens[1]) {
      this.pendingUser = (tokens[1] as Token).text;
      this.phase = 'password';
      return this.reply([], GUESSED.status.userAccepted);
    }
    if (verb === 'GET' && upper(tokens[1]) === 'VERSION')
      return this.reply([this.version], GUESSED.status.ok);
    if (verb === 'HELP') return this.reply(['USER <name>', 'GET VERSION', 'HELP', 'EXIT'], GUESSED.status.ok);
    if (verb === 'SET' && ['CONSOLE-CODES', 'QUIET'].includes(upper(tokens[1])))
      return this.reply([], GUESSED.status.ok);
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

  // -------------------------------------------------------------------------------------------
  // Commands after login

  private command(tokens: Token[]): string[] {
    const verb = upper(tokens[0]);
    const frame = this.top;
    switch (verb) {
      case 'HELP':
        return ['(help text omitted by the emulator)'];
      case 'GET':
        if (upper(tokens[1]) === 'VERSION') return [this.version];
        break;
      case 'BACK':
        return this.back();
      case 'DONE':
        return this.done();
      case 'COMMIT':
        return this.commit();
      case 'SHOW':
        return this.show(tokens);
      case 'LIST':
        return this.list(tokens);
    }
    switch (frame.kind) {
      case 'root':
        return this.rootCommand(verb, tokens);
      case 'domainCreate':
        return this.domainCreateCommand(frame, verb, tokens);
      case 'domain':
        return this.domainCommand(frame, verb, tokens);
      case 'domainEdit':
        if (verb === 'SET' && upper(tokens[1]) === 'GROUPWARESUPPORT' && tokens[2]) {
          checkValue('groupwareSupport', tokenValue(tokens[2]));
          frame.groupware = /^yes$/i.test((tokens[2] as Token).text);
          return [];
        }
        break;
      case 'account':
        return this.accountCommand(frame, verb, tokens);
      case 'accountClass':
        if (verb === 'CONFIG')
          return this.enterSection(tokens, frame.prompt, { quotas: frame.quotas, limits: frame.limits });
        break;
      case 'section':
        return this.sectionCommand(frame, verb, tokens);
    }
    throw new CommandError('unknownCommand', true);
  }

  private rootCommand(verb: string, tokens: Token[]): string[] {
    const object = upper(tokens[1]);
    if (verb === 'SAVE' && object === 'CONFIG') {
      this.state.configSaves += 1;
      return [];
    }
    if (object !== 'DOMAIN') throw new CommandError('unknownCommand', true);
    if (verb === 'CREATE') {
      const args = pairs(tokens, 2);
      const name = args.get('name')?.text.toLowerCase();
      const location = args.get('domainlocation')?.text;
      const postmasterPassword = args.get('postmasterpassword')?.text;
      if (!name || !location || postmasterPassword === undefined) throw new CommandError('missingParameter');
      if (GUESSED.requireWmFilterTemplatePath && !args.has('wmfiltertemplatepath'))
        throw new CommandError('missingParameter');
      if (this.state.domains.has(name)) throw new CommandError('domainExists');
      this.frames.push({
        kind: 'domainCreate',
        prompt: GUESSED.prompts.domainCreate,
        draft: { name, location, postmasterPassword, groupware: false, messagesLocations: [] },
      });
      return [];
    }
    const domain = this.findDomain(nameArgument(tokens, 2));
    switch (verb) {
      case 'UPDATE':
        if (!domain.enabled && !GUESSED.updateDisabledDomain) throw new CommandError('domainDisabled');
        this.frames.push({
          kind: 'domain',
          prompt: GUESSED.prompts.domain,
          domain,
          draft: {
            adminLimits: cloneAttrs(domain.adminLimits),
            accountDefaultQuotas: cloneAttrs(domain.accountDefaultQuotas),
            migrationData: cloneAttrs(domain.migrationData),
            services: undefined,
          },
        });
        return [];
      case 'EDIT':
        if (!domain.enabled && !GUESSED.updateDisabledDomain) throw new CommandError('domainDisabled');
        this.frames.push({
          kind: 'domainEdit',
          prompt: GUESSED.prompts.domainEdit,
          domain,
          groupware: domain.groupware,
        });
        return [];
      case 'ENABLE':
        if (domain.enabled) throw new CommandError('domainAlreadyEnabled');
        domain.enabled = true;
        return [];
      case 'DISABLE':
        if (!domain.enabled) throw new CommandError('domainAlreadyDisabled');
        domain.enabled = false;
        return [];
      case 'DELETE':
        if (domain.enabled && GUESSED.deleteRequiresDisabled) throw new CommandError('wrongContext');
        this.state.domains.delete(domain.name);
        return [];
    }
    throw new CommandError('unknownCommand', true);
  }

  private findDomain(name: string): DomainState {
    const domain = this.state.domains.get(name.toLowerCase());
    if (!domain) throw new CommandError('domainNotFound');
    return domain;
  }

  private domainCreateCommand(
    frame: Extract<Frame, { kind: 'domainCreate' }>,
    verb: string,
    tokens: Token[],
  ): string[] {
    const what = upper(tokens[1]);
    const value = tokens[2];
    if (verb === 'SET' && what === 'GROUPWARESUPPORT' && value) {
      checkValue('groupwareSupport', tokenValue(value));
      frame.draft.groupware = /^yes$/i.test(value.text);
      return [];
    }
    if (verb === 'SET' && what === 'DOMAINOBJECTSLOCATION' && value) {
      frame.draft.objectsLocation = value.text;
      return [];
    }
    if (verb === 'ADD' && what === 'MESSAGESLOCATION' && value) {
      frame.draft.messagesLocations.push(value.text);
      return [];
    }
    throw new CommandError('unknownCommand', true);
  }

  private domainCommand(frame: Extract<Frame, { kind: 'domain' }>, verb: string, tokens: Token[]): string[] {
    const what = upper(tokens[1]);
    const domain = frame.domain;
    if (verb === 'CONFIG') {
      if (what === 'ADMINLIMITS')
        return this.pushSection(
          'adminLimits',
          GUESSED.prompts.adminLimits,
          ATTRIBUTE_KEYS.adminLimits,
          frame.draft.adminLimits,
          true,
        );
      if (what === 'ACCOUNTDEFAULTQUOTAS') {
        return this.pushSection(
          'accountDefaultQuotas',
          GUESSED.prompts.accountDefaultQuotas,
          ATTRIBUTE_KEYS.quotas,
          frame.draft.accountDefaultQuotas,
          false,
        );
      }
      if (what === 'MIGRATIONDATA') {
        return this.pushSection(
          'migrationData',
          GUESSED.prompts.migrationData,
          ATTRIBUTE_KEYS.migrationData,
          frame.draft.migrationData,
          false,
        );
      }
      throw new CommandError('unknownCommand', true);
    }
    if (verb === 'SET' && what === 'SERVICES' && tokens[2]) {
      frame.draft.services = tokenValue(tokens[2]);
      return [];
    }
    if (what === 'ACCOUNT') {
      if (verb === 'ADD') {
        const args = pairs(tokens, 2);
        const name = args.get('name')?.text.toLowerCase();
        const password = args.get('password')?.text;
        if (!name || password === undefined) throw new CommandError('missingParameter');
        if (domain.accounts.has(name)) throw new CommandError('accountExists');
        const draft = newAccount(this.state, name, password, domain.accountDefaultQuotas);
        this.frames.push({ kind: 'account', prompt: GUESSED.prompts.account, domain, isNew: true, draft });
        return [];
      }
      const name = nameArgument(tokens, 2).toLowerCase();
      const account = domain.accounts.get(name);
      if (!account) throw new CommandError('accountNotFound');
      if (verb === 'UPDATE') {
        this.frames.push({
          kind: 'account',
          prompt: GUESSED.prompts.account,
          domain,
          isNew: false,
          draft: cloneAccount(account),
        });
        return [];
      }
      if (verb === 'REMOVE') {
        if (name === GUESSED.postmasterAccount) throw new CommandError('cannotDeletePostmaster');
        domain.accounts.delete(name);
        return [];
      }
    }
    if (what === 'ACCOUNTCLASS' && (verb === 'ADD' || verb === 'UPDATE')) {
      const name = nameArgument(tokens, 2);
      const existing = domain.accountClasses.get(name);
      if (verb === 'ADD' && existing) throw new CommandError('accountClassExists');
      if (verb === 'UPDATE' && !existing) throw new CommandError('accountClassNotFound');
      this.frames.push({
        kind: 'accountClass',
        prompt: GUESSED.prompts.accountClass,
        domain,
        isNew: verb === 'ADD',
        name,
        quotas: cloneAttrs(existing?.quotas ?? {}),
        limits: cloneAttrs(existing?.limits ?? {}),
      });
      return [];
    }
    throw new CommandError('unknownCommand', true);
  }

  private accountCommand(
    frame: Extract<Frame, { kind: 'account' }>,
    verb: string,
    tokens: Token[],
  ): string[] {
    const account = frame.draft;
    if (verb === 'CONFIG') {
      return this.enterSection(tokens, frame.prompt, {
        quotas: account.quotas,
        limits: account.limits,
        contactInfo: account.contactInfo,
      });
    }
    if (verb === 'SET') {
      if (upper(tokens[1]) === 'PASSWORD') {
        const value = tokens[2];
        if (!value) throw new CommandError('missingParameter');
        account.password = value.text;
        return [];
      }
      for (const [raw, value] of pairs(tokens, 1)) {
        const key = canonicalKey(ATTRIBUTE_KEYS.account, raw);
        checkValue(key, tokenValue(value));
        account.attrs[key] = tokenValue(value);
      }
      return [];
    }
    if (verb === 'INHERIT' && upper(tokens[1]) === 'SETTINGS' && upper(tokens[2]) === 'FROM') {
      const source = upper(tokens[3]);
      if (source === 'DOMAINDEFAULTS') {
        account.className = null;
        account.quotas = { ...cloneAttrs(frame.domain.accountDefaultQuotas), ...account.quotas };
        return [];
      }
      if (source === 'ACCOUNTCLASS') {
        const name = tokens[4]?.text;
        if (!name) throw new CommandError('missingParameter');
        const accountClass = frame.domain.accountClasses.get(name);
        if (!accountClass) throw new CommandError('accountClassNotFound');
        account.className = accountClass.name;
        // "Explicit values will not be reset" (spec §7.5): only missing keys come from the class.
        account.quotas = { ...cloneAttrs(accountClass.quotas), ...account.quotas };
        account.limits = { ...cloneAttrs(accountClass.limits), ...account.limits };
        return [];
      }
    }
    throw new CommandError('unknownCommand', true);
  }

  private enterSection(
    tokens: Token[],
    parentPrompt: string,
    sections: Partial<Record<'quotas' | 'limits' | 'contactInfo', Attrs>>,
  ): string[] {
    const what = upper(tokens[1]);
    for (const section of ['quotas', 'limits', 'contactInfo'] as const) {
      const attrs = sections[section];
      if (attrs && what === section.toUpperCase()) {
        return this.pushSection(
          section,
          `${parentPrompt}-${GUESSED.sectionSuffixes[section]}`,
          ATTRIBUTE_KEYS[section],
          attrs,
          false,
        );
      }
    }
    throw new CommandError('unknownCommand', true);
  }

  private pushSection(
    section: SectionName,
    prompt: string,
    keys: readonly string[],
    attrs: Attrs,
    commitable: boolean,
  ): string[] {
    this.frames.push({ kind: 'section', prompt, section, keys, draft: cloneAttrs(attrs), commitable });
    return [];
  }

  private sectionCommand(
    frame: Extract<Frame, { kind: 'section' }>,
    verb: string,
    tokens: Token[],
  ): string[] {
    if (verb === 'SET') {
      for (const [raw, value] of pairs(tokens, 1)) {
        const key = canonicalKey(frame.keys, raw);
        checkValue(key, tokenValue(value));
        frame.draft[key] = tokenValue(value);
      }
      return [];
    }
    if (verb === 'RESET' && tokens[1]) {
      delete frame.draft[canonicalKey(frame.keys, (tokens[1] as Token).text)];
      return [];
    }
    throw new CommandError('unknownCommand', true);
  }

  // -------------------------------------------------------------------------------------------
  // Transactions

  private back(): string[] {
    if (this.frames.length === 1) throw new CommandError('wrongContext');
    this.frames.pop();
    return [];
  }

  private done(): string[] {
    const frame = this.top;
    if (frame.kind !== 'section' || frame.commitable) throw new CommandError('wrongContext');
    this.frames.pop();
    this.mergeIntoParent(frame);
    return [];
  }

  private mergeIntoParent(frame: Extract<Frame, { kind: 'section' }>): void {
    const parent = this.top;
    if (
      parent.kind === 'domain' &&
      (frame.section === 'adminLimits' ||
        frame.section === 'accountDefaultQuotas' ||
        frame.section === 'migrationData')
    ) {
      parent.draft[frame.section] = frame.draft;
    } else if (
      parent.kind === 'account' &&
      (frame.section === 'quotas' || frame.section === 'limits' || frame.section === 'contactInfo')
    ) {
      parent.draft[frame.section] = frame.draft;
    } else if (parent.kind === 'accountClass' && (frame.section === 'quotas' || frame.section === 'limits')) {
      parent[frame.section] = frame.draft;
    }
  }

  private commit(): string[] {
    const frame = this.top;
    switch (frame.kind) {
      case 'root':
        throw new CommandError('wrongContext');
      case 'domainCreate': {
        if (this.state.domains.has(frame.draft.name)) throw new CommandError('domainExists');
        addDomain(this.state, {
          name: frame.draft.name,
          location: frame.draft.location,
          postmasterPassword: frame.draft.postmasterPassword,
          groupware: frame.draft.groupware,
          ...(frame.draft.objectsLocation === undefined
            ? {}
            : { objectsLocation: frame.draft.objectsLocation }),
          messagesLocations: frame.draft.messagesLocations,
        });
        break;
      }
      case 'domain': {
        const { domain, draft } = frame;
        domain.adminLimits = draft.adminLimits;
        domain.accountDefaultQuotas = draft.accountDefaultQuotas;
        domain.migrationData = draft.migrationData;
        break;
      }
      case 'domainEdit':
        frame.domain.groupware = frame.groupware;
        break;
      case 'account':
        this.commitAccount(frame);
        break;
      case 'accountClass':
        frame.domain.accountClasses.set(frame.name, {
          name: frame.name,
          quotas: frame.quotas,
          limits: frame.limits,
        });
        break;
      case 'section': {
        if (!frame.commitable) throw new CommandError('wrongContext');
        this.frames.pop();
        // adminLimits: COMMIT writes at once and also updates the parent's draft.
        const parent = this.top;
        if (parent.kind === 'domain') parent.domain.adminLimits = cloneAttrs(frame.draft);
        this.mergeIntoParent(frame);
        return [];
      }
    }
    this.frames.pop();
    return [];
  }

  private commitAccount(frame: Extract<Frame, { kind: 'account' }>): void {
    const { domain, draft } = frame;
    if (frame.isNew) {
      if (domain.accounts.has(draft.name)) throw new CommandError('accountExists');
      const max = domain.adminLimits.maxAccounts;
      const regular = [...domain.accounts.keys()].filter((name) => name !== GUESSED.postmasterAccount).length;
      if (typeof max === 'string' && Number(max) > 0 && regular >= Number(max))
        throw new CommandError('maxAccountsReached');
    } else if (!domain.accounts.has(draft.name)) {
      throw new CommandError('accountNotFound');
    }
    domain.accounts.set(draft.name, cloneAccount(draft));
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  private list(tokens: Token[]): string[] {
    const what = upper(tokens[1]);
    const frame = this.top;
    if (frame.kind === 'root' && (what === 'DOMAINS' || what === 'ALLDOMAINS')) {
      const all = what === 'ALLDOMAINS';
      const rows = [...this.state.domains.values()]
        .filter((domain) => all || domain.enabled)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((domain) => {
          const { totalKb, usedKb } = domainSizes(domain);
          const row = [domain.name, String(totalKb), String(usedKb)];
          if (all) row.push(domain.enabled ? GUESSED.lists.enabledWord : GUESSED.lists.disabledWord);
          return row;
        });
      return listLines(all ? GUESSED.lists.allDomains : GUESSED.lists.domains, rows);
    }
    if (frame.kind === 'domain' && what === 'ACCOUNTS') {
      const rows = [...frame.domain.accounts.keys()].sort().map((name) => [name]);
      return listLines(GUESSED.lists.accounts, rows);
    }
    if (frame.kind === 'domain' && what === 'ACCOUNTCLASSES') {
      const rows = [...frame.domain.accountClasses.keys()].sort().map((name) => [name]);
      return listLines(GUESSED.lists.accountClasses, rows);
    }
    throw new CommandError('unknownCommand', true);
  }

  private show(tokens: Token[]): string[] {
    const frame = this.top;
    const what = upper(tokens[1]);
    if (frame.kind === 'domain' && what === 'ACCOUNT') {
      const account = frame.domain.accounts.get(nameArgument(tokens, 2).toLowerCase());
      if (!account) throw new CommandError('accountNotFound');
      const attrIndex = tokens.findIndex((token, i) => i > 2 && token.text.toUpperCase() === 'ATTR');
      const attributes = this.accountAttributes(account);
      if (attrIndex < 0) return ['', GUESSED.showTitle, ...attributes.map(([k, v]) => `${k} = ${v}`), ''];
      return this.showAttr(attributes, tokens[attrIndex + 1]?.text);
    }
    if (frame.kind === 'account' && what === 'REGISTRYINFORMATION') return this.registry(frame.draft);
    const attributes = this.contextAttributes(frame);
    if (what === 'ATTR') return this.showAttr(attributes, tokens[2]?.text);
    if (tokens.length > 1) throw new CommandError('unknownCommand', true);
    return ['', GUESSED.showTitle, ...attributes.map(([k, v]) => `${k} = ${v}`), ''];
  }

  private showAttr(attributes: Array<[string, string]>, key: string | undefined): string[] {
    if (!key) throw new CommandError('missingParameter');
    const found = attributes.find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!found) throw new CommandError('unknownAttribute');
    return [`${found[0]} = ${found[1]}`, ''];
  }

  private accountAttributes(account: AccountState): Array<[string, string]> {
    const rows: Array<[string, string]> = [
      ['name', formatValue('name', account.name)],
      ['accountClassName', formatValue('accountClassName', account.className ?? '')],
    ];
    for (const key of ATTRIBUTE_KEYS.account) {
      if (key === 'password') continue;
      rows.push([key, formatValue(key, account.attrs[key] ?? '')]);
    }
    return rows;
  }

  private contextAttributes(frame: Frame): Array<[string, string]> {
    switch (frame.kind) {
      case 'account':
        return this.accountAttributes(frame.draft);
      case 'section':
        return frame.keys.map((key) => [
          key,
          formatValue(key, frame.draft[key] ?? this.inheritedValue(frame.section, key)),
        ]);
      case 'domain':
      case 'domainEdit':
        return [
          ['name', formatValue('name', frame.domain.name)],
          [
            'groupwareSupport',
            frame.kind === 'domainEdit'
              ? frame.groupware
                ? 'yes'
                : 'no'
              : frame.domain.groupware
                ? 'yes'
                : 'no',
          ],
        ];
      case 'domainCreate':
        return [
          ['name', formatValue('name', frame.draft.name)],
          ['groupwareSupport', frame.draft.groupware ? 'yes' : 'no'],
        ];
      default:
        return [];
    }
  }

  /** What SHOW prints for an attribute never set explicitly [E]: services inherit the full list, numbers 0. */
  private inheritedValue(section: SectionName, key: string): AttrValue {
    if (section === 'limits' && key === 'services') return [...GUESSED.accountServices];
    if (NUMERIC_KEYS.has(key)) return '0';
    if (YESNO_KEYS.has(key)) return 'no';
    return '';
  }

  private registry(account: AccountState): string[] {
    const registry = account.registry;
    const created = new Date(registry.createdAt).toUTCString().replace('GMT', '+0000');
    return [
      '',
      GUESSED.registryTitle,
      `Internal ID = ${registry.internalId}`,
      `Creation Date = ${created}`,
      `Modification Date = ${created}`,
      'Configuration Status = ok',
      `Mbox size = ${registry.mboxSizeKb}`,
      `Mbox message count = ${registry.messageCount}`,
      `Mbox folder count = ${registry.folderCount}`,
      'Mbox Storage Status = ok',
      '',
    ];
  }
}
