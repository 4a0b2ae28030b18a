import { isProvisioningError } from '../../core/errors.js';
import type { ActionContext, ViewField, ViewModel } from '../contract.js';
import { EasyMailArchiveClient, type Tenant } from './client.js';
import { ownershipOf } from './ownership.js';
import type { EasyMailArchiveSettings } from './settings.js';
import { accessBaseDomain, accessUrl, REMOTE_ACCESS_URL, REMOTE_SLUG } from './tenant-slug.js';
import { BYTES_PER_MB } from './usage.js';

/**
 * The client area (S1: access URL, status, a quick link to log in) and the admin fields. Views
 * only read: one GET of the tenant. The log-in link is the tenant's own address, where users
 * sign in with their archive accounts; it mints no credential, so it is a plain link and the
 * module offers no `loginUrl` (spec §5).
 */
type Ctx = ActionContext<EasyMailArchiveSettings>;

function statusLabel(status: string): string {
  return status === '' ? 'Unknown' : status[0]!.toUpperCase() + status.slice(1);
}

function usageFields(tenant: Tenant): ViewField[] {
  const fields: ViewField[] = [];
  if (tenant.usersCount !== undefined)
    fields.push({ label: 'Active users', value: String(tenant.usersCount) });
  if (tenant.storageBytes !== undefined)
    fields.push({ label: 'Storage (MB)', value: (tenant.storageBytes / BYTES_PER_MB).toFixed(2) });
  if (tenant.messagesCount !== undefined)
    fields.push({ label: 'Archived messages', value: String(tenant.messagesCount) });
  return fields;
}

export async function tenantView(ctx: Ctx, forAdmin: boolean): Promise<ViewModel> {
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
  if (url) fields.push({ label: 'Log in', value: 'Open the archive sign-in page', href: url });
  if (!forAdmin) return { fields };
  fields.push({ label: 'Tenant slug', value: slug });
  if (tenant) {
    const ownership = ownershipOf(ctx.service.id, ctx.remote.all(), tenant);
    if (ownership.owner === 'foreign')
      fields.push({
        label: 'Ownership',
        value: `Not claimed by this service: adopt it with provisio service adopt ${ctx.service.id} --yes`,
      });
    fields.push(...usageFields(tenant));
  }
  return { fields };
}
