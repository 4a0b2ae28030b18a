import { column, parseNumber, parseShow, parseTable } from './parse.js';
import { plainNumber, quoteValue } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * The Axigen CLI operations on domains and the server, as command sequences
 * (docs/specs/axigen.md §7). Every function starts and ends at the root context `<#>`, checks the
 * prompt after each command and throws on `-ERR` (the pool then BACKs out, dropping drafts).
 * Domain names arrive checked (quoting.ts) and go unquoted; every other value is quoted here.
 * Mailbox operations are in account-client.ts.
 */
export const ROOT = '';
export const DOMAIN = 'domain';
export const ACCOUNT = 'domain-account';

export interface VersionInfo {
  version: string;
  os: string;
  platform: string;
  raw: string;
}

/** `10.6.30|Linux|x86_64` (§3.2): first space-separated token of field 0 is the version. */
function parseVersion(line: string): VersionInfo {
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
// Listing domains (§6.1: LIST Domains = active only, LIST AllDomains = active and inactive)

export interface DomainRow {
  name: string;
  enabled: boolean;
  /** `used` column of LIST AllDomains in KB, when the server prints it (Q2). */
  usedKb: number | undefined;
}

async function listRows(
  session: AxigenCliSession,
  which: 'Domains' | 'AllDomains',
  wildcard: string | undefined,
): Promise<Array<{ name: string; usedKb: number | undefined }>> {
  const reply = await session.ok(wildcard ? `LIST ${which} ${wildcard}` : `LIST ${which}`, {
    mutating: false,
    expect: ROOT,
    what: 'listing domains',
  });
  const table = parseTable(reply.data);
  return table.rows.map((row) => ({
    name: (row[0] ?? '').toLowerCase(),
    usedKb: parseNumber(column(table, row, 'used')),
  }));
}

/**
 * Every domain with its state, derived from the two lists (M2): no column of LIST AllDomains
 * says whether a domain is active (the one S8 assumes is unverified), LIST Domains lists only
 * the active ones [V: 10.6.30 help]. A name passed as `wildcard` narrows both lists to it [I].
 */
export async function listDomains(session: AxigenCliSession, wildcard?: string): Promise<DomainRow[]> {
  const all = await listRows(session, 'AllDomains', wildcard);
  if (all.length === 0) return [];
  const active = new Set((await listRows(session, 'Domains', wildcard)).map((row) => row.name));
  return all.map((row) => ({ ...row, enabled: active.has(row.name) }));
}

export async function findDomain(session: AxigenCliSession, name: string): Promise<DomainRow | undefined> {
  return (await listDomains(session, name)).find((row) => row.name === name);
}

/** The domain-level ownership mark (`SHOW Domain name D ATTR customerReference` at root, 10.6 help); active domains only (Q4). */
export async function readDomainMark(session: AxigenCliSession, domain: string): Promise<string> {
  const reply = await session.ok(`SHOW Domain name ${domain} ATTR customerReference`, {
    mutating: false,
    expect: ROOT,
    what: `reading the owner of ${domain}`,
  });
  return parseShow(reply.data).get('customerreference') ?? '';
}

/** Where provisio kept the Domain product's mark before: the postmaster account's customerReference. */
export async function readPostmasterMark(session: AxigenCliSession, domain: string): Promise<string> {
  const what = `reading the postmaster of ${domain}`;
  await session.ok(`UPDATE Domain name ${domain}`, { mutating: false, expect: DOMAIN, what });
  const reply = await session.send("SHOW Account name 'postmaster' ATTR customerReference", {
    mutating: false,
  });
  session.checkContext(DOMAIN);
  await session.ok('BACK', { mutating: false, expect: ROOT, what });
  return reply.ok ? (parseShow(reply.data).get('customerreference') ?? '') : '';
}

// ---------------------------------------------------------------------------------------------
// Creating and configuring domains

export interface DomainStorage {
  location: string;
  objectsLocation: string;
  messagesLocation: string;
}

/**
 * CREATE Domain … COMMIT (§7.2): the domain exists, with its postmaster, only after COMMIT. The
 * configuration is saved once, by the caller, after the whole create (issue 17: a re-run that
 * finds the domain made still reaches that save).
 */
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
  const inCreate = { mutating: false, expect: session.context, what };
  await session.ok(`SET groupwareSupport ${groupware ? 'yes' : 'no'}`, inCreate);
  await session.ok(
    `SET domainObjectsLocation ${quoteValue(storage.objectsLocation, 'the object storage location')}`,
    inCreate,
  );
  await session.ok(
    `ADD MessagesLocation ${quoteValue(storage.messagesLocation, 'the message storage location')}`,
    inCreate,
  );
  await session.ok('COMMIT', { mutating: true, expect: ROOT, what });
}

/**
 * SAVE CONFIG after a change to which domains exist or are active (create, enable, disable,
 * delete): that list lives in axigen.cfg, which S2 and S4 save after such changes; whether 10.x
 * needs it is Q9. Domain settings live in the domain's own storage and need no save [I].
 */
export async function saveConfig(session: AxigenCliSession): Promise<void> {
  await session.ok('SAVE CONFIG', { mutating: true, expect: ROOT, what: 'saving the server configuration' });
}

export interface DomainConfig {
  /** Written as the domain's customerReference. */
  mark: string;
  /** Only limits the product sets (> 0): "inherit" sends nothing (M1: these contexts have no RESET). */
  adminLimits: Record<string, number>;
  accountDefaultQuotas: Record<string, number>;
  migration: Record<string, string | number | boolean>;
  /**
   * Domain aliases the product wants, and those provisio added before (only those are removed
   * when no longer wanted: an alias staff added by hand stays).
   */
  aliases: { wanted: readonly string[]; managed: readonly string[] };
}

