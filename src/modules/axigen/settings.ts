import type { FieldError, SettingsSchema, SettingValue } from '../contract.js';
import { aliasesOf } from './aliases.js';

/**
 * Settings of the two Axigen product types (the vendor guide's sections 5.2 and 5.3) and of an
 * Axigen server. Sizes are asked in MB (what an admin thinks in) and sent in KB
 * (docs/specs/axigen.md §4). 0 means "not set by this product": an account quota is then
 * RESET to what its class or domain gives; a domain limit is left as the server has it
 * (adminLimits and accountDefaultQuotas have no RESET, §7.3).
 */
const PATH_HINT = '`{domain}` is replaced by the domain name';
const MAILBOX_NAME = /^[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+)*$/;

function needs(
  field: string,
  when: string,
  values: Readonly<Record<string, SettingValue>>,
  message: string,
  equals: SettingValue = true,
): FieldError[] {
  return values[when] === equals && String(values[field] ?? '').trim() === '' ? [{ field, message }] : [];
}

export const domainSettings: SettingsSchema = {
  fields: [
    {
      name: 'domainSource',
      label: 'Domain name comes from',
      type: 'dropdown',
      default: 'service',
      options: [
        { value: 'service', label: "The service's domain" },
        { value: 'customField', label: 'A custom field of the service' },
      ],
      description: 'Where the name of the Axigen domain to create is read (the domain mapping).',
    },
    {
      name: 'domainCustomField',
      label: 'Custom field holding the domain',
      type: 'text',
      default: '',
      maxLength: 64,
      showWhen: { field: 'domainSource', equals: 'customField' },
    },
    {
      name: 'domainAliases',
      label: 'Domain aliases',
      type: 'textarea',
      default: '',
      maxLength: 2000,
      description:
        'Other names the domain answers to, one per line (alias mapping); `{domain}` is replaced by the domain name, e.g. `mail-{domain}.example.net`.',
      validate: (value) => {
        try {
          aliasesOf(String(value), 'example.com');
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    },
    {
      name: 'postmasterAccount',
      label: 'Postmaster mailbox',
      type: 'text',
      default: 'postmaster',
      maxLength: 64,
      pattern: MAILBOX_NAME,
      patternMessage: 'must be a mailbox name such as postmaster or admin',
      description:
        "The mailbox that holds the domain's postmaster role and takes the postmaster password (change password sets it). Another name than `postmaster` creates that mailbox and gives it the role (Axigen 10.6+).",
    },
    {
      name: 'postmasterPassword',
      label: 'Postmaster password',
      type: 'password',
      default: '',
      description:
        "Leave empty to use the service's password (recommended: change password then updates the postmaster).",
    },
    { name: 'groupware', label: 'Enable groupware', type: 'yesno', default: true },
    {
      name: 'domainLocation',
      label: 'Domain storage path',
      type: 'text',
      default: '/var/opt/axigen/domains/{domain}',
      maxLength: 255,
      description: PATH_HINT,
    },
    {
      name: 'objectsLocation',
      label: 'Object storage path',
      type: 'text',
      default: '/var/opt/axigen/domains/{domain}/objects',
      maxLength: 255,
      description: PATH_HINT,
    },
    {
      name: 'messagesLocation',
      label: 'Message storage path',
      type: 'text',
      default: '/var/opt/axigen/domains/{domain}/messages',
      maxLength: 255,
      description: PATH_HINT,
    },
    {
      name: 'objectsMaxFiles',
      label: 'Object storage: maximum file count',
      type: 'number',
      default: 16,
      min: 1,
      max: 100_000,
    },
    {
      name: 'messagesMaxFiles',
      label: 'Message storage: maximum file count',
      type: 'number',
      default: 128,
      min: 1,
      max: 100_000,
    },
    {
      name: 'storageMaxFileSizeMb',
      label: 'Storage: maximum size of one file (MB)',
      type: 'number',
      default: 256,
      min: 1,
      max: 1_048_576,
    },
    {
      name: 'maxAccounts',
      label: 'Maximum accounts (0: not set by this product)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'maxMailingLists',
      label: 'Maximum mailing lists (0: not set by this product)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'maxGroups',
      label: 'Maximum groups (0: not set by this product)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'defaultQuotaMb',
      label: 'Default account storage quota (MB, 0: not set by this product)',
      type: 'number',
      default: 1024,
      min: 0,
      max: 104_857_600,
    },
    {
      name: 'defaultMaxMessages',
      label: 'Default account message count limit (0: not set by this product)',
      type: 'number',
      default: 0,
      min: 0,
      max: 1_000_000_000,
    },
    {
      name: 'migrationEnabled',
      label: 'Migrate mail from another server on first login',
      type: 'yesno',
      default: false,
    },
    {
      name: 'migrationImapHost',
      label: 'Migration: IMAP host',
      type: 'text',
      default: '',
      maxLength: 255,
      showWhen: { field: 'migrationEnabled', equals: true },
    },
    {
      name: 'migrationImapPort',
      label: 'Migration: IMAP port',
      type: 'number',
      default: 143,
      min: 1,
      max: 65535,
      showWhen: { field: 'migrationEnabled', equals: true },
    },
    {
      name: 'migrationSmtpHost',
      label: 'Migration: SMTP host (optional)',
      type: 'text',
      default: '',
      maxLength: 255,
      showWhen: { field: 'migrationEnabled', equals: true },
    },
    {
      name: 'migrationSmtpPort',
      label: 'Migration: SMTP port',
      type: 'number',
      default: 25,
      min: 1,
      max: 65535,
      showWhen: { field: 'migrationEnabled', equals: true },
    },
  ],
  validate: (values) => [
    ...(values.domainSource === 'customField' && String(values.domainCustomField ?? '').trim() === ''
      ? [
          {
            field: 'domainCustomField',
            message: 'Custom field holding the domain is required when the domain comes from a custom field',
          },
        ]
      : []),
    ...needs(
      'migrationImapHost',
      'migrationEnabled',
      values,
      'Migration: IMAP host is required when migration is enabled',
    ),
  ],
};

export const accountSettings: SettingsSchema = {
  fields: [
    {
      name: 'targetDomain',
      label: 'Target domain',
      type: 'dropdown',
      loader: 'domains',
      required: true,
      pattern: /^[A-Za-z0-9.-]+$/,
      patternMessage: 'must be a domain name such as example.com',
      description: 'The existing Axigen domain new mailboxes are created in (loaded from the server).',
    },
    {
      name: 'accountClass',
      label: 'Account class',
      type: 'dropdown',
      loader: 'accountClasses',
      default: '',
      description:
        'Settings template of the target domain; empty for the domain defaults (loaded for the chosen domain).',
    },
    {
      name: 'storageQuotaMb',
      label: 'Storage quota (MB, 0: inherit)',
      type: 'number',
      default: 1024,
      min: 0,
      max: 104_857_600,
    },
    {
      name: 'maxMessages',
      label: 'Maximum stored messages (0: inherit)',
      type: 'number',
      default: 0,
      min: 0,
      max: 1_000_000_000,
    },
    {
      name: 'folderSizeQuotaMb',
      label: 'Message size limit per folder (MB, 0: inherit)',
      type: 'number',
      default: 0,
      min: 0,
      max: 104_857_600,
      description: 'Axigen `messageSize` quota: the size a single folder may hold.',
    },
    {
      name: 'maxFolders',
      label: 'Maximum folders (0: inherit)',
      type: 'number',
      default: 0,
      min: 0,
      max: 100_000,
    },
    {
      name: 'quotaWarningPercent',
      label: 'Quota warning threshold (%; 0: inherit)',
      type: 'number',
      default: 0,
      min: 0,
      max: 100,
    },
  ],
};

export const serverSettings: SettingsSchema = {
  fields: [
    {
      name: 'maxSessions',
      label: 'CLI sessions kept open at most',
      type: 'number',
      default: 4,
      min: 1,
      max: 32,
      description: 'Pooled, logged-in sessions reused by operations.',
    },
    {
      name: 'commandTimeoutSeconds',
      label: 'Time limit per command (s)',
      type: 'number',
      default: 30,
      min: 1,
      max: 600,
    },
    {
      name: 'connectTimeoutSeconds',
      label: 'Time limit to connect (s)',
      type: 'number',
      default: 10,
      min: 1,
      max: 120,
    },
    {
      name: 'sessionIdleSeconds',
      label: 'Close an idle CLI session after (s)',
      type: 'number',
      default: 60,
      min: 1,
      max: 290,
      description:
        "Idle pooled sessions end with EXIT after this long, before the CLI's own 300 s idle timeout.",
    },
    {
      name: 'accountSuspension',
      label: 'How a mailbox is suspended',
      type: 'dropdown',
      default: 'services',
      options: [
        { value: 'services', label: 'Switch its services off (CONFIG Limits: SET services ())' },
        {
          value: 'accountClass',
          label: 'Move it to a class without services (INHERIT SETTINGS FROM accountClass)',
        },
      ],
      description:
        'The CLI has no command to suspend one mailbox; both ways are in use. Unsuspend puts back the services or class the mailbox had.',
    },
    {
      name: 'suspendedAccountClass',
      label: 'Class that suspends a mailbox',
      type: 'text',
      default: 'disabled_accounts',
      maxLength: 64,
      showWhen: { field: 'accountSuspension', equals: 'accountClass' },
      description:
        'An account class, in every domain with suspendable mailboxes, whose Limits have no services.',
    },
  ],
  validate: (values) =>
    needs(
      'suspendedAccountClass',
      'accountSuspension',
      values,
      'Class that suspends a mailbox is required when mailboxes are suspended with a class',
      'accountClass',
    ),
};
