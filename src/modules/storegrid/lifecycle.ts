import type { RemoteState } from '../contract.js';
import type { StoreGridClient } from './client.js';
import { storegridErrors } from './errors.js';
import { isMarkedFor, marksIn } from './ownership.js';
import { flatPackage, packageOfSettings } from './package.js';
import {
  accountOf,
  type Ctx,
  clientFor,
  foreignRefusal,
  objectName,
  ourAccount,
  rememberAccount,
} from './service-account.js';
import { buildSignup } from './signup.js';
import type { AccountDetails, AccountType } from './wire-adapter.js';

/**
 * The lifecycle on StoreGrid, as the vendor's WHMCS module runs it (docs/specs/storegrid.md §6):
 * create signs up a reseller or a customer; suspend deactivates, unsuspend activates; terminate
 * deactivates and never deletes, so the backup data stays on the server. Change package edits the
 * allotments, change password sets the web-portal password. Every change first reads the account
 * and checks it carries this service's mark.
 */

/** Custom client field the vendor's docs name for the customer pass key. */
const PASS_KEY_FIELD = 'Pass Key';

async function storePassKey(ctx: Ctx, client: StoreGridClient, name: string): Promise<void> {
  const key = await client.customerPassKey(name);
  // Registered before anything can print it; the engine seals the secret-named custom field.
  ctx.addSecret(key);
  await ctx.updateClient({ customFields: { [PASS_KEY_FIELD]: key } });
}

async function signUp(ctx: Ctx, client: StoreGridClient, type: AccountType, name: string): Promise<void> {
  await ctx.progress(`signing up ${objectName(type, name)}`);
  try {
    await client.signup(buildSignup(ctx.settings, name, ctx.service, ctx.client));
  } catch (error) {
    // The name was free for this type a moment ago: most likely the other type holds it.
    if (!storegridErrors.is(error, 'storegrid.name_taken')) throw error;
    throw storegridErrors.error(
      'storegrid.name_taken',
      `cannot sign up StoreGrid ${objectName(type, name)}: ${client.where} already has an account named ${name} (names are unique across resellers and customers), which provisio did not create for service ${ctx.service.id}; add the service again with another --username`,
    );
  }
}

export async function create(ctx: Ctx): Promise<void> {
  const { type, name } = await rememberAccount(ctx);
  const client = clientFor(ctx);
  const existing = await client.getAccount(type, name);
  if (existing && !isMarkedFor(existing.notes, ctx.service.id))
    throw foreignRefusal(ctx, client, existing, 'sign up');
  if (!existing) await signUp(ctx, client, type, name);
  if (!ctx.service.username) await ctx.updateService({ username: name });
  if (type === 'customer' && ctx.settings.retrievePassKey) await storePassKey(ctx, client, name);
}

export async function suspend(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await ourAccount(ctx, client, 'deactivate');
  if (account.active) await client.setActive(account.type, account.name, false);
}

export async function unsuspend(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await ourAccount(ctx, client, 'activate');
  if (!account.active) await client.setActive(account.type, account.name, true);
  if (account.type !== 'customer') return;
  const reseller = await client.getAccount('reseller', account.resellerName);
  if (reseller && !reseller.active) {
    await ctx.warn(
      `customer ${account.name} is active, but its reseller ${reseller.name} is deactivated, so its clients still cannot back up`,
    );
  }
}

/** Terminate keeps the backup data: it only deactivates, and a missing account is already gone. */
export async function terminate(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const { type, name } = accountOf(ctx);
  const account = await client.getAccount(type, name);
  if (!account) {
    await ctx.warn(
      `StoreGrid ${objectName(type, name)} no longer exists on ${client.where}; nothing to deactivate`,
    );
    return;
  }
  if (!isMarkedFor(account.notes, ctx.service.id)) throw foreignRefusal(ctx, client, account, 'deactivate');
  if (account.active) await client.setActive(account.type, account.name, false);
}

/** The new product's allotments; the account type and a customer's reseller stay as they are. */
export async function changePackage(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await ourAccount(ctx, client, 'change the package of');
  const { settings } = ctx;
  const object = objectName(account.type, account.name);
  if (settings.action !== account.type) {
    throw storegridErrors.error(
      'storegrid.type_change',
      `cannot make StoreGrid ${object} a ${settings.action}: a package change keeps the account type; choose a product whose Action is Signup ${account.type === 'reseller' ? 'Reseller' : 'Customer'}`,
    );
  }
  if (account.type === 'customer' && settings.resellerName !== account.resellerName) {
    throw storegridErrors.error(
      'storegrid.reseller_change',
      `cannot move StoreGrid ${object} from reseller ${account.resellerName} to ${settings.resellerName}: choose a product whose Reseller Name is ${account.resellerName}`,
    );
  }
  const wanted = packageOfSettings(settings);
  if (JSON.stringify(flatPackage(wanted)) === JSON.stringify(flatPackage(account))) return;
  await client.setPackage(account.type, account.name, wanted);
}

export async function changePassword(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await ourAccount(ctx, client, 'change the password of');
  await client.changePassword(account.type, account.name, ctx.service.password ?? '');
}

export function stateOf(account: AccountDetails): RemoteState['status'] {
  return account.active ? 'active' : 'suspended';
}

/**
 * What is under the service's name and whose it is. A foreign account's name says whose mark it
 * carries, when another service's, so the engine's refusal tells the operator not to adopt it.
 */
export async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const { type, name } = accountOf(ctx);
  const account = await clientFor(ctx).getAccount(type, name);
  if (!account) return null;
  const object = objectName(type, name);
  if (!isMarkedFor(account.notes, ctx.service.id)) {
    const others = marksIn(account.notes).filter((other) => other !== ctx.service.id);
    const whose = others.length ? ` (carries the mark of service ${others.join(', ')})` : '';
    return { status: stateOf(account), owner: 'foreign', object: `${object}${whose}` };
  }
  return {
    status: stateOf(account),
    owner: 'ours',
    object,
    remoteIds: { accountName: account.name, accountType: account.type },
  };
}
