import { describe, expect, it } from 'vitest';
import { MAX_SETTINGS_FIELDS } from '../../src/modules/contract.js';
import { validateSettings } from '../../src/modules/settings.js';
import { storegridModule } from '../../src/modules/storegrid/index.js';
import { isHhmm, parseEmailList, storegridSettingsSchema } from '../../src/modules/storegrid/settings.js';

const base = { action: 'customer', resellerName: 'acme', storageAllottedBytes: 10 * 1024 ** 3 };

function errorsOf(input: Record<string, unknown>): Record<string, string> {
  const result = validateSettings(storegridSettingsSchema, input);
  if (result.ok) return {};
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

describe('storegrid settings: shape', () => {
  it('stays within the WHMCS limit of 24 fields and fills documented defaults', () => {
    expect(storegridSettingsSchema.fields.length).toBeLessThanOrEqual(MAX_SETTINGS_FIELDS);
    const result = validateSettings(storegridSettingsSchema, base);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.values).toMatchObject({
      activationStatus: true,
      autoAuthorization: false,
      autoMcal: true,
      bandwidthThrottling: 'global',
      throttleEnabled: false,
      throttleSchedule: 'always',
      sendMail: false,
      retrievePassKey: false,
      signupOn: 'create',
      accountNamePrefix: 'sg',
    });
  });

  it('defaults the web console port to 6060 for http and 6061 for https', () => {
    expect(storegridModule.server.defaultPort).toEqual({ plain: 6060, secure: 6061 });
    expect(storegridModule.server.credential).toBe('password');
  });
});

