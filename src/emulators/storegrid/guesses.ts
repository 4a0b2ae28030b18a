/**
 * EMULATOR GUESS TABLE — every fact about the StoreGrid web console that no public source confirms.
 *
 * The web-console API behind the vendor's WHMCS module is not public (docs/specs/storegrid.md §0):
 * the paths, parameter names, authentication, envelope and codes below are the wire contract of
 * §4, written out here a second time, independently of the module's adapter
 * (src/modules/storegrid/wire-adapter.ts), so a mistake in either one shows as a failing test
 * instead of passing on both sides. A capture from a real server corrects both files.
 *
 * Tags as in the spec: [V] verified in a cited source, [I] inferred, [?] unknown (a guess),
 * [E] the emulator's own choice.
 */

/** §4.4 [?] Every call: `METHOD path` → the console operation it runs. */
export const CALLS = Object.freeze({
  'GET /sgwebapi/ServerInfo': 'server-info',
  'GET /sgwebapi/GetAccountDetails': 'account-details',
  'GET /sgwebapi/ListAccounts': 'list-accounts',
  'GET /sgwebapi/GetCustomerPassKey': 'pass-key',
  'POST /sgwebapi/SignupReseller': 'signup-reseller',
  'POST /sgwebapi/SignupCustomer': 'signup-customer',
  'POST /sgwebapi/ActivateAccount': 'activate',
  'POST /sgwebapi/DeactivateAccount': 'deactivate',
  'POST /sgwebapi/EditAccount': 'edit',
  'POST /sgwebapi/ChangePassword': 'change-password',
} as const);

export type ConsoleCall = (typeof CALLS)[keyof typeof CALLS];

/** §4.2 [?] POST bodies are forms; anything else is refused. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** §4.2 [?] Flags travel as `1` / `0`; the emulator refuses any other spelling [E]. */
export const FLAG = Object.freeze({ yes: '1', no: '0' });

/** §4.2 [?] Account types and throttling choices as the wire spells them. */
export const WIRE_VALUES = Object.freeze({
  reseller: 'Reseller',
  customer: 'Customer',
  globalConfiguration: 'Global',
  newConfiguration: 'New',
  alwaysThrottle: 'Always',
  throttleWindow: 'SpecifiedTime',
});

/** §4.3 [?] Error codes in `<Code>` with the HTTP status the emulator answers them with [E]. */
export const ERROR_STATUS = Object.freeze({
  AUTH_FAILED: 401,
  INVALID_CALL: 404,
  INVALID_VALUE: 400,
  ACCOUNT_EXISTS: 409,
  ACCOUNT_NOT_FOUND: 404,
  RESELLER_NOT_FOUND: 404,
  LIMIT_EXCEEDED: 409,
  SERVER_BUSY: 503,
});

export type ConsoleErrorCode = keyof typeof ERROR_STATUS;

export const STOREGRID_GUESSES = Object.freeze({
  /** §4.4 [?] Product string and version ServerInfo reports. */
  product: 'StoreGrid SP',
  version: '4.4.0 (emulated)',
  /** §8 [E] Console admin of a fresh emulator (override with --set username=… password=…). */
  adminUsername: 'admin',
  adminPassword: 'storegrid-admin',
  /** §3 [I] Names identify accounts server-wide: a reseller and a customer cannot share one. */
  namesUniqueAcrossTypes: true,
  /** §8 [?] Account-name rule of the console. Built-in accounts (§3) are exempt. */
  namePattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/,
  /** §3 [V] S4/S7: the built-in accounts of every server, which cannot be deleted. */
  builtInReseller: 'Default Reseller',
  builtInCustomer: 'Default Customer',
  /** §8 [?] Size of the server's MCAL pool (S5: keys define a number of MCALs). */
  mcalPool: 1000,
  /** §3 [I] Customers of a reseller share the reseller's allotted space (S3 "Restrict Usage Space To"). */
  customersShareResellerSpace: true,
  /** §8 [E] An allotment below the space already used is refused. */
  allotmentBelowUsageRefused: true,
  /** §2 [V] product docs: restricted rate over 1024 bytes and under 9999 GB; GB taken as 2^30 [I]. */
  minRestrictedRateExclusive: 1024,
  maxRestrictedRateExclusive: 9999 * 1024 ** 3,
  /** §4.6 [?] ListAccounts pages: 1-based `Page`, `PageSize` default and maximum. */
  defaultPageSize: 50,
  maxPageSize: 100,
  /** §3 [I] Pass key: 16 characters from this alphabet, made at customer signup [E]. */
  passKeyLength: 16,
  passKeyAlphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
  /** §3 [I] S5: a client (machine) uses one MCAL while it is registered. */
  mcalPerMachine: 1,
  /** §4.3 [E] Messages of the console, where the real wording is unknown. */
  messages: {
    authFailed: 'Invalid web console user name or password',
    busy: 'The backup server is busy; try again later',
  },
});
