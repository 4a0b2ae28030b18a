import type { ApiKey, PanelState, PanelUser } from './state.js';
import { ApiError } from './validation.js';

/**
 * The authentication ladder of spec §1.2, in the panel's order, with its exact texts. Keys are
 * kept in clear here (the panel stores bcrypt hashes; the comparison result is the same).
 */
export interface Caller {
  user: PanelUser;
  key: ApiKey;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

export function ipAllowed(allowed: readonly string[], remote: string): boolean {
  if (allowed.length === 0) return true;
  const address = remote.replace(/^::ffff:/, '');
  return allowed.some((entry) => {
    const [network = '', bitsText] = entry.split('/');
    if (bitsText === undefined) return network === address;
    const base = ipv4ToNumber(network);
    const value = ipv4ToNumber(address);
    if (base === undefined || value === undefined) return false;
    const bits = Number(bitsText);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (base & mask) === (value & mask);
  });
}

export function authenticate(
  state: PanelState,
  header: string | undefined,
  remoteIp: string,
  now: number,
): Caller {
  if (header === undefined) throw new ApiError(401, ['missing authorization']);
  if (header.length !== 55) throw new ApiError(401, ['invalid authorization header']);
  // Case-sensitive prefix: `bearer …` is not stripped and then fails the lookup.
  const token = header.startsWith('Bearer ') ? header.slice(7) : header;
  const key = state.apiKeys.find((k) => k.key === token && (k.expires === null || k.expires > now));
  if (!key) throw new ApiError(401, ['invalid api key']);
  if (!ipAllowed(key.allowed_ips, remoteIp))
    throw new ApiError(403, ['ip address not allowed for this api key']);
  const user = state.users.get(key.user_uuid);
  if (!user) throw new ApiError(401, ['invalid api key']);
  if (user.suspended) throw new ApiError(403, ['account is suspended']);
  if (user.require_two_factor && !user.totp_enabled)
    throw new ApiError(403, ['two-factor authentication required']);
  // Admin gate of /api/admin: an admin, or a role with at least one admin permission.
  if (!user.admin && user.role_permissions.length === 0) throw new ApiError(401, ['unauthorized']);
  return { user, key };
}

/** Needs the user (admin or role) AND, for API-key auth, the key's own list to grant it. */
export function hasPermission(caller: Caller, permission: string): boolean {
  const userHas = caller.user.admin || caller.user.role_permissions.includes(permission);
  return userHas && caller.key.admin_permissions.includes(permission);
}
