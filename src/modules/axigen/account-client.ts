import { ACCOUNT, DOMAIN, ROOT } from './client.js';
import { parseList, parseNumber, parseShow, parseTable } from './parse.js';
import { plainNumber, quoteValue } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * Mailbox operations (docs/specs/axigen.md §7.5–§7.9). The caller enters the domain once
 * (`enterDomain`); these run at `<domain#>` and return there, or run inside `<domain-account#>`
 * where their name says so.
 */
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

const account = (name: string) => quoteValue(name, 'the account name');

/** `SHOW Account name U` from `<domain#>` (10.6 help): the account's attributes, undefined when it does not exist. */
export async function showAccount(
  session: AxigenCliSession,
  name: string,
): Promise<Map<string, string> | undefined> {
  const reply = await session.send(`SHOW Account name ${account(name)}`, { mutating: false });
  session.checkContext(DOMAIN);
  return reply.ok ? parseShow(reply.data) : undefined;
}

/** The account's ownership mark without entering it (`SHOW Account name U ATTR customerReference`); undefined: no such account. */
export async function readAccountMark(session: AxigenCliSession, name: string): Promise<string | undefined> {
  const reply = await session.send(`SHOW Account name ${account(name)} ATTR customerReference`, {
    mutating: false,
  });
  session.checkContext(DOMAIN);
  return reply.ok ? (parseShow(reply.data).get('customerreference') ?? '') : undefined;
}

/** One quota or limit: a number sets it, null RESETs it to the class or domain value (account contexts only, §4). */
export type LimitValue = number | null;

export interface NewAccount {
  name: string;
  password: string;
  accountClass: string | null;
  quotas: Record<string, LimitValue>;
  customerReference: string;
}

/**
 * ADD Account … COMMIT inside the domain (§7.5). Everything, including the ownership mark
 * (customerReference), lands in one COMMIT: the account exists complete or not at all. A refused
 * ADD (an existing name, §9.6) is returned, not thrown, so the caller can look and decide.
 */
export async function addAccount(
  session: AxigenCliSession,
  input: NewAccount,
): Promise<{ ok: boolean; text: string }> {
  const what = `creating the account ${input.name}`;
  const command = `ADD Account name ${account(input.name)} password ${quoteValue(input.password, 'the account password')}`;
  const added = await session.send(command, { mutating: false });
  if (!added.ok) {
    session.checkContext(DOMAIN);
    return { ok: false, text: added.text };
  }
  session.checkContext(ACCOUNT);
  await applyAccountSettings(session, input.accountClass, input.quotas, what);
  await setAccountMark(session, input.customerReference, what);
  await commitAccount(session, what);
  return { ok: true, text: added.text };
}

/** In `<domain-account#>`: the class (or domain defaults) to inherit from, then the quotas (SET or RESET), if any. */
export async function applyAccountSettings(
  session: AxigenCliSession,
  accountClass: string | null,
  quotas: Record<string, LimitValue>,
  what: string,
): Promise<void> {
  const source = accountClass
    ? `accountClass ${quoteValue(accountClass, 'the account class')}`
    : 'domainDefaults';
  await session.ok(`INHERIT SETTINGS FROM ${source}`, { mutating: false, expect: ACCOUNT, what });
  if (Object.keys(quotas).length === 0) return;
  await session.ok('CONFIG Quotas', { mutating: false, expect: 'domain-account-*', what });
  for (const [key, value] of Object.entries(quotas))
    await session.ok(value === null ? `RESET ${key}` : `SET ${key} ${plainNumber(value)}`, {
      mutating: false,
      expect: session.context,
      what,
    });
  await session.ok('DONE', { mutating: false, expect: ACCOUNT, what });
}

/** UPDATE Account; `-ERR` is returned as false (the caller decides what a missing account means). */
export async function openAccount(session: AxigenCliSession, name: string): Promise<boolean> {
  const reply = await session.send(`UPDATE Account name ${account(name)}`, { mutating: false });
  session.checkContext(reply.ok ? ACCOUNT : DOMAIN);
  return reply.ok;
}

