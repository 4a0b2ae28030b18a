import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import { column, parseNumber, parseShow, parseTable } from './parse.js';
import { plainNumber, quoteValue } from './quoting.js';
import type { AxigenCliSession } from './session.js';
import { ACCOUNT_SUSPENSION } from './suspension.js';

/**
 * The Axigen CLI operations provisio needs, as command sequences (spec §7). Every function starts
 * and ends at the root context `<#>`, checks the prompt after each command and throws on `-ERR`
 * (the pool then BACKs out, dropping drafts). Names arrive checked (quoting.ts); every other value
 * is quoted here.
 */

const ROOT = '';
const DOMAIN = 'domain';
const ACCOUNT = 'domain-account';

export interface DomainRow {
  name: string;
  enabled: boolean;
  /** `used` column of LIST (All)Domains in KB, when the server prints it. */
  usedKb: number | undefined;
}

export interface VersionInfo {
  version: string;
  os: string;
  platform: string;
  raw: string;
}

/** `10.6.30|Linux|x86_64` (spec §3.2): first space-separated token of field 0 is the version. */
export function parseVersion(line: string): VersionInfo {
  const [first = '', os = '', platform = ''] = line.split('|');
  return { version: first.trim().split(/\s+/)[0] ?? '', os: os.trim(), platform: platform.trim(), raw: line };
}

