import type { RemoteObject, ServerContext, ServiceRef } from '../contract.js';
import { deriveAccountName } from './account-name.js';
import type { StoreGridClient } from './client.js';
import { markedServiceId } from './ownership.js';
import { flatPackage } from './package.js';
import { clientFor } from './service-account.js';
import type { StoreGridSettings } from './settings.js';
import type { AccountDetails, AccountType } from './wire-adapter.js';

/**
 * Reconcile's view of a backup server (docs/specs/storegrid.md §7): every reseller and every
 * customer, ours and foreign, page by page as ListAccounts serves them; the account each service
 * claims; and (in package.ts) where an account's limits differ from its product.
 */
const ACCOUNT_TYPES: readonly AccountType[] = ['reseller', 'customer'];

/** Every account of one type, one console page at a time. */
export async function* accountPages(
  client: StoreGridClient,
  type: AccountType,
): AsyncGenerator<AccountDetails[]> {
  for (let page = 1, pageCount = 1; page <= pageCount; page++) {
    const answer = await client.listAccounts(type, page);
    pageCount = answer.pageCount;
    if (answer.accounts.length) yield answer.accounts;
  }
}

export function remoteObjectOf(account: AccountDetails): RemoteObject {
  return {
    kind: account.type,
    key: account.name,
    ...(account.type === 'customer' ? { label: `${account.name} (reseller ${account.resellerName})` } : {}),
    markedServiceId: markedServiceId(account.notes),
    state: account.active ? 'active' : 'suspended',
    package: {
      ...flatPackage(account),
      ...(account.type === 'customer' ? { resellerName: account.resellerName } : {}),
    },
    remoteIds: { accountName: account.name, accountType: account.type },
  };
}

export async function* listRemote(ctx: ServerContext): AsyncGenerator<RemoteObject[]> {
  const client = clientFor(ctx);
  for (const type of ACCOUNT_TYPES) {
    for await (const accounts of accountPages(client, type)) yield accounts.map(remoteObjectOf);
  }
}

/** The account a service claims, by the same rule create names it (no backend call). */
export function remoteKeyOf(service: ServiceRef, settings: StoreGridSettings): { kind: string; key: string } {
  const savedType = service.remoteIds.accountType;
  return {
    kind: savedType === 'reseller' || savedType === 'customer' ? savedType : settings.action,
    key:
      service.remoteIds.accountName ??
      deriveAccountName({ id: service.serviceId, username: service.username }, settings.accountNamePrefix),
  };
}
