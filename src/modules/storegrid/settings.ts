import type { FieldError, SettingField, SettingsSchema, SettingValue } from '../contract.js';

/**
 * Product settings, one field per documented module field of the vendor's WHMCS module (product
 * docs "Module Fields Description"), plus when to sign up (the vendor's action hooks) and the
 * account-name prefix. Server fields (protocol, host, port, admin user and password) are the
 * server record's own: `secure` is the protocol, the port defaults to 6060 / 6061.
 *
 * Every documented rule is checked at product save and every error is listed at once.
 */
export interface StoreGridSettings {
  action: 'reseller' | 'customer';
  resellerName: string;
  activationStatus: boolean;
  autoAuthorization: boolean;
  storageAllottedBytes: number;
  storageLocation: string;
  consolidatedReport: boolean;
  consolidatedReportEmails: string;
  autoMcal: boolean;
  mcalCount?: number;
  bandwidthThrottling: 'global' | 'new';
  throttleEnabled: boolean;
  throttleSchedule: 'always' | 'window';
  throttleFrom: string;
  throttleTill: string;
  restrictedRateBytes?: number;
  sendMail: boolean;
  retrievePassKey: boolean;
  signupOn: SignupMoment;
  accountNamePrefix: string;
}

export type SignupMoment = 'create' | 'client-created' | 'order-accepted';

/** Restricted rate bounds from the product docs: over 1024 bytes, under 9999 GB (GB = 2^30 bytes [I]). */
export const MIN_RESTRICTED_RATE_EXCLUSIVE = 1024;
export const MAX_RESTRICTED_RATE_EXCLUSIVE = 9999 * 1024 ** 3;
export const MAX_MCAL_COUNT = 100_000;

const HHMM = /^([01]\d|2[0-3])[0-5]\d$/;
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

/** Hundred-hours time as the product docs give it: 0130 is 1.30 am, 1740 is 5.40 pm. */
export function isHhmm(value: string): boolean {
  return HHMM.test(value);
}

/** Splits the comma-separated recipient list; returns the addresses and one message per bad one. */
export function parseEmailList(list: string): { emails: string[]; problems: string[] } {
  const emails: string[] = [];
  const problems: string[] = [];
  const parts = list.split(',').map((part) => part.trim());
  parts.forEach((part, index) => {
    if (part === '') problems.push(`entry ${index + 1} is empty (two commas in a row, or a comma at an end)`);
    else if (!EMAIL.test(part)) problems.push(`"${part}" is not an e-mail address`);
    else emails.push(part);
  });
  return { emails, problems };
}

function wholeNumber(label: string) {
  return (value: SettingValue): string | undefined =>
    typeof value === 'number' && !Number.isInteger(value) ? `${label} must be a whole number` : undefined;
}

function hhmmField(value: SettingValue, label: string): string | undefined {
  if (value === '' || isHhmm(String(value))) return undefined;
  return `${label} must be a time in HHMM form from 0000 to 2359 (0130 is 1.30 am, 1740 is 5.40 pm)`;
}

