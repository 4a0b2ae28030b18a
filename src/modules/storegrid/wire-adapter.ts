/**
 * StoreGrid web-console wire format — AN ASSUMPTION, NOT VERIFIED AGAINST A REAL SERVER.
 *
 * No public source documents the calls the vendor's WHMCS module (`productName.php`) makes to the
 * StoreGrid web console (specs/storegrid.md §0, §4). Everything in this file — request paths,
 * HTTP methods, authentication, parameter names, units on the wire, response envelope, error
 * codes — is inferred from the documented module fields and behaviour. It is kept in this one
 * file so that, once `productName.php` from a StoreGrid SP install or a traffic capture is
 * available, it can be replaced here without touching the module logic or the emulator state.
 * Check every entry of `STOREGRID_WIRE` and both codecs below against a real server.
 *
 * Assumed shape:
 * - HTTP(S) to `<protocol>://<host>:<port>` (6060 http / 6061 https by default);
 * - the console admin authenticates every request with HTTP Basic credentials (so the password
 *   never travels in a logged request line);
 * - requests are form-encoded (`application/x-www-form-urlencoded`, percent-encoding as
 *   `encodeURIComponent` does, so the redactor recognises encoded secrets);
 * - answers are a flat XML envelope: `<SGResponse><Status>Success|Failure</Status><Code>…</Code>
 *   <Message>…</Message><Data><Key>value</Key>…</Data></SGResponse>`.
 */

/** Paths and parameter names. The emulator serves exactly this table. */
export const STOREGRID_WIRE = Object.freeze({
  contentType: 'application/x-www-form-urlencoded',
  operations: Object.freeze({
    serverInfo: { method: 'GET', path: '/sgwebapi/ServerInfo' },
    getAccount: { method: 'GET', path: '/sgwebapi/GetAccountDetails' },
    signupReseller: { method: 'POST', path: '/sgwebapi/SignupReseller' },
    signupCustomer: { method: 'POST', path: '/sgwebapi/SignupCustomer' },
    activate: { method: 'POST', path: '/sgwebapi/ActivateAccount' },
    deactivate: { method: 'POST', path: '/sgwebapi/DeactivateAccount' },
    getPassKey: { method: 'GET', path: '/sgwebapi/GetCustomerPassKey' },
  } as const),
  params: Object.freeze({
    accountType: 'AccountType',
    name: 'Name',
    email: 'Email',
    company: 'Company',
    password: 'Password',
    resellerName: 'ResellerName',
    activate: 'ActivationStatus',
    autoAuthorization: 'AutoAuthorization',
    storageAllottedBytes: 'StorageAllotted',
    storageLocation: 'StorageLocation',
    consolidatedReport: 'EnableConsolidatedReport',
    consolidatedReportEmails: 'ConsolidatedReportEmail',
    autoMcal: 'IsAutoMCAL',
    mcalCount: 'AllotMCAL',
    bandwidthThrottling: 'BandwidthThrottling',
    throttleEnabled: 'EnableThrottle',
    throttleSchedule: 'ThrottleSettings',
    throttleFrom: 'ThrottleFrom',
    throttleTill: 'ThrottleTill',
    restrictedRateBytes: 'RestrictedRate',
    sendMail: 'SendMail',
    notes: 'Notes',
  } as const),
  values: Object.freeze({
    reseller: 'Reseller',
    customer: 'Customer',
    yes: '1',
    no: '0',
    globalConfiguration: 'Global',
    newConfiguration: 'New',
    alwaysThrottle: 'Always',
    throttleWindow: 'SpecifiedTime',
  } as const),
  /** Error codes in `<Code>` and the engine error kind each one means. */
  errorCodes: Object.freeze({
    AUTH_FAILED: 'auth',
    ACCOUNT_EXISTS: 'conflict',
    ACCOUNT_NOT_FOUND: 'not-found',
    RESELLER_NOT_FOUND: 'not-found',
    INVALID_VALUE: 'invalid-input',
    LIMIT_EXCEEDED: 'conflict',
    SERVER_BUSY: 'unavailable',
  } as const),
});

export type WireOperation = keyof typeof STOREGRID_WIRE.operations;
export type WireErrorCode = keyof typeof STOREGRID_WIRE.errorCodes;
export type AccountType = 'reseller' | 'customer';

/** What a signup carries, in the module's own terms (units: bytes). */
export interface AccountSignup {
  type: AccountType;
  name: string;
  email: string;
  company: string;
  /** Service password, when the service has one (console login of the new account). */
  password?: string;
  /** Customers only: the reseller they are created under. */
  resellerName?: string;
  activate: boolean;
  autoAuthorization: boolean;
  storageAllottedBytes: number;
  storageLocation: string;
  /** Customers only. */
  consolidatedReportEmails: readonly string[] | null;
  /** `auto` or a fixed number of MCALs. */
  mcal: 'auto' | number;
  throttling: BandwidthThrottling;
  sendMail: boolean;
  /** Free text kept on the account; the module stores its ownership marker here. */
  notes: string;
}

