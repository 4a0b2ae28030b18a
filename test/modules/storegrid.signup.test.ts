import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../src/modules/settings.js';
import { deriveAccountName } from '../../src/modules/storegrid/account-name.js';
import { type StoreGridSettings, storegridSettingsSchema } from '../../src/modules/storegrid/settings.js';
import { buildSignup } from '../../src/modules/storegrid/signup.js';
import {
  decodeForm,
  decodeSignup,
  encodeForm,
  encodeSignup,
} from '../../src/modules/storegrid/wire-adapter.js';

function settings(input: Record<string, unknown>): StoreGridSettings {
  const result = validateSettings(storegridSettingsSchema, input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.values as unknown as StoreGridSettings;
}

const service = { id: 42, password: 'pw & =+%' };
const client = { email: 'a@example.com', company: 'A&B' };

describe('storegrid account names', () => {
  it('uses a usable service username, otherwise prefix and service id', () => {
    expect(deriveAccountName({ id: 42, username: 'acme.backup' }, 'sg')).toBe('acme.backup');
    expect(deriveAccountName({ id: 42, username: null }, 'sg')).toBe('sg42');
    expect(deriveAccountName({ id: 42, username: 'a b' }, 'bk')).toBe('bk42');
    expect(deriveAccountName({ id: 42, username: 'ab' }, 'sg')).toBe('sg42');
  });
});

describe('storegrid signup from settings', () => {
  it('builds a customer signup with windowed throttling, fixed MCALs and the report list', () => {
    const signup = buildSignup(
      settings({
        action: 'customer',
        resellerName: 'acme',
        storageAllottedBytes: 2048,
        consolidatedReport: true,
        consolidatedReportEmails: 'x@example.com , y@example.org',
        autoMcal: false,
        mcalCount: 5,
        bandwidthThrottling: 'new',
        throttleEnabled: true,
        throttleSchedule: 'window',
        throttleFrom: '0130',
        throttleTill: '1740',
        restrictedRateBytes: 4096,
      }),
      'sg42',
      service,
      client,
    );
    expect(signup).toMatchObject({
      type: 'customer',
      name: 'sg42',
      resellerName: 'acme',
      consolidatedReportEmails: ['x@example.com', 'y@example.org'],
      mcal: 5,
      throttling: { mode: 'new', enabled: true, window: { from: '0130', till: '1740' }, rateBytes: 4096 },
      notes: 'provisio:service:42',
    });
  });

  it('leaves customer-only fields out of a reseller signup', () => {
    const signup = buildSignup(
      settings({ action: 'reseller', storageAllottedBytes: 1 }),
      'sg42',
      service,
      client,
    );
    expect(signup.resellerName).toBeUndefined();
    expect(signup.consolidatedReportEmails).toBeNull();
    expect(signup.throttling).toEqual({ mode: 'global' });
    expect(signup.mcal).toBe('auto');
  });

  it('survives the wire adapter round trip, odd characters included', () => {
    const signup = buildSignup(
      settings({
        action: 'customer',
        resellerName: 'acme',
        storageAllottedBytes: 9,
        bandwidthThrottling: 'new',
      }),
      'sg42',
      service,
      client,
    );
    const body = encodeForm(encodeSignup(signup));
    expect(body).not.toContain('+');
    expect(decodeSignup('customer', decodeForm(body))).toEqual(signup);
  });
});