describe('storegrid settings: documented rules', () => {
  it('requires the reseller name for Signup Customer only', () => {
    expect(errorsOf({ ...base, resellerName: '' }).resellerName).toMatch(/Reseller Name is required/);
    expect(errorsOf({ action: 'reseller', storageAllottedBytes: 1024 })).toEqual({});
  });

  it('requires storage allotted as a positive whole number of bytes', () => {
    expect(errorsOf({ action: 'reseller' }).storageAllottedBytes).toMatch(/required/);
    expect(errorsOf({ ...base, storageAllottedBytes: 0 }).storageAllottedBytes).toMatch(/at least 1/);
    expect(errorsOf({ ...base, storageAllottedBytes: 1.5 }).storageAllottedBytes).toMatch(/whole number/);
  });

  it('refuses consolidated report, its e-mails and the pass key for Signup Reseller', () => {
    const errors = errorsOf({
      action: 'reseller',
      storageAllottedBytes: 1024,
      consolidatedReport: true,
      retrievePassKey: true,
    });
    expect(errors.consolidatedReport).toMatch(/only to Signup Customer/);
    expect(errors.retrievePassKey).toMatch(/only to Signup Customer/);
  });

  it('checks every address of the consolidated report list', () => {
    expect(errorsOf({ ...base, consolidatedReport: true }).consolidatedReportEmails).toMatch(/required/);
    expect(
      errorsOf({
        ...base,
        consolidatedReport: true,
        consolidatedReportEmails: 'a@example.com, b@example.org',
      }),
    ).toEqual({});
    const message = errorsOf({
      ...base,
      consolidatedReport: true,
      consolidatedReportEmails: 'a@example.com,nope,,c@x',
    }).consolidatedReportEmails;
    expect(message).toContain('"nope" is not an e-mail address');
    expect(message).toContain('entry 3 is empty');
    expect(message).toContain('"c@x" is not an e-mail address');
  });

  it('requires an MCAL count when auto MCAL is off, as a whole number in range', () => {
    expect(errorsOf({ ...base, autoMcal: false }).mcalCount).toMatch(/Allot MCAL is required/);
    expect(errorsOf({ ...base, autoMcal: false, mcalCount: 0 }).mcalCount).toMatch(
      /whole number from 1 to 100000/,
    );
    expect(errorsOf({ ...base, autoMcal: false, mcalCount: 100_001 }).mcalCount).toMatch(/from 1 to 100000/);
    expect(errorsOf({ ...base, autoMcal: false, mcalCount: 2.5 }).mcalCount).toMatch(/whole number/);
    expect(
      validateSettings(storegridSettingsSchema, { ...base, autoMcal: false, mcalCount: 0 }),
    ).toMatchObject({
      errors: [{ field: 'mcalCount' }],
    });
    expect(errorsOf({ ...base, autoMcal: false, mcalCount: 25 })).toEqual({});
    expect(errorsOf({ ...base, autoMcal: true })).toEqual({});
  });

  it('requires the restricted rate when a new throttle configuration is enabled, over 1024 bytes and under 9999 GB', () => {
    const throttled = { ...base, bandwidthThrottling: 'new', throttleEnabled: true };
    expect(errorsOf(throttled).restrictedRateBytes).toMatch(/required/);
    expect(errorsOf({ ...throttled, restrictedRateBytes: 1024 }).restrictedRateBytes).toMatch(
      /greater than 1024 bytes/,
    );
    expect(errorsOf({ ...throttled, restrictedRateBytes: 1025 })).toEqual({});
    expect(errorsOf({ ...throttled, restrictedRateBytes: 9999 * 1024 ** 3 - 1 })).toEqual({});
    expect(errorsOf({ ...throttled, restrictedRateBytes: 9999 * 1024 ** 3 }).restrictedRateBytes).toMatch(
      /less than 9999 GB/,
    );
    expect(errorsOf({ ...base, bandwidthThrottling: 'global' })).toEqual({});
    expect(errorsOf({ ...base, bandwidthThrottling: 'new', throttleEnabled: false })).toEqual({});
  });

  it('requires From and Till in HHMM (0000-2359) when throttling only at a specified time', () => {
    const windowed = {
      ...base,
      bandwidthThrottling: 'new',
      throttleEnabled: true,
      throttleSchedule: 'window',
      restrictedRateBytes: 4096,
    };
    const missing = errorsOf(windowed);
    expect(missing.throttleFrom).toMatch(/required/);
    expect(missing.throttleTill).toMatch(/required/);
    expect(errorsOf({ ...windowed, throttleFrom: '0130', throttleTill: '1740' })).toEqual({});
    const bad = errorsOf({ ...windowed, throttleFrom: '2400', throttleTill: '1260' });
    expect(bad.throttleFrom).toMatch(/HHMM form from 0000 to 2359/);
    expect(bad.throttleTill).toMatch(/HHMM form from 0000 to 2359/);
    expect(errorsOf({ ...windowed, throttleFrom: '0900', throttleTill: '0900' }).throttleTill).toMatch(
      /must differ/,
    );
    expect(errorsOf({ ...windowed, throttleFrom: '9:00', throttleTill: '0900' }).throttleFrom).toBeDefined();
  });

  it('lists every error at once', () => {
    const result = validateSettings(storegridSettingsSchema, {
      action: 'customer',
      resellerName: '',
      storageAllottedBytes: -1,
      consolidatedReport: true,
      consolidatedReportEmails: 'bad',
      autoMcal: false,
      bandwidthThrottling: 'new',
      throttleEnabled: true,
      throttleSchedule: 'window',
      throttleFrom: '2500',
      throttleTill: '',
      restrictedRateBytes: 10,
      accountNamePrefix: 'Bad Prefix',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(
      [
        'accountNamePrefix',
        'consolidatedReportEmails',
        'mcalCount',
        'resellerName',
        'restrictedRateBytes',
        'storageAllottedBytes',
        'throttleFrom',
        'throttleTill',
      ].sort(),
    );
  });
});

describe('storegrid settings: helpers', () => {
  it('reads hundred-hours times exactly', () => {
    for (const good of ['0000', '0130', '1740', '2359']) expect(isHhmm(good)).toBe(true);
    for (const bad of ['2400', '0060', '123', '12345', 'ab12', '']) expect(isHhmm(bad)).toBe(false);
  });

  it('trims addresses in the list', () => {
    expect(parseEmailList(' a@example.com ,b@example.org')).toEqual({
      emails: ['a@example.com', 'b@example.org'],
      problems: [],
    });
  });
});
