/**
 * EVERY GUESS OF THE CALAGOPUS EMULATOR, IN ONE PLACE.
 *
 * Facts tagged [V] in specs/calagopus.md are coded where they are used. What the spec marks [I]
 * (inferred, not run), [?] (open) or what the emulator had to choose itself ([E]) lives here, so a
 * capture from a real panel (`GET /openapi.json`, probes) can correct it in one place.
 *
 * | # | Guess                                                                        | Tag | Constant                     |
 * |---|------------------------------------------------------------------------------|-----|------------------------------|
 * | 1 | serde_json's text for a missing field: "missing field `x` at line 1 column N" (N = body length) | [I] | missingFieldMessage |
 * | 2 | serde_json's text for a wrong JSON type and for unparsable JSON                  | [E] | invalidTypeMessage, SYNTAX_ERROR_TEXT |
 * | 3 | `application/json; charset=utf-8` is rejected as unsupported                    | [I] | CONTENT_TYPE_EXACT           |
 * | 4 | msgpack / xml / yaml bodies are accepted by the panel; the emulator refuses them | [E] | NON_JSON_PAYLOAD_TEXT        |
 * | 5 | A non-numeric query param gets axum's plain-text 400                           | [I] | QUERY_REJECTION_TEXT         |
 * | 6 | The rate limit is checked before authentication, per client IP                  | [E] | RATE_LIMIT_BEFORE_AUTH       |
 * | 7 | An unknown /api path answers 404 before authentication                          | [E] | (routing order in server.ts) |
 * | 8 | A path outside /api answers a plain 404 (the real panel serves its web app)     | [E] | NON_API_TEXT                 |
 * | 9 | Deploy blocker wording when nodes fail on different resources                   | [?] | deployCapacityReason         |
 * |10 | Deploy picks the lowest free (ip, port) in range and orders nodes without randomness | [E] | (deploy.ts)             |
 * |11 | A non-existent allocation uuid on create → 500 (FK error)                      | [I] | (routes-servers.ts)          |
 * |12 | Egg variable rule texts other than `required`                                   | [E] | RULE_TEXTS                   |
 * |13 | `invalid language: xx` is a plain (not double-encoded) 400                      | [E] | (routes-users.ts)            |
 * |14 | Deleting a server with N backups and `delete_backups:false` leaves them counted on nothing | [I] | (routes-servers.ts) |
 * |15 | The panel's translation codes                                                   | [E] | LANGUAGES                    |
 * |16 | Garde email reason texts beyond the missing `@`                                 | [E] | (validation.ts emailProblem) |
 * |17 | Session cookies are not emulated (API keys only)                                 | [E] | —                            |
 */

export const CONTENT_TYPE_EXACT = true;

export const NON_JSON_PAYLOAD_TEXT = 'invalid payload: the emulator only decodes application/json';

export const SYNTAX_ERROR_TEXT = (detail: string) => `invalid payload: ${detail} at line 1 column 1`;

export function missingFieldMessage(field: string, bodyLength: number): string {
  return `invalid payload: missing field \`${field}\` at line 1 column ${bodyLength}`;
}

export function invalidTypeMessage(field: string, expected: string, bodyLength: number): string {
  return `invalid payload: invalid type for \`${field}\`, expected ${expected} at line 1 column ${bodyLength}`;
}

export const QUERY_REJECTION_TEXT = (detail: string) => `Failed to deserialize query string: ${detail}`;

export const RATE_LIMIT_BEFORE_AUTH = true;

export const NON_API_TEXT = 'Not Found';

export function deployCapacityReason(failures: readonly { memory: boolean; disk: boolean }[]): string {
  const allMemory = failures.every((f) => f.memory);
  const allDisk = failures.every((f) => f.disk);
  if (allMemory && allDisk)
    return 'no node in the selected location(s) has enough unallocated memory or disk';
  if (allMemory) return 'no node in the selected location(s) has enough unallocated memory';
  if (allDisk) return 'no node in the selected location(s) has enough unallocated disk';
  return 'no single node in the selected location(s) has enough unallocated memory and disk at the same time';
}

export const RULE_TEXTS = {
  required: 'is required and cannot be empty',
  numeric: 'must be a number',
  integer: 'must be an integer',
  max: (n: number) => `may not be greater than ${n} characters`,
  in: (values: string) => `must be one of: ${values}`,
} as const;

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'cs', 'sv', 'ru', 'uk', 'zh', 'ja'];
