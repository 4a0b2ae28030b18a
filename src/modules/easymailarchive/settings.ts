import type { SettingsSchema } from '../contract.js';

/** Product settings, as the vendor's WHMCS module names them (spec §6), plus terminate and plan. */
export interface EasyMailArchiveSettings {
  slugPrefix: string;
  autoGenerateSlug: boolean;
  slugSource: 'domain' | 'company';
  accessBaseDomain: string;
  deleteOnTerminate: boolean;
  plan: string;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const productSettings: SettingsSchema = {
  fields: [
    {
      name: 'slugPrefix',
      label: 'Slug prefix',
      type: 'text',
      default: '',
      maxLength: 32,
      pattern: /^[a-z][a-z0-9-]*$/,
      patternMessage:
        'Slug prefix may contain only lowercase letters, digits and hyphens, and must start with a letter',
      description:
        'Optional. Put in front of auto-generated slugs, e.g. "mycompany-". Not applied to slugs the customer chose.',
    },
    {
      name: 'autoGenerateSlug',
      label: 'Auto-generate slug',
      type: 'yesno',
      default: true,
      description:
        'Derive the tenant slug from the customer\'s domain or company name. When off, the customer must give the slug (service custom field or configurable option "slug").',
    },
    {
      name: 'slugSource',
      label: 'Derive slug from',
      type: 'dropdown',
      default: 'domain',
      options: [
        { value: 'domain', label: "The service's domain (company name when there is none)" },
        { value: 'company', label: "The client's company name (domain when there is none)" },
      ],
      showWhen: { field: 'autoGenerateSlug', equals: true },
    },
    {
      name: 'accessBaseDomain',
      label: 'Access URL base domain (override)',
      type: 'text',
      default: '',
      maxLength: 253,
      pattern: HOSTNAME,
      patternMessage: 'Access URL base domain must be a host name such as archive.example.com',
      description:
        "Optional. Tenants are reached at https://<slug>.<base domain>; leave empty to use the server's reseller base domain.",
    },
    {
      name: 'deleteOnTerminate',
      label: 'Delete tenant on terminate',
      type: 'yesno',
      default: false,
      description:
        'WARNING: deletion is permanent and destroys every archived message of the tenant; Easy Mail Archive cannot restore it. ' +
        'When off (the default, as the vendor documents), terminate suspends the tenant and keeps its data.',
    },
    {
      name: 'plan',
      label: 'Plan',
      type: 'text',
      default: '',
      maxLength: 64,
      pattern: /^[a-z0-9][a-z0-9_-]*$/,
      patternMessage: 'Plan must be a plan name such as starter (lowercase letters, digits, - and _)',
      description:
        'Optional. The Easy Mail Archive plan new tenants are created on (e.g. starter); empty uses your reseller default. ' +
        'The API cannot move an existing tenant to another plan: a package change to another plan is refused until support has moved the tenant.',
    },
  ],
};

/** Server settings: the reseller base domain is per reseller account, i.e. per API key. */
export const serverSettings: SettingsSchema = {
  fields: [
    {
      name: 'baseDomain',
      label: 'Reseller base domain',
      type: 'text',
      default: '',
      maxLength: 253,
      pattern: HOSTNAME,
      patternMessage: 'Reseller base domain must be a host name such as archive.example.com',
      description:
        'The domain set up at reseller onboarding (wildcard CNAME *.<base domain>); tenants are reached at https://<slug>.<base domain>.',
    },
  ],
};
