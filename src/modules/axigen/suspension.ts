import type { RemoteIds, ServerConnection } from '../contract.js';
import { accountAttribute, commitAccount, readServices } from './account-client.js';
import { ACCOUNT, DOMAIN } from './client.js';
import { axigenErrors } from './errors.js';
import { parseList, parseShow } from './parse.js';
import { quoteValue } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * How a single mailbox is suspended — the one place to change when a capture settles it.
 *
 * The 10.5/10.6 help has no account enable/disable command (docs/specs/axigen.md §7.8, Q6) and
 * the evidence is split, so it is a server setting (`accountSuspension`):
 * - `services` (default, [I]): CONFIG Limits → `SET services ()` switches every service off;
 *   unsuspend puts back what the account had (kept in the service's remote ids as
 *   `servicesBeforeSuspend`): it RESETs the list, looks at what that inherits, and SETs the old
 *   list again when it differs, so an explicit list survives a suspend;
 * - `accountClass` ([V] xkoi18/axigen manage_accounts_list.py "disable all services":
 *   `INHERIT SETTINGS FROM accountClass disabled_accounts`): the account joins a class whose
 *   Limits have no services; unsuspend returns it to its old class (`classBeforeSuspend`). An
 *   explicit service list on the account defeats it ("explicit values will not be reset"): the
 *   end-state check then fails loudly instead of reporting success.
 * Either way a mailbox counts as suspended when its effective service list is empty, and both
 * actions confirm the end state by reading it back after COMMIT.
 *
 * Both run at `<domain#>` on an account the caller checked is ours, opened with UPDATE Account
 * (`<domain-account#>`); they COMMIT it and return at `<domain#>`.
 */
export type SuspensionStrategy = { kind: 'services' } | { kind: 'accountClass'; className: string };

export function suspensionOf(server: ServerConnection): SuspensionStrategy {
  if (server.settings.accountSuspension !== 'accountClass') return { kind: 'services' };
  const className = String(server.settings.suspendedAccountClass ?? '').trim();
  if (!className)
    throw axigenErrors.error(
      'axigen.suspension_class_missing',
      `server "${server.name}" suspends mailboxes with an account class but names none: set "Class that suspends a mailbox" (suspendedAccountClass) on the server`,
    );
  return { kind: 'accountClass', className };
}

const SERVICES_RECORD = 'servicesBeforeSuspend';
const CLASS_RECORD = 'classBeforeSuspend';
const DOMAIN_DEFAULTS = 'domainDefaults';

const list = (services: readonly string[]) => `(${services.join(' ')})`;

async function confirm(
  session: AxigenCliSession,
  name: string,
  suspended: boolean,
  expected: readonly string[] | undefined,
): Promise<void> {
  const services = (await readServices(session, name)) ?? [];
  const ok = suspended
    ? services.length === 0
    : services.length > 0 && (!expected || list(services) === list(expected));
  if (!ok)
    throw axigenErrors.error(
      'axigen.state_unconfirmed',
      `${session.where} accepted ${suspended ? 'suspending' : 'unsuspending'} the mailbox ${name}, but it now has the services ${list(services)}: look at its Limits on Axigen before retrying`,
    );
}

export async function suspendAccount(
  session: AxigenCliSession,
  name: string,
  strategy: SuspensionStrategy,
  remote: RemoteIds,
): Promise<void> {
  const what = `suspending the mailbox ${name}`;
  if (strategy.kind === 'accountClass') {
    const current = await accountAttribute(session, 'accountClassName', what);
    if (current === strategy.className) return leaveAccount(session, what);
    if (remote.get(CLASS_RECORD) === undefined) await remote.set(CLASS_RECORD, current || DOMAIN_DEFAULTS);
    await session.ok(
      `INHERIT SETTINGS FROM accountClass ${quoteValue(strategy.className, 'the suspension class')}`,
      {
        mutating: false,
        expect: ACCOUNT,
        what,
      },
    );
  } else {
    const current = await enterLimits(session, what);
    if (current.length === 0) return leaveLimits(session, what);
    if (remote.get(SERVICES_RECORD) === undefined) await remote.set(SERVICES_RECORD, list(current));
    await session.ok('SET services ()', { mutating: false, expect: session.context, what });
    await session.ok('DONE', { mutating: false, expect: ACCOUNT, what });
  }
  await commitAccount(session, what);
  await confirm(session, name, true, undefined);
}

export async function unsuspendAccount(
  session: AxigenCliSession,
  name: string,
  strategy: SuspensionStrategy,
  remote: RemoteIds,
): Promise<void> {
  const what = `unsuspending the mailbox ${name}`;
  let expected: string[] | undefined;
  if (strategy.kind === 'accountClass') {
    const current = await accountAttribute(session, 'accountClassName', what);
    if (current !== strategy.className) {
      await remote.delete(CLASS_RECORD);
      return leaveAccount(session, what);
    }
    const prior = remote.get(CLASS_RECORD) ?? DOMAIN_DEFAULTS;
    const source =
      prior === DOMAIN_DEFAULTS ? DOMAIN_DEFAULTS : `accountClass ${quoteValue(prior, 'the account class')}`;
    await session.ok(`INHERIT SETTINGS FROM ${source}`, { mutating: false, expect: ACCOUNT, what });
  } else {
    if ((await enterLimits(session, what)).length > 0) {
      await remote.delete(SERVICES_RECORD);
      return leaveLimits(session, what);
    }
    const prior = parseList(remote.get(SERVICES_RECORD));
    await session.ok('RESET services', { mutating: false, expect: session.context, what });
    if (prior.length > 0) {
      if (list(await shownServices(session, what)) !== list(prior))
        await session.ok(`SET services ${list(prior)}`, { mutating: false, expect: session.context, what });
      expected = prior;
    }
    await session.ok('DONE', { mutating: false, expect: ACCOUNT, what });
  }
  await commitAccount(session, what);
  await confirm(session, name, false, expected);
  await remote.delete(strategy.kind === 'accountClass' ? CLASS_RECORD : SERVICES_RECORD);
}

async function shownServices(session: AxigenCliSession, what: string): Promise<string[]> {
  const reply = await session.ok('SHOW ATTR services', { mutating: false, expect: session.context, what });
  return parseList(parseShow(reply.data).get('services'));
}

/** CONFIG Limits, and the service list it shows. */
async function enterLimits(session: AxigenCliSession, what: string): Promise<string[]> {
  await session.ok('CONFIG Limits', { mutating: false, expect: 'domain-account-*', what });
  return shownServices(session, what);
}

/** Nothing to change: BACK out of the account, dropping nothing. */
async function leaveAccount(session: AxigenCliSession, what: string): Promise<void> {
  await session.ok('BACK', { mutating: false, expect: DOMAIN, what });
}

async function leaveLimits(session: AxigenCliSession, what: string): Promise<void> {
  await session.ok('BACK', { mutating: false, expect: ACCOUNT, what });
  await leaveAccount(session, what);
}
