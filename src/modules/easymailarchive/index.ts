import { defineModule, type ServerContext } from '../contract.js';
import { changePackage, setSuspended, terminate } from './actions.js';
import { EasyMailArchiveClient } from './client.js';
import { createTenant } from './create.js';
import { easymailarchiveErrors } from './errors.js';
import { adopt, lookup } from './lookup.js';
import { listRemote, packageDrift, remoteKeyOf } from './reconcile.js';
import { type EasyMailArchiveSettings, productSettings, serverSettings } from './settings.js';
import { CUSTOMER_SLUG_FIELD } from './tenant-slug.js';
import { usage } from './usage.js';
import { tenantView } from './views.js';

/**
 * Easy Mail Archive reseller tenants (docs/specs/easymailarchive.md; vendor's WHMCS page: S1).
 * One service = one tenant, named by its slug and claimed by the service (§10: the API offers no
 * field for a mark). Terminate suspends and keeps the archive, as the vendor's own module does;
 * deletion is an explicit, off-by-default product setting.
 */
async function testConnection(ctx: ServerContext) {
  const page = await EasyMailArchiveClient.forServer(ctx).listPage(1);
  const baseDomain = typeof ctx.server.settings.baseDomain === 'string' ? ctx.server.settings.baseDomain : '';
  // The bare (S3) list carries no total: only the first page's count is known.
  const counted =
    page.total === undefined
      ? `${page.tenants.length} tenant${page.tenants.length === 1 ? '' : 's'} on the first page`
      : `${page.total} tenant${page.total === 1 ? '' : 's'}`;
  const warning = baseDomain ? '' : '; set the reseller base domain, or access URLs cannot be built';
  return {
    summary: `Reseller API key accepted; ${counted}${warning}`,
    details: {
      tenants: page.total === undefined ? `${page.tenants.length}+` : String(page.total),
      baseDomain: baseDomain || '(not set)',
    },
  };
}

export const easymailarchiveModule = defineModule<EasyMailArchiveSettings>({
  id: 'easymailarchive',
  displayName: 'Easy Mail Archive',
  server: {
    credential: 'api-key',
    defaultPort: { plain: 80, secure: 443 },
    secureByDefault: true,
    settings: serverSettings,
  },
  settings: productSettings,
  errors: easymailarchiveErrors,
  configOptions: [
    {
      name: CUSTOMER_SLUG_FIELD,
      aliases: ['tenant_slug', 'archive_slug'],
      label: 'Archive slug',
      description: 'The tenant slug the customer chose (3–48 lowercase letters, digits and hyphens).',
    },
  ],
  testConnection,
  create: createTenant,
  suspend: (ctx) => setSuspended(ctx, true),
  unsuspend: (ctx) => setSuspended(ctx, false),
  terminate,
  changePackage,
  lookup,
  adopt,
  listRemote,
  remoteKeyOf,
  packageDrift,
  usage,
  clientArea: (ctx) => tenantView(ctx, false),
  adminFields: (ctx) => tenantView(ctx, true),
});
