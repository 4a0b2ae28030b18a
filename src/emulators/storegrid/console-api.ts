import type { WireReply, WireRequest } from '../kit/http-emulator.js';
import {
  CALLS,
  type ConsoleCall,
  type ConsoleErrorCode,
  ERROR_STATUS,
  FLAG,
  FORM_CONTENT_TYPE,
  STOREGRID_GUESSES as G,
  WIRE_VALUES as W,
} from './guesses.js';
import {
  type AccountChanges,
  type AccountType,
  type AccountView,
  ConsoleRefusal,
  type NewAccount,
  type StoreGridState,
  type Throttling,
} from './state.js';

/**
 * The web console's API as the emulator reads it from the raw wire: route by method and path,
 * HTTP Basic admin credentials, parameters from the query (GET) or a form body (POST), every
 * value parsed strictly, then the state, then the XML envelope (docs/specs/storegrid.md §4).
 * Nothing here is shared with the module: both sides write the assumed contract on their own.
 */
export interface ConsoleCredentials {
  username: string;
  password: string;
}

type Data = Record<string, string | readonly Record<string, string>[]>;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `<${key}>${escapeXml(value)}</${key}>`)
    .join('');
}

/** §4.3: `<SGResponse><Status>Success</Status><Data>…</Data></SGResponse>`; lists nest `<Account>`s. */
function successXml(data: Data): string {
  const inner = Object.entries(data)
    .map(([key, value]) =>
      typeof value === 'string'
        ? `<${key}>${escapeXml(value)}</${key}>`
        : `<${key}>${value.map((item) => `<Account>${xmlFields(item)}</Account>`).join('')}</${key}>`,
    )
    .join('');
  return `<SGResponse><Status>Success</Status><Data>${inner}</Data></SGResponse>`;
}

function failureXml(code: ConsoleErrorCode, message: string): string {
  return `<SGResponse><Status>Failure</Status><Code>${code}</Code><Message>${escapeXml(message)}</Message></SGResponse>`;
}

const XML_HEADERS = { 'content-type': 'application/xml; charset=utf-8' };

function reply(status: number, body: string): WireReply {
  return { status, rawBody: body, headers: XML_HEADERS };
}

function refusal(code: ConsoleErrorCode, message: string): WireReply {
  return reply(ERROR_STATUS[code], failureXml(code, message));
}

function flag(value: boolean): string {
  return value ? FLAG.yes : FLAG.no;
}

/** §4.5: the account record as GetAccountDetails and ListAccounts give it. */
function accountFields(account: AccountView): Record<string, string> {
  const fields: Record<string, string> = {
    AccountType: account.type === 'reseller' ? W.reseller : W.customer,
    Name: account.name,
    Email: account.email,
    Company: account.company,
  };
  if (account.type === 'customer') fields.ResellerName = account.resellerName;
  Object.assign(fields, {
    Active: flag(account.active),
    AutoAuthorization: flag(account.autoAuthorization),
    StorageAllotted: String(account.storageAllottedBytes),
    StorageUsed: String(account.storageUsedBytes),
    StorageLocation: account.storageLocation,
    IsAutoMCAL: flag(account.mcal === 'auto'),
  });
  if (account.mcal !== 'auto') fields.MCALAllotted = String(account.mcal);
  fields.MCALUsed = String(account.mcalUsed);
  const throttling = account.throttling;
  fields.BandwidthThrottling = throttling.mode === 'global' ? W.globalConfiguration : W.newConfiguration;
  if (throttling.mode === 'new') {
    fields.EnableThrottle = flag(throttling.enabled);
    if (throttling.enabled) {
      fields.ThrottleSettings = throttling.window === 'always' ? W.alwaysThrottle : W.throttleWindow;
      if (throttling.window !== 'always') {
        fields.ThrottleFrom = throttling.window.from;
        fields.ThrottleTill = throttling.window.till;
      }
      fields.RestrictedRate = String(throttling.rateBytes);
    }
  }
  fields.Clients = String(account.machines);
  fields.Notes = account.notes;
  return fields;
}

