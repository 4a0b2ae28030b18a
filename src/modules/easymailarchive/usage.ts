import type { ServerContext, ServiceRef, UsageReport } from '../contract.js';
import { EasyMailArchiveClient } from './client.js';
import { remoteKeyOf } from './reconcile.js';

export const BYTES_PER_MB = 1_048_576;

/**
 * One paginated pass over the reseller's tenants (spec §3.4), matched to the services that claim
 * them: a service naming a tenant it holds no claim on gets no figures until it is adopted.
 */
export async function usage(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]> {
  const tenants = await EasyMailArchiveClient.forServer(ctx).listAllTenants();
  const bySlug = new Map(tenants.map((tenant) => [tenant.slug, tenant]));
  const reports: UsageReport[] = [];
  let missing = 0;
  let unclaimed = 0;
  for (const service of services) {
    const claimed = remoteKeyOf(service);
    if (!claimed?.held) {
      unclaimed++;
      continue;
    }
    const tenant = bySlug.get(claimed.key);
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
  if (missing > 0 || unclaimed > 0)
    ctx.logger.warn('usage: services without figures', { missing, unclaimed, tenants: tenants.length });
  return reports;
}
