import { isSecretKeyName } from '../core/redaction.js';
import type { SecretBox } from '../core/secret-box.js';
import { parseJson, toJson } from './json.js';

/**
 * Custom fields of clients and services as JSON, with every secret-named field ("Pass Key",
 * "Root password") sealed by the secret box, so the database never holds one in clear.
 */
export function sealCustomFields(box: SecretBox, fields: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields))
    out[key] = isSecretKeyName(key) && value !== '' && !isSealed(box, value) ? box.encrypt(value) : value;
  return toJson(out);
}

/** A value that is already sealed by this box (a record read without opening its fields). */
function isSealed(box: SecretBox, value: string): boolean {
  if (!value.startsWith('v1:')) return false;
  try {
    box.decrypt(value);
    return true;
  } catch {
    return false;
  }
}

export function openCustomFields(box: SecretBox, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseJson<Record<string, string>>(text, {}))) {
    out[key] = isSecretKeyName(key) && value.startsWith('v1:') ? box.decrypt(value) : value;
  }
  return out;
}