function assignment(key: string, value: number | string | boolean, what: string): string {
  if (typeof value === 'number') return `SET ${key} ${plainNumber(value)}`;
  if (typeof value === 'boolean') return `SET ${key} ${value ? 'yes' : 'no'}`;
  return `SET ${key} ${quoteValue(value, what)}`;
}

/** LIST Aliases in `<domain#>`: two header lines, one alias per line, a blank line (§6.1). */
async function listDomainAliases(session: AxigenCliSession, domain: string): Promise<string[]> {
  const reply = await session.ok('LIST Aliases', {
    mutating: false,
    expect: DOMAIN,
    what: `listing the aliases of ${domain}`,
  });
  return reply.data
    .slice(2)
    .map((line) => line.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * UPDATE Domain, then the mark, aliases, admin limits (a COMMIT-only sub-context), default
 * account quotas and the migration source (DONE sub-contexts), then the domain's COMMIT (§7.3).
 * Re-applying is harmless: change package runs the same sequence and never touches data.
 * `beforeCommit` runs in `<domain#>` just before that COMMIT (the postmaster role).
 */
export async function configureDomain(
  session: AxigenCliSession,
  domain: string,
  config: DomainConfig,
  beforeCommit: () => Promise<void> = async () => undefined,
): Promise<void> {
  const what = `configuring the domain ${domain}`;
  const here = { mutating: false, expect: DOMAIN, what };
  await session.ok(`UPDATE Domain name ${domain}`, here);
  await session.ok(`SET customerReference ${quoteValue(config.mark, 'the customer reference')}`, here);
  const { wanted, managed } = config.aliases;
  if (wanted.length || managed.length) {
    const current = await listDomainAliases(session, domain);
    for (const alias of wanted) if (!current.includes(alias)) await session.ok(`ADD Alias ${alias}`, here);
    for (const alias of managed)
      if (!wanted.includes(alias) && current.includes(alias)) await session.ok(`REMOVE Alias ${alias}`, here);
  }
  if (Object.keys(config.adminLimits).length) {
    await session.ok('CONFIG adminLimits', { mutating: false, expect: 'domain-*', what });
    for (const [key, value] of Object.entries(config.adminLimits))
      await session.ok(assignment(key, value, key), { mutating: false, expect: session.context, what });
    await session.ok('COMMIT', { mutating: true, expect: DOMAIN, what });
  }
  if (Object.keys(config.accountDefaultQuotas).length) {
    await session.ok('CONFIG accountDefaultQuotas', { mutating: false, expect: 'domain-*', what });
    for (const [key, value] of Object.entries(config.accountDefaultQuotas))
      await session.ok(assignment(key, value, key), { mutating: false, expect: session.context, what });
    await session.ok('DONE', here);
  }
  await session.ok('CONFIG MIGRATIONDATA', { mutating: false, expect: 'domain-*', what });
  for (const [key, value] of Object.entries(config.migration))
    await session.ok(assignment(key, value, `the migration setting ${key}`), {
      mutating: false,
      expect: session.context,
      what,
    });
  await session.ok('DONE', here);
  await beforeCommit();
  await session.ok('COMMIT', { mutating: true, expect: ROOT, what });
}

/** EDIT Domain → SET groupwareSupport → COMMIT (§7.2: allowed after creation, and on a disabled domain). */
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

/** ENABLE / DISABLE / DELETE Domain at root, no COMMIT (§7.4); the caller saves the configuration. */
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
}

export async function deleteDomain(session: AxigenCliSession, domain: string): Promise<void> {
  await session.ok(`DELETE Domain name ${domain}`, {
    mutating: true,
    expect: ROOT,
    what: `deleting the domain ${domain}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading a domain's package (reconcile) and usage

/** SHOW of a sub-context of `<domain#>` (`CONFIG x` → SHOW → BACK), as a key → value map. */
async function showSection(
  session: AxigenCliSession,
  section: string,
  what: string,
): Promise<Map<string, string>> {
  await session.ok(`CONFIG ${section}`, { mutating: false, expect: 'domain-*', what });
  const reply = await session.ok('SHOW', { mutating: false, expect: session.context, what });
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
  return parseShow(reply.data);
}

export interface DomainPackage {
  adminLimits: Map<string, string>;
  accountDefaultQuotas: Map<string, string>;
  groupware: boolean | undefined;
}

/** What a domain has: admin limits, default quotas and groupware (EDIT's SHOW). Active domains only. */
export async function readDomainPackage(session: AxigenCliSession, domain: string): Promise<DomainPackage> {
  const what = `reading the settings of ${domain}`;
  await session.ok(`UPDATE Domain name ${domain}`, { mutating: false, expect: DOMAIN, what });
  const adminLimits = await showSection(session, 'adminLimits', what);
  const accountDefaultQuotas = await showSection(session, 'accountDefaultQuotas', what);
  await session.ok('BACK', { mutating: false, expect: ROOT, what });
  await session.ok(`EDIT Domain name ${domain}`, { mutating: false, expect: 'domain-*', what });
  const edit = await session.ok('SHOW ATTR groupwareSupport', {
    mutating: false,
    expect: session.context,
    what,
  });
  await session.ok('BACK', { mutating: false, expect: ROOT, what });
  const groupware = parseShow(edit.data).get('groupwaresupport');
  return {
    adminLimits,
    accountDefaultQuotas,
    groupware: groupware === undefined ? undefined : groupware === 'yes',
  };
}

/** LIST Accounts row count: the domain product's usage figure (S5 counts the same way). */
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