export type BandwidthThrottling =
  | { mode: 'global' }
  | { mode: 'new'; enabled: false }
  | { mode: 'new'; enabled: true; window: { from: string; till: string } | 'always'; rateBytes: number };

/** An account as the console reports it. */
export interface AccountDetails {
  type: AccountType;
  name: string;
  email: string;
  active: boolean;
  resellerName: string;
  storageAllottedBytes: number;
  storageUsedBytes: number;
  mcalAllotted: string;
  notes: string;
}

export interface ServerInfo {
  product: string;
  version: string;
  resellers: number;
  customers: number;
}

const P = STOREGRID_WIRE.params;
const V = STOREGRID_WIRE.values;

function flag(value: boolean): string {
  return value ? V.yes : V.no;
}

/** Encodes a signup as form parameters. */
export function encodeSignup(signup: AccountSignup): Record<string, string> {
  const params: Record<string, string> = {
    [P.name]: signup.name,
    [P.email]: signup.email,
    [P.company]: signup.company,
    [P.activate]: flag(signup.activate),
    [P.autoAuthorization]: flag(signup.autoAuthorization),
    [P.storageAllottedBytes]: String(signup.storageAllottedBytes),
    [P.storageLocation]: signup.storageLocation,
    [P.autoMcal]: flag(signup.mcal === 'auto'),
    [P.bandwidthThrottling]: signup.throttling.mode === 'global' ? V.globalConfiguration : V.newConfiguration,
    [P.sendMail]: flag(signup.sendMail),
    [P.notes]: signup.notes,
  };
  if (signup.password) params[P.password] = signup.password;
  if (signup.mcal !== 'auto') params[P.mcalCount] = String(signup.mcal);
  if (signup.type === 'customer') {
    params[P.resellerName] = signup.resellerName ?? '';
    params[P.consolidatedReport] = flag(signup.consolidatedReportEmails !== null);
    if (signup.consolidatedReportEmails)
      params[P.consolidatedReportEmails] = signup.consolidatedReportEmails.join(',');
  }
  const throttling = signup.throttling;
  if (throttling.mode === 'new') {
    params[P.throttleEnabled] = flag(throttling.enabled);
    if (throttling.enabled) {
      params[P.throttleSchedule] = throttling.window === 'always' ? V.alwaysThrottle : V.throttleWindow;
      if (throttling.window !== 'always') {
        params[P.throttleFrom] = throttling.window.from;
        params[P.throttleTill] = throttling.window.till;
      }
      params[P.restrictedRateBytes] = String(throttling.rateBytes);
    }
  }
  return params;
}

/**
 * Reads signup parameters back (the emulator's side). Values are parsed, not validated: numbers
 * that do not parse come back as NaN and the receiver refuses them with its own message.
 */
export function decodeSignup(type: AccountType, params: Readonly<Record<string, string>>): AccountSignup {
  const yes = (key: string) => params[key] === V.yes;
  const number = (key: string) =>
    params[key] === undefined || params[key] === '' ? Number.NaN : Number(params[key]);
  let throttling: BandwidthThrottling = { mode: 'global' };
  if (params[P.bandwidthThrottling] === V.newConfiguration) {
    throttling = yes(P.throttleEnabled)
      ? {
          mode: 'new',
          enabled: true,
          window:
            params[P.throttleSchedule] === V.alwaysThrottle
              ? 'always'
              : { from: params[P.throttleFrom] ?? '', till: params[P.throttleTill] ?? '' },
          rateBytes: number(P.restrictedRateBytes),
        }
      : { mode: 'new', enabled: false };
  }
  const emails = params[P.consolidatedReportEmails] ?? '';
  return {
    type,
    name: params[P.name] ?? '',
    email: params[P.email] ?? '',
    company: params[P.company] ?? '',
    ...(params[P.password] ? { password: params[P.password] } : {}),
    ...(type === 'customer' ? { resellerName: params[P.resellerName] ?? '' } : {}),
    activate: yes(P.activate),
    autoAuthorization: yes(P.autoAuthorization),
    storageAllottedBytes: number(P.storageAllottedBytes),
    storageLocation: params[P.storageLocation] ?? '',
    consolidatedReportEmails: yes(P.consolidatedReport) ? emails.split(',').map((e) => e.trim()) : null,
    mcal: yes(P.autoMcal) ? 'auto' : number(P.mcalCount),
    throttling,
    sendMail: yes(P.sendMail),
    notes: params[P.notes] ?? '',
  };
}

