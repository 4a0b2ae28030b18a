/**
 * EVERY GUESS OF THE DCIMANAGER 6 EMULATOR, IN ONE PLACE.
 *
 * Each entry names the section of `docs/specs/dcimanager6.md` that discusses it and carries the
 * spec's tag: [?] unknown (this is our guess), [I] inferred, [E] the emulator's own choice. A
 * capture of a real DCImanager 6 (spec §12) corrects them here, and nowhere else: the route table
 * (`routes.ts`) takes the guessed routes from `GUESSED_ROUTES`, the handlers take texts, codes and
 * behaviours from `GUESSES`.
 *
 * The module has its own route table (`src/modules/dcimanager6/routes.ts`); the two are kept apart
 * on purpose (issue 12): a wrong guess shows up as a failing golden wire test, not as two sides
 * that agree with each other by construction.
 */

export interface GuessedRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path without the leading slash or `/api`; `{name}` is a parameter. */
  path: string;
  /** Where docs/specs/dcimanager6.md discusses it. */
  spec: string;
}

/** State-changing DCI routes no public source shows (spec §11 "?" rows). */
export const GUESSED_ROUTES = {
  /** [?] §13.1: edit a server; VMmanager 6 edits a host with `POST vm/v3/host/{id}` (C5). */
  serverEdit: { method: 'POST', path: 'dci/v3/server/{id}', spec: '§13.1' },
  /** [?] §6.1 step 4: owner set/clear. */
  setOwner: { method: 'POST', path: 'dci/v3/server/{id}/owner', spec: '§6.1' },
  /** [?] §6.1 step 5, §12 q8: per-port admin status. */
  setPort: { method: 'POST', path: 'dci/v3/switch/port/{portId}', spec: '§6.1' },
  /** [I] §6.1 step 6: by symmetry with the verified `power_reset`. */
  powerOn: { method: 'POST', path: 'dci/v3/server/{id}/power_on', spec: '§6.1' },
  powerOff: { method: 'POST', path: 'dci/v3/server/{id}/power_off', spec: '§6.4' },
  /** [?] §6.1 step 7. */
  abort: { method: 'POST', path: 'dci/v3/server/{id}/operation/abort', spec: '§6.1' },
  /** [?] §6.1 step 8: the VMmanager 6 `host/{id}/ip` shape. */
  addIp: { method: 'POST', path: 'dci/v3/server/{id}/ip', spec: '§6.1' },
  deleteIp: { method: 'DELETE', path: 'dci/v3/ip/{ipId}', spec: '§6.1' },
  /** [?] §6.1 step 9. */
  osInstall: { method: 'POST', path: 'dci/v3/server/{id}/os_install', spec: '§6.1' },
  /** [?] §6.4 step 6. */
  diagnostics: { method: 'POST', path: 'dci/v3/server/{id}/diag', spec: '§6.4' },
  /** [?] §5.6: template and location lists. */
  osTemplateList: { method: 'GET', path: 'dci/v3/os_template', spec: '§5.6' },
  locationList: { method: 'GET', path: 'dci/v3/location', spec: '§5.6' },
} as const satisfies Record<string, GuessedRoute>;

export const GUESSES = {
  /** [?] §5.2: only `ok` and `canceled` are documented. */
  status: { running: 'running', ok: 'ok', failed: 'failed', canceled: 'canceled' },
  /** [E] §7: how long operations take on the virtual clock when no test says otherwise. */
  durationMs: { os_install: 20 * 60_000, diag: 30 * 60_000 },
  codes: {
    /** [V] §4.3 (S-lib constants): unknown route, unknown object. */
    handlerNotFound: 1106,
    instanceNotFound: 3080,
    /** [?] §4.3, §12 q10: bad credentials, missing/expired token, missing role, busy server, bad input. */
    badCredentials: 1001,
    unauthorized: 1002,
    forbidden: 1003,
    operationRunning: 5010,
    invalidValue: 1000,
    poolExhausted: 5020,
  },
  /** [?] §4.3: statuses for a bad login, a missing or expired token, a missing role, a busy server. */
  httpStatus: { badCredentials: 400, unauthorized: 401, forbidden: 403, operationRunning: 409 },
  /** [?] §12 q7: starting an install or diagnostics while an operation runs is refused. */
  rejectWhileRunning: true,
  /** [?] §4.4, §12 q7: what a mutating DCI POST answers (the module must not rely on it). */
  mutationReplyStatus: 200,
  /** [E] §6.5: power actions take effect at once and start no operation. */
  powerStartsOperation: false,
  /** [I] §3 (S4): sign-in keys live one hour and are single use. */
  keyLifetimeMs: 60 * 60_000,
  /** [E] §4.2: LIKE (`CP`) compares case-insensitively, as MySQL's default collation. */
  likeCaseInsensitive: true,
  /** [E] §5.5: IPv6 pools hand out `<base>:<n>::/<prefix>` subnets and `<base>::<n>` addresses. */
  ipv6SubnetForm: 'sequential',
  /** [?] §13.1: the longest server comment accepted. */
  commentMaxLength: 1000,
  /** [E] §5.1: a temporary IPv4 (product setting "Use temporary IPv4") is flagged on the address. */
  temporaryIpFlag: 'is_temporary',
} as const;
