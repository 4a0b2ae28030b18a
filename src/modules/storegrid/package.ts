import type { PackageDifference, RemoteObject, SettingValue } from '../contract.js';
import type { StoreGridSettings } from './settings.js';
import type { AccountPackage, BandwidthThrottling } from './wire-adapter.js';

/**
 * The package of an account: the limits a product's settings put on it (allotted space, auto
 * authorization, MCALs, bandwidth throttling; docs/specs/storegrid.md §7). Signup, change
 * package and reconcile's drift all read it from here, so they cannot disagree.
 */
export function packageOfSettings(settings: StoreGridSettings): AccountPackage {
  return {
    storageAllottedBytes: settings.storageAllottedBytes,
    autoAuthorization: settings.autoAuthorization,
    mcal: settings.autoMcal ? 'auto' : (settings.mcalCount ?? 1),
    throttling: throttlingOf(settings),
  };
}

function throttlingOf(settings: StoreGridSettings): BandwidthThrottling {
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

/**
 * A package as settings-named values (`storageAllottedBytes`, `autoMcal`, `mcalCount`, …): what
 * `RemoteObject.package` carries. Fields that do not apply (an MCAL count under auto MCAL, the
 * throttle window of an unthrottled account) are left out.
 */
export function flatPackage(pkg: AccountPackage): Record<string, SettingValue> {
  const flat: Record<string, SettingValue> = {
    storageAllottedBytes: pkg.storageAllottedBytes,
    autoAuthorization: pkg.autoAuthorization,
    autoMcal: pkg.mcal === 'auto',
  };
  if (pkg.mcal !== 'auto') flat.mcalCount = pkg.mcal;
  const throttling = pkg.throttling;
  flat.bandwidthThrottling = throttling.mode;
  if (throttling.mode === 'new') {
    flat.throttleEnabled = throttling.enabled;
    if (throttling.enabled) {
      flat.throttleSchedule = throttling.window === 'always' ? 'always' : 'window';
      if (throttling.window !== 'always') {
        flat.throttleFrom = throttling.window.from;
        flat.throttleTill = throttling.window.till;
      }
      flat.restrictedRateBytes = throttling.rateBytes;
    }
  }
  return flat;
}

/** What the product says the account should be, in the same terms as `flatPackage`. */
function expectedOf(settings: StoreGridSettings): Record<string, SettingValue> {
  return {
    ...flatPackage(packageOfSettings(settings)),
    ...(settings.action === 'customer' ? { resellerName: settings.resellerName } : {}),
  };
}

/**
 * Where the account differs from the product: every field both sides have and disagree on, plus
 * the account type. A field the console did not report is not drift.
 */
export function packageDrift(settings: StoreGridSettings, object: RemoteObject): PackageDifference[] {
  const differences: PackageDifference[] = [];
  if (object.kind !== settings.action)
    differences.push({ field: 'action', expected: settings.action, actual: object.kind });
  const actual = object.package ?? {};
  for (const [field, expected] of Object.entries(expectedOf(settings))) {
    if (field in actual && actual[field] !== expected)
      differences.push({ field, expected: String(expected), actual: String(actual[field]) });
  }
  return differences;
}
