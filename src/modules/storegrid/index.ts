import { legacyModuleError } from '../../core/errors.js';
import {
  type ActionContext,
  defineModule,
  type RemoteState,
  type ServerContext,
  type ViewModel,
} from '../contract.js';
import { deriveAccountName, ownershipMarker } from './account-name.js';
import { StoreGridClient } from './client.js';
import type { StoreGridSettings } from './settings.js';
import { storegridSettingsSchema } from './settings.js';
import { buildSignup } from './signup.js';
import type { AccountDetails, AccountType } from './wire-adapter.js';

/**
 * StoreGrid (Vembu StoreGrid SP backup server): signs the client up as a reseller or as a
 * customer under a configured reseller, and manages the account by activating and deactivating
 * it, as the vendor's WHMCS module does. Terminate deactivates and never deletes: the backup data
 * stays on the server (specs/storegrid.md §4). The wire format is an assumption kept in
 * wire-adapter.ts.
 */
type Ctx = ActionContext<StoreGridSettings>;

/** Custom client field the vendor's docs name for the customer pass key. */
export const PASS_KEY_FIELD = 'Pass Key';

function clientFor(ctx: ServerContext): StoreGridClient {
  return new StoreGridClient({ server: ctx.server, moduleLog: ctx.moduleLog, signal: ctx.signal });
}

function accountTypeOf(ctx: Ctx): AccountType {
  const saved = ctx.remote.get('accountType');
  return saved === 'reseller' || saved === 'customer' ? saved : ctx.settings.action;
}

function accountNameOf(ctx: Ctx): string {
  return ctx.remote.get('accountName') ?? deriveAccountName(ctx.service, ctx.settings.accountNamePrefix);
}

function isOurs(account: AccountDetails, serviceId: number): boolean {
  return account.notes === ownershipMarker(serviceId);
}

/** Saves the name before the remote create, so a replay after a crash uses the same one. */
async function rememberAccount(ctx: Ctx): Promise<{ type: AccountType; name: string }> {
  const type = accountTypeOf(ctx);
  const name = accountNameOf(ctx);
  if (ctx.remote.get('accountName') !== name) await ctx.remote.set('accountName', name);
  if (ctx.remote.get('accountType') !== type) await ctx.remote.set('accountType', type);
  return { type, name };
}

async function requireAccount(ctx: Ctx, client: StoreGridClient, what: string): Promise<AccountDetails> {
  const type = accountTypeOf(ctx);
  const name = accountNameOf(ctx);
  const account = await client.getAccount(type, name);
  if (!account) {
    throw legacyModuleError(
      'not-found',
      `cannot ${what} StoreGrid ${type} ${name}: ${client.where} has no such ${type}. It may have been removed in the console; recreate it there or mark this operation resolved`,
      { code: 'storegrid.account_missing' },
    );
  }
  return account;
}

async function storePassKey(ctx: Ctx, client: StoreGridClient, name: string): Promise<void> {
  const key = await client.customerPassKey(name);
  // Registered before anything can print it; the engine seals the secret-named custom field.
  ctx.addSecret(key);
  await ctx.updateClient({ customFields: { [PASS_KEY_FIELD]: key } });
}

async function create(ctx: Ctx): Promise<void> {
  const { type, name } = await rememberAccount(ctx);
  const client = clientFor(ctx);
  const existing = await client.getAccount(type, name);
  if (existing && !isOurs(existing, ctx.service.id)) {
    throw legacyModuleError(
      'conflict',
      `${client.where} already has a ${type} named ${name} that provisio did not create for service ${ctx.service.id}: give the service another username, or remove the other ${type} in the console`,
      { code: 'storegrid.name_taken' },
    );
  }
  if (!existing) {
    await ctx.progress(`signing up ${type} ${name}`);
    await client.signup(buildSignup(ctx.settings, name, ctx.service, ctx.client));
  }
  if (!ctx.service.username) await ctx.updateService({ username: name });
  if (type === 'customer' && ctx.settings.retrievePassKey) await storePassKey(ctx, client, name);
}

