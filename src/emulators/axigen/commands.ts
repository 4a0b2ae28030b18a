import {
  ACCOUNT_ATTRIBUTES,
  ACCOUNT_SECTIONS,
  CLASS_SECTIONS,
  CREATE_ATTRIBUTES,
  canonicalAttribute,
  checkValue,
  DOMAIN_ATTRIBUTES,
  DOMAIN_SECTIONS,
  EDIT_ATTRIBUTES,
  formatValue,
  LIST_ATTRIBUTES,
  type SectionSpec,
  unsetValue,
} from './attributes.js';
import {
  CommandError,
  type Frame,
  type FrameOf,
  nameArgument,
  pairs,
  tokenValue,
  unknownCommand,
  upper,
  wildcardFilter,
} from './frames.js';
import { GUESSED, type GuessedStatus } from './guesses.js';
import { aliasLines, registryLines, showAttrLines, showLines, tableLines } from './output.js';
import {
  type AccountState,
  type Attrs,
  type AttrValue,
  addDomain,
  cloneAccount,
  cloneAttrs,
  type DomainState,
  domainSizes,
  inheritedAccountValue,
  newAccount,
  type ServerState,
} from './state.js';
import type { Token } from './tokenizer.js';

/**
 * The commands of each context after login, as the 10.6.30 HELP lists them (docs/specs/axigen.md
 * §5, §7): the verb is checked first (a verb a context does not have is an unknown command, even
 * with an unknown object after it), then the object, then its arguments.
 */
export interface CommandResult {
  data: string[];
  status?: GuessedStatus;
}

const done = (data: string[] = [], status?: GuessedStatus): CommandResult =>
  status ? { data, status } : { data };

type Rows = Array<readonly [string, string]>;

export class ContextCommands {
  constructor(
    private readonly state: ServerState,
    private readonly frames: Frame[],
  ) {}