const fields: readonly SettingField[] = [
  {
    name: 'action',
    label: 'Action',
    type: 'dropdown',
    default: 'customer',
    options: [
      { value: 'reseller', label: 'Signup Reseller' },
      { value: 'customer', label: 'Signup Customer' },
    ],
    description: 'Add the client to the backup server as a reseller or as a customer.',
  },
  {
    name: 'resellerName',
    label: 'Reseller Name',
    type: 'text',
    maxLength: 64,
    description: 'New customers are created under this reseller. Not applicable to Signup Reseller.',
    showWhen: { field: 'action', equals: 'customer' },
  },
  {
    name: 'activationStatus',
    label: 'Activation Status',
    type: 'yesno',
    default: true,
    description: 'Add the reseller or customer in the activated state.',
  },
  {
    name: 'autoAuthorization',
    label: 'Auto Authorization Status',
    type: 'yesno',
    default: false,
    description: 'Automatically add clients when they connect to the server.',
  },
  {
    name: 'storageAllottedBytes',
    label: 'Storage Allotted (bytes)',
    type: 'number',
    required: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    validate: wholeNumber('Storage Allotted (bytes)'),
    description: 'Allotted space in bytes, e.g. 10737418240 for 10 GB.',
  },
  {
    name: 'storageLocation',
    label: 'Storage Location',
    type: 'text',
    maxLength: 255,
    description: 'Backup storage location; empty lets the backup server choose one.',
  },
  {
    name: 'consolidatedReport',
    label: 'Enable Consolidated Report',
    type: 'yesno',
    default: false,
    description: 'Consolidated report for customers. Not applicable to Signup Reseller.',
    showWhen: { field: 'action', equals: 'customer' },
  },
  {
    name: 'consolidatedReportEmails',
    label: 'Consolidated Report Email',
    type: 'text',
    maxLength: 1000,
    description: 'Recipient address(es), comma-separated. Required when the consolidated report is on.',
    showWhen: { field: 'consolidatedReport', equals: true },
    validate: (value) => {
      if (value === '') return undefined;
      const { problems } = parseEmailList(String(value));
      return problems.length ? `Consolidated Report Email: ${problems.join('; ')}` : undefined;
    },
  },
  {
    name: 'autoMcal',
    label: 'Is Auto MCAL',
    type: 'yesno',
    default: true,
    description: 'Allocate MCALs automatically; turn off to restrict them to Allot MCAL.',
  },
  {
    name: 'mcalCount',
    label: 'Allot MCAL',
    type: 'number',
    // Range checked here rather than with min/max: a value refused by min/max is dropped before
    // the cross-field rules run, which would then also call it missing.
    validate: (value) => {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1 || count > MAX_MCAL_COUNT) {
        return `Allot MCAL must be a whole number from 1 to ${MAX_MCAL_COUNT}`;
      }
      return undefined;
    },
    description: 'Number of MCALs (monthly client access licences). Required when Is Auto MCAL is off.',
    showWhen: { field: 'autoMcal', equals: false },
  },
  {
    name: 'bandwidthThrottling',
    label: 'Bandwidth Throttling',
    type: 'dropdown',
    default: 'global',
    options: [
      { value: 'global', label: 'Global Configuration' },
      { value: 'new', label: 'New Configuration' },
    ],
    description:
      'Global: the server (resellers) or reseller (customers) setting applies. New: the settings below.',
  },
  {
    name: 'throttleEnabled',
    label: 'Enable Throttle for new configuration',
    type: 'yesno',
    default: false,
    showWhen: { field: 'bandwidthThrottling', equals: 'new' },
  },
  {
    name: 'throttleSchedule',
    label: 'Throttle Settings',
    type: 'dropdown',
    default: 'always',
    options: [
      { value: 'always', label: 'Always Throttle' },
      { value: 'window', label: 'Throttle only at specified time' },
    ],
    showWhen: { field: 'throttleEnabled', equals: true },
  },
  {
    name: 'throttleFrom',
    label: 'Throttle From',
    type: 'text',
    maxLength: 4,
    description: 'HHMM, 0000 to 2359. Required for "Throttle only at specified time".',
    showWhen: { field: 'throttleSchedule', equals: 'window' },
    validate: (value) => hhmmField(value, 'Throttle From'),
  },
  {
    name: 'throttleTill',
    label: 'Throttle Till',
    type: 'text',
    maxLength: 4,
    description: 'HHMM, 0000 to 2359. Required for "Throttle only at specified time".',
    showWhen: { field: 'throttleSchedule', equals: 'window' },
    validate: (value) => hhmmField(value, 'Throttle Till'),
  },
  {
    name: 'restrictedRateBytes',
    label: 'Restricted Rate (bytes)',
    type: 'number',
    description: 'Over 1024 bytes and under 9999 GB. Required when the throttle is enabled.',
    showWhen: { field: 'throttleEnabled', equals: true },
    validate: (value) => {
      const rate = Number(value);
      if (!Number.isInteger(rate)) return 'Restricted Rate (bytes) must be a whole number of bytes';
      if (rate <= MIN_RESTRICTED_RATE_EXCLUSIVE || rate >= MAX_RESTRICTED_RATE_EXCLUSIVE) {
        return `Restricted Rate (bytes) must be greater than 1024 bytes and less than 9999 GB (${MAX_RESTRICTED_RATE_EXCLUSIVE} bytes)`;
      }
      return undefined;
    },
  },
  {
    name: 'sendMail',
    label: 'Send Mail',
    type: 'yesno',
    default: false,
    description: 'The backup server sends its own account-creation e-mail.',
  },
  {
    name: 'retrievePassKey',
    label: 'Retrieve Customer Pass Key',
    type: 'yesno',
    default: false,
    description: 'Store the customer pass key in the client custom field "Pass Key". Signup Customer only.',
    showWhen: { field: 'action', equals: 'customer' },
  },
  {
    name: 'signupOn',
    label: 'Sign up on',
    type: 'dropdown',
    default: 'create',
    options: [
      { value: 'create', label: 'Service create (order accepted with Run Module Create)' },
      { value: 'client-created', label: 'Client creation (action hook ClientAdd)' },
      { value: 'order-accepted', label: 'Order acceptance (action hook AcceptOrder)' },
    ],
    description: 'When the account is created: on service create, or automatically on an engine event.',
  },
  {
    name: 'accountNamePrefix',
    label: 'Account name prefix',
    type: 'text',
    default: 'sg',
    maxLength: 16,
    pattern: /^[a-z][a-z0-9]*$/,
    patternMessage: 'Account name prefix must be lowercase letters and digits, starting with a letter',
    description: 'Accounts without a service username are named <prefix><service id>, e.g. sg42.',
  },
];

