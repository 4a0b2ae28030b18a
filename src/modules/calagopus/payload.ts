/**
 * Pure builders of the reference module's payloads (spec §7.4 steps 1, 6–9 and §7.6): no I/O, so
 * each rule is tested alone.
 */
import type { CalagopusSettings } from './settings.js';

export type FeatureLimitValue = number | boolean | string;

/** `key:value,key:value` → map; numeric → int, `true`/`false` → bool, else string. */
export function parseCustomFeatureLimits(text: string): {
  ok: boolean;
  limits: Record<string, FeatureLimitValue>;
} {
  const limits: Record<string, FeatureLimitValue> = {};
  let ok = true;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const colon = pair.indexOf(':');
    const key = colon < 0 ? '' : pair.slice(0, colon).trim();
    if (key === '') {
      ok = false;
      continue;
    }
    const raw = pair.slice(colon + 1).trim();
    limits[key] = /^-?\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return { ok, limits };
}

export interface EggVariable {
  env_variable: string;
  value: string;
}

/** One `VAR=value` per line, split at the first `=`, trimmed; blank lines skipped. */
export function parseEggVariables(text: string): { ok: boolean; variables: EggVariable[] } {
  const variables: EggVariable[] = [];
  let ok = true;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const equals = line.indexOf('=');
    const key = equals < 0 ? '' : line.slice(0, equals).trim();
    if (key === '') {
      ok = false;
      continue;
    }
    variables.push({ env_variable: key, value: line.slice(equals + 1).trim() });
  }
  return { ok, variables };
}

/** Comma-separated, trimmed, empty entries dropped (the reference sent a trailing comma's "" and got a 400). */
export function splitLocationUuids(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Panel username for a billing client: `[A-Za-z0-9_]` of first+last name (or `user` under 3
 * chars), cut to 14 − len(id), lowercased, then `_<id>`; at most 15 chars.
 */
export function panelUsername(firstName: string, lastName: string, clientId: string): string {
  let base = `${firstName}${lastName}`.replace(/[^A-Za-z0-9_]/g, '');
  if (base.length < 3) base = 'user';
  return `${base.slice(0, Math.max(0, 14 - clientId.length)).toLowerCase()}_${clientId}`;
}

export function serverName(prefix: string, serviceId: number): string {
  return `${prefix.trim() === '' ? 'Server-' : prefix.trim()}${serviceId}`;
}

const int = (value: string, fallback: number) => (value.trim() === '' ? fallback : Number(value.trim()));

export interface ServerLimits {
  cpu: number;
  memory: number;
  memory_overhead: number;
  swap: number;
  disk: number;
  io_weight?: number;
}

/** `limits` for create and change-package; a blank IO weight omits the key (panel default). */
export function serverLimits(settings: CalagopusSettings): ServerLimits {
  const limits: ServerLimits = {
    cpu: int(settings.cpu, 100),
    memory: int(settings.memory, 1024),
    memory_overhead: int(settings.memoryOverhead, 0),
    swap: int(settings.swap, 0),
    disk: int(settings.disk, 10240),
  };
  if (settings.ioWeight.trim() !== '') limits.io_weight = Number(settings.ioWeight.trim());
  return limits;
}

/** The four standard limits, then the custom ones (which may override them), as the reference does. */
export function featureLimits(settings: CalagopusSettings): Record<string, FeatureLimitValue> {
  return {
    allocations: int(settings.allocationLimit, 1),
    databases: int(settings.databaseLimit, 0),
    backups: int(settings.backupLimit, 0),
    schedules: int(settings.scheduleLimit, 0),
    ...parseCustomFeatureLimits(settings.customFeatureLimits).limits,
  };
}

export interface EggDefaults {
  docker_images?: Record<string, string>;
  startup_commands?: Record<string, string>;
  /** Panels up to 1.0.3 had one startup string. */
  startup?: string;
}

/** Product override, else the egg's first image. */
export function chooseImage(settings: CalagopusSettings, egg: EggDefaults): string | undefined {
  if (settings.dockerImage.trim() !== '') return settings.dockerImage.trim();
  return Object.values(egg.docker_images ?? {})[0];
}

/** Product override, else egg.startup (≤1.0.3), else startup_commands.Default, else the first one. */
export function chooseStartup(settings: CalagopusSettings, egg: EggDefaults): string | undefined {
  if (settings.startupCommand.trim() !== '') return settings.startupCommand.trim();
  if (egg.startup) return egg.startup;
  const commands = egg.startup_commands ?? {};
  return commands.Default ?? Object.values(commands)[0];
}

/** The part of the create body shared by node and deploy mode (spec §7.4 step 8). */
export function baseCreateBody(input: {
  settings: CalagopusSettings;
  ownerUuid: string;
  /** The service's ownership mark (§11.1). */
  externalId: string;
  serviceId: number;
  image: string;
  startup: string;
}): Record<string, unknown> {
  const { settings } = input;
  const body: Record<string, unknown> = {
    owner_uuid: input.ownerUuid,
    egg_uuid: settings.eggUuid.trim(),
    start_on_completion: settings.startOnCompletion,
    skip_installer: settings.skipInstaller,
    external_id: input.externalId,
    name: serverName(settings.serverNamePrefix, input.serviceId),
    limits: serverLimits(settings),
    pinned_cpus: [],
    startup: input.startup,
    image: input.image,
    hugepages_passthrough_enabled: settings.hugepagesPassthrough,
    kvm_passthrough_enabled: settings.kvmPassthrough,
    feature_limits: featureLimits(settings),
    variables: parseEggVariables(settings.variables).variables,
  };
  if (settings.backupConfigurationUuid.trim() !== '')
    body.backup_configuration_uuid = settings.backupConfigurationUuid.trim();
  return body;
}

/** Explicit deploy rules: a primary port in the range, no additional ones. */
export function deployAllocationRules(portRange: string): Record<string, unknown> | undefined {
  const match = /^(\d+)-(\d+)$/.exec(portRange.trim());
  if (!match) return undefined;
  return {
    dedicated: false,
    primary: { start_port: Number(match[1]), end_port: Number(match[2]) },
    additional: [],
  };
}

/** Change package (spec §7.6): limits, feature limits, passthrough flags, image only when set. */
export function changePackageBody(settings: CalagopusSettings): Record<string, unknown> {
  const body: Record<string, unknown> = {
    limits: serverLimits(settings),
    feature_limits: featureLimits(settings),
    hugepages_passthrough_enabled: settings.hugepagesPassthrough,
    kvm_passthrough_enabled: settings.kvmPassthrough,
  };
  if (settings.dockerImage.trim() !== '') body.image = settings.dockerImage.trim();
  return body;
}
