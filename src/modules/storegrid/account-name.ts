import type { ServiceView } from '../contract.js';

/**
 * StoreGrid account names act as identifiers: reseller names cannot be changed and clients bind
 * to a customer by its name (docs/specs/storegrid.md §3). So the name is derived from the service
 * alone, the same on every replay: the service username when it is a usable name, otherwise
 * `<prefix><service id>`.
 */
const USABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

export function deriveAccountName(service: Pick<ServiceView, 'id' | 'username'>, prefix: string): string {
  const username = service.username?.trim() ?? '';
  return USABLE_NAME.test(username) ? username : `${prefix}${service.id}`;
}
