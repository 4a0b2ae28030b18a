import type { FieldError, SettingField, SettingsSchema, SettingValue } from '../contract.js';
import { parseCustomFeatureLimits, parseEggVariables, splitLocationUuids } from './payload.js';

/**
 * The 24 product settings of the reference WHMCS module, in its order (configoption1..24), with
 * its defaults and its save-time messages. Numbers are text fields, as in WHMCS, so the messages
 * are the reference's own rather than a generic "must be a number".
 *
 * Where this schema is stricter than the reference (UUID shapes, key:value and VAR=value syntax,
 * swap −1 allowed) the docs list it under "Fixes".
 */
export interface CalagopusSettings {
  nestUuid: string;
  eggUuid: string;
  nodeUuid: string;
  locationUuids: string;
  memory: string;
  swap: string;
  disk: string;
  cpu: string;
  memoryOverhead: string;
  ioWeight: string;
  allocationLimit: string;
  databaseLimit: string;
  backupLimit: string;
  scheduleLimit: string;
  customFeatureLimits: string;
  dockerImage: string;
  startupCommand: string;
  serverNamePrefix: string;
  variables: string;
  skipInstaller: boolean;
  startOnCompletion: boolean;
  backupConfigurationUuid: string;
  hugepagesPassthrough: boolean;
  kvmPassthrough: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: SettingValue) => String(value).trim();

function requiredUuid(label: string) {
  return (value: SettingValue) => {
    const v = text(value);
    if (v === '') return `${label} is required.`;
    return UUID.test(v) ? undefined : `${label} must be a UUID (copy it from the panel).`;
  };
}

function optionalUuid(label: string) {
  return (value: SettingValue) => {
    const v = text(value);
    return v === '' || UUID.test(v) ? undefined : `${label} must be a UUID (copy it from the panel).`;
  };
}

/** `message` unless the value is an integer ≥ `min` (blank allowed when `blankOk`). */
function integerAtLeast(min: number, message: string, blankOk = false) {
  return (value: SettingValue) => {
    const v = text(value);
    if (v === '' && blankOk) return undefined;
    return /^-?\d+$/.test(v) && Number(v) >= min ? undefined : message;
  };
}

function limitField(name: string, label: string, fallback: string): SettingField {
  return {
    name,
    label,
    type: 'text',
    default: fallback,
    validate: integerAtLeast(0, `${label} must be a non-negative integer.`, true),
  };
}

