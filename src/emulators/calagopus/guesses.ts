import type { EggVariable } from './state.js';

/**
 * EVERY GUESS OF THE CALAGOPUS EMULATOR, IN ONE PLACE.
 *
 * Facts tagged [V] in docs/specs/calagopus.md are coded where they are used, citing their source.
 * What the spec marks [I] (inferred, not run), [?] (open) or what the emulator had to choose
 * itself ([E]) lives here, each row naming the spec section it belongs to, so a capture from a real
 * panel (`GET /openapi.json`, probes) can correct it in one place.
 *
 * | #  | Guess                                                                                       | Tag | Spec  | Constant                      |
 * |----|---------------------------------------------------------------------------------------------|-----|-------|-------------------------------|
 * | 1  | serde_json puts a missing field at the end of its object ("… at line 1 column <after `}`>")  | [I] | §2.2  | (payload.ts readStruct)       |
 * | 2  | serde's wrong-type wording: `invalid type: string "x", expected a boolean`; struct names      | [I] | §2.2  | unexpectedValueText, expectedTypeText |
 * | 3  | `application/json; charset=utf-8` is rejected as unsupported (mime PartialEq)                 | [I] | §1.1  | CONTENT_TYPE_EXACT            |
 * | 4  | msgpack / xml / yaml bodies are accepted by the panel; the emulator refuses them              | [E] | §1.1  | NON_JSON_PAYLOAD_TEXT         |
 * | 5  | A non-numeric query parameter gets axum's plain-text 400                                     | [I] | §2.3  | QUERY_REJECTION_TEXT          |
 * | 6  | The rate limit is counted before authentication, per client address                         | [E] | §1.2  | RATE_LIMIT_BEFORE_AUTH        |
 * | 7  | An unknown /api path answers 404 `route not found` before authentication                     | [E] | §2.2  | (routing order in server.ts)  |
 * | 8  | A path outside /api answers a plain 404 (the real panel serves its web app there)            | [E] | §2.2  | NON_API_TEXT                  |
 * | 9  | Every client has the address 127.0.0.1 (the kit does not pass the peer address)              | [E] | §1.2  | CLIENT_ADDRESS                |
 * | 10 | Deploy picks the lowest free (ip, port) in range; the panel picks a random one               | [E] | §5.3  | (deploy.ts pickPrimary)       |
 * | 11 | A non-existent allocation uuid on create → 500 (foreign-key error)                           | [I] | §5.2  | (routes-servers.ts)           |
 * | 12 | Egg variables are checked in the egg's order (the panel iterates a HashMap: any order)       | [E] | §2.2  | EGG_VARIABLE_ORDER            |
 * | 13 | `invalid language: xx` is a plain (not double-encoded) 400                                   | [E] | §3    | (routes-users.ts)             |
 * | 14 | Deleting a server with `delete_backups:false` leaves its backups uncounted                   | [I] | §5.7  | (routes-servers.ts)           |
 * | 15 | The panel's frontend translation codes                                                       | [E] | §3    | LANGUAGES                     |
 * | 16 | garde's email reason texts beyond the missing `@`                                            | [E] | §2.2  | (validation.ts emailProblem)  |
 * | 17 | Session cookies are not emulated (API keys only)                                             | [E] | §1.2  | —                             |
 * | 18 | The rate-limit window is Redis's (it ends at X-RateLimit-Reset); the in-memory fallback renews 2 s early | [I] | §1.2 | (rate-limit.ts)   |
 * | 19 | Deploy candidates that tie on overflow and fill keep the panel's creation order              | [E] | §5.3  | (deploy.ts candidates)        |
 * | 20 | The uuid crate's group-count and group-length texts                                           | [I] | §2.2  | (uuid-text.ts)                |
 * | 21 | The wording of a JSON syntax error                                                           | [E] | §2.2  | SYNTAX_ERROR_TEXT             |
 */

export const CONTENT_TYPE_EXACT = true;

export const NON_JSON_PAYLOAD_TEXT = 'invalid payload: the emulator only decodes application/json';

export const SYNTAX_ERROR_TEXT = (detail: string, line: number, column: number) =>
  `${detail} at line ${line} column ${column}`;

/** serde's `Unexpected` display of a value. */
export function unexpectedValueText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  return Array.isArray(value) ? 'sequence' : 'map';
}

/** serde's `expected …` for each field kind of payload.ts. */
export function expectedTypeText(kind: string): string {
  switch (kind) {
    case 'bool':
      return 'a boolean';
    case 'string':
      return 'a string';
    case 'uuid':
      return 'a UUID string';
    case 'int':
      return 'i64';
    case 'number':
      return 'f64';
    case 'object':
      return 'a map';
    default:
      return 'a sequence';
  }
}

export const QUERY_REJECTION_TEXT = (detail: string) => `Failed to deserialize query string: ${detail}`;

export const RATE_LIMIT_BEFORE_AUTH = true;

export const NON_API_TEXT = 'Not Found';

export const CLIENT_ADDRESS = '127.0.0.1';

export const EGG_VARIABLE_ORDER = (variables: readonly EggVariable[]): readonly EggVariable[] => variables;

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'cs', 'sv', 'ru', 'uk', 'zh', 'ja'];
