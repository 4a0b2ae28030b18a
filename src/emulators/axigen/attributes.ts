import { GUESSED } from './guesses.js';
import type { AttrValue } from './state.js';

/**
 * What each context accepts in SET (and RESET), from the 10.6.30 HELP dump (axigen/plugins
 * skills/axigen-cli/cli-reference.md, docs/specs/axigen.md §5): attribute names, value types,
 * how a sub-context is left, and whether its help lists `RESET <attr>`. Only the account's (and
 * account class's) Quotas / Limits / SendRecvRestrictions / WebmailAdvertising contexts list
 * `RESET <attr>`; adminLimits, accountDefaultQuotas, MIGRATIONDATA, ContactInfo and WebmailData
 * list SET/SHOW/DONE|COMMIT/BACK only. Attributes not listed here are refused as unknown: the
 * emulator accepts a subset of the help, never more.
 */
type ValueType = 'number' | 'yesno' | 'list' | 'text' | readonly string[];

const QUOTAS: Record<string, ValueType> = {
  mboxCount: 'number',
  totalMessageCount: 'number',
  totalMessageSize: 'number',
  messageCount: 'number',
  messageSize: 'number',
  quotaLimitThreshold: 'number',
  quotaLimitNotificationInterval: 'number',
  quotaLimitNotificationFileName: 'text',
  quotaLimitNotificationEnabled: 'yesno',
  quotaLimitPushNotificationEnabled: 'yesno',
  quotaSendMessageThreshold: 'number',
  filteredEmailSizeQuota: 'number',
  filteredEmailCountQuota: 'number',
  autopurgeAgeLimit: 'number',
  autopurgeFolders: 'text',
};

const LIMITS: Record<string, ValueType> = {
  sentMessagesCount: 'number',
  sentRecipientsCount: 'number',
  sentMessagesSize: 'number',
  sentMessagesInterval: 'number',
  webmailAttSize: 'number',
  webmailAttCount: 'number',
  webmailMessageSize: 'number',
  temporaryAliasesCount: 'number',
  temporaryAliasesInterval: 'number',
  htmlFilterLevel: 'number',
  archivingPolicy: 'list',
  services: 'list',
  pop3ConnectionCount: 'number',
  imapConnectionCount: 'number',
  webmailRCPTCount: 'number',
  webmailSessionCount: 'number',
  rpopConnectionCount: 'number',
  rpopRetrievalInterval: 'number',
  enableActiveSync: 'yesno',
  enableOutlookConnector: 'yesno',
  enableConversationIndex: 'yesno',
  enableWebPersonalOrganizer: 'yesno',
  enableSharing: 'yesno',
  welcomeMessageEnabled: 'yesno',
  passwordEnforcementEnabled: 'yesno',
  minimumPasswordLength: 'number',
  maximumPasswordLength: 'number',
  passExpirationEnabled: 'yesno',
  passExpirationInterval: 'number',
  passUnchangeable: 'yesno',
};

const ADMIN_LIMITS: Record<string, ValueType> = Object.fromEntries([
  ...[
    'maxAccounts',
    'maxMaillists',
    'maxGroups',
    'maxFolderRecipients',
    'maxAccountClasses',
    'maxAccountMessageSizeQuota',
    'maxAccountMessageCountQuota',
    'maxAccountFolderCountQuota',
    'maxAccountFolderMessageSizeQuota',
    'maxAccountFolderMessageCountQuota',
    'maxSubdomains',
    'maxPremiumMailboxCount',
    'maxSharingMailboxCount',
    'maxPersonalOrganizerMailboxCount',
    'maxOutlookConnectorMailboxCount',
    'maxActiveSyncMailboxCount',
    'maxIAMailboxCount',
  ].map((key) => [key, 'number' as const]),
  ['availableServices', 'list'],
]);

const MIGRATION_DATA: Record<string, ValueType> = {
  enable: 'yesno',
  createPremiumAccounts: 'yesno',
  enableContinuousMigration: 'yesno',
  remoteImapHost: 'text',
  remoteImapPort: 'number',
  remoteSmtpHost: 'text',
  remoteSmtpPort: 'number',
  defaultAccountClassName: 'text',
  enableMigrationCommand: 'yesno',
  migrationCommand: 'text',
  enableDebugLogging: 'yesno',
};

