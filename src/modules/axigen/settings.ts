import type { FieldError, SettingsSchema, SettingValue } from '../contract.js';

/**
 * Settings of the two Axigen product types and of an Axigen server. Sizes are asked in MB (what
 * an admin thinks in) and sent in KB (spec §4); 0 means "not set here: inherit".
 */
const PATH_HINT = '`{domain}` is replaced by the domain name';

function needs(
  field: string,
  when: string,
  values: Readonly<Record<string, SettingValue>>,
  message: string,
): FieldError[] {
  return values[when] === true && String(values[field] ?? '').trim() === '' ? [{ field, message }] : [];
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
      label: 'Maximum accounts (0: no limit set)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'maxMailingLists',
      label: 'Maximum mailing lists (0: no limit set)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'maxGroups',
      label: 'Maximum groups (0: no limit set)',
      type: 'number',
      default: 0,
      min: 0,
      max: 10_000_000,
    },
    {
      name: 'defaultQuotaMb',
      label: 'Default account storage quota (MB, 0: inherit)',
      type: 'number',
      default: 1024,
      min: 0,
      max: 104_857_600,
    },
    {
      name: 'defaultMaxMessages',
      label: 'Default account message count limit (0: inherit)',
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
  ],
};
