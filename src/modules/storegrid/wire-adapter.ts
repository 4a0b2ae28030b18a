/**
 * StoreGrid web-console wire format — AN ASSUMPTION, NOT VERIFIED AGAINST A REAL SERVER.
 *
 * No public source documents the calls the vendor's WHMCS module (`productName.php`) makes to the
 * StoreGrid web console (docs/specs/storegrid.md §0, §4). Everything in this file — request paths,
 * HTTP methods, authentication, parameter names, units on the wire, the answer envelope, error
 * codes, paging — is inferred from the documented module fields and behaviour. It is kept in this
 * one file so that, once `productName.php` from a StoreGrid SP install or a traffic capture is
 * available, it can be replaced here without touching the module logic. The emulator writes the
 * same contract out on its own (src/emulators/storegrid/guesses.ts); the golden wire test
 * (test/modules/storegrid.wire.test.ts) pins every request.
 *
 * Assumed shape (§4.1–§4.6):
 * - HTTP(S) to `<protocol>://<host>:<port>` (6060 http / 6061 https by default);
 * - the console admin authenticates every request with HTTP Basic credentials;
 * - reads are GET with a query, changes are POST with a form body
 *   (`application/x-www-form-urlencoded`, escaped as `encodeURIComponent` does, so the redactor
 *   recognises encoded secrets); flags are `1` / `0`, sizes and rates are bytes;
 * - answers are an XML envelope: `<SGResponse><Status>Success|Failure</Status><Code>…</Code>
 *   <Message>…</Message><Data>…</Data></SGResponse>`, lists as `<Accounts><Account>…</Account>…`.
 */
import type { StoreGridErrorCode } from './errors.js';

export const STOREGRID_WIRE = Object.freeze({
  contentType: 'application/x-www-form-urlencoded',
  operations: Object.freeze({
    serverInfo: { method: 'GET', path: '/sgwebapi/ServerInfo' },
    getAccount: { method: 'GET', path: '/sgwebapi/GetAccountDetails' },
    listAccounts: { method: 'GET', path: '/sgwebapi/ListAccounts' },
    getPassKey: { method: 'GET', path: '/sgwebapi/GetCustomerPassKey' },
    signupReseller: { method: 'POST', path: '/sgwebapi/SignupReseller' },
    signupCustomer: { method: 'POST', path: '/sgwebapi/SignupCustomer' },
    activate: { method: 'POST', path: '/sgwebapi/ActivateAccount' },
    deactivate: { method: 'POST', path: '/sgwebapi/DeactivateAccount' },
    edit: { method: 'POST', path: '/sgwebapi/EditAccount' },
    changePassword: { method: 'POST', path: '/sgwebapi/ChangePassword' },
  } as const),
  /** §4.6: the largest page ListAccounts serves. */
  pageSize: 100,
  /** §4.3: the console's `<Code>` and what it means here. */
  errorCodes: Object.freeze({
    AUTH_FAILED: 'storegrid.auth_failed',
    ACCOUNT_EXISTS: 'storegrid.name_taken',
    ACCOUNT_NOT_FOUND: 'storegrid.account_missing',
    RESELLER_NOT_FOUND: 'storegrid.reseller_not_found',
    INVALID_VALUE: 'storegrid.invalid_value',
    LIMIT_EXCEEDED: 'storegrid.limit_exceeded',
    SERVER_BUSY: 'storegrid.busy',
  } as const satisfies Record<string, StoreGridErrorCode>),
});

export type WireOperation = keyof typeof STOREGRID_WIRE.operations;
export type AccountType = 'reseller' | 'customer';

const YES = '1';
const NO = '0';
const TYPE = { reseller: 'Reseller', customer: 'Customer' } as const;
const THROTTLE = { global: 'Global', new: 'New', always: 'Always', window: 'SpecifiedTime' } as const;

export type BandwidthThrottling =
  | { mode: 'global' }
  | { mode: 'new'; enabled: false }
  | { mode: 'new'; enabled: true; window: { from: string; till: string } | 'always'; rateBytes: number };

