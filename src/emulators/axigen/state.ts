import { GUESSED } from './guesses.js';

/**
 * The emulated server's configuration (docs/specs/axigen.md §9.4): domains with their settings,
 * account classes, accounts, mailing lists and aliases. Accounts keep only their explicit
 * values; what SHOW prints for the rest is inherited from the account's class, then from the
 * domain's account defaults (§7.5: "explicit values will not be reset").
 */
export type AttrValue = string | string[];
export type Attrs = Record<string, AttrValue>;

export interface MailboxRegistry {
  internalId: number;
  createdAt: number;
  /** In KB (see GUESSED.mboxSizeUnit). */
  mboxSizeKb: number;
  messageCount: number;
  folderCount: number;
}

export interface AccountState {
  name: string;
  password: string;
  /** Account-level attributes: customerReference, accountType, mustChangePass, ... */
  attrs: Attrs;
  /** The class the account inherits from (INHERIT SETTINGS FROM accountClass), null: domain defaults. */
  className: string | null;
  /** Explicit values only; RESET removes one. */
  quotas: Attrs;
  limits: Attrs;
  contactInfo: Attrs;
  webmailData: Attrs;
  aliases: string[];
  registry: MailboxRegistry;
}

export interface AccountClassState {
  name: string;
  quotas: Attrs;
  limits: Attrs;
}

export interface MaillistState {
  name: string;
  password: string;
  adminEmail: string;
  attrs: Attrs;
}

export interface DomainState {
  name: string;
  enabled: boolean;
  location: string;
  objectsLocation: string;
  messagesLocations: string[];
  groupware: boolean;
  /** Domain-level SET attributes: customerReference, services, catchAllType, ... */
  attrs: Attrs;
  /** The account with the postmaster role (SET/RESET postmasterAccount, 10.6). */
  postmasterAccount: string;
  adminLimits: Attrs;
  accountDefaultQuotas: Attrs;
  accountDefaultLimits: Attrs;
  migrationData: Attrs;
  aliases: string[];
  accountClasses: Map<string, AccountClassState>;
  accounts: Map<string, AccountState>;
  maillists: Map<string, MaillistState>;
}

export interface ServerState {
  domains: Map<string, DomainState>;
  nextInternalId: number;
  configSaves: number;
}

export function createServerState(): ServerState {
  return { domains: new Map(), nextInternalId: 1, configSaves: 0 };
}

export function clearServerState(state: ServerState): void {
  state.domains.clear();
  state.nextInternalId = 1;
  state.configSaves = 0;
}

export function cloneAttrs(attrs: Attrs): Attrs {
  const copy: Attrs = {};
  for (const [key, value] of Object.entries(attrs)) copy[key] = Array.isArray(value) ? [...value] : value;
  return copy;
}

export function cloneAccount(account: AccountState): AccountState {
  return {
    ...account,
    attrs: cloneAttrs(account.attrs),
    quotas: cloneAttrs(account.quotas),
    limits: cloneAttrs(account.limits),
    contactInfo: cloneAttrs(account.contactInfo),
    webmailData: cloneAttrs(account.webmailData),
    aliases: [...account.aliases],
    registry: { ...account.registry },
  };
}

export function newAccount(state: ServerState, name: string, password: string): AccountState {
  return {
    name,
    password,
    attrs: { accountType: 'basic' },
    className: null,
    quotas: {},
    limits: {},
    contactInfo: {},
    webmailData: {},
    aliases: [],
    registry: {
      internalId: state.nextInternalId++,
      createdAt: Date.now(),
      mboxSizeKb: 0,
      messageCount: 0,
      folderCount: 5,
    },
  };
}

export interface NewDomain {
  name: string;
  location: string;
  postmasterPassword: string;
  groupware?: boolean;
  objectsLocation?: string;
  messagesLocations?: string[];
}

export function addDomain(state: ServerState, spec: NewDomain): DomainState {
  const domain: DomainState = {
    name: spec.name,
    enabled: true,
    location: spec.location,
    objectsLocation: spec.objectsLocation ?? `${spec.location}/objects`,
    messagesLocations: spec.messagesLocations?.length
      ? [...spec.messagesLocations]
      : [`${spec.location}/messages`],
    groupware: spec.groupware ?? false,
    attrs: {},
    postmasterAccount: GUESSED.postmasterAccount,
    adminLimits: {},
    accountDefaultQuotas: {},
    accountDefaultLimits: {},
    migrationData: {},
    aliases: [],
    accountClasses: new Map(),
    accounts: new Map(),
    maillists: new Map(),
  };
  const postmaster = newAccount(state, GUESSED.postmasterAccount, spec.postmasterPassword);
  domain.accounts.set(postmaster.name, postmaster);
  state.domains.set(domain.name, domain);
  return domain;
}

/** What an account sees for a quota or limit it does not set itself: its class, then the domain's defaults. */
export function inheritedAccountValue(
  domain: DomainState,
  className: string | null,
  section: 'quotas' | 'limits',
  key: string,
): AttrValue | undefined {
  const fromClass = className ? domain.accountClasses.get(className)?.[section][key] : undefined;
  if (fromClass !== undefined) return fromClass;
  return (section === 'quotas' ? domain.accountDefaultQuotas : domain.accountDefaultLimits)[key];
}

function numeric(value: AttrValue | undefined): number {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : 0;
}

/** `total` and `used` columns of LIST Domains, in KB (GUESSED.domainSizeUnit). */
export function domainSizes(domain: DomainState): { totalKb: number; usedKb: number } {
  let totalKb = 0;
  let usedKb = 0;
  for (const account of domain.accounts.values()) {
    totalKb += numeric(
      account.quotas.totalMessageSize ??
        inheritedAccountValue(domain, account.className, 'quotas', 'totalMessageSize'),
    );
    usedKb += account.registry.mboxSizeKb;
  }
  return { totalKb, usedKb };
}

/** JSON view of the whole state for tests and the control interface (passwords included: it is a fake). */
export function snapshot(state: ServerState): Record<string, unknown> {
  const domains: Record<string, unknown> = {};
  for (const domain of state.domains.values()) {
    const accounts: Record<string, unknown> = {};
    for (const account of domain.accounts.values()) {
      accounts[account.name] = {
        password: account.password,
        attrs: account.attrs,
        className: account.className,
        quotas: account.quotas,
        limits: account.limits,
        contactInfo: account.contactInfo,
        webmailData: account.webmailData,
        aliases: account.aliases,
        registry: account.registry,
      };
    }
    domains[domain.name] = {
      enabled: domain.enabled,
      location: domain.location,
      objectsLocation: domain.objectsLocation,
      messagesLocations: domain.messagesLocations,
      groupware: domain.groupware,
      attrs: domain.attrs,
      postmasterAccount: domain.postmasterAccount,
      adminLimits: domain.adminLimits,
      accountDefaultQuotas: domain.accountDefaultQuotas,
      accountDefaultLimits: domain.accountDefaultLimits,
      migrationData: domain.migrationData,
      aliases: domain.aliases,
      accountClasses: Object.fromEntries(
        [...domain.accountClasses.values()].map((c) => [c.name, { quotas: c.quotas, limits: c.limits }]),
      ),
      maillists: Object.fromEntries(
        [...domain.maillists.values()].map((l) => [l.name, { adminEmail: l.adminEmail, attrs: l.attrs }]),
      ),
      accounts,
    };
  }
  return { domains, configSaves: state.configSaves };
}