const CONTACT_INFO: Record<string, ValueType> = Object.fromEntries(
  [
    'firstName',
    'lastName',
    'nickName',
    'middleName',
    'title',
    'personalEmail',
    'businessEmail',
    'phone',
    'mobilePhone',
    'homePhone',
    'businessPhone',
    'company',
    'department',
    'office',
    'position',
    'website',
  ].map((key) => [key, 'text' as const]),
);

const WEBMAIL_DATA: Record<string, ValueType> = {
  skin: 'text',
  pageSize: 'number',
  saveToSent: 'yesno',
  deleteToTrash: 'yesno',
  hideDeletedMessages: 'yesno',
  autoRefreshInterval: 'number',
  confirmMailDelete: 'yesno',
  confirmFolderEmpty: 'yesno',
  htmlFilterLevel: 'number',
  language: 'text',
  usePublicContacts: 'yesno',
  useRcptContacts: 'yesno',
  requestReadReceipts: 'yesno',
  sendReadReceipts: ['always', 'never', 'ask'],
  requestDeliveryReceipts: 'yesno',
  autoAddRecipients: 'yesno',
  enableConversationView: 'yesno',
  timezone: 'text',
  weekStartDay: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
  dateFormat: 'text',
  timeFormat: 'text',
  calendarType: ['gregorian', 'persian'],
};

/** `SET` in `<domain-account#>`; `name` only in an UPDATE, `password` has its own syntax. */
export const ACCOUNT_ATTRIBUTES: Record<string, ValueType> = {
  name: 'text',
  mustChangePass: 'yesno',
  accountType: ['basic', 'premium'],
  twoFactorConfigured: 'yesno',
  customerReference: 'text',
  publishContactInfo: 'yesno',
  filteringOption: ['pass', 'discard', 'sendNDR', 'moveToFilteredEmail', 'moveToFilteredEmailWithIC'],
};

/** `SET` in `<domain#>` (10.6.30 help "domain"); `postmasterAccount` takes effect at once. */
export const DOMAIN_ATTRIBUTES: Record<string, ValueType> = {
  assignedIp: 'text',
  services: 'list',
  showWebmailLogin: 'yesno',
  createUsersFromLdap: 'yesno',
  publishRcptContacts: 'yesno',
  enableAppender: 'yesno',
  catchAllType: 'text',
  catchAllAccountName: 'text',
  catchAllFolderName: 'text',
  enableLDAPSync: 'yesno',
  ldapSyncConnectorName: 'text',
  customerReference: 'text',
  defaultTimezone: 'text',
  defaultLanguage: 'text',
  brandingName: 'text',
  enableGravatar: 'yesno',
  enablePushNotificationGenerator: 'yesno',
};

/** `SET` in `<domain-create#>` / `<domain-edit#>` besides their positional commands. */
export const CREATE_ATTRIBUTES: Record<string, ValueType> = {
  name: 'text',
  postmasterPassword: 'text',
  domainLocation: 'text',
  wmFilterTemplatePath: 'text',
  domainObjectsLocation: 'text',
  groupwareSupport: 'yesno',
};
export const EDIT_ATTRIBUTES: Record<string, ValueType> = {
  domainLocation: 'text',
  wmFilterTemplatePath: 'text',
  domainObjectsLocation: 'text',
  groupwareSupport: 'yesno',
};

export const LIST_ATTRIBUTES: Record<string, ValueType> = {
  description: 'text',
  adminEmail: 'text',
  password: 'text',
  publishContactInfo: 'yesno',
  adminConfirm: 'yesno',
};

export type SectionName =
  | 'adminLimits'
  | 'accountDefaultQuotas'
  | 'accountDefaultLimits'
  | 'migrationData'
  | 'quotas'
  | 'limits'
  | 'contactInfo'
  | 'webmailData';

export interface SectionSpec {
  name: SectionName;
  /** The word after CONFIG, matched case-insensitively. */
  keyword: string;
  /** Prompt suffix after the parent's prompt (§5 [I]). */
  suffix: string;
  attributes: Record<string, ValueType>;
  /** adminLimits is left with COMMIT (its help lists no DONE), the others with DONE. */
  leave: 'DONE' | 'COMMIT';
  /** Whether its help lists `RESET <attr>`. */
  reset: boolean;
}

const section = (spec: SectionSpec): SectionSpec => spec;

