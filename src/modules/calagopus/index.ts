import { defineModule } from '../contract.js';
import { calagopusActions } from './actions.js';
import { CalagopusClient } from './client.js';
import { create } from './create.js';
import { calagopusErrors } from './errors.js';
import { adopt, changePackage, changePassword, lookup, setSuspended, terminate } from './lifecycle.js';
import { listRemote, packageDrift, remoteKeyOf, usage } from './reconcile.js';
import { type CalagopusSettings, calagopusServerSettings, calagopusSettings } from './settings.js';
import { adminFields, clientArea } from './views.js';

/**
 * Calagopus game servers through the panel's admin API, following the reference WHMCS module
 * (docs/specs/calagopus.md §7) with its faults fixed (docs/modules/calagopus.md, "Fixes").
 *
 * Ownership: a panel server is this service's when its external id is the service's mark
 * (`provisio-service-<id>`); create writes it, every change checks it right before, and only the
 * audited adopt writes it on a server provisio did not create.
 */
export { REMOTE_EXTERNAL_ID, REMOTE_SHORT_ID, REMOTE_UUID } from './locate.js';

export const calagopusModule = defineModule<CalagopusSettings>({
  id: 'calagopus',
  displayName: 'Calagopus',
  server: {
    credential: 'api-key',
    defaultPort: { plain: 80, secure: 443 },
    secureByDefault: true,
    settings: calagopusServerSettings,
  },
  settings: calagopusSettings,
  errors: calagopusErrors,
  async testConnection(ctx) {
    const panel = CalagopusClient.forServer(ctx);
    const { locations } = await panel.listLocations(100);
    const names = locations.data.map((l) => l.name);
    return {
      summary: `Calagopus panel at ${new URL(panel.panelUrl).host}: API key accepted, ${locations.total} location${locations.total === 1 ? '' : 's'}`,
      details: { locations: names.join(', ') || '(none)' },
    };
  },
  create,
  suspend: (ctx) => setSuspended(ctx, true),
  unsuspend: (ctx) => setSuspended(ctx, false),
  terminate,
  changePackage,
  changePassword,
  lookup,
  adopt,
  listRemote,
  remoteKeyOf,
  packageDrift,
  usage,
  clientArea,
  adminFields,
  actions: calagopusActions,
});
