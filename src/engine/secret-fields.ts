import { isSecretKeyName } from '../core/redaction.js';

/** What every answer shows in place of a secret: fixed, so it tells nothing about the value. */
export const MASKED_VALUE = '********';

/** Custom fields as callers see them: secret-named values are write-only. */
export function maskSecretFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      isSecretKeyName(key) && value !== '' ? MASKED_VALUE : value,
    ]),
  );
}

export function withMaskedFields<T extends { customFields: Readonly<Record<string, string>> }>(record: T): T {
  return { ...record, customFields: maskSecretFields(record.customFields) };
}

/**
 * A client that edits fields it was shown sends the mask back for the secrets it did not touch:
 * those keep their stored value instead of becoming "********".
 */
export function keepUntouchedSecrets(
  patch: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(patch).map(([key, value]) => [
      key,
      value === MASKED_VALUE && isSecretKeyName(key) && stored[key] !== undefined ? stored[key]! : value,
    ]),
  );
}
