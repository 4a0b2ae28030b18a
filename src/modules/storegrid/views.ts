import type { ViewModel } from '../contract.js';
import { isMarkedFor } from './ownership.js';
import { accountOf, type Ctx, clientFor, objectName } from './service-account.js';
import type { AccountDetails } from './wire-adapter.js';

/**
 * Client-area and admin views, read live from the console. They only read; an account under the
 * service's name that is not this service's is never shown (it is someone else's data).
 */
function gigabytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function accountFields(account: AccountDetails, admin: boolean): ViewModel['fields'] {
  const fields = [
    { label: account.type === 'reseller' ? 'Reseller name' : 'Customer name', value: account.name },
    ...(account.type === 'customer' ? [{ label: 'Reseller', value: account.resellerName }] : []),
    { label: 'Status', value: account.active ? 'Active' : 'Deactivated' },
    { label: 'Storage allotted', value: gigabytes(account.storageAllottedBytes) },
    { label: 'Storage used', value: gigabytes(account.storageUsedBytes) },
    { label: 'Backed-up machines', value: String(account.machines) },
  ];
  if (!admin) return fields;
  return [
    ...fields,
    { label: 'MCALs allotted', value: account.mcal === 'auto' ? 'Auto' : String(account.mcal) },
    { label: 'MCALs used', value: String(account.mcalUsed) },
    { label: 'Terminate', value: 'deactivates the account; backup data is kept on the server' },
  ];
}

export async function accountView(ctx: Ctx, admin: boolean): Promise<ViewModel> {
  const { type, name } = accountOf(ctx);
  const account = await clientFor(ctx).getAccount(type, name);
  if (!account)
    return { fields: [{ label: 'Backup account', value: `${name} (not found on the backup server)` }] };
  if (!isMarkedFor(account.notes, ctx.service.id)) {
    const value = admin
      ? `${objectName(type, name)} exists but provisio did not create it for this service (adopt it: provisio service adopt ${ctx.service.id} --yes)`
      : `${name} (not linked to this service)`;
    return { fields: [{ label: 'Backup account', value }] };
  }
  return { fields: accountFields(account, admin) };
}