async function deactivate(ctx: Ctx, what: string): Promise<void> {
  const client = clientFor(ctx);
  const account = await requireAccount(ctx, client, what);
  if (account.active) await client.setActive(account.type, account.name, false);
}

async function unsuspend(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await requireAccount(ctx, client, 'activate');
  if (!account.active) await client.setActive(account.type, account.name, true);
  if (account.type === 'customer') {
    const reseller = await client.getAccount('reseller', account.resellerName);
    if (reseller && !reseller.active) {
      ctx.logger.warn(
        `customer ${account.name} is active, but its reseller ${reseller.name} is deactivated, so its clients still cannot back up`,
      );
    }
  }
}

/** Terminate keeps the backup data: it only deactivates, and a missing account is already gone. */
async function terminate(ctx: Ctx): Promise<void> {
  const client = clientFor(ctx);
  const account = await client.getAccount(accountTypeOf(ctx), accountNameOf(ctx));
  if (!account) {
    ctx.logger.warn(
      `StoreGrid ${accountTypeOf(ctx)} ${accountNameOf(ctx)} no longer exists on ${client.where}; nothing to deactivate`,
    );
    return;
  }
  if (account.active) await client.setActive(account.type, account.name, false);
}

/** Work `create` does after the signup itself; an adopted account still needs it. */
function createFollowUpPending(ctx: Ctx, type: AccountType): boolean {
  return !ctx.service.username || (type === 'customer' && ctx.settings.retrievePassKey);
}

async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const account = await clientFor(ctx).getAccount(accountTypeOf(ctx), accountNameOf(ctx));
  if (!account || !isOurs(account, ctx.service.id)) return null;
  const remoteIds = { accountName: account.name, accountType: account.type };
  // An account whose signup answer was lost exists, but the pass key was never read: `pending`
  // makes the engine run create again, which adopts the account and finishes the follow-up.
  if (ctx.action === 'create' && createFollowUpPending(ctx, account.type))
    return { status: 'pending', remoteIds };
  return { status: account.active ? 'active' : 'suspended', remoteIds };
}

function gigabytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

async function accountView(ctx: Ctx, admin: boolean): Promise<ViewModel> {
  const account = await clientFor(ctx).getAccount(accountTypeOf(ctx), accountNameOf(ctx));
  if (!account)
    return {
      fields: [{ label: 'Backup account', value: `${accountNameOf(ctx)} (not found on the backup server)` }],
    };
  const fields = [
    { label: account.type === 'reseller' ? 'Reseller name' : 'Customer name', value: account.name },
    ...(account.type === 'customer' ? [{ label: 'Reseller', value: account.resellerName }] : []),
    { label: 'Status', value: account.active ? 'Active' : 'Deactivated' },
    { label: 'Storage allotted', value: gigabytes(account.storageAllottedBytes) },
    { label: 'Storage used', value: gigabytes(account.storageUsedBytes) },
  ];
  if (admin) {
    fields.push(
      { label: 'MCALs allotted', value: account.mcalAllotted },
      { label: 'Terminate', value: 'deactivates the account; backup data is kept on the server' },
    );
  }
  return { fields };
}

export const storegridModule = defineModule<StoreGridSettings>({
  id: 'storegrid',
  displayName: 'StoreGrid backup server',
  server: { credential: 'password', defaultPort: { plain: 6060, secure: 6061 } },
  settings: storegridSettingsSchema,
  async testConnection(ctx) {
    const info = await clientFor(ctx).serverInfo();
    return {
      summary: `${info.product} ${info.version}: ${info.resellers} resellers, ${info.customers} customers`,
      details: {
        version: info.version,
        resellers: String(info.resellers),
        customers: String(info.customers),
      },
    };
  },
  create,
  suspend: (ctx) => deactivate(ctx, 'deactivate'),
  unsuspend,
  terminate,
  lookup,
  clientArea: (ctx) => accountView(ctx, false),
  adminFields: (ctx) => accountView(ctx, true),
  eventTriggers: [
    { event: 'client.created', appliesTo: (settings) => settings.signupOn === 'client-created' },
    { event: 'order.accepted', appliesTo: (settings) => settings.signupOn === 'order-accepted' },
  ],
});