  private get top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  run(tokens: Token[]): CommandResult {
    const verb = upper(tokens[0]);
    if (verb === 'HELP') return done(['(help text omitted by the emulator)']);
    if (verb === 'BACK') return this.back();
    if (verb === 'COMMIT') return this.commit();
    if (verb === 'DONE') return this.done();
    const frame = this.top;
    switch (frame.kind) {
      case 'root':
        return this.root(verb, tokens);
      case 'domainCreate':
        return this.domainCreate(frame, verb, tokens);
      case 'domainEdit':
        return this.domainEdit(frame, verb, tokens);
      case 'domain':
        return this.domain(frame, verb, tokens);
      case 'account':
        return this.account(frame, verb, tokens);
      case 'accountClass':
        return this.accountClass(frame, verb, tokens);
      case 'list':
        return this.list(frame, verb, tokens);
      case 'section':
        return this.section(frame, verb, tokens);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Root `<#>`

  private root(verb: string, tokens: Token[]): CommandResult {
    const object = upper(tokens[1]);
    switch (verb) {
      case 'LIST':
        if (object === 'DOMAINS' || object === 'ALLDOMAINS')
          return this.listDomains(object === 'ALLDOMAINS', tokens[2]);
        throw unknownCommand();
      case 'SAVE':
        if (object !== 'CONFIG') throw unknownCommand();
        this.state.configSaves += 1;
        return done();
      case 'CREATE':
        if (object !== 'DOMAIN') throw unknownCommand();
        return this.createDomain(tokens);
      case 'UPDATE':
      case 'EDIT':
      case 'ENABLE':
      case 'DISABLE':
      case 'DELETE':
      case 'SHOW':
        if (object !== 'DOMAIN') throw unknownCommand();
        return this.domainCommand(verb, tokens);
      default:
        throw unknownCommand();
    }
  }

  private listDomains(all: boolean, wildcard: Token | undefined): CommandResult {
    const matches = wildcardFilter(wildcard);
    const rows = [...this.state.domains.values()]
      .filter((domain) => (all || domain.enabled) && matches(domain.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((domain) => {
        const { totalKb, usedKb } = domainSizes(domain);
        return [domain.name, String(totalKb), String(usedKb)];
      });
    return done(tableLines(all ? GUESSED.lists.allDomains : GUESSED.lists.domains, rows));
  }

  private createDomain(tokens: Token[]): CommandResult {
    const args = pairs(tokens, 2);
    const name = args.get('name')?.text.toLowerCase();
    const location = args.get('domainlocation')?.text;
    const postmasterPassword = args.get('postmasterpassword')?.text;
    if (!name || !location || postmasterPassword === undefined) throw new CommandError('missingParameter');
    if (GUESSED.requireWmFilterTemplatePath && !args.has('wmfiltertemplatepath'))
      throw new CommandError('missingParameter');
    if (this.state.domains.has(name)) throw new CommandError('domainExists');
    const wmFilter = args.get('wmfiltertemplatepath')?.text;
    this.frames.push({
      kind: 'domainCreate',
      prompt: GUESSED.prompts.domainCreate,
      draft: {
        name,
        location,
        postmasterPassword,
        groupware: false,
        messagesLocations: [],
        ...(wmFilter === undefined ? {} : { wmFilterTemplatePath: wmFilter }),
      },
    });
    return done();
  }

  /** UPDATE / EDIT / ENABLE / DISABLE / DELETE / SHOW Domain [name] <d> (ENABLE, EDIT, DELETE need `name`). */
  private domainCommand(verb: string, tokens: Token[]): CommandResult {
    if (['ENABLE', 'EDIT', 'DELETE'].includes(verb) && upper(tokens[2]) !== 'NAME')
      throw new CommandError('missingParameter');
    const { value, next } = nameArgument(tokens, 2);
    const domain = this.state.domains.get(value.toLowerCase());
    if (!domain) throw new CommandError('domainNotFound');
    switch (verb) {
      case 'UPDATE':
        if (!domain.enabled && !GUESSED.updateDisabledDomain) throw new CommandError('domainDisabled');
        this.frames.push({
          kind: 'domain',
          prompt: GUESSED.prompts.domain,
          domain,
          draft: {
            attrs: cloneAttrs(domain.attrs),
            adminLimits: cloneAttrs(domain.adminLimits),
            accountDefaultQuotas: cloneAttrs(domain.accountDefaultQuotas),
            accountDefaultLimits: cloneAttrs(domain.accountDefaultLimits),
            migrationData: cloneAttrs(domain.migrationData),
            aliases: [...domain.aliases],
          },
        });
        return done();
      case 'EDIT':
        this.frames.push({
          kind: 'domainEdit',
          prompt: GUESSED.prompts.domainEdit,
          domain,
          draft: {
            location: domain.location,
            objectsLocation: domain.objectsLocation,
            groupware: domain.groupware,
            messagesLocations: [...domain.messagesLocations],
          },
        });
        return done();
      case 'ENABLE':
        if (domain.enabled) throw new CommandError('domainAlreadyEnabled');
        domain.enabled = true;
        return done();
      case 'DISABLE':
        if (!domain.enabled) throw new CommandError('domainAlreadyDisabled');
        domain.enabled = false;
        return done();
      case 'DELETE':
        if (tokens.length > next && !(tokens.length === next + 1 && upper(tokens[next]) === 'DONTKEEPCOPY'))
          throw new CommandError('syntaxError', true);
        if (domain.enabled && GUESSED.deleteRequiresDisabled) throw new CommandError('wrongContext');
        this.state.domains.delete(domain.name);
        return done();
      default:
        if (!domain.enabled && !GUESSED.updateDisabledDomain) throw new CommandError('domainDisabled');
        return this.showRows(this.domainRows(domain.name, domain.attrs), tokens, next);
    }
  }

  // -------------------------------------------------------------------------------------------
  // `<domain-create#>` and `<domain-edit#>`

  private domainCreate(frame: FrameOf<'domainCreate'>, verb: string, tokens: Token[]): CommandResult {
    const object = upper(tokens[1]);
    const draft = frame.draft;
    if (verb === 'SET') {
      for (const [raw, token] of pairs(tokens, 1)) {
        const key = canonicalAttribute(CREATE_ATTRIBUTES, raw);
        const value = checkValue(CREATE_ATTRIBUTES, key, tokenValue(token)) as string;
        if (key === 'name') draft.name = value.toLowerCase();
        else if (key === 'postmasterPassword') draft.postmasterPassword = value;
        else if (key === 'domainLocation') draft.location = value;
        else if (key === 'wmFilterTemplatePath') draft.wmFilterTemplatePath = value;
        else if (key === 'domainObjectsLocation') draft.objectsLocation = value;
        else draft.groupware = value === 'yes';
      }
      return done();
    }
    if (verb === 'ADD' && object === 'MESSAGESLOCATION' && tokens[2]) {
      draft.messagesLocations.push((tokens[2] as Token).text);
      return done();
    }
    if (verb === 'REMOVE' && object === 'MESSAGESLOCATION' && tokens[2]) {
      draft.messagesLocations = draft.messagesLocations.filter(
        (uri) => !uri.startsWith((tokens[2] as Token).text),
      );
      return done();
    }
    if (verb === 'SHOW' && tokens.length === 1)
      return done(
        showLines([
          ['name', formatValue(CREATE_ATTRIBUTES, 'name', draft.name)],
          ['domainLocation', formatValue(CREATE_ATTRIBUTES, 'domainLocation', draft.location)],
          ['groupwareSupport', draft.groupware ? 'yes' : 'no'],
        ]),
      );
    throw unknownCommand();
  }

  private domainEdit(frame: FrameOf<'domainEdit'>, verb: string, tokens: Token[]): CommandResult {
    const object = upper(tokens[1]);
    const draft = frame.draft;
    if (verb === 'SET') {
      for (const [raw, token] of pairs(tokens, 1)) {
        const key = canonicalAttribute(EDIT_ATTRIBUTES, raw);
        const value = checkValue(EDIT_ATTRIBUTES, key, tokenValue(token)) as string;
        if (key === 'domainLocation') draft.location = value;
        else if (key === 'domainObjectsLocation') draft.objectsLocation = value;
        else if (key === 'groupwareSupport') draft.groupware = value === 'yes';
      }
      return done();
    }
    if (verb === 'ADD' && object === 'MESSAGESLOCATION' && tokens[2]) {
      draft.messagesLocations.push((tokens[2] as Token).text);
      return done();
    }
    if (verb === 'SHOW')
      return this.showRows(
        [
          ['domainLocation', formatValue(EDIT_ATTRIBUTES, 'domainLocation', draft.location)],
          [
            'domainObjectsLocation',
            formatValue(EDIT_ATTRIBUTES, 'domainObjectsLocation', draft.objectsLocation),
          ],
          ['groupwareSupport', draft.groupware ? 'yes' : 'no'],
        ],
        tokens,
        1,
      );
    throw unknownCommand();
  }

  // -------------------------------------------------------------------------------------------
  // `<domain#>`

  private domain(frame: FrameOf<'domain'>, verb: string, tokens: Token[]): CommandResult {
    const object = upper(tokens[1]);
    const domain = frame.domain;
    switch (verb) {
      case 'SHOW':
        if (object === 'ACCOUNT') {
          const { value, next } = nameArgument(tokens, 2);
          const account = domain.accounts.get(value.toLowerCase());
          if (!account) throw new CommandError('accountNotFound');
          return this.showRows(accountRows(account), tokens, next);
        }
        if (object === 'POSTMASTERACCOUNT' && tokens.length === 2)
          return done([`postmasterAccount = "${domain.postmasterAccount}"`, '']);
        return this.showRows(this.domainRows(domain.name, frame.draft.attrs), tokens, 1);
      case 'LIST':
        return this.domainList(frame, object, tokens[2]);
      case 'SET':
        return this.domainSet(frame, tokens);
      case 'RESET':
        if (object === 'POSTMASTERACCOUNT' && tokens.length === 2) {
          domain.postmasterAccount = GUESSED.postmasterAccount;
          return done();
        }
        throw unknownCommand();
      case 'CONFIG':
        return this.enterDomainSection(frame, object);
      case 'ADD':
      case 'UPDATE':
      case 'REMOVE':
        return this.domainObject(frame, verb, object, tokens);
      default:
        throw unknownCommand();
    }
  }

  private domainRows(name: string, attrs: Attrs): Rows {
    return [
      ['name', `"${name}"`],
      ...Object.keys(DOMAIN_ATTRIBUTES).map(
        (key) =>
          [
            key,
            formatValue(DOMAIN_ATTRIBUTES, key, attrs[key] ?? unsetValue(DOMAIN_ATTRIBUTES, key)),
          ] as const,
      ),
    ];
  }

  private domainList(frame: FrameOf<'domain'>, object: string, wildcard: Token | undefined): CommandResult {
    const matches = wildcardFilter(wildcard);
    const names = (keys: Iterable<string>) =>
      [...keys]
        .filter(matches)
        .sort()
        .map((name) => [name]);
    switch (object) {
      case 'ACCOUNTS':
        return done(tableLines(GUESSED.lists.accounts, names(frame.domain.accounts.keys())));
      case 'ACCOUNTCLASSES':
        return done(tableLines(GUESSED.lists.accountClasses, names(frame.domain.accountClasses.keys())));
      case 'LISTS':
        return done(tableLines(GUESSED.lists.maillists, names(frame.domain.maillists.keys())));
      case 'ALIASES':
        if (wildcard) throw new CommandError('syntaxError', true);
        return done(aliasLines(GUESSED.aliasesTitle, frame.draft.aliases));
      default:
        throw unknownCommand();
    }
  }

  private domainSet(frame: FrameOf<'domain'>, tokens: Token[]): CommandResult {
    if (upper(tokens[1]) === 'POSTMASTERACCOUNT' && tokens.length === 3) {
      // 10.6.30 help: "takes effect immediately, not at commit".
      const name = (tokens[2] as Token).text.toLowerCase();
      if (!frame.domain.accounts.has(name)) throw new CommandError('accountNotFound');
      frame.domain.postmasterAccount = name;
      return done();
    }
    const updates: Attrs = {};
    for (const [raw, token] of pairs(tokens, 1)) {
      const key = canonicalAttribute(DOMAIN_ATTRIBUTES, raw);
      updates[key] = checkValue(DOMAIN_ATTRIBUTES, key, tokenValue(token));
    }
    Object.assign(frame.draft.attrs, updates);
    return done();
  }

  private enterDomainSection(frame: FrameOf<'domain'>, object: string): CommandResult {
    const spec = DOMAIN_SECTIONS.find((each) => each.keyword === object);
    if (!spec) throw unknownCommand();
    const name = spec.name as
      | 'adminLimits'
      | 'accountDefaultQuotas'
      | 'accountDefaultLimits'
      | 'migrationData';
    return this.pushSection(spec, frame.prompt, frame.draft[name], () => undefined);
  }

  private domainObject(
    frame: FrameOf<'domain'>,
    verb: string,
    object: string,
    tokens: Token[],
  ): CommandResult {
    const domain = frame.domain;
    if (object === 'ALIAS' && verb !== 'UPDATE') {
      const alias = tokens[2]?.text.toLowerCase();
      if (!alias || tokens.length > 3) throw new CommandError('missingParameter');
      const aliases = frame.draft.aliases;
      if (verb === 'ADD') {
        if (aliases.includes(alias)) throw new CommandError('aliasExists');
        aliases.push(alias);
      } else {
        if (!aliases.includes(alias)) throw new CommandError('aliasNotFound');
        frame.draft.aliases = aliases.filter((each) => each !== alias);
      }
      return done();
    }
    if (object === 'ACCOUNT') return this.domainAccount(frame, verb, tokens);
    if (object === 'LIST') return this.domainMaillist(frame, verb, tokens);
    if (object === 'ACCOUNTCLASS') {
      const { value } = nameArgument(tokens, 2);
      const existing = domain.accountClasses.get(value);
      if (verb === 'REMOVE') {
        if (!existing) throw new CommandError('accountClassNotFound');
        domain.accountClasses.delete(value);
        return done();
      }
      if (verb === 'ADD' && existing) throw new CommandError('accountClassExists');
      if (verb === 'UPDATE' && !existing) throw new CommandError('accountClassNotFound');
      this.frames.push({
        kind: 'accountClass',
        prompt: GUESSED.prompts.accountClass,
        domain,
        isNew: verb === 'ADD',
        draft: {
          name: value,
          quotas: cloneAttrs(existing?.quotas ?? {}),
          limits: cloneAttrs(existing?.limits ?? {}),
        },
      });
      return done();
    }
    throw unknownCommand();
  }

  private domainAccount(frame: FrameOf<'domain'>, verb: string, tokens: Token[]): CommandResult {
    const domain = frame.domain;
    const { value, next } = nameArgument(tokens, 2);
    const name = value.toLowerCase();
    if (verb === 'ADD') {
      const args = pairs(tokens, next);
      const password = args.get('password')?.text;
      if (password === undefined || args.size !== 1) throw new CommandError('missingParameter');
      // Recipients of a domain (accounts, lists) share one namespace [I].
      if (domain.accounts.has(name) || domain.maillists.has(name)) throw new CommandError('accountExists');
      const draft = newAccount(this.state, name, password);
      this.frames.push({
        kind: 'account',
        prompt: GUESSED.prompts.account,
        domain,
        isNew: true,
        originalName: name,
        draft,
      });
      return done();
    }
    const account = domain.accounts.get(name);
    if (!account) throw new CommandError('accountNotFound');
    if (verb === 'REMOVE') {
      // REMOVE takes effect at once (§7.7).
      if (name === domain.postmasterAccount) throw new CommandError('cannotDeletePostmaster');
      domain.accounts.delete(name);
      return done();
    }
    this.frames.push({
      kind: 'account',
      prompt: GUESSED.prompts.account,
      domain,
      isNew: false,
      originalName: name,
      draft: cloneAccount(account),
    });
    return done();
  }

  private domainMaillist(frame: FrameOf<'domain'>, verb: string, tokens: Token[]): CommandResult {
    const domain = frame.domain;
    const { value, next } = nameArgument(tokens, 2);
    const name = value.toLowerCase();
    const existing = domain.maillists.get(name);
    if (verb === 'ADD') {
      const args = pairs(tokens, next);
      const password = args.get('password')?.text;
      const adminEmail = args.get('adminemail')?.text;
      if (password === undefined || adminEmail === undefined) throw new CommandError('missingParameter');
      if (existing || domain.accounts.has(name)) throw new CommandError('listExists');
      this.frames.push({
        kind: 'list',
        prompt: GUESSED.prompts.list,
        domain,
        isNew: true,
        draft: { name, password, adminEmail, attrs: {} },
      });
      return done();
    }
    if (!existing) throw new CommandError('listNotFound');
    if (verb === 'REMOVE') {
      domain.maillists.delete(name);
      return done();
    }
    this.frames.push({
      kind: 'list',
      prompt: GUESSED.prompts.list,
      domain,
      isNew: false,
      draft: { ...existing, attrs: cloneAttrs(existing.attrs) },
    });
    return done();
  }

  // -------------------------------------------------------------------------------------------
  // `<domain-account#>`, `<domain-accountClass#>`, `<domain-list#>`

  private account(frame: FrameOf<'account'>, verb: string, tokens: Token[]): CommandResult {
    const account = frame.draft;
    const object = upper(tokens[1]);
    switch (verb) {
      case 'SHOW':
        if (object === 'REGISTRYINFORMATION' && tokens.length === 2) return done(registryLines(account));
        return this.showRows(accountRows(account), tokens, 1);
      case 'LIST':
        if (object === 'ALIASES' && tokens.length === 2)
          return done(aliasLines(GUESSED.accountAliasesTitle, account.aliases));
        throw unknownCommand();
      case 'SET':
        return this.accountSet(frame, tokens);
      case 'CONFIG': {
        const spec = ACCOUNT_SECTIONS.find((each) => each.keyword === object);
        if (!spec) throw unknownCommand();
        const name = spec.name as 'quotas' | 'limits' | 'contactInfo' | 'webmailData';
        const inherited =
          name === 'quotas' || name === 'limits'
            ? (key: string) => inheritedAccountValue(frame.domain, account.className, name, key)
            : () => undefined;
        return this.pushSection(spec, frame.prompt, account[name], inherited);
      }
      case 'INHERIT':
        return this.inherit(frame, tokens);
      case 'ADD':
      case 'REMOVE': {
        const alias = tokens[2]?.text.toLowerCase();
        if (object !== 'ALIAS' || !alias || tokens.length > 3) throw unknownCommand();
        if (verb === 'ADD') {
          if (account.aliases.includes(alias)) throw new CommandError('aliasExists');
          account.aliases.push(alias);
        } else {
          if (!account.aliases.includes(alias)) throw new CommandError('aliasNotFound');
          account.aliases = account.aliases.filter((each) => each !== alias);
        }
        return done();
      }
      default:
        throw unknownCommand();
    }
  }

  private accountSet(frame: FrameOf<'account'>, tokens: Token[]): CommandResult {
    const account = frame.draft;
    if (upper(tokens[1]) === 'PASSWORD') {
      // SET password <p> [respectEnforcement yes|no] (10.6.30 help).
      const value = tokens[2];
      if (!value) throw new CommandError('missingParameter');
      if (tokens.length > 3 && !(tokens.length === 5 && upper(tokens[3]) === 'RESPECTENFORCEMENT'))
        throw new CommandError('syntaxError', true);
      account.password = value.text;
      return done();
    }
    const updates: Attrs = {};
    for (const [raw, token] of pairs(tokens, 1)) {
      const key = canonicalAttribute(ACCOUNT_ATTRIBUTES, raw);
      const value = checkValue(ACCOUNT_ATTRIBUTES, key, tokenValue(token));
      if (key === 'name') {
        // "only usable in an UPDATE operation" (10.6.30 help).
        if (frame.isNew) throw new CommandError('onlyInUpdate');
        account.name = (value as string).toLowerCase();
      } else updates[key] = value;
    }
    Object.assign(account.attrs, updates);
    return done();
  }

  private inherit(frame: FrameOf<'account'>, tokens: Token[]): CommandResult {
    if (upper(tokens[1]) !== 'SETTINGS' || upper(tokens[2]) !== 'FROM') throw unknownCommand();
    const source = upper(tokens[3]);
    // "inherit settings from … (explicit values will not be reset)": membership changes, explicit values stay.
    if (source === 'DOMAINDEFAULTS' && tokens.length === 4) {
      frame.draft.className = null;
      return done();
    }
    if (source === 'ACCOUNTCLASS' && tokens.length === 5) {
      const accountClass = frame.domain.accountClasses.get((tokens[4] as Token).text);
      if (!accountClass) throw new CommandError('accountClassNotFound');
      frame.draft.className = accountClass.name;
      return done();
    }
    throw new CommandError('syntaxError', true);
  }

  private accountClass(frame: FrameOf<'accountClass'>, verb: string, tokens: Token[]): CommandResult {
    if (verb === 'CONFIG') {
      const spec = CLASS_SECTIONS.find((each) => each.keyword === upper(tokens[1]));
      if (!spec) throw unknownCommand();
      return this.pushSection(
        spec,
        frame.prompt,
        frame.draft[spec.name as 'quotas' | 'limits'],
        () => undefined,
      );
    }
    if (verb === 'SHOW') return this.showRows([['name', `"${frame.draft.name}"`]], tokens, 1);
    throw unknownCommand();
  }

  private list(frame: FrameOf<'list'>, verb: string, tokens: Token[]): CommandResult {
    if (verb === 'SET') {
      for (const [raw, token] of pairs(tokens, 1)) {
        const key = canonicalAttribute(LIST_ATTRIBUTES, raw);
        frame.draft.attrs[key] = checkValue(LIST_ATTRIBUTES, key, tokenValue(token));
      }
      return done();
    }
    if (verb === 'SHOW')
      return this.showRows(
        [
          ['name', `"${frame.draft.name}"`],
          ['adminEmail', `"${frame.draft.adminEmail}"`],
        ],
        tokens,
        1,
      );
    throw unknownCommand();
  }

  // -------------------------------------------------------------------------------------------
  // Sub-contexts: Quotas, Limits, ContactInfo, WebmailData, adminLimits, accountDefault*, MIGRATIONDATA

  private pushSection(
    spec: SectionSpec,
    parentPrompt: string,
    attrs: Attrs,
    inherited: (key: string) => AttrValue | undefined,
  ): CommandResult {
    this.frames.push({
      kind: 'section',
      prompt: `${parentPrompt}-${spec.suffix}`,
      spec,
      draft: cloneAttrs(attrs),
      inherited,
    });
    return done();
  }

  private section(frame: FrameOf<'section'>, verb: string, tokens: Token[]): CommandResult {
    const { spec } = frame;
    if (verb === 'SET') {
      const updates: Attrs = {};
      for (const [raw, token] of pairs(tokens, 1)) {
        const key = canonicalAttribute(spec.attributes, raw);
        updates[key] = checkValue(spec.attributes, key, tokenValue(token));
      }
      Object.assign(frame.draft, updates);
      return done();
    }
    if (verb === 'RESET' && spec.reset && tokens.length === 2) {
      delete frame.draft[canonicalAttribute(spec.attributes, (tokens[1] as Token).text)];
      return done();
    }
    if (verb === 'SHOW') {
      const rows: Rows = Object.keys(spec.attributes).map((key) => [
        key,
        formatValue(
          spec.attributes,
          key,
          frame.draft[key] ?? frame.inherited(key) ?? unsetValue(spec.attributes, key),
        ),
      ]);
      return this.showRows(rows, tokens, 1);
    }
    throw unknownCommand();
  }

  // -------------------------------------------------------------------------------------------
  // SHOW [ATTR <param>] after the object's arguments

  private showRows(rows: Rows, tokens: Token[], from: number): CommandResult {
    if (tokens.length === from) return done(showLines(rows));
    if (upper(tokens[from]) !== 'ATTR') throw unknownCommand();
    const key = tokens[from + 1];
    if (!key || tokens.length > from + 2) throw new CommandError('missingParameter');
    const lines = showAttrLines(rows, key.text);
    if (!lines) throw new CommandError('unknownAttribute');
    return done(lines);
  }

  // -------------------------------------------------------------------------------------------
  // Transactions

  private back(): CommandResult {
    if (this.frames.length === 1) throw new CommandError('wrongContext');
    this.frames.pop();
    return done();
  }

  private done(): CommandResult {
    const frame = this.top;
    if (frame.kind !== 'section' || frame.spec.leave !== 'DONE') throw new CommandError('wrongContext');
    this.frames.pop();
    this.mergeIntoParent(frame);
    return done();
  }

  private mergeIntoParent(frame: FrameOf<'section'>): void {
    const parent = this.top;
    const name = frame.spec.name;
    if (parent.kind === 'domain') {
      parent.draft[
        name as 'adminLimits' | 'accountDefaultQuotas' | 'accountDefaultLimits' | 'migrationData'
      ] = frame.draft;
    } else if (parent.kind === 'account') {
      parent.draft[name as 'quotas' | 'limits' | 'contactInfo' | 'webmailData'] = frame.draft;
    } else if (parent.kind === 'accountClass') {
      parent.draft[name as 'quotas' | 'limits'] = frame.draft;
    }
  }

  private commit(): CommandResult {
    const frame = this.top;
    switch (frame.kind) {
      case 'root':
        throw new CommandError('wrongContext');
      case 'section': {
        if (frame.spec.leave !== 'COMMIT') throw new CommandError('wrongContext');
        this.frames.pop();
        // adminLimits: COMMIT writes at once and also updates the parent's draft.
        const parent = this.top;
        if (parent.kind === 'domain') parent.domain.adminLimits = cloneAttrs(frame.draft);
        this.mergeIntoParent(frame);
        return done([], 'committed');
      }
      case 'domainCreate':
        this.commitCreate(frame);
        break;
      case 'domainEdit':
        Object.assign(frame.domain, {
          location: frame.draft.location,
          objectsLocation: frame.draft.objectsLocation,
          groupware: frame.draft.groupware,
          messagesLocations: frame.draft.messagesLocations,
        });
        break;
      case 'domain':
        Object.assign(frame.domain, frame.draft);
        break;
      case 'account':
        this.commitAccount(frame);
        break;
      case 'accountClass':
        frame.domain.accountClasses.set(frame.draft.name, frame.draft);
        break;
      case 'list':
        this.commitList(frame);
        break;
    }
    this.frames.pop();
    return done([], 'committed');
  }

  private commitCreate(frame: FrameOf<'domainCreate'>): void {
    const { draft } = frame;
    if (this.state.domains.has(draft.name)) throw new CommandError('domainExists');
    addDomain(this.state, {
      name: draft.name,
      location: draft.location,
      postmasterPassword: draft.postmasterPassword,
      groupware: draft.groupware,
      ...(draft.objectsLocation === undefined ? {} : { objectsLocation: draft.objectsLocation }),
      messagesLocations: draft.messagesLocations,
    });
  }

  private commitAccount(frame: FrameOf<'account'>): void {
    const { domain, draft } = frame;
    if (frame.isNew) {
      if (domain.accounts.has(draft.name) || domain.maillists.has(draft.name))
        throw new CommandError('accountExists');
      if (atLimit(domain.adminLimits.maxAccounts, regularAccounts(domain)))
        throw new CommandError('maxAccountsReached');
    } else {
      if (!domain.accounts.has(frame.originalName)) throw new CommandError('accountNotFound');
      if (draft.name !== frame.originalName) {
        if (domain.accounts.has(draft.name)) throw new CommandError('accountExists');
        domain.accounts.delete(frame.originalName);
      }
    }
    domain.accounts.set(draft.name, cloneAccount(draft));
  }

  private commitList(frame: FrameOf<'list'>): void {
    const { domain, draft } = frame;
    if (frame.isNew && atLimit(domain.adminLimits.maxMaillists, domain.maillists.size))
      throw new CommandError('maxMaillistsReached');
    domain.maillists.set(draft.name, draft);
  }
}

function regularAccounts(domain: DomainState): number {
  return [...domain.accounts.keys()].filter((name) => name !== GUESSED.postmasterAccount).length;
}

/** §9.5 [I]: a positive limit is enforced on COMMIT of a new object; 0 or unset means none. */
function atLimit(limit: AttrValue | undefined, count: number): boolean {
  return typeof limit === 'string' && Number(limit) > 0 && count >= Number(limit);
}

function accountRows(account: AccountState): Rows {
  return [
    ['name', `"${account.name}"`],
    ['accountClassName', `"${account.className ?? ''}"`],
    ...Object.keys(ACCOUNT_ATTRIBUTES)
      .filter((key) => key !== 'name')
      .map(
        (key) =>
          [
            key,
            formatValue(ACCOUNT_ATTRIBUTES, key, account.attrs[key] ?? unsetValue(ACCOUNT_ATTRIBUTES, key)),
          ] as const,
      ),
  ];
}