/** The limits a product sets on an account (units: bytes). */
export interface AccountPackage {
  storageAllottedBytes: number;
  autoAuthorization: boolean;
  /** `auto` or a fixed number of MCALs. */
  mcal: 'auto' | number;
  throttling: BandwidthThrottling;
}

/** What a signup carries, in the module's own terms. */
export interface AccountSignup extends AccountPackage {
  type: AccountType;
  name: string;
  email: string;
  company: string;
  /** Service password, when the service has one (web-portal login of the new account). */
  password?: string;
  /** Customers only: the reseller they are created under. */
  resellerName?: string;
  activate: boolean;
  storageLocation: string;
  /** Customers only. */
  consolidatedReportEmails: readonly string[] | null;
  sendMail: boolean;
  /** Free text kept on the account; the module writes its ownership mark here (§5). */
  notes: string;
}

/** An account as the console reports it. */
export interface AccountDetails extends AccountPackage {
  type: AccountType;
  name: string;
  email: string;
  active: boolean;
  /** Customers: their reseller; '' for resellers. */
  resellerName: string;
  storageUsedBytes: number;
  mcalUsed: number;
  /** Clients (backed-up machines) under the account. */
  machines: number;
  notes: string;
}

export interface AccountPage {
  accounts: AccountDetails[];
  page: number;
  pageCount: number;
}

export interface ServerInfo {
  product: string;
  version: string;
  resellers: number;
  customers: number;
}

function flag(value: boolean): string {
  return value ? YES : NO;
}

/** §4.6 ListAccounts: one page of one account type. */
export function listParams(type: AccountType, page: number): Record<string, string> {
  return { AccountType: TYPE[type], Page: String(page), PageSize: String(STOREGRID_WIRE.pageSize) };
}

export function accountParams(type: AccountType, name: string): Record<string, string> {
  return { AccountType: TYPE[type], Name: name };
}

/** §4.4: the package fields as EditAccount takes them. */
function packageParams(pkg: AccountPackage): Record<string, string> {
  return {
    StorageAllotted: String(pkg.storageAllottedBytes),
    AutoAuthorization: flag(pkg.autoAuthorization),
    ...mcalParams(pkg.mcal),
    ...throttlingParams(pkg.throttling),
  };
}

function mcalParams(mcal: 'auto' | number): Record<string, string> {
  return mcal === 'auto' ? { IsAutoMCAL: YES } : { IsAutoMCAL: NO, AllotMCAL: String(mcal) };
}

function throttlingParams(throttling: BandwidthThrottling): Record<string, string> {
  if (throttling.mode === 'global') return { BandwidthThrottling: THROTTLE.global };
  if (!throttling.enabled) return { BandwidthThrottling: THROTTLE.new, EnableThrottle: NO };
  const window = throttling.window;
  return {
    BandwidthThrottling: THROTTLE.new,
    EnableThrottle: YES,
    ThrottleSettings: window === 'always' ? THROTTLE.always : THROTTLE.window,
    ...(window === 'always' ? {} : { ThrottleFrom: window.from, ThrottleTill: window.till }),
    RestrictedRate: String(throttling.rateBytes),
  };
}

/** §4.4 SignupReseller / SignupCustomer, in the order the golden wire test pins. */
export function encodeSignup(signup: AccountSignup): Record<string, string> {
  const customer = signup.type === 'customer';
  const reportTo = signup.consolidatedReportEmails;
  return {
    Name: signup.name,
    Email: signup.email,
    Company: signup.company,
    ...(signup.password ? { Password: signup.password } : {}),
    ...(customer ? { ResellerName: signup.resellerName ?? '' } : {}),
    ActivationStatus: flag(signup.activate),
    AutoAuthorization: flag(signup.autoAuthorization),
    StorageAllotted: String(signup.storageAllottedBytes),
    StorageLocation: signup.storageLocation,
    ...mcalParams(signup.mcal),
    ...throttlingParams(signup.throttling),
    SendMail: flag(signup.sendMail),
    ...(customer ? { EnableConsolidatedReport: flag(reportTo !== null) } : {}),
    ...(customer && reportTo ? { ConsolidatedReportEmail: reportTo.join(',') } : {}),
    Notes: signup.notes,
  };
}

