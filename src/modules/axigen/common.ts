import type { ProvisioningError } from '../../core/errors.js';
import type { ServerConnection, ServerContext, SettingValue } from '../contract.js';
import { axigenErrors } from './errors.js';
import type { PoolSettings } from './pool.js';
import { quoteValue } from './quoting.js';

/** Settings shared by both product types, and the reading of numeric settings. */
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
    idleCloseMs: serverNumber(server, 'sessionIdleSeconds', 60) * 1000,
  };
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

/** MB setting → KB value (§4: sizes travel in KB), or null when 0 ("inherit"). */
export function megabytesAsKb(settings: AxigenSettings, key: string): number | null {
  const mb = settingNumber(settings, key);
  return mb > 0 ? mb * 1024 : null;
}

/** Count setting, or null when 0 ("inherit"). */
export function countOrInherit(settings: AxigenSettings, key: string): number | null {
  const count = settingNumber(settings, key);
  return count > 0 ? count : null;
}

export function missingPassword(what: string, serviceId: number): ProvisioningError {
  return axigenErrors.error(
    'axigen.password_missing',
    `service ${serviceId} has no password for ${what}: give it one in the billing order (or, once active, \`provisio service change-password ${serviceId} --password-env NEW_PASSWORD\`) and retry`,
  );
}
