import type { ServerContext, ServiceRef, UsageReport } from '../contract.js';
import { isMarkedFor } from './ownership.js';
import { accountPages } from './reconcile.js';
import { clientFor } from './service-account.js';
import type { AccountType } from './wire-adapter.js';

/**
 * Usage of a server's services in one pass (docs/specs/storegrid.md §6): one paged listing per
 * account type the services use, matched by the name saved at create. An account that does not
 * carry the service's mark reports nothing: its usage is not this service's.
 */
const MIB = 1024 ** 2;

export async function usage(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]> {
  const wanted: Record<AccountType, Map<string, number>> = { reseller: new Map(), customer: new Map() };
  for (const service of services) {
    const type = service.remoteIds.accountType;
    const name = service.remoteIds.accountName;
    if ((type === 'reseller' || type === 'customer') && name) wanted[type].set(name, service.serviceId);
  }
  const client = clientFor(ctx);
  const reports: UsageReport[] = [];
  for (const type of ['reseller', 'customer'] as const) {
    if (wanted[type].size === 0) continue;
    for await (const accounts of accountPages(client, type)) {
      for (const account of accounts) {
        const serviceId = wanted[type].get(account.name);
        if (serviceId === undefined || !isMarkedFor(account.notes, serviceId)) continue;
        reports.push({
          serviceId,
          diskUsedMb: Math.round(account.storageUsedBytes / MIB),
          diskLimitMb: Math.round(account.storageAllottedBytes / MIB),
          figures: { machines: account.machines, mcalUsed: account.mcalUsed },
        });
      }
    }
  }
  return reports;
}
