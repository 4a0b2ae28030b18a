import type {
  PackageDifference,
  RemoteObject,
  ServerContext,
  ServiceRef,
  SettingValue,
} from '../contract.js';
import { serviceIdOfMark } from '../contract.js';
import { listAccountNames, readAccountPackage, showAccount } from './account-client.js';
import { accountTargetOf } from './account-product.js';
import { listDomains, readDomainMark, readDomainPackage, readPostmasterMark } from './client.js';
import { type AxigenSettings, poolSettingsOf, settingNumber } from './common.js';
import { parseNumber } from './parse.js';
import { onParallelSessions, withAxigenSession } from './pool.js';

/**
 * Reconcile (issue 16): every domain and mailbox on a server with its mark, state and package.
 *
 * Pages follow what the CLI returns in one reply: first every domain (LIST AllDomains and LIST
 * Domains), then, per active domain that carries no provisio mark, its mailboxes (LIST Accounts)
 * in pages of ACCOUNT_PAGE read over parallel sessions. A marked domain belongs, with all its
 * mailboxes, to a Domain service: its mailboxes are the customer's, not objects of a service, so
 * they are not listed. Per mailbox `SHOW Account name U` gives the mark in one command; only
 * marked mailboxes (a service's) have their quotas and services read (seven more): foreign ones
 * report state `unknown`. A disabled domain's mark and mailboxes cannot be read (Q4).
 */
export const ACCOUNT_PAGE = 500;

/**
 * The product settings a backend value answers to: setting name → the key SHOW prints (lower
 * case) and whether it is a KB size shown as the setting's MB. One table serves the listing and
 * the drift check, so both compare the same things.
 */
type Numeric = Readonly<Record<string, { key: string; megabytes?: true }>>;

const DOMAIN_LIMITS: Numeric = {
  maxAccounts: { key: 'maxaccounts' },
  maxMailingLists: { key: 'maxmaillists' },
  maxGroups: { key: 'maxgroups' },
};
const DOMAIN_QUOTAS: Numeric = {
  defaultQuotaMb: { key: 'totalmessagesize', megabytes: true },
  defaultMaxMessages: { key: 'totalmessagecount' },
};
const ACCOUNT_QUOTAS: Numeric = {
  storageQuotaMb: { key: 'totalmessagesize', megabytes: true },
  maxMessages: { key: 'totalmessagecount' },
  folderSizeQuotaMb: { key: 'messagesize', megabytes: true },
  maxFolders: { key: 'mboxcount' },
  quotaWarningPercent: { key: 'quotalimitthreshold' },
};

function numbersOf(fields: Numeric, shown: Map<string, string>): Record<string, SettingValue> {
  const values: Record<string, SettingValue> = {};
  for (const [field, { key, megabytes }] of Object.entries(fields)) {
    const value = parseNumber(shown.get(key));
    if (value !== undefined) values[field] = megabytes ? Math.round((value / 1024) * 100) / 100 : value;
  }
  return values;
}

async function domainObjects(ctx: ServerContext): Promise<RemoteObject[]> {
  return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    const objects: RemoteObject[] = [];
    for (const row of await listDomains(session)) {
      if (!row.enabled) {
        objects.push({
          kind: 'domain',
          key: row.name,
          markedServiceId: null,
          markUnread: true,
          state: 'suspended',
          remoteIds: { domain: row.name },
        });
        continue;
      }
      const mark = (await readDomainMark(session, row.name)) || (await readPostmasterMark(session, row.name));
      const markedServiceId = serviceIdOfMark(mark);
      const object: RemoteObject = {
        kind: 'domain',
        key: row.name,
        markedServiceId,
        state: 'active',
        remoteIds: { domain: row.name },
      };
      if (markedServiceId !== null) {
        const found = await readDomainPackage(session, row.name);
        object.package = {
          ...numbersOf(DOMAIN_LIMITS, found.adminLimits),
          ...numbersOf(DOMAIN_QUOTAS, found.accountDefaultQuotas),
          ...(found.groupware === undefined ? {} : { groupware: found.groupware }),
        };
      }
      objects.push(object);
    }
    return objects;
  });
}

