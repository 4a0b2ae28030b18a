import type { ClientView, ServiceView } from '../contract.js';
import { ownershipMarker } from './account-name.js';
import { parseEmailList, type StoreGridSettings } from './settings.js';
import type { AccountSignup, BandwidthThrottling } from './wire-adapter.js';

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
    autoAuthorization: settings.autoAuthorization,
    storageAllottedBytes: settings.storageAllottedBytes,
    storageLocation: settings.storageLocation,
    consolidatedReportEmails:
      customer && settings.consolidatedReport
        ? parseEmailList(settings.consolidatedReportEmails).emails
        : null,
    mcal: settings.autoMcal ? 'auto' : (settings.mcalCount ?? 1),
    throttling: throttlingFrom(settings),
    sendMail: settings.sendMail,
    notes: ownershipMarker(service.id),
  };
}

function throttlingFrom(settings: StoreGridSettings): BandwidthThrottling {
  if (settings.bandwidthThrottling === 'global') return { mode: 'global' };
  if (!settings.throttleEnabled) return { mode: 'new', enabled: false };
  return {
    mode: 'new',
    enabled: true,
    window:
      settings.throttleSchedule === 'always'
        ? 'always'
        : { from: settings.throttleFrom, till: settings.throttleTill },
    rateBytes: settings.restrictedRateBytes ?? 0,
  };
}
