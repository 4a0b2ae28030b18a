import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../src/modules/settings.js';
import { deriveAccountName } from '../../src/modules/storegrid/account-name.js';
import { isMarkedFor, markedServiceId, notesWithMark } from '../../src/modules/storegrid/ownership.js';
import { type StoreGridSettings, storegridSettingsSchema } from '../../src/modules/storegrid/settings.js';
import { buildSignup } from '../../src/modules/storegrid/signup.js';

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
      notes: 'provisio-service-42',
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
});

describe('storegrid ownership mark in the notes', () => {
  it('is one line of its own; staff text around it does not matter', () => {
    expect(isMarkedFor('provisio-service-42', 42)).toBe(true);
    expect(isMarkedFor('VIP customer\nprovisio-service-42\n', 42)).toBe(true);
    expect(isMarkedFor('provisio-service-42', 4)).toBe(false);
    expect(isMarkedFor('see provisio-service-42 in the ticket', 42)).toBe(false);
    expect(isMarkedFor('', 42)).toBe(false);
  });

  it('counts the mark older provisio versions wrote, and marks for two services as none', () => {
    expect(markedServiceId('provisio:service:7')).toBe(7);
    expect(markedServiceId('provisio-service-7\nprovisio:service:7')).toBe(7);
    expect(markedServiceId('provisio-service-7\nprovisio-service-8')).toBeNull();
  });

  it('appends the mark under what staff wrote', () => {
    expect(notesWithMark('', 5)).toBe('provisio-service-5');
    expect(notesWithMark('VIP\n\n', 5)).toBe('VIP\nprovisio-service-5');
  });
});
