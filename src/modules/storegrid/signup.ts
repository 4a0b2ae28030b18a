import type { ClientView, ServiceView } from '../contract.js';
import { ownershipMark } from '../contract.js';
import { packageOfSettings } from './package.js';
import { parseEmailList, type StoreGridSettings } from './settings.js';
import type { AccountSignup } from './wire-adapter.js';

/** The signup a product's validated settings ask for: pure, so it is tested without a server. */
export function buildSignup(
  settings: StoreGridSettings,
  name: string,
  service: Pick<ServiceView, 'id' | 'password'>,
  client: Pick<ClientView, 'email' | 'company'>,
): AccountSignup {
  const customer = settings.action === 'customer';
  return {
    type: settings.action,
    name,
    email: client.email,
    company: client.company,
    ...(service.password ? { password: service.password } : {}),
    ...(customer ? { resellerName: settings.resellerName } : {}),
    activate: settings.activationStatus,
    storageLocation: settings.storageLocation,
    consolidatedReportEmails:
      customer && settings.consolidatedReport
        ? parseEmailList(settings.consolidatedReportEmails).emails
        : null,
    sendMail: settings.sendMail,
    notes: ownershipMark(service.id),
    ...packageOfSettings(settings),
  };
}
