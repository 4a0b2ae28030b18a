/**
 * API token scopes, lowest first: a token may do what its scope and every lower scope may.
 * - customer: one client's own records only (its services, their views, usage and operations);
 * - read: every record, no change;
 * - operator: lifecycle actions, records, login links and reveals (audited);
 * - admin: tokens, deletes, placement overrides.
 */
export const TOKEN_SCOPES = ['customer', 'read', 'operator', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function allows(scope: TokenScope, required: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(scope) >= TOKEN_SCOPES.indexOf(required);
}