export async function getVersion(session: AxigenCliSession): Promise<VersionInfo> {
  const reply = await session.ok('GET VERSION', {
    mutating: false,
    expect: session.context,
    what: 'the version query',
  });
  return parseVersion(reply.data.find((line) => line.includes('|')) ?? reply.data[0] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Domains

/** LIST AllDomains: active and inactive domains (spec §6.1); status from a `status` column [E]. */
export async function listAllDomains(session: AxigenCliSession): Promise<DomainRow[]> {
  const reply = await session.ok('LIST AllDomains', {
    mutating: false,
    expect: ROOT,
    what: 'listing domains',
  });
  const table = parseTable(reply.data);
  return table.rows.map((row) => {
    const status = column(table, row, 'status')?.toLowerCase();
    return {
      name: (row[0] ?? '').toLowerCase(),
      enabled: status === undefined || !/disabled|inactive/.test(status),
      usedKb: parseNumber(column(table, row, 'used')),
    };
  });
}

/** LIST Domains: active domains only. */
export async function listActiveDomains(session: AxigenCliSession): Promise<string[]> {
  const reply = await session.ok('LIST Domains', { mutating: false, expect: ROOT, what: 'listing domains' });
  return parseTable(reply.data).rows.map((row) => (row[0] ?? '').toLowerCase());
}

export async function findDomain(session: AxigenCliSession, name: string): Promise<DomainRow | undefined> {
  return (await listAllDomains(session)).find((row) => row.name === name);
}

export interface DomainStorage {
  location: string;
  objectsLocation: string;
  messagesLocation: string;
}

/** CREATE Domain … COMMIT (spec §7.2): the domain exists only after COMMIT, with its postmaster. */
export async function createDomain(
  session: AxigenCliSession,
  domain: string,
  storage: DomainStorage,
  postmasterPassword: string,
  groupware: boolean,
): Promise<void> {
  const what = `creating the domain ${domain}`;
  const password = quoteValue(postmasterPassword, 'the postmaster password');
  const head = `CREATE Domain name ${domain} domainLocation ${quoteValue(storage.location, 'the domain location')} postmasterPassword `;
  await session.ok(`${head}${password}`, { mutating: false, expect: 'domain-*', what });
  await session.ok(`SET groupwareSupport ${groupware ? 'yes' : 'no'}`, {
    mutating: false,
    expect: session.context,
    what,
  });
  await session.ok(
    `SET domainObjectsLocation ${quoteValue(storage.objectsLocation, 'the object storage location')}`,
    { mutating: false, expect: session.context, what },
  );
  await session.ok(
    `ADD MessagesLocation ${quoteValue(storage.messagesLocation, 'the message storage location')}`,
    { mutating: false, expect: session.context, what },
  );
  await session.ok('COMMIT', { mutating: true, expect: ROOT, what });
  await saveConfig(session);
}

/** SAVE CONFIG after domain-level changes, as S2/S4 do (whether 10.x needs it is open, Q9). */
async function saveConfig(session: AxigenCliSession): Promise<void> {
  await session.ok('SAVE CONFIG', { mutating: true, expect: ROOT, what: 'saving the server configuration' });
}

/** A limit or quota: a number sets it, `null` RESETs it to the inherited value. */
export type LimitValue = number | null;

export interface DomainConfig {
  adminLimits: Record<string, LimitValue>;
  accountDefaultQuotas: Record<string, LimitValue>;
  /** undefined: leave migration untouched; otherwise these keys (enable, remoteImapHost, …). */
  migration?: Record<string, string | number | boolean>;
}

function assignment(key: string, value: LimitValue | string | boolean, what: string): string {
  if (value === null) return `RESET ${key}`;
  if (typeof value === 'number') return `SET ${key} ${plainNumber(value)}`;
  if (typeof value === 'boolean') return `SET ${key} ${value ? 'yes' : 'no'}`;
  return `SET ${key} ${quoteValue(value, what)}`;
}

/**
 * Admin limits (COMMIT-only sub-context), default account quotas and migration source (DONE
 * sub-contexts), then COMMIT of the domain (spec §7.3). Re-applying is harmless: change package
 * runs the same sequence and never touches data.
 */
export async function configureDomain(
  session: AxigenCliSession,
  domain: string,
  config: DomainConfig,
): Promise<void> {
  const what = `configuring the domain ${domain}`;
  await session.ok(`UPDATE Domain name ${domain}`, { mutating: false, expect: DOMAIN, what });
  await session.ok('CONFIG adminLimits', { mutating: false, expect: 'domain-*', what });
  for (const [key, value] of Object.entries(config.adminLimits))
    await session.ok(assignment(key, value, key), { mutating: false, expect: session.context, what });
  await session.ok('COMMIT', { mutating: true, expect: DOMAIN, what });
  await session.ok('CONFIG accountDefaultQuotas', { mutating: false, expect: 'domain-*', what });
  for (const [key, value] of Object.entries(config.accountDefaultQuotas))
    await session.ok(assignment(key, value, key), { mutating: false, expect: session.context, what });
  await session.ok('DONE', { mutating: false, expect: DOMAIN, what });
  if (config.migration) {
    await session.ok('CONFIG MIGRATIONDATA', { mutating: false, expect: 'domain-*', what });
    for (const [key, value] of Object.entries(config.migration))
      await session.ok(assignment(key, value, `the migration setting ${key}`), {
        mutating: false,
        expect: session.context,
        what,
      });
    await session.ok('DONE', { mutating: false, expect: DOMAIN, what });
  }
  await session.ok('COMMIT', { mutating: true, expect: ROOT, what });
}

/** EDIT Domain → SET groupwareSupport → COMMIT (spec §7.2: allowed after creation). */
export async function setGroupware(
  session: AxigenCliSession,
  domain: string,
  groupware: boolean,
): Promise<void> {
  const what = `setting groupware on ${domain}`;
  await session.ok(`EDIT Domain name ${domain}`, { mutating: false, expect: 'domain-*', what });
  await session.ok(`SET groupwareSupport ${groupware ? 'yes' : 'no'}`, {
    mutating: false,
    expect: session.context,
    what,
  });
  await session.ok('COMMIT', { mutating: true, expect: ROOT, what });
}

/** DISABLE / ENABLE / DELETE Domain at root, no COMMIT (spec §7.4), then SAVE CONFIG. */
export async function setDomainEnabled(
  session: AxigenCliSession,
  domain: string,
  enabled: boolean,
): Promise<void> {
  await session.ok(`${enabled ? 'ENABLE' : 'DISABLE'} Domain name ${domain}`, {
    mutating: true,
    expect: ROOT,
    what: `${enabled ? 'enabling' : 'disabling'} the domain ${domain}`,
  });
  await saveConfig(session);
}

export async function deleteDomain(session: AxigenCliSession, domain: string): Promise<void> {
  await session.ok(`DELETE Domain name ${domain}`, {
    mutating: true,
    expect: ROOT,
    what: `deleting the domain ${domain}`,
  });
  await saveConfig(session);
}

/** LIST Accounts row count and the `used` column: the domain product's usage. */
export async function countAccounts(session: AxigenCliSession, domain: string): Promise<number> {
  const what = `counting the accounts of ${domain}`;
  await session.ok(`UPDATE Domain name ${domain}`, { mutating: false, expect: DOMAIN, what });
  const reply = await session.ok('LIST Accounts', { mutating: false, expect: DOMAIN, what });
  await session.ok('BACK', { mutating: false, expect: ROOT, what });
  return parseTable(reply.data).rows.length;
}

export async function listAccountClasses(session: AxigenCliSession, domain: string): Promise<string[]> {
  const what = `listing the account classes of ${domain}`;
  await session.ok(`UPDATE Domain name ${domain}`, { mutating: false, expect: DOMAIN, what });
  const reply = await session.ok('LIST AccountClasses', { mutating: false, expect: DOMAIN, what });
  await session.ok('BACK', { mutating: false, expect: ROOT, what });
  return parseTable(reply.data).rows.map((row) => row.join(' '));
}

// ---------------------------------------------------------------------------------------------
// Accounts (the session enters the domain once; these run at <domain#> and return there)

export async function enterDomain(session: AxigenCliSession, domain: string): Promise<void> {
  await session.ok(`UPDATE Domain name ${domain}`, {
    mutating: false,
    expect: DOMAIN,
    what: `opening the domain ${domain}`,
  });
}

export async function leaveDomain(session: AxigenCliSession, commit: boolean): Promise<void> {
  await session.ok(commit ? 'COMMIT' : 'BACK', {
    mutating: commit,
    expect: ROOT,
    what: 'leaving the domain',
  });
}

export interface AccountQuotas {
  /** CONFIG Quotas keys in KB / counts; null RESETs to the class or domain default. */
  [key: string]: LimitValue;
}

export interface NewAccount {
  name: string;
  password: string;
  accountClass: string | null;
  quotas: AccountQuotas;
  customerReference: string;
}

/**
 * ADD Account … COMMIT inside the domain (spec §7.5). Everything, including the ownership mark
 * (customerReference), lands in one COMMIT: the account exists complete or not at all. A refused
 * ADD (an existing name, spec §9.6) is returned, not thrown, so the caller can look and decide.
 */
export async function addAccount(
  session: AxigenCliSession,
  account: NewAccount,
): Promise<{ ok: boolean; text: string }> {
  const what = `creating the account ${account.name}`;
  const command = `ADD Account name ${quoteValue(account.name, 'the account name')} password ${quoteValue(account.password, 'the account password')}`;
  const added = await session.send(command, { mutating: false });
  if (!added.ok) {
    session.checkContext(DOMAIN);
    return { ok: false, text: added.text };
  }
  session.checkContext(ACCOUNT);
  await applyAccountSettings(session, account.accountClass, account.quotas, what);
  await session.ok(
    `SET customerReference ${quoteValue(account.customerReference, 'the customer reference')}`,
    { mutating: false, expect: ACCOUNT, what },
  );
  await session.ok('COMMIT', { mutating: true, expect: DOMAIN, what });
  return { ok: true, text: added.text };
}

async function applyAccountSettings(
  session: AxigenCliSession,
  accountClass: string | null,
  quotas: AccountQuotas,
  what: string,
): Promise<void> {
  const source = accountClass
    ? `accountClass ${quoteValue(accountClass, 'the account class')}`
    : 'domainDefaults';
  await session.ok(`INHERIT SETTINGS FROM ${source}`, { mutating: false, expect: ACCOUNT, what });
  await session.ok('CONFIG Quotas', { mutating: false, expect: 'domain-account-*', what });
  for (const [key, value] of Object.entries(quotas))
    await session.ok(assignment(key, value, key), { mutating: false, expect: session.context, what });
  await session.ok('DONE', { mutating: false, expect: ACCOUNT, what });
}

/** UPDATE Account; `-ERR` is returned as false (the caller decides what a missing account means). */
export async function openAccount(session: AxigenCliSession, name: string): Promise<boolean> {
  const reply = await session.send(`UPDATE Account name ${quoteValue(name, 'the account name')}`, {
    mutating: false,
  });
  if (reply.ok) session.checkContext(ACCOUNT);
  else session.checkContext(DOMAIN);
  return reply.ok;
}

export async function commitAccount(session: AxigenCliSession, what: string): Promise<void> {
  await session.ok('COMMIT', { mutating: true, expect: DOMAIN, what });
}

/** Re-applies class and quotas to an existing account (change package); data is never touched. */
export async function updateAccountPackage(
  session: AxigenCliSession,
  name: string,
  accountClass: string | null,
  quotas: AccountQuotas,
): Promise<void> {
  const what = `changing the package of ${name}`;
  if (!(await openAccount(session, name))) throw accountMissing(name);
  await applyAccountSettings(session, accountClass, quotas, what);
  await commitAccount(session, what);
}

export async function setAccountPassword(
  session: AxigenCliSession,
  name: string,
  password: string,
): Promise<void> {
  const what = `changing the password of ${name}`;
  if (!(await openAccount(session, name))) throw accountMissing(name);
  await session.ok(`SET password ${quoteValue(password, 'the new password')}`, {
    mutating: false,
    expect: ACCOUNT,
    what,
  });
  await commitAccount(session, what);
}

export async function setCustomerReference(
  session: AxigenCliSession,
  name: string,
  reference: string,
): Promise<void> {
  const what = `marking ${name} as managed by provisio`;
  if (!(await openAccount(session, name))) throw accountMissing(name);
  await session.ok(`SET customerReference ${quoteValue(reference, 'the customer reference')}`, {
    mutating: false,
    expect: ACCOUNT,
    what,
  });
  await commitAccount(session, what);
}

export function accountMissing(name: string): ProvisioningError {
  return legacyModuleError(
    'not-found',
    `the account ${name} does not exist on the Axigen server (was it removed there?)`,
    { code: 'axigen.account_missing' },
  );
}

/** REMOVE Account (immediate, spec §7.7); false when the server refused. */
export async function removeAccount(session: AxigenCliSession, name: string): Promise<boolean> {
  const reply = await session.send(`REMOVE Account name ${quoteValue(name, 'the account name')}`, {
    mutating: true,
  });
  session.checkContext(DOMAIN);
  return reply.ok;
}

export async function listAccounts(session: AxigenCliSession): Promise<string[]> {
  const reply = await session.ok('LIST Accounts', {
    mutating: false,
    expect: DOMAIN,
    what: 'listing accounts',
  });
  return parseTable(reply.data).rows.map((row) => row.join(' ').toLowerCase());
}

export interface AccountInfo {
  customerReference: string;
  suspended: boolean;
}

/** Reads the ownership mark and the suspension state of an existing account, back at <domain#>. */
export async function readAccountInfo(
  session: AxigenCliSession,
  name: string,
): Promise<AccountInfo | undefined> {
  if (!(await openAccount(session, name))) return undefined;
  const what = `reading the account ${name}`;
  const reference = await session.ok('SHOW ATTR customerReference', {
    mutating: false,
    expect: ACCOUNT,
    what,
  });
  const suspended = await ACCOUNT_SUSPENSION.read(session, what);
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
  return { customerReference: parseShow(reference.data).get('customerreference') ?? '', suspended };
}

export async function setAccountSuspended(
  session: AxigenCliSession,
  name: string,
  suspended: boolean,
): Promise<void> {
  const what = `${suspended ? 'suspending' : 'unsuspending'} the account ${name}`;
  if (!(await openAccount(session, name))) throw accountMissing(name);
  await ACCOUNT_SUSPENSION.apply(session, suspended, what);
  await commitAccount(session, what);
}

export interface MailboxUsage {
  sizeKb: number;
  messages: number;
}

/**
 * SHOW RegistryInformation (Mbox size in KB [Q7], message count; spec §7.9): three commands per
 * mailbox. The assigned quota is not read back here (three more commands per mailbox, twice the
 * time of a 20,000-mailbox usage run); the module keeps it from create / change package.
 */
export async function readMailboxUsage(
  session: AxigenCliSession,
  name: string,
): Promise<MailboxUsage | undefined> {
  if (!(await openAccount(session, name))) return undefined;
  const what = `reading the usage of ${name}`;
  const registry = parseShow(
    (await session.ok('SHOW RegistryInformation', { mutating: false, expect: ACCOUNT, what })).data,
  );
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
  return {
    sizeKb: parseNumber(registry.get('mbox size')) ?? 0,
    messages: parseNumber(registry.get('mbox message count')) ?? 0,
  };
}

/** The postmaster's ownership mark of a domain product (read in <domain#>). */
export async function readPostmasterReference(session: AxigenCliSession, domain: string): Promise<string> {
  const what = `reading the postmaster of ${domain}`;
  await enterDomain(session, domain);
  const reply = await session.ok("SHOW Account name 'postmaster' ATTR customerReference", {
    mutating: false,
    expect: DOMAIN,
    what,
  });
  await leaveDomain(session, false);
  return parseShow(reply.data).get('customerreference') ?? '';
}
