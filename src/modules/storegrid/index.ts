import { defineModule } from '../contract.js';
import { adopt } from './adopt.js';
import { storegridErrors } from './errors.js';
import { changePackage, changePassword, create, lookup, suspend, terminate, unsuspend } from './lifecycle.js';
import { packageDrift } from './package.js';
import { listRemote, remoteKeyOf } from './reconcile.js';
import { clientFor } from './service-account.js';
import type { StoreGridSettings } from './settings.js';
import { storegridSettingsSchema } from './settings.js';
import { usage } from './usage.js';
import { accountView } from './views.js';

/**
 * StoreGrid (Vembu StoreGrid SP backup server): signs the client up as a reseller or as a
 * customer under a configured reseller and manages the account by activating and deactivating
 * it, as the vendor's WHMCS module does; terminate deactivates and never deletes
 * (docs/specs/storegrid.md §6). Accounts carry the service's mark in their notes (§5). The wire
 * format is an assumption kept in wire-adapter.ts (§4).
 */
export const storegridModule = defineModule<StoreGridSettings>({
  id: 'storegrid',
  displayName: 'StoreGrid backup server',
  server: { credential: 'password', defaultPort: { plain: 6060, secure: 6061 } },
  settings: storegridSettingsSchema,
  errors: storegridErrors,
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
  suspend,
  unsuspend,
  terminate,
  changePackage,
  changePassword,
  lookup,
  adopt,
  listRemote,
  remoteKeyOf,
  packageDrift,
  usage,
  clientArea: (ctx) => accountView(ctx, false),
  adminFields: (ctx) => accountView(ctx, true),
  eventTriggers: [
    { event: 'client.created', appliesTo: (settings) => settings.signupOn === 'client-created' },
    { event: 'order.accepted', appliesTo: (settings) => settings.signupOn === 'order-accepted' },
  ],
});
