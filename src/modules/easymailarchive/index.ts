import { isProvisioningError, legacyModuleError } from '../../core/errors.js';
import {
  type ActionContext,
  defineModule,
  type RemoteState,
  type ServerContext,
  type ServiceRef,
  type UsageReport,
  type ViewField,
  type ViewModel,
} from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { createTenant, recordTenantOnService } from './create.js';
import { type EasyMailArchiveSettings, productSettings, serverSettings } from './settings.js';
import {
  accessBaseDomain,
  accessUrl,
  CUSTOMER_SLUG_FIELD,
  REMOTE_ACCESS_URL,
  REMOTE_SLUG,
} from './tenant-slug.js';

/**
 * Easy Mail Archive reseller tenants (spec: specs/easymailarchive.md; vendor's WHMCS page: S1).
 * One service = one tenant, named by its slug. Terminate suspends and keeps the archive, as the
 * vendor's own module does; deletion is an explicit, off-by-default product setting.
 */
type Ctx = ActionContext<EasyMailArchiveSettings>;

const BYTES_PER_MB = 1_048_576;

function requireSlug(ctx: Ctx, doing: string): string {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (slug) return slug;
  throw legacyModuleError(
    'not-found',
    `Cannot ${doing} service #${ctx.service.id}: it has no archive tenant slug recorded, so it was never created on Easy Mail Archive. Check the service's create operation.`,
    { code: 'easymailarchive.no_slug' },
  );
}

function remoteStatus(tenant: Tenant): RemoteState['status'] {
  if (tenant.status === 'suspended') return 'suspended';
  if (tenant.status === 'deleted') return 'terminated';
  if (tenant.status === 'active') return 'active';
  return 'pending';
}

function statusLabel(status: string): string {
  return status === '' ? 'Unknown' : status[0]!.toUpperCase() + status.slice(1);
}

async function terminate(ctx: Ctx): Promise<void> {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (!slug) {
    ctx.logger.warn('terminate: no archive tenant was ever recorded for this service; nothing to do');
    return;
  }
  const client = EasyMailArchiveClient.forServer(ctx);
  if (ctx.settings.deleteOnTerminate) {
    const outcome = await client.deleteTenant(slug);
    ctx.logger.warn('archive tenant deleted permanently (product setting "Delete tenant on terminate")', {
      slug,
      outcome,
    });
    return;
  }
  try {
    await client.setSuspended(slug, true);
  } catch (error) {
    // A tenant that is already gone keeps no data to protect: terminate has nothing left to do.
    if (isProvisioningError(error) && error.kind === 'not-found') return;
    throw error;
  }
}

async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (!slug) return null;
  const tenant = await EasyMailArchiveClient.forServer(ctx).getTenant(slug);
  if (!tenant) return null;
  const baseDomain = accessBaseDomain(ctx);
  const remoteIds: Record<string, string> = { [REMOTE_SLUG]: slug };
  if (baseDomain) {
    remoteIds[REMOTE_ACCESS_URL] = accessUrl(slug, baseDomain);
    // An adopted create never returns to `create`: record what the customer is shown here.
    if (ctx.action === 'create') await recordTenantOnService(ctx, slug, baseDomain);
  }
  return { status: remoteStatus(tenant), remoteIds };
}

/** One paginated pass over the reseller's tenants, matched to the services by slug. */
async function usage(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]> {
  const tenants = await EasyMailArchiveClient.forServer(ctx).listAllTenants();
  const bySlug = new Map(tenants.map((tenant) => [tenant.slug, tenant]));
  const reports: UsageReport[] = [];
  let missing = 0;
  for (const service of services) {
    const slug = service.remoteIds[REMOTE_SLUG];
    const tenant = slug ? bySlug.get(slug) : undefined;
    if (!tenant) {
      missing++;
      continue;
    }
    const figures: Record<string, number> = {};
    if (tenant.usersCount !== undefined) figures.activeUsers = tenant.usersCount;
    if (tenant.messagesCount !== undefined) figures.messages = tenant.messagesCount;
    if (tenant.storageBytes !== undefined) figures.storageBytes = tenant.storageBytes;
    const report: UsageReport = { serviceId: service.serviceId, figures };
    if (tenant.storageBytes !== undefined)
      report.diskUsedMb = Math.round((tenant.storageBytes / BYTES_PER_MB) * 100) / 100;
    reports.push(report);
  }
  if (missing > 0)
    ctx.logger.warn('usage: services without a tenant in the reseller list', {
      missing,
      tenants: tenants.length,
    });
  return reports;
}

async function tenantView(ctx: Ctx, withUsage: boolean): Promise<ViewModel> {
  const slug = ctx.remote.get(REMOTE_SLUG);
  if (!slug) return { fields: [{ label: 'Archive', value: 'Not created yet' }] };
  const baseDomain = accessBaseDomain(ctx);
  const url = ctx.remote.get(REMOTE_ACCESS_URL) ?? (baseDomain ? accessUrl(slug, baseDomain) : undefined);
  let tenant: Tenant | null = null;
  let unreachable = false;
  try {
    tenant = await EasyMailArchiveClient.forServer(ctx).getTenant(slug);
  } catch (error) {
    // The page must still show the URL when the API is down; the status says so.
    if (!isProvisioningError(error)) throw error;
    unreachable = true;
  }
  const status = unreachable
    ? 'Unknown (Easy Mail Archive is not reachable right now)'
    : tenant
      ? statusLabel(tenant.status)
      : 'Not found';
  const fields: ViewField[] = [];
  if (url) fields.push({ label: 'Archive access URL', value: url, href: url });
  fields.push({ label: 'Status', value: status });
  if (withUsage) {
    fields.push({ label: 'Tenant slug', value: slug });
    if (tenant?.usersCount !== undefined)
      fields.push({ label: 'Active users', value: String(tenant.usersCount) });
    if (tenant?.storageBytes !== undefined) {
      fields.push({ label: 'Storage (MB)', value: (tenant.storageBytes / BYTES_PER_MB).toFixed(2) });
    }
    if (tenant?.messagesCount !== undefined)
      fields.push({ label: 'Archived messages', value: String(tenant.messagesCount) });
  }
  return url ? { fields, loginUrl: url } : { fields };
}

async function testConnection(ctx: ServerContext) {
  const page = await EasyMailArchiveClient.forServer(ctx).listPage(1, 1);
  const count = page.total ?? page.tenants.length;
  const baseDomain = typeof ctx.server.settings.baseDomain === 'string' ? ctx.server.settings.baseDomain : '';
  const details: Record<string, string> = { tenants: String(count), baseDomain: baseDomain || '(not set)' };
  const warning = baseDomain ? '' : '; set the reseller base domain, or access URLs cannot be built';
  return {
    summary: `Reseller API key accepted; ${count} tenant${count === 1 ? '' : 's'}${warning}`,
    details,
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
  suspend: async (ctx) => {
    await EasyMailArchiveClient.forServer(ctx).setSuspended(requireSlug(ctx, 'suspend'), true);
  },
  unsuspend: async (ctx) => {
    await EasyMailArchiveClient.forServer(ctx).setSuspended(requireSlug(ctx, 'unsuspend'), false);
  },
  terminate,
  lookup,
  usage,
  clientArea: (ctx) => tenantView(ctx, false),
  adminFields: (ctx) => tenantView(ctx, true),
});
