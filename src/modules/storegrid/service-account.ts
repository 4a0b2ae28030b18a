import { fail } from '../../core/error-catalogue.js';
import type { ProvisioningError } from '../../core/errors.js';
import { type ActionContext, ownershipMark, type ServerContext } from '../contract.js';
import { deriveAccountName } from './account-name.js';
import { StoreGridClient } from './client.js';
import { storegridErrors } from './errors.js';
import { isMarkedFor, marksIn } from './ownership.js';
import type { StoreGridSettings } from './settings.js';
import type { AccountDetails, AccountType } from './wire-adapter.js';

/**
 * The one StoreGrid account a service stands for — its type and name — and the checks every
 * action makes on it before changing anything (docs/specs/storegrid.md §5, §6).
 */
export type Ctx = ActionContext<StoreGridSettings>;

export function clientFor(ctx: ServerContext): StoreGridClient {
  return new StoreGridClient({ server: ctx.server, moduleLog: ctx.moduleLog, signal: ctx.signal });
}

/** The saved type and name, or the ones the settings and the service derive. */
export function accountOf(ctx: Ctx): { type: AccountType; name: string } {
  const saved = ctx.remote.get('accountType');
  return {
    type: saved === 'reseller' || saved === 'customer' ? saved : ctx.settings.action,
    name: ctx.remote.get('accountName') ?? deriveAccountName(ctx.service, ctx.settings.accountNamePrefix),
  };
}

/** Saves the type and name before any remote change, so a replay after a crash uses the same. */
export async function rememberAccount(ctx: Ctx): Promise<{ type: AccountType; name: string }> {
  const { type, name } = accountOf(ctx);
  if (ctx.remote.get('accountName') !== name) await ctx.remote.set('accountName', name);
  if (ctx.remote.get('accountType') !== type) await ctx.remote.set('accountType', type);
  return { type, name };
}

/** The account as a person names it: `customer acme`. */
export function objectName(type: AccountType, name: string): string {
  return `${type} ${name}`;
}

/** The refusal for an account under the service's name that is not this service's. */
export function foreignRefusal(
  ctx: Ctx,
  client: StoreGridClient,
  account: AccountDetails,
  what: string,
): ProvisioningError {
  const id = ctx.service.id;
  const object = objectName(account.type, account.name);
  const others = marksIn(account.notes).filter((other) => other !== id);
  const next = others.length
    ? `it carries the mark of service ${others.join(', ')} and belongs to that service; give service ${id} a name of its own (add it again with another --username)`
    : `its notes carry no ${ownershipMark(id)} mark. If it is this service's account, adopt it: provisio service adopt ${id} --yes (POST /v1/services/${id}/adopt); if not, rename or remove it in the console, or add the service again with another --username`;
  return fail(
    'ownership.foreign',
    `cannot ${what} StoreGrid ${object} on ${client.where}: provisio did not create it for service ${id}; ${next}`,
  );
}

/**
 * The service's account, read right before a change and checked to carry this service's mark:
 * staff may have removed or replaced it since the engine looked.
 */
export async function ourAccount(ctx: Ctx, client: StoreGridClient, what: string): Promise<AccountDetails> {
  const { type, name } = accountOf(ctx);
  const account = await client.getAccount(type, name);
  if (!account) {
    throw storegridErrors.error(
      'storegrid.account_missing',
      `cannot ${what} StoreGrid ${objectName(type, name)}: ${client.where} has no such ${type}. It may have been removed in the console; recreate it there, or resolve the operation (provisio ops resolve ${ctx.operationId})`,
    );
  }
  if (!isMarkedFor(account.notes, ctx.service.id)) throw foreignRefusal(ctx, client, account, what);
  return account;
}
