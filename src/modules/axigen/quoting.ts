import { axigenErrors } from './errors.js';

/**
 * Value encoding for Axigen CLI commands, exactly as docs/specs/axigen.md §4 recommends: CR, LF and NUL are
 * refused (they would end the command line and let the rest run as another command); a value
 * without `'` goes in single quotes, where every character is literal; otherwise in double
 * quotes with `\` → `\\` and `"` → `\"`.
 */
export function quoteValue(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) {
    throw axigenErrors.error(
      'axigen.value_unsendable',
      `${what} contains a line break or NUL character, which cannot be sent to Axigen: remove it`,
    );
  }
  if (!value.includes("'")) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Domain names go unquoted (§4 "plain tokens"), so they must be plain host names. */
export function checkDomainName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (!DOMAIN_NAME.test(lower)) {
    throw axigenErrors.error(
      'axigen.domain_name_invalid',
      `"${name.slice(0, 80)}" is not a valid domain name: use letters, digits, hyphens and dots, e.g. example.com`,
    );
  }
  return lower;
}

/**
 * Account names: the RFC 5322 dot-atom characters. Quotes, spaces, backslashes and parentheses
 * are refused with a clear message rather than quoted, because LIST Accounts rows are bare names
 * and a mailbox name with those characters is not deliverable anyway.
 */
const ACCOUNT_NAME = /^[a-z0-9!#$%&*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&*+/=?^_`{|}~-]+)*$/;

export function checkAccountName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower.length > 64 || !ACCOUNT_NAME.test(lower)) {
    throw axigenErrors.error(
      'axigen.account_name_invalid',
      `"${name.slice(0, 80)}" is not a valid mailbox name: use at most 64 letters, digits and . _ - + (no spaces, quotes, backslashes or parentheses)`,
    );
  }
  return lower;
}

/** Whole non-negative numbers only (sizes in KB, counts): anything else is a bug upstream. */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`not a sendable number: ${value}`);
  return String(Math.round(value));
}
