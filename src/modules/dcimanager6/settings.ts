import type { ConfigOptionSpec, SettingsSchema } from '../contract.js';

/**
 * Product settings, one per "Module Settings" field of the vendor's WHMCS module (product docs),
 * plus the OS install recipe the spec lists among the install fields. Pools and templates are
 * DCImanager ids/names; loaders offer the choices from the server.
 */
export interface Dci6Settings {
  configuration: string;
  osTemplate: string;
  dontWaitOsInstall: boolean;
  ipv4Pool: string;
  osInstallTimeoutMinutes: number;
  locationId: string;
  requireVerifiedEmail: boolean;
  diagTemplate: string;
  diagIpPool: string;
  doNotManageIps: boolean;
  shutdownAfterTerminate: boolean;
  disablePortsAfterTerminate: boolean;
  disableDiskClearing: boolean;
  ownerAfterTerminate: string;
  ipv6Pool: string;
  useTemporaryIpv4: boolean;
  removeTemporaryIpAfterInstall: boolean;
  recipe: string;
}

const POOL_ID = /^\d+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const dci6SettingsSchema: SettingsSchema = {
  fields: [
    {
      name: 'configuration',
      label: 'Server configuration type',
      type: 'dropdown',
      loader: 'configurations',
      description:
        'Server configuration name in DCImanager 6 (known after diagnostics). Leave empty only if every service pins a server id.',
    },
    {
      name: 'osTemplate',
      label: 'Operation system',
      type: 'dropdown',
      loader: 'osTemplates',
      description: 'OS template name in DCImanager 6; the "os" configurable option overrides it.',
    },
    {
      name: 'dontWaitOsInstall',
      label: "Don't wait the OS install",
      type: 'yesno',
      default: false,
      description: 'Activate the service as soon as the OS install has started.',
    },
    {
      name: 'ipv4Pool',
      label: 'IP address group',
      type: 'dropdown',
      loader: 'ipPools',
      pattern: POOL_ID,
      patternMessage: 'must be a DCImanager pool id',
      description: 'Pool id for IPv4 addresses.',
    },
    {
      name: 'osInstallTimeoutMinutes',
      label: 'OS Installation timeout (minute)',
      type: 'number',
      default: 60,
      min: 1,
      max: 1440,
    },
    {
      name: 'locationId',
      label: 'Location ID',
      type: 'dropdown',
      loader: 'locations',
      pattern: POOL_ID,
      patternMessage: 'must be a DCImanager location id',
      description: 'Only servers in this location are given out; empty: any location.',
    },
    {
      name: 'requireVerifiedEmail',
      label: 'User email verifying option check',
      type: 'yesno',
      default: false,
      description:
        'Refuse activation for clients whose email is not verified (DCImanager users are matched by email).',
    },
    {
      name: 'diagTemplate',
      label: 'The name of the diagnostic template using during account termination',
      type: 'text',
      default: 'Diag6',
    },
    {
      name: 'diagIpPool',
      label: 'IP address group for the diagnostic operation',
      type: 'dropdown',
      loader: 'ipPools',
      pattern: POOL_ID,
      patternMessage: 'must be a DCImanager pool id',
    },
    {
      name: 'doNotManageIps',
      label: 'Do not manage IP addresses',
      type: 'yesno',
      default: false,
      description: 'Keep the server IPs; assign a new one only when the server has none.',
    },
    {
      name: 'shutdownAfterTerminate',
      label: 'Shutdown server after service termination',
      type: 'yesno',
      default: false,
    },
    {
      name: 'disablePortsAfterTerminate',
      label: 'Suspend the server when service is terminated',
      type: 'yesno',
      default: false,
      description: 'Disable the switch ports after termination.',
    },
    {
      name: 'disableDiskClearing',
      label: 'Disable disk clearing for server after terminate service operation',
      type: 'yesno',
      default: false,
    },
    {
      name: 'ownerAfterTerminate',
      label: 'Owner username for server after terminate service operation',
      type: 'text',
      pattern: EMAIL,
      patternMessage: 'must have the form user@domain.com',
      description: 'Created when missing; empty: the server has no owner after termination.',
    },
    {
      name: 'ipv6Pool',
      label: 'IPv6 address group',
      type: 'dropdown',
      loader: 'ipPools',
      pattern: POOL_ID,
      patternMessage: 'must be a DCImanager pool id',
      description: 'An IPv4 from the IP address group is assigned as well.',
    },
    {
      name: 'useTemporaryIpv4',
      label: 'Use temporary IPv4',
      type: 'yesno',
      default: false,
      description: 'Install the OS over a temporary IPv4 that leaves the server configuration afterwards.',
    },
    {
      name: 'removeTemporaryIpAfterInstall',
      label: 'Remove temporary IP after operation done',
      type: 'yesno',
      default: false,
    },
    {
      name: 'recipe',
      label: 'OS install recipe',
      type: 'text',
      description: 'Recipe name run after the OS install (optional).',
    },
  ],
  validate(values) {
    const errors = [];
    if (values.ipv6Pool && !values.ipv4Pool) {
      errors.push({
        field: 'ipv4Pool',
        message:
          'IP address group is required with an IPv6 address group: an IPv4 is assigned with every IPv6',
      });
    }
    if (values.removeTemporaryIpAfterInstall && !values.useTemporaryIpv4) {
      errors.push({
        field: 'removeTemporaryIpAfterInstall',
        message: 'only applies with "Use temporary IPv4"',
      });
    }
    return errors;
  },
};

/** Bounds of the `ip6_prefix` option (product docs: 64 to 128). */
export const IPV6_PREFIX_MIN = 64;
export const IPV6_PREFIX_MAX = 128;

/** Configurable options with the names the product docs accept (case as documented). */
export const dci6ConfigOptions: readonly ConfigOptionSpec[] = [
  {
    name: 'os',
    aliases: ['OS', 'ostemplate'],
    label: 'Operating system',
    description: 'OS template name (or id) in DCImanager 6.',
  },
  {
    name: 'ip',
    aliases: ['IP', 'ipv4', 'IPv4'],
    label: 'IPv4 addresses',
    description: 'How many IPv4 addresses (at least 1).',
  },
  {
    name: 'ip6',
    aliases: ['IP6', 'ipv6', 'IPv6'],
    label: 'IPv6 addresses or subnets',
    description: 'How many IPv6 addresses, or subnets with ip6_prefix.',
  },
  {
    name: 'ip6_prefix',
    aliases: ['IP6_prefix', 'ipv6_prefix', 'IPv6_prefix'],
    label: 'IPv6 subnet prefix',
    description: `Prefix length of each IPv6 subnet, ${IPV6_PREFIX_MIN} to ${IPV6_PREFIX_MAX}.`,
  },
];
