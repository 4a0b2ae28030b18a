/**
 * EVERY GUESS OF THE DCIMANAGER 6 EMULATOR, IN ONE PLACE.
 *
 * Routes and request bodies are not here: the emulator serves the module's own route table
 * (`src/modules/dcimanager6/routes.ts`), so a correction there moves both sides. What is here are
 * the behaviours the spec marks [?] or leaves to the emulator [E]; correct them from a capture of
 * a real DCImanager 6 (spec §12).
 */
export const GUESSES = {
  /** Operation status labels (§5.2: only `ok` and `canceled` are documented). [?] */
  status: { running: 'running', ok: 'ok', failed: 'failed', canceled: 'canceled' },
  /** How long operations take on the virtual clock when no test says otherwise. [E] */
  durationMs: { os_install: 20 * 60_000, diag: 30 * 60_000 },
  /** Documented envelope codes (S-lib): unknown route, unknown object. [V] */
  codes: {
    handlerNotFound: 1106,
    instanceNotFound: 3080,
    /** Bad credentials, missing/expired token, missing role, busy server, bad input. [?] */
    badCredentials: 1001,
    unauthorized: 1002,
    forbidden: 1003,
    operationRunning: 5010,
    invalidValue: 1000,
    poolExhausted: 5020,
  },
  /** Statuses for a bad login and for a missing or expired token. [?] */
  httpStatus: { badCredentials: 401, unauthorized: 401, forbidden: 403, operationRunning: 409 },
  /** Starting an install or diagnostics while an operation runs is refused. [?] */
  rejectWhileRunning: true,
  /** Power actions take effect at once and start no operation. [E] */
  powerStartsOperation: false,
  /** Sign-in keys live one hour (S4) and are single use. [I] */
  keyLifetimeMs: 60 * 60_000,
  /** LIKE (`CP`) compares case-insensitively, as MySQL's default collation. [E] */
  likeCaseInsensitive: true,
  /** Address space handed out by the IPv6 pools: subnets `<base>:<n>::/<prefix>`, addresses `<base>::<n>`. [E] */
  ipv6SubnetForm: 'sequential',
} as const;