/** Form body with `encodeURIComponent` escaping (`%20`, not `+`), as the redactor expects. */
export function encodeForm(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

export function decodeForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    params[decodeURIComponent(key.replace(/\+/g, ' '))] = decodeURIComponent(value.replace(/\+/g, ' '));
  }
  return params;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export type WireResponse =
  | { ok: true; data: Record<string, string> }
  | { ok: false; code: string; message: string };

/** Builds the response envelope (the emulator answers with it). */
export function encodeResponse(response: WireResponse): string {
  if (!response.ok) {
    return `<SGResponse><Status>Failure</Status><Code>${escapeXml(response.code)}</Code><Message>${escapeXml(response.message)}</Message></SGResponse>`;
  }
  const data = Object.entries(response.data)
    .map(([key, value]) => `<${key}>${escapeXml(value)}</${key}>`)
    .join('');
  return `<SGResponse><Status>Success</Status><Data>${data}</Data></SGResponse>`;
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1];
}

/** Parses the envelope; `undefined` when the body is not one (a proxy page, a wrong port). */
export function decodeResponse(body: string): WireResponse | undefined {
  const envelope = element(body, 'SGResponse');
  const status = envelope === undefined ? undefined : element(envelope, 'Status');
  if (envelope === undefined || status === undefined) return undefined;
  if (status !== 'Success') {
    return {
      ok: false,
      code: unescapeXml(element(envelope, 'Code') ?? 'UNKNOWN'),
      message: unescapeXml(element(envelope, 'Message') ?? ''),
    };
  }
  const data: Record<string, string> = {};
  const inner = element(envelope, 'Data') ?? '';
  for (const match of inner.matchAll(/<([A-Za-z][A-Za-z0-9]*)>([\s\S]*?)<\/\1>/g)) {
    data[match[1]!] = unescapeXml(match[2]!);
  }
  return { ok: true, data };
}

/** Response data keys. */
export const DATA_KEYS = Object.freeze({
  product: 'Product',
  version: 'Version',
  resellers: 'ResellerCount',
  customers: 'CustomerCount',
  accountType: 'AccountType',
  name: 'Name',
  email: 'Email',
  active: 'Active',
  resellerName: 'ResellerName',
  storageAllottedBytes: 'StorageAllotted',
  storageUsedBytes: 'StorageUsed',
  mcalAllotted: 'MCALAllotted',
  notes: 'Notes',
  passKey: 'PassKey',
} as const);

const D = DATA_KEYS;

export function accountTypeToWire(type: AccountType): string {
  return type === 'reseller' ? V.reseller : V.customer;
}

export function accountTypeFromWire(value: string | undefined): AccountType | undefined {
  if (value === V.reseller) return 'reseller';
  if (value === V.customer) return 'customer';
  return undefined;
}

export function encodeAccountDetails(account: AccountDetails): Record<string, string> {
  return {
    [D.accountType]: accountTypeToWire(account.type),
    [D.name]: account.name,
    [D.email]: account.email,
    [D.active]: flag(account.active),
    [D.resellerName]: account.resellerName,
    [D.storageAllottedBytes]: String(account.storageAllottedBytes),
    [D.storageUsedBytes]: String(account.storageUsedBytes),
    [D.mcalAllotted]: account.mcalAllotted,
    [D.notes]: account.notes,
  };
}

export function decodeAccountDetails(data: Readonly<Record<string, string>>): AccountDetails | undefined {
  const type = accountTypeFromWire(data[D.accountType]);
  const name = data[D.name];
  if (!type || !name) return undefined;
  return {
    type,
    name,
    email: data[D.email] ?? '',
    active: data[D.active] === V.yes,
    resellerName: data[D.resellerName] ?? '',
    storageAllottedBytes: Number(data[D.storageAllottedBytes] ?? 0),
    storageUsedBytes: Number(data[D.storageUsedBytes] ?? 0),
    mcalAllotted: data[D.mcalAllotted] ?? '',
    notes: data[D.notes] ?? '',
  };
}

export function decodeServerInfo(data: Readonly<Record<string, string>>): ServerInfo {
  return {
    product: data[D.product] ?? 'StoreGrid',
    version: data[D.version] ?? 'unknown',
    resellers: Number(data[D.resellers] ?? 0),
    customers: Number(data[D.customers] ?? 0),
  };
}

/**
 * Masks the pass key in a response body before it reaches the module log: the redactor cannot
 * know the key until the module has read it, and the transport logs the answer first.
 */
export function maskPassKey(body: string, mask: string): string {
  return body.replace(
    new RegExp(`<${D.passKey}>[\\s\\S]*?</${D.passKey}>`, 'g'),
    `<${D.passKey}>${mask}</${D.passKey}>`,
  );
}
