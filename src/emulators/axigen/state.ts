import { GUESSED } from './guesses.js';

/** The emulated server's configuration (spec §9.4): domains, their settings, classes and accounts. */
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
  className: string | null;
  quotas: Attrs;
  limits: Attrs;
  contactInfo: Attrs;
  registry: MailboxRegistry;
}

export interface AccountClassState {
  name: string;
  quotas: Attrs;
  limits: Attrs;
}

export interface DomainState {
  name: string;
  enabled: boolean;
  location: string;
  objectsLocation: string;
  messagesLocations: string[];
  groupware: boolean;
  adminLimits: Attrs;
  accountDefaultQuotas: Attrs;
  migrationData: Attrs;
  accountClasses: Map<string, AccountClassState>;
  accounts: Map<string, AccountState>;
}

export interface ServerState {
  domains: Map<string, DomainState>;
  nextInternalId: number;
  configSaves: number;
}

/** Attributes each context accepts in SET/RESET (keys from spec §7; unknown keys are refused). */
export const ATTRIBUTE_KEYS = {
  quotas: [
    'totalMessageSize',
    'totalMessageCount',
    'mboxCount',
    'messageSize',
    'messageCount',
    'quotaLimitThreshold',
    'quotaSendMessageThreshold',
  ],
  limits: [
    'services',
    'sentMessagesCount',
    'sentRecipientsCount',
    'sentMessagesSize',
    'sentMessagesInterval',
  ],
  contactInfo: ['firstName', 'lastName', 'company', 'department', 'jobTitle', 'phone'],
  adminLimits: [
    'maxAccounts',
    'maxMaillists',
    'maxGroups',
    'maxFolderRecipients',
    'maxAccountClasses',
    'maxAccountMessageSizeQuota',
    'maxAccountMessageCountQuota',
    'maxAccountFolderCountQuota',
    'maxSubdomains',
    'availableServices',
  ],
  migrationData: [
    'enable',
    'createPremiumAccounts',
    'enableContinuousMigration',
    'remoteImapHost',
    'remoteImapPort',
    'remoteSmtpHost',
    'remoteSmtpPort',
    'defaultAccountClassName',
    'enableMigrationCommand',
    'migrationCommand',
    'enableDebugLogging',
  ],
  account: ['password', 'customerReference', 'mustChangePass', 'accountType', 'publishContactInfo'],
} as const;

/** Keys whose values must be whole numbers (sizes in KB, counts, seconds, ports, percentages). */
export const NUMERIC_KEYS = new Set([
  'totalMessageSize',
  'totalMessageCount',
  'mboxCount',
  'messageSize',
  'messageCount',
  'quotaLimitThreshold',
  'quotaSendMessageThreshold',
  'sentMessagesCount',
  'sentRecipientsCount',
  'sentMessagesSize',
  'sentMessagesInterval',
  'maxAccounts',
  'maxMaillists',
  'maxGroups',
  'maxFolderRecipients',
  'maxAccountClasses',
  'maxAccountMessageSizeQuota',
  'maxAccountMessageCountQuota',
  'maxAccountFolderCountQuota',
  'maxSubdomains',
  'remoteImapPort',
  'remoteSmtpPort',
]);

/** Keys whose values are yes/no. */
export const YESNO_KEYS = new Set([
  'enable',
  'createPremiumAccounts',
  'enableContinuousMigration',
  'enableMigrationCommand',
  'enableDebugLogging',
  'mustChangePass',
  'publishContactInfo',
  'groupwareSupport',
]);

export function createServerState(): ServerState {
  return { domains: new Map(), nextInternalId: 1, configSaves: 0 };
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
    registry: { ...account.registry },
  };
}

export function newAccount(
  state: ServerState,
  name: string,
  password: string,
  defaults: Attrs,
): AccountState {
  return {
    name,
    password,
    attrs: { accountType: 'basic' },
    className: null,
    quotas: cloneAttrs(defaults),
    limits: {},
    contactInfo: {},
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
    adminLimits: {},
    accountDefaultQuotas: {},
    migrationData: {},
    accountClasses: new Map(),
    accounts: new Map(),
  };
  const postmaster = newAccount(state, GUESSED.postmasterAccount, spec.postmasterPassword, {});
  domain.accounts.set(postmaster.name, postmaster);
  state.domains.set(domain.name, domain);
  return domain;
}

function numeric(value: AttrValue | undefined): number {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : 0;
}

/** `total` and `used` columns of LIST Domains, in KB. */
export function domainSizes(domain: DomainState): { totalKb: number; usedKb: number } {
  let totalKb = 0;
  let usedKb = 0;
  for (const account of domain.accounts.values()) {
    totalKb += numeric(account.quotas.totalMessageSize);
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
        registry: account.registry,
      };
    }
    domains[domain.name] = {
      enabled: domain.enabled,
      location: domain.location,
      objectsLocation: domain.objectsLocation,
      messagesLocations: domain.messagesLocations,
      groupware: domain.groupware,
      adminLimits: domain.adminLimits,
      accountDefaultQuotas: domain.accountDefaultQuotas,
      migrationData: domain.migrationData,
      accountClasses: Object.fromEntries(
        [...domain.accountClasses.values()].map((c) => [c.name, { quotas: c.quotas, limits: c.limits }]),
      ),
      accounts,
    };
  }
  return { domains, configSaves: state.configSaves };
}