export const DOMAIN_SECTIONS: readonly SectionSpec[] = [
  section({
    name: 'adminLimits',
    keyword: 'ADMINLIMITS',
    suffix: 'adminLimits',
    attributes: ADMIN_LIMITS,
    leave: 'COMMIT',
    reset: false,
  }),
  section({
    name: 'accountDefaultQuotas',
    keyword: 'ACCOUNTDEFAULTQUOTAS',
    suffix: 'accountDefaultQuotas',
    attributes: QUOTAS,
    leave: 'DONE',
    reset: false,
  }),
  section({
    name: 'accountDefaultLimits',
    keyword: 'ACCOUNTDEFAULTLIMITS',
    suffix: 'accountDefaultLimits',
    attributes: LIMITS,
    leave: 'DONE',
    reset: false,
  }),
  section({
    name: 'migrationData',
    keyword: 'MIGRATIONDATA',
    suffix: 'migrationData',
    attributes: MIGRATION_DATA,
    leave: 'DONE',
    reset: false,
  }),
];

export const ACCOUNT_SECTIONS: readonly SectionSpec[] = [
  section({
    name: 'quotas',
    keyword: 'QUOTAS',
    suffix: 'quotas',
    attributes: QUOTAS,
    leave: 'DONE',
    reset: true,
  }),
  section({
    name: 'limits',
    keyword: 'LIMITS',
    suffix: 'limits',
    attributes: LIMITS,
    leave: 'DONE',
    reset: true,
  }),
  section({
    name: 'contactInfo',
    keyword: 'CONTACTINFO',
    suffix: 'contactInfo',
    attributes: CONTACT_INFO,
    leave: 'DONE',
    reset: false,
  }),
  section({
    name: 'webmailData',
    keyword: 'WEBMAILDATA',
    suffix: 'webmaildata',
    attributes: WEBMAIL_DATA,
    leave: 'DONE',
    reset: false,
  }),
];

/** An account class has Quotas and Limits (with RESET), as an account does. */
export const CLASS_SECTIONS: readonly SectionSpec[] = ACCOUNT_SECTIONS.filter(
  (spec) => spec.name === 'quotas' || spec.name === 'limits',
);

export class AttributeError extends Error {
  constructor(readonly reason: 'unknownAttribute' | 'badValue') {
    super(reason);
  }
}

/** The attribute's canonical spelling; attribute names are case-insensitive (§4). */
export function canonicalAttribute(attributes: Record<string, ValueType>, raw: string): string {
  const found = Object.keys(attributes).find((key) => key.toLowerCase() === raw.toLowerCase());
  if (!found) throw new AttributeError('unknownAttribute');
  return found;
}

export function checkValue(attributes: Record<string, ValueType>, key: string, value: AttrValue): AttrValue {
  const type = attributes[key];
  if (type === 'list') {
    if (!Array.isArray(value)) throw new AttributeError('badValue');
    if (key === 'services' && value.some((service) => !GUESSED.accountServices.includes(service)))
      throw new AttributeError('badValue');
    return value;
  }
  if (Array.isArray(value)) throw new AttributeError('badValue');
  if (type === 'number' && !/^\d+$/.test(value)) throw new AttributeError('badValue');
  if (type === 'yesno') {
    if (!/^(yes|no)$/i.test(value)) throw new AttributeError('badValue');
    return value.toLowerCase();
  }
  if (Array.isArray(type)) {
    const found = type.find((choice) => choice.toLowerCase() === value.toLowerCase());
    if (!found) throw new AttributeError('badValue');
    return found;
  }
  return value;
}

/** What SHOW prints for a value never set (GUESSED.unsetYesNo for yes/no; `()` for lists). */
export function unsetValue(attributes: Record<string, ValueType>, key: string): AttrValue {
  const type = attributes[key];
  if (key === 'services') return [...GUESSED.accountServices];
  if (type === 'number') return '0';
  if (type === 'yesno') return GUESSED.unsetYesNo;
  if (type === 'list') return [];
  if (Array.isArray(type)) return type[0] as string;
  return '';
}

/** How SHOW prints a value: lists in parentheses, numbers, yes/no and enums bare, text double-quoted. */
export function formatValue(attributes: Record<string, ValueType>, key: string, value: AttrValue): string {
  if (Array.isArray(value)) return `(${value.join(' ')})`;
  const type = attributes[key];
  if (type === 'number' || type === 'yesno' || Array.isArray(type)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
