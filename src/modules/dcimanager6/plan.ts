import type { FieldError } from '../contract.js';
import { dcimanager6Errors as errors } from './errors.js';
import { type Dci6Settings, dci6ConfigOptions, IPV6_PREFIX_MAX, IPV6_PREFIX_MIN } from './settings.js';

/**
 * What an activation asks of DCImanager, decided from the product settings, the configurable
 * options and the service card before any remote call (pure, so it is tested alone).
 */
export interface ActivationPlan {
  /** Server id pinned in the service card ("DCImgr server ID"), if any. */
  pinnedServerId: number | undefined;
  configuration: string;
  locationId: number | undefined;
  /** OS template name or id. */
  osTemplate: string;
  ipv4Pool: number | undefined;
  ipv4Count: number;
  ipv6Pool: number | undefined;
  ipv6Count: number;
  /** Subnet prefix length; undefined: single IPv6 addresses. */
  ipv6Prefix: number | undefined;
  temporaryIpv4: boolean;
}

/** Reads a configurable option by its canonical name or any documented alias. */
export function configOption(options: Readonly<Record<string, string>>, name: string): string | undefined {
  const spec = dci6ConfigOptions.find((option) => option.name === name);
  const names = [name, ...(spec?.aliases ?? [])].map((n) => n.toLowerCase());
  for (const [key, value] of Object.entries(options)) {
    if (names.includes(key.toLowerCase()) && value !== '') return value;
  }
  return undefined;
}

const SERVER_ID_FIELDS = ['dcimgrserverid', 'dciserverid', 'serverid'];

/** The "DCImgr server ID" field of the service card, under any spelling of its name. */
export function pinnedServerId(customFields: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(customFields)) {
    if (SERVER_ID_FIELDS.includes(key.toLowerCase().replace(/[^a-z]/g, '')) && value.trim() !== '')
      return value.trim();
  }
  return undefined;
}

function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
}

export function planActivation(
  settings: Dci6Settings,
  options: Readonly<Record<string, string>>,
  customFields: Readonly<Record<string, string>>,
): ActivationPlan {
  const problems: FieldError[] = [];
  const pinned = wholeNumber(pinnedServerId(customFields));
  if (Number.isNaN(pinned))
    problems.push({ field: 'DCImgr server ID', message: 'must be a DCImanager server id (a whole number)' });
  if (pinned === undefined && !settings.configuration) {
    problems.push({
      field: 'configuration',
      message: 'Server configuration type is empty and the service pins no server id',
    });
  }
  const osTemplate = configOption(options, 'os') ?? settings.osTemplate;
  if (!osTemplate)
    problems.push({ field: 'os', message: 'no OS template: set "Operation system" or the os option' });

  const ipv4Pool = wholeNumber(settings.ipv4Pool);
  const ipv6Pool = wholeNumber(settings.ipv6Pool);
  const ipv4Option = wholeNumber(configOption(options, 'ip'));
  const ipv6Option = wholeNumber(configOption(options, 'ip6'));
  const prefixOption = wholeNumber(configOption(options, 'ip6_prefix'));
  if (ipv4Option !== undefined && !(ipv4Option >= 1))
    problems.push({ field: 'ip', message: 'must be a whole number, at least 1' });
  if (ipv6Option !== undefined && !(ipv6Option >= 0))
    problems.push({ field: 'ip6', message: 'must be a whole number' });
  if (prefixOption !== undefined && !(prefixOption >= IPV6_PREFIX_MIN && prefixOption <= IPV6_PREFIX_MAX)) {
    problems.push({
      field: 'ip6_prefix',
      message: `must be a prefix length from ${IPV6_PREFIX_MIN} to ${IPV6_PREFIX_MAX}`,
    });
  }
  const ipv6Count = ipv6Option && ipv6Option > 0 ? ipv6Option : 0;
  if (ipv6Count > 0 && ipv6Pool === undefined)
    problems.push({
      field: 'ip6',
      message: 'IPv6 addresses were ordered but the product has no IPv6 address group',
    });
  // An IPv4 from the IP address group comes with every IPv6 assignment (product docs).
  const ipv4Count = ipv4Option ?? (ipv4Pool !== undefined ? 1 : 0);
  if (ipv4Count > 0 && ipv4Pool === undefined)
    problems.push({
      field: 'ip',
      message: 'IPv4 addresses were ordered but the product has no IP address group',
    });
  if (problems.length > 0) {
    throw errors.error(
      'dcimanager6.order_invalid',
      `the order cannot be activated: ${problems.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      { details: problems },
    );
  }
  return {
    pinnedServerId: pinned,
    configuration: settings.configuration,
    locationId: wholeNumber(settings.locationId),
    osTemplate,
    ipv4Pool,
    ipv4Count: Math.max(ipv4Count, ipv6Count > 0 ? 1 : 0),
    ipv6Pool,
    ipv6Count,
    ipv6Prefix: prefixOption,
    temporaryIpv4: settings.useTemporaryIpv4,
  };
}