async function accountPage(
  ctx: ServerContext,
  domain: string,
  names: readonly string[],
): Promise<RemoteObject[]> {
  return onParallelSessions(ctx, poolSettingsOf(ctx.server), names, async (session, part) => {
    const objects: RemoteObject[] = [];
    await session.ok(`UPDATE Domain name ${domain}`, {
      mutating: false,
      expect: 'domain',
      what: `listing ${domain}`,
    });
    for (const name of part) {
      const shown = await showAccount(session, name);
      if (!shown) continue; // removed since LIST Accounts
      const markedServiceId = serviceIdOfMark(shown.get('customerreference'));
      const object: RemoteObject = {
        kind: 'account',
        key: `${name}@${domain}`,
        markedServiceId,
        state: 'unknown',
        remoteIds: { domain, account: name },
      };
      if (markedServiceId !== null) {
        const found = await readAccountPackage(session, name);
        if (found) {
          object.state = found.services.length === 0 ? 'suspended' : 'active';
          object.package = {
            ...numbersOf(ACCOUNT_QUOTAS, found.quotas),
            accountClass: shown.get('accountclassname') ?? '',
          };
        }
      }
      objects.push(object);
    }
    await session.ok('BACK', { mutating: false, expect: '', what: `listing ${domain}` });
    return objects;
  });
}

export async function* listAxigenObjects(ctx: ServerContext): AsyncIterable<readonly RemoteObject[]> {
  const domains = await domainObjects(ctx);
  yield domains;
  for (const domain of domains) {
    if (domain.state !== 'active' || domain.markedServiceId !== null) continue;
    const names = await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await session.ok(`UPDATE Domain name ${domain.key}`, {
        mutating: false,
        expect: 'domain',
        what: `listing ${domain.key}`,
      });
      const listed = await listAccountNames(session);
      await session.ok('BACK', { mutating: false, expect: '', what: `listing ${domain.key}` });
      return listed;
    });
    for (let i = 0; i < names.length; i += ACCOUNT_PAGE)
      yield await accountPage(ctx, domain.key, names.slice(i, i + ACCOUNT_PAGE));
  }
}

/** The object a service claims: its domain, or its mailbox `name@domain` (no backend call). */
export function axigenRemoteKeyOf(
  service: ServiceRef,
  settings: AxigenSettings,
): { kind: string; key: string } | null {
  try {
    if (service.productType === 'domain') {
      const domain = service.remoteIds.domain ?? service.domain?.toLowerCase();
      return domain ? { kind: 'domain', key: domain } : null;
    }
    if (service.productType === 'account') {
      const remote = { get: (key: string) => service.remoteIds[key] };
      const target = accountTargetOf(remote, settings, service.username, service.serviceId);
      return { kind: 'account', key: `${target.name}@${target.domain}` };
    }
  } catch {
    // A service whose settings name no valid domain or mailbox claims nothing.
  }
  return null;
}

/**
 * Fields whose backend value differs from the product's. Only what the product sets is compared:
 * a domain limit of 0 leaves the server's value alone, an account quota of 0 inherits (its value
 * comes from the class or domain, and is not this product's); fields the backend did not report
 * are not drift.
 */
export function axigenPackageDrift(settings: AxigenSettings, object: RemoteObject): PackageDifference[] {
  const found = object.package ?? {};
  const differences: PackageDifference[] = [];
  const compare = (field: string, expected: SettingValue) => {
    const actual = found[field];
    if (actual !== undefined && String(actual) !== String(expected))
      differences.push({ field, expected: String(expected), actual: String(actual) });
  };
  const numbers =
    object.kind === 'domain'
      ? ['maxAccounts', 'maxMailingLists', 'maxGroups', 'defaultQuotaMb', 'defaultMaxMessages']
      : ['storageQuotaMb', 'maxMessages', 'folderSizeQuotaMb', 'maxFolders', 'quotaWarningPercent'];
  for (const field of numbers)
    if (settingNumber(settings, field) > 0) compare(field, settingNumber(settings, field));
  if (object.kind === 'domain') compare('groupware', settings.groupware === true);
  else compare('accountClass', String(settings.accountClass ?? ''));
  return differences;
}
