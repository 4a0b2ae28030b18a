import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import type { ServerConnection, ServerContext, SettingValue } from '../contract.js';
import type { PoolSettings } from './pool.js';
import { quoteValue } from './quoting.js';

export type AxigenSettings = Record<string, SettingValue>;

function serverNumber(server: ServerConnection, key: string, fallback: number): number {
  const value = Number(server.settings[key]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function poolSettingsOf(server: ServerConnection): PoolSettings {
  return {
    maxSessions: serverNumber(server, 'maxSessions', 4),
    commandTimeoutMs: serverNumber(server, 'commandTimeoutSeconds', 30) * 1000,
    connectTimeoutMs: serverNumber(server, 'connectTimeoutSeconds', 10) * 1000,
  };
}

/**
 * The ownership mark provisio writes into `customerReference` (an account attribute, spec §7.5)
 * so lookup can tell its own objects from ones that were already there.
 */
export function ownershipMark(serviceId: number): string {
  return `provisio-service-${serviceId}`;
}

/** Registers a password and the quoted form it travels in, so every sink masks both. */
export function registerPassword(ctx: ServerContext, password: string): void {
  ctx.addSecret(password);
  if (!/[\r\n\0]/.test(password)) ctx.addSecret(quoteValue(password, 'the password'));
}

export function settingNumber(settings: AxigenSettings, key: string): number {
  const value = Number(settings[key] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** MB setting → KB value, or null (RESET: inherit) when 0. */
export function megabytesAsKb(settings: AxigenSettings, key: string): number | null {
  const mb = settingNumber(settings, key);
  return mb > 0 ? mb * 1024 : null;
}

/** Count setting, or null (RESET: inherit) when 0. */
export function countOrInherit(settings: AxigenSettings, key: string): number | null {
  const count = settingNumber(settings, key);
  return count > 0 ? count : null;
}

export function missingPassword(what: string): ProvisioningError {
  return legacyModuleError(
    'invalid-input',
    `the service has no password for ${what}: set one on the service and retry`,
    { code: 'axigen.password_missing' },
  );
}