const fields: SettingField[] = [
  { name: 'nestUuid', label: 'Nest UUID', type: 'text', maxLength: 40, validate: requiredUuid('Nest UUID') },
  { name: 'eggUuid', label: 'Egg UUID', type: 'text', maxLength: 40, validate: requiredUuid('Egg UUID') },
  {
    name: 'nodeUuid',
    label: 'Node UUID (optional)',
    type: 'text',
    maxLength: 40,
    description: 'Leave blank to use deploy mode with location_uuids.',
    validate: optionalUuid('Node UUID'),
  },
  {
    name: 'locationUuids',
    label: 'Location UUIDs (deploy mode)',
    type: 'text',
    description: 'Comma-separated location UUIDs; used when Node UUID is blank.',
    validate: (value) =>
      splitLocationUuids(text(value)).every((uuid) => UUID.test(uuid))
        ? undefined
        : 'Location UUIDs must be UUIDs separated by commas.',
  },
  {
    name: 'memory',
    label: 'Memory (MB)',
    type: 'text',
    default: '1024',
    validate: integerAtLeast(1, 'Memory must be a positive integer (MB).'),
  },
  {
    name: 'swap',
    label: 'Swap (MB)',
    type: 'text',
    default: '0',
    validate: integerAtLeast(-1, 'Swap must be -1 (unlimited) or a non-negative integer (MB).', true),
  },
  {
    name: 'disk',
    label: 'Disk (MB)',
    type: 'text',
    default: '10240',
    validate: integerAtLeast(1, 'Disk must be a positive integer (MB).'),
  },
  {
    name: 'cpu',
    label: 'CPU Limit (%)',
    type: 'text',
    default: '100',
    validate: integerAtLeast(0, 'CPU limit must be a non-negative integer.'),
  },
  {
    name: 'memoryOverhead',
    label: 'Memory Overhead (MB)',
    type: 'text',
    default: '0',
    validate: integerAtLeast(0, 'Memory Overhead must be a non-negative integer (MB).', true),
  },
  {
    name: 'ioWeight',
    label: 'IO Weight (10-1000, blank=default)',
    type: 'text',
    default: '',
    validate: (value) => {
      const v = text(value);
      if (v === '') return undefined;
      return /^\d+$/.test(v) && Number(v) >= 10 && Number(v) <= 1000
        ? undefined
        : 'IO Weight must be an integer between 10 and 1000.';
    },
  },
  limitField('allocationLimit', 'Allocation Limit', '1'),
  limitField('databaseLimit', 'Database Limit', '0'),
  limitField('backupLimit', 'Backup Limit', '0'),
  limitField('scheduleLimit', 'Schedule Limit', '0'),
  {
    name: 'customFeatureLimits',
    label: 'Custom Feature Limits',
    type: 'textarea',
    description: 'key:value pairs separated by commas, e.g. plugins:5,worlds:3',
    validate: (value) =>
      parseCustomFeatureLimits(String(value)).ok
        ? undefined
        : 'Custom Feature Limits must be key:value pairs separated by commas, e.g. plugins:5,worlds:3.',
  },
  { name: 'dockerImage', label: 'Docker Image (optional)', type: 'text', maxLength: 255 },
  { name: 'startupCommand', label: 'Startup Command (optional)', type: 'text', maxLength: 8192 },
  {
    name: 'serverNamePrefix',
    label: 'Server Name Prefix',
    type: 'text',
    default: '',
    maxLength: 200,
    description: 'Servers are named <prefix><service id>; blank uses "Server-".',
  },
  {
    name: 'variables',
    label: 'Egg Variables',
    type: 'textarea',
    description: 'One VAR_NAME=value per line.',
    validate: (value) =>
      parseEggVariables(String(value)).ok ? undefined : 'Egg Variables must be one VAR_NAME=value per line.',
  },
  { name: 'skipInstaller', label: 'Skip Installer', type: 'yesno', default: false },
  { name: 'startOnCompletion', label: 'Start on Completion', type: 'yesno', default: true },
  {
    name: 'backupConfigurationUuid',
    label: 'Backup Configuration UUID (optional)',
    type: 'text',
    maxLength: 40,
    validate: optionalUuid('Backup Configuration UUID'),
  },
  { name: 'hugepagesPassthrough', label: 'Hugepages Passthrough', type: 'yesno', default: false },
  { name: 'kvmPassthrough', label: 'KVM Passthrough', type: 'yesno', default: false },
];

function crossFieldErrors(values: Readonly<Record<string, SettingValue>>): FieldError[] {
  const node = text(values.nodeUuid ?? '');
  const locations = splitLocationUuids(text(values.locationUuids ?? ''));
  if (node === '' && locations.length === 0) {
    return [
      { field: 'nodeUuid', message: 'Either Node UUID or Location UUIDs (deploy mode) must be provided.' },
    ];
  }
  return [];
}

export const calagopusSettings: SettingsSchema = { fields, validate: crossFieldErrors };

/** Per-panel settings (on the server record): the two choices that no longer fit in 24 product fields. */
export const calagopusServerSettings: SettingsSchema = {
  fields: [
    {
      name: 'deleteBackupsOnTerminate',
      label: 'Delete backups on terminate',
      type: 'yesno',
      default: true,
      description:
        'Send delete_backups:true when a service is terminated (the reference module always does).',
    },
    {
      name: 'deployPortRange',
      label: 'Deploy mode port range',
      type: 'text',
      default: '',
      description:
        'e.g. 25565-25665: deploy sends explicit allocation rules so every deployed server gets a port in this range. Blank leaves it to the egg configuration, which on a fresh panel gives no port at all.',
      pattern: /^\d{1,5}-\d{1,5}$/,
      patternMessage: 'Deploy mode port range must look like 25565-25665.',
      validate: (value) => {
        const v = text(value);
        if (v === '') return undefined;
        const [start, end] = v.split('-').map(Number) as [number, number];
        return start >= 1 && end <= 65535 && start <= end
          ? undefined
          : 'Deploy mode port range must be within 1-65535, start ≤ end.';
      },
    },
  ],
};