function crossFieldErrors(values: Readonly<Record<string, SettingValue>>): FieldError[] {
  const errors: FieldError[] = [];
  const customer = values.action === 'customer';
  if (customer && values.resellerName === '') {
    errors.push({ field: 'resellerName', message: 'Reseller Name is required for Signup Customer' });
  }
  if (!customer && values.consolidatedReport === true) {
    errors.push({
      field: 'consolidatedReport',
      message: 'Enable Consolidated Report applies only to Signup Customer',
    });
  }
  if (!customer && values.retrievePassKey === true) {
    errors.push({
      field: 'retrievePassKey',
      message: 'Retrieve Customer Pass Key applies only to Signup Customer',
    });
  }
  if (customer && values.consolidatedReport === true && values.consolidatedReportEmails === '') {
    errors.push({
      field: 'consolidatedReportEmails',
      message: 'Consolidated Report Email is required when the consolidated report is enabled',
    });
  }
  if (values.autoMcal === false && values.mcalCount === undefined) {
    errors.push({ field: 'mcalCount', message: 'Allot MCAL is required when Is Auto MCAL is off' });
  }
  const throttled = values.bandwidthThrottling === 'new' && values.throttleEnabled === true;
  if (throttled && values.restrictedRateBytes === undefined) {
    errors.push({
      field: 'restrictedRateBytes',
      message: 'Restricted Rate (bytes) is required when the throttle is enabled',
    });
  }
  if (throttled && values.throttleSchedule === 'window') {
    for (const [field, label] of [
      ['throttleFrom', 'Throttle From'],
      ['throttleTill', 'Throttle Till'],
    ] as const) {
      if (values[field] === '') {
        errors.push({ field, message: `${label} is required when throttling only at a specified time` });
      }
    }
    if (values.throttleFrom !== '' && values.throttleFrom === values.throttleTill) {
      errors.push({ field: 'throttleTill', message: 'Throttle Till must differ from Throttle From' });
    }
  }
  return errors;
}

export const storegridSettingsSchema: SettingsSchema = {
  fields,
  validate: crossFieldErrors,
};
