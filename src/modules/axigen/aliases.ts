import { checkDomainName } from './quoting.js';

/**
 * The Domain product's alias mapping: one alias per line (commas and spaces separate too), with
 * `{domain}` replaced by the service's domain; each must be a plain domain name, because aliases
 * travel unquoted in `ADD Alias <name>` (docs/specs/axigen.md §7.3, S5 `add_domain_alias`).
 */
export function aliasesOf(text: string, domain: string): string[] {
  const aliases = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => checkDomainName(entry.replaceAll('{domain}', domain)));
  return [...new Set(aliases)].filter((alias) => alias !== domain);
}