export async function commitAccount(session: AxigenCliSession, what: string): Promise<void> {
  await session.ok('COMMIT', { mutating: true, expect: DOMAIN, what });
}

/** In `<domain-account#>`: one attribute of the account (SHOW ATTR). */
export async function accountAttribute(
  session: AxigenCliSession,
  key: string,
  what: string,
): Promise<string> {
  const reply = await session.ok(`SHOW ATTR ${key}`, { mutating: false, expect: ACCOUNT, what });
  return parseShow(reply.data).get(key.toLowerCase()) ?? '';
}

export async function setAccountMark(session: AxigenCliSession, mark: string, what: string): Promise<void> {
  await session.ok(`SET customerReference ${quoteValue(mark, 'the customer reference')}`, {
    mutating: false,
    expect: ACCOUNT,
    what,
  });
}

export async function setAccountPassword(
  session: AxigenCliSession,
  password: string,
  what: string,
): Promise<void> {
  await session.ok(`SET password ${quoteValue(password, 'the new password')}`, {
    mutating: false,
    expect: ACCOUNT,
    what,
  });
}

/** REMOVE Account (immediate, §7.7); false when the server refused. */
export async function removeAccount(session: AxigenCliSession, name: string): Promise<boolean> {
  const reply = await session.send(`REMOVE Account name ${account(name)}`, { mutating: true });
  session.checkContext(DOMAIN);
  return reply.ok;
}

/** LIST Accounts [wildcard]: one name per row (§6.1, S2). */
export async function listAccountNames(session: AxigenCliSession, wildcard?: string): Promise<string[]> {
  const reply = await session.ok(wildcard ? `LIST Accounts ${wildcard}` : 'LIST Accounts', {
    mutating: false,
    expect: DOMAIN,
    what: 'listing accounts',
  });
  return parseTable(reply.data).rows.map((row) => row.join(' ').toLowerCase());
}

/** In `<domain-account#>`: the effective service list of CONFIG Limits (what suspension changes). */
async function readServicesInAccount(session: AxigenCliSession, what: string): Promise<string[]> {
  await session.ok('CONFIG Limits', { mutating: false, expect: 'domain-account-*', what });
  const reply = await session.ok('SHOW ATTR services', { mutating: false, expect: session.context, what });
  await session.ok('BACK', { mutating: false, expect: ACCOUNT, what });
  return parseList(parseShow(reply.data).get('services'));
}

/** From `<domain#>`: UPDATE Account, its service list, BACK. */
export async function readServices(session: AxigenCliSession, name: string): Promise<string[] | undefined> {
  if (!(await openAccount(session, name))) return undefined;
  const what = `reading the services of ${name}`;
  const services = await readServicesInAccount(session, what);
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
  return services;
}

export interface AccountPackage {
  quotas: Map<string, string>;
  services: string[];
}

/** From `<domain#>`: the account's quotas (SHOW of CONFIG Quotas) and services; undefined when it does not exist. */
export async function readAccountPackage(
  session: AxigenCliSession,
  name: string,
): Promise<AccountPackage | undefined> {
  if (!(await openAccount(session, name))) return undefined;
  const what = `reading the settings of ${name}`;
  await session.ok('CONFIG Quotas', { mutating: false, expect: 'domain-account-*', what });
  const quotas = parseShow(
    (await session.ok('SHOW', { mutating: false, expect: session.context, what })).data,
  );
  await session.ok('BACK', { mutating: false, expect: ACCOUNT, what });
  const services = await readServicesInAccount(session, what);
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
  return { quotas, services };
}

export interface MailboxUsage {
  sizeKb: number;
  messages: number;
}

/**
 * SHOW RegistryInformation (Mbox size in KB [Q7], message count; §7.9): three commands per
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