/** The request's parameters, read strictly: unknown, repeated or ill-formed ones are refused. */
class Params {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly call: ConsoleCall,
    source: URLSearchParams,
    allowed: readonly string[],
  ) {
    for (const [key, value] of source) {
      if (!allowed.includes(key)) throw invalid(`Unknown parameter ${key} for ${call}`);
      if (this.values.has(key)) throw invalid(`Parameter ${key} was given more than once`);
      this.values.set(key, value);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  text(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw invalid(`${name} is required for ${this.call}`);
    return value;
  }

  optionalText(name: string): string {
    return this.values.get(name) ?? '';
  }

  flag(name: string): boolean {
    const value = this.text(name);
    if (value !== FLAG.yes && value !== FLAG.no) throw invalid(`${name} must be ${FLAG.yes} or ${FLAG.no}`);
    return value === FLAG.yes;
  }

  count(name: string): number {
    const value = this.text(name);
    if (!/^\d{1,16}$/.test(value)) throw invalid(`${name} must be a whole number, not "${value}"`);
    return Number(value);
  }

  /** Refuses parameters that do not apply given the others. */
  forbid(names: readonly string[], because: string): void {
    for (const name of names) if (this.has(name)) throw invalid(`${name} does not apply: ${because}`);
  }

  accountType(): AccountType {
    const value = this.text('AccountType');
    if (value === W.reseller) return 'reseller';
    if (value === W.customer) return 'customer';
    throw invalid(`AccountType must be ${W.reseller} or ${W.customer}`);
  }
}

function invalid(message: string): ConsoleRefusal {
  return new ConsoleRefusal('INVALID_VALUE', message);
}

const ACCOUNT = ['AccountType', 'Name'] as const;
const MCAL = ['IsAutoMCAL', 'AllotMCAL'] as const;
const THROTTLE_DETAIL = [
  'EnableThrottle',
  'ThrottleSettings',
  'ThrottleFrom',
  'ThrottleTill',
  'RestrictedRate',
];
const THROTTLE = ['BandwidthThrottling', ...THROTTLE_DETAIL] as const;
const SIGNUP = [
  'Name',
  'Email',
  'Company',
  'Password',
  'ActivationStatus',
  'AutoAuthorization',
  'StorageAllotted',
  'StorageLocation',
  ...MCAL,
  ...THROTTLE,
  'SendMail',
  'Notes',
] as const;

/** §4.4: the parameters each call takes. */
const ALLOWED: Readonly<Record<ConsoleCall, readonly string[]>> = {
  'server-info': [],
  'account-details': ACCOUNT,
  'list-accounts': ['AccountType', 'Page', 'PageSize'],
  'pass-key': ['Name'],
  'signup-reseller': SIGNUP,
  'signup-customer': [...SIGNUP, 'ResellerName', 'EnableConsolidatedReport', 'ConsolidatedReportEmail'],
  activate: ACCOUNT,
  deactivate: ACCOUNT,
  edit: [...ACCOUNT, 'StorageAllotted', 'AutoAuthorization', ...MCAL, ...THROTTLE, 'Notes'],
  'change-password': [...ACCOUNT, 'Password'],
};

function readMcal(params: Params): 'auto' | number {
  if (params.flag('IsAutoMCAL')) {
    params.forbid(['AllotMCAL'], 'IsAutoMCAL is 1');
    return 'auto';
  }
  return params.count('AllotMCAL');
}

function readThrottling(params: Params): Throttling {
  const mode = params.text('BandwidthThrottling');
  if (mode === W.globalConfiguration) {
    params.forbid(THROTTLE_DETAIL, `BandwidthThrottling is ${W.globalConfiguration}`);
    return { mode: 'global' };
  }
  if (mode !== W.newConfiguration)
    throw invalid(`BandwidthThrottling must be ${W.globalConfiguration} or ${W.newConfiguration}`);
  if (!params.flag('EnableThrottle')) {
    params.forbid(THROTTLE_DETAIL.slice(1), 'EnableThrottle is 0');
    return { mode: 'new', enabled: false };
  }
  const schedule = params.text('ThrottleSettings');
  const rateBytes = params.count('RestrictedRate');
  if (schedule === W.alwaysThrottle) {
    params.forbid(['ThrottleFrom', 'ThrottleTill'], `ThrottleSettings is ${W.alwaysThrottle}`);
    return { mode: 'new', enabled: true, window: 'always', rateBytes };
  }
  if (schedule !== W.throttleWindow)
    throw invalid(`ThrottleSettings must be ${W.alwaysThrottle} or ${W.throttleWindow}`);
  return {
    mode: 'new',
    enabled: true,
    window: { from: params.text('ThrottleFrom'), till: params.text('ThrottleTill') },
    rateBytes,
  };
}

function readSignup(type: AccountType, params: Params): NewAccount {
  const customer = type === 'customer';
  let reportEmails: string[] | null = null;
  if (customer && params.flag('EnableConsolidatedReport')) {
    reportEmails = params
      .text('ConsolidatedReportEmail')
      .split(',')
      .map((email) => email.trim());
  } else if (customer) {
    params.forbid(['ConsolidatedReportEmail'], 'EnableConsolidatedReport is 0');
  }
  const password = params.optionalText('Password');
  return {
    type,
    name: params.text('Name'),
    email: params.optionalText('Email'),
    company: params.optionalText('Company'),
    ...(password ? { password } : {}),
    resellerName: customer ? params.text('ResellerName') : '',
    active: params.flag('ActivationStatus'),
    autoAuthorization: params.flag('AutoAuthorization'),
    storageAllottedBytes: params.count('StorageAllotted'),
    storageLocation: params.optionalText('StorageLocation'),
    consolidatedReportEmails: reportEmails,
    mcal: readMcal(params),
    throttling: readThrottling(params),
    sendMail: params.flag('SendMail'),
    notes: params.optionalText('Notes'),
  };
}

function readChanges(params: Params): AccountChanges {
  const changes: AccountChanges = {};
  if (params.has('StorageAllotted')) changes.storageAllottedBytes = params.count('StorageAllotted');
  if (params.has('AutoAuthorization')) changes.autoAuthorization = params.flag('AutoAuthorization');
  if (params.has('IsAutoMCAL')) changes.mcal = readMcal(params);
  else params.forbid(['AllotMCAL'], 'it goes with IsAutoMCAL');
  if (params.has('BandwidthThrottling')) changes.throttling = readThrottling(params);
  else params.forbid(THROTTLE_DETAIL, 'it goes with BandwidthThrottling');
  if (params.has('Notes')) changes.notes = params.optionalText('Notes');
  if (Object.keys(changes).length === 0) throw invalid('EditAccount needs at least one field to change');
  return changes;
}

function listPage(state: StoreGridState, params: Params): Data {
  const type = params.accountType();
  const page = params.has('Page') ? params.count('Page') : 1;
  const size = params.has('PageSize') ? params.count('PageSize') : G.defaultPageSize;
  if (page < 1) throw invalid('Page starts at 1');
  if (size < 1 || size > G.maxPageSize) throw invalid(`PageSize must be from 1 to ${G.maxPageSize}`);
  const all = state.list(type);
  const items = all.slice((page - 1) * size, page * size);
  return {
    Page: String(page),
    PageSize: String(size),
    PageCount: String(Math.max(1, Math.ceil(all.length / size))),
    TotalCount: String(all.length),
    Accounts: items.map((account) => accountFields(state.view(account))),
  };
}

function run(state: StoreGridState, call: ConsoleCall, params: Params): Data {
  switch (call) {
    case 'server-info':
      return {
        Product: G.product,
        Version: G.version,
        ResellerCount: String(state.resellers.size),
        CustomerCount: String(state.customers.size),
      };
    case 'account-details':
      return accountFields(state.view(state.require(params.accountType(), params.text('Name'))));
    case 'list-accounts':
      return listPage(state, params);
    case 'pass-key':
      return { PassKey: state.passKey(params.text('Name')) };
    case 'signup-reseller':
    case 'signup-customer': {
      const type = call === 'signup-reseller' ? 'reseller' : 'customer';
      return { Name: state.add(readSignup(type, params), { checkLimits: true }).name };
    }
    case 'activate':
    case 'deactivate':
      return { Name: state.setActive(params.accountType(), params.text('Name'), call === 'activate').name };
    case 'edit': {
      const type = params.accountType();
      const name = params.text('Name');
      return { Name: state.edit(type, name, readChanges(params), { checkLimits: true }).name };
    }
    case 'change-password': {
      const type = params.accountType();
      const name = params.text('Name');
      state.changePassword(type, name, params.text('Password'));
      return { Name: name };
    }
  }
}

function authorized(request: WireRequest, credentials: ConsoleCredentials): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${credentials.username}:${credentials.password}`;
}

function paramsOf(call: ConsoleCall, request: WireRequest): Params {
  if (request.method === 'GET') {
    if (request.body !== '') throw invalid('A GET call takes no body');
    return new Params(call, request.query, ALLOWED[call]);
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_CONTENT_TYPE) throw invalid(`The body must be ${FORM_CONTENT_TYPE}, not "${type}"`);
  if (request.rawQuery !== '') throw invalid('A POST call takes its parameters in the body');
  return new Params(call, new URLSearchParams(request.body), ALLOWED[call]);
}

/** Answers one web-console request from its raw wire form. */
export function handleConsoleRequest(
  state: StoreGridState,
  credentials: ConsoleCredentials,
  request: WireRequest,
): WireReply {
  const call = (CALLS as Record<string, ConsoleCall>)[`${request.method} ${request.path}`];
  if (!call) return refusal('INVALID_CALL', `No such web-console call: ${request.method} ${request.path}`);
  if (!authorized(request, credentials)) return refusal('AUTH_FAILED', G.messages.authFailed);
  try {
    return reply(200, successXml(run(state, call, paramsOf(call, request))));
  } catch (error) {
    if (error instanceof ConsoleRefusal) return refusal(error.code, error.message);
    throw error;
  }
}

/** The envelope an injected `error` fault answers with: the console's code for that status [E]. */
export function faultXml(status: number): string {
  if (status === 401 || status === 403) return failureXml('AUTH_FAILED', G.messages.authFailed);
  if (status >= 500) return failureXml('SERVER_BUSY', G.messages.busy);
  return failureXml('INVALID_VALUE', `Injected failure (HTTP ${status})`);
}