/** §4.4 EditAccount: a new package, or new notes (adopt). */
export function encodeEdit(
  type: AccountType,
  name: string,
  change: { package: AccountPackage } | { notes: string },
): Record<string, string> {
  return {
    ...accountParams(type, name),
    ...('package' in change ? packageParams(change.package) : { Notes: change.notes }),
  };
}

/** Form body with `encodeURIComponent` escaping (`%20`, not `+`), as the redactor expects. */
export function encodeForm(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

/** The simple child elements of an XML fragment, unescaped. */
function fields(xml: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of xml.matchAll(/<([A-Za-z][A-Za-z0-9]*)>([^<]*)<\/\1>/g))
    found[match[1]!] = unescapeXml(match[2]!);
  return found;
}

export type WireResponse = { ok: true; data: string } | { ok: false; code: string; message: string };

/** §4.3: the envelope; `undefined` when the body is not one (a proxy page, a wrong port). */
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
  return { ok: true, data: element(envelope, 'Data') ?? '' };
}

function count(value: string | undefined): number {
  const parsed = Number(value ?? '');
  return Number.isFinite(parsed) ? parsed : 0;
}

function throttlingOf(data: Record<string, string>): BandwidthThrottling {
  if (data.BandwidthThrottling !== THROTTLE.new) return { mode: 'global' };
  if (data.EnableThrottle !== YES) return { mode: 'new', enabled: false };
  return {
    mode: 'new',
    enabled: true,
    window:
      data.ThrottleSettings === THROTTLE.window
        ? { from: data.ThrottleFrom ?? '', till: data.ThrottleTill ?? '' }
        : 'always',
    rateBytes: count(data.RestrictedRate),
  };
}

function accountFrom(data: Record<string, string>): AccountDetails | undefined {
  const type =
    data.AccountType === TYPE.reseller
      ? 'reseller'
      : data.AccountType === TYPE.customer
        ? 'customer'
        : undefined;
  if (!type || !data.Name) return undefined;
  return {
    type,
    name: data.Name,
    email: data.Email ?? '',
    active: data.Active === YES,
    resellerName: data.ResellerName ?? '',
    storageAllottedBytes: count(data.StorageAllotted),
    storageUsedBytes: count(data.StorageUsed),
    autoAuthorization: data.AutoAuthorization === YES,
    mcal: data.IsAutoMCAL === NO ? count(data.MCALAllotted) : 'auto',
    mcalUsed: count(data.MCALUsed),
    throttling: throttlingOf(data),
    machines: count(data.Clients),
    notes: data.Notes ?? '',
  };
}

/** §4.5 GetAccountDetails. */
export function decodeAccount(data: string): AccountDetails | undefined {
  return accountFrom(fields(data));
}

/** §4.6 ListAccounts: one page; an item the module cannot read makes the whole page unreadable. */
export function decodeAccountPage(data: string): AccountPage | undefined {
  const accounts: AccountDetails[] = [];
  for (const match of (element(data, 'Accounts') ?? '').matchAll(/<Account>([\s\S]*?)<\/Account>/g)) {
    const account = accountFrom(fields(match[1]!));
    if (!account) return undefined;
    accounts.push(account);
  }
  const head = fields(data.replace(/<Accounts>[\s\S]*<\/Accounts>/, ''));
  if (head.Page === undefined || head.PageCount === undefined) return undefined;
  return { accounts, page: count(head.Page), pageCount: count(head.PageCount) };
}

export function decodeServerInfo(data: string): ServerInfo {
  const info = fields(data);
  return {
    product: info.Product ?? 'StoreGrid',
    version: info.Version ?? 'unknown',
    resellers: count(info.ResellerCount),
    customers: count(info.CustomerCount),
  };
}

export function decodePassKey(data: string): string | undefined {
  return fields(data).PassKey || undefined;
}

/**
 * Masks the pass key in a response body before it reaches the module log: the redactor cannot
 * know the key until the module has read it, and the transport logs the answer first.
 */
export function maskPassKey(body: string, mask: string): string {
  return body.replace(/<PassKey>[\s\S]*?<\/PassKey>/g, `<PassKey>${mask}</PassKey>`);
}
