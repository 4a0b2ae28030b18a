import type { ProvisioningError } from '../../core/errors.js';
import type { ActionContext, RemoteState, ServerContext, ServiceRef, UsageReport } from '../contract.js';
import { ownershipMark } from '../contract.js';
import {
  accountAttribute,
  addAccount,
  applyAccountSettings,
  commitAccount,
  type LimitValue,
  leaveDomain,
  openAccount,
  readAccountMark,
  readMailboxUsage,
  readServices,
  removeAccount,
  setAccountMark,
  setAccountPassword,
} from './account-client.js';
import { DOMAIN, findDomain } from './client.js';
import {
  type AxigenSettings,
  countOrInherit,
  megabytesAsKb,
  missingPassword,
  poolSettingsOf,
  registerPassword,
} from './common.js';
import { axigenErrors } from './errors.js';
import { foreignAccount, refuseOtherService } from './ownership.js';
import { onParallelSessions, withAxigenSession } from './pool.js';
import { checkAccountName, checkDomainName } from './quoting.js';
import type { AxigenCliSession } from './session.js';
import { suspendAccount, suspensionOf, unsuspendAccount } from './suspension.js';

/**
 * The Account product: one mailbox in an existing domain per service (the vendor guide's section
 * 5.3). The mailbox is created complete in one COMMIT, its `customerReference` marking it as this
 * service's; every later action reads that mark right before it changes anything.
 *
 * Remote ids: `domain`, `account`, `quotaKb` (the quota given, for usage), and while suspended
 * what the suspension replaced (`servicesBeforeSuspend` / `classBeforeSuspend`, suspension.ts).
 */
type Ctx = ActionContext<AxigenSettings>;

interface Target {
  domain: string;
  name: string;
}

const addressOf = (target: Target) => `${target.name}@${target.domain}`;

export function accountTargetOf(
  remote: { get(key: string): string | undefined },
  settings: AxigenSettings,
  username: string | null,
  serviceId: number,
): Target {
  const domain = remote.get('domain') ?? checkDomainName(String(settings.targetDomain ?? ''));
  const saved = remote.get('account');
  if (saved) return { domain, name: saved };
  const wanted = username?.trim() || `svc${serviceId}`;
  const [local = '', at] = wanted.split('@');
  if (at !== undefined && at.toLowerCase() !== domain) {
    throw axigenErrors.error(
      'axigen.account_domain_mismatch',
      `the username ${wanted} of service ${serviceId} is not in the product's target domain ${domain}: use a username in ${domain}, or a product for ${at.toLowerCase()}`,
    );
  }
  return { domain, name: checkAccountName(local) };
}

function targetOf(ctx: Ctx): Target {
  return accountTargetOf(ctx.remote, ctx.settings, ctx.service.username, ctx.service.id);
}

function quotasOf(settings: AxigenSettings): Record<string, LimitValue> {
  return {
    totalMessageSize: megabytesAsKb(settings, 'storageQuotaMb'),
    totalMessageCount: countOrInherit(settings, 'maxMessages'),
    messageSize: megabytesAsKb(settings, 'folderSizeQuotaMb'),
    mboxCount: countOrInherit(settings, 'maxFolders'),
    quotaLimitThreshold: countOrInherit(settings, 'quotaWarningPercent'),
  };
}

/**
 * The storage quota this service was given (KB; '' when inherited), kept with the remote ids so
 * usage reports the limit without reading every mailbox's quota back (see readMailboxUsage).
 */
async function rememberQuota(ctx: Ctx): Promise<void> {
  const quotaKb = quotasOf(ctx.settings).totalMessageSize;
  await ctx.remote.set('quotaKb', quotaKb === null ? '' : String(quotaKb));
}

function classOf(settings: AxigenSettings): string | null {
  return String(settings.accountClass ?? '') || null;
}

/**
 * Enters the target domain; a refusal is explained by what LIST AllDomains / LIST Domains show
 * (never by the -ERR text). `absent` says what a missing domain means to the caller.
 */
async function openDomain(
  session: AxigenCliSession,
  domain: string,
  absent: 'error' | 'gone',
): Promise<boolean> {
  const reply = await session.send(`UPDATE Domain name ${domain}`, { mutating: false });
  if (reply.ok) {
    session.checkContext(DOMAIN);
    return true;
  }
  const row = await findDomain(session, domain);
  if (!row) {
    if (absent === 'gone') return false;
    throw axigenErrors.error(
      'axigen.domain_not_found',
      `Domain not found: ${domain} does not exist on ${session.where}. Edit the product and pick the target domain again (the list reloads from the server)`,
    );
  }
  if (!row.enabled)
    throw axigenErrors.error(
      'axigen.domain_disabled',
      `the domain ${domain} is disabled on ${session.where}, so its mailboxes cannot be opened: enable it there, then retry`,
    );
  throw axigenErrors.error(
    'axigen.command_refused',
    `${session.where} refused to open the domain ${domain}: ${reply.text || 'no reason given'}`,
  );
}

function accountMissing(ctx: Ctx, target: Target, where: string): ProvisioningError {
  return axigenErrors.error(
    'axigen.account_not_found',
    `the mailbox ${addressOf(target)} of service ${ctx.service.id} does not exist on ${where} (removed there?): recreate it, or terminate the service`,
  );
}

/**
 * Runs `work` inside `<domain-account#>` on our mailbox: UPDATE Account, then its mark, read
 * right before anything changes; a mailbox without our mark is refused untouched.
 */
async function inOwnAccount(
  session: AxigenCliSession,
  ctx: Ctx,
  target: Target,
  work: () => Promise<void>,
): Promise<void> {
  if (!(await openAccount(session, target.name))) throw accountMissing(ctx, target, session.where);
  const mark = await accountAttribute(
    session,
    'customerReference',
    `reading the owner of ${addressOf(target)}`,
  );
  if (mark !== ownershipMark(ctx.service.id)) {
    await session.ok('BACK', { mutating: false, expect: DOMAIN, what: 'leaving a mailbox that is not ours' });
    throw foreignAccount(addressOf(target), session.where, ctx.service.id, mark);
  }
  await work();
}

async function stateOf(
  session: AxigenCliSession,
  ctx: Ctx,
  target: Target,
  mark: string,
): Promise<RemoteState> {
  const ours = mark === ownershipMark(ctx.service.id);
  // A foreign mailbox's services are none of our business: it is reported as found, not read further.
  const services = ours ? await readServices(session, target.name) : undefined;
  return {
    status: services?.length === 0 ? 'suspended' : 'active',
    owner: ours ? 'ours' : 'foreign',
    object: `mailbox ${addressOf(target)}`,
    remoteIds: { domain: target.domain, account: target.name },
  };
}

export const accountProduct = {
  async create(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const password = ctx.service.password;
    if (!password) throw missingPassword(`the mailbox ${addressOf(target)}`, ctx.service.id);
    registerPassword(ctx, password);
    const mark = ownershipMark(ctx.service.id);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain, 'error');
      // Named before the ADD so a lost answer is recognised (replay model).
      await ctx.remote.set('domain', target.domain);
      await ctx.remote.set('account', target.name);
      await rememberQuota(ctx);
      const added = await addAccount(session, {
        name: target.name,
        password,
        accountClass: classOf(ctx.settings),
        quotas: quotasOf(ctx.settings),
        customerReference: mark,
      });
      if (!added.ok) {
        // ADD refuses an existing name at once (§9.6): only our own, finished create may stand.
        const existing = await readAccountMark(session, target.name);
        if (existing === undefined)
          throw axigenErrors.error(
            'axigen.command_refused',
            `${session.where} refused to create the mailbox ${addressOf(target)}: ${added.text || 'no reason given'}`,
          );
        if (existing !== mark)
          throw foreignAccount(addressOf(target), session.where, ctx.service.id, existing);
      }
      await leaveDomain(session, true);
    });
    if (ctx.service.username !== addressOf(target) && ctx.service.username !== target.name)
      await ctx.updateService({ username: target.name });
  },

  async lookup(ctx: Ctx): Promise<RemoteState | null> {
    const target = targetOf(ctx);
    return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      if (!(await openDomain(session, target.domain, 'gone'))) return null;
      const mark = await readAccountMark(session, target.name);
      const state = mark === undefined ? null : await stateOf(session, ctx, target, mark);
      await leaveDomain(session, false);
      return state;
    });
  },

  async adopt(ctx: Ctx): Promise<RemoteState> {
    const target = targetOf(ctx);
    const mark = ownershipMark(ctx.service.id);
    const state = await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain, 'error');
      const existing = await readAccountMark(session, target.name);
      if (existing === undefined) throw accountMissing(ctx, target, session.where);
      refuseOtherService(`the mailbox ${addressOf(target)}`, ctx.service.id, existing);
      const what = `marking ${addressOf(target)} as service ${ctx.service.id}'s`;
      await openAccount(session, target.name);
      await setAccountMark(session, mark, what);
      await commitAccount(session, what);
      const adopted = await stateOf(session, ctx, target, mark);
      await leaveDomain(session, true);
      return adopted;
    });
    await ctx.remote.set('domain', target.domain);
    await ctx.remote.set('account', target.name);
    return state;
  },

  async suspend(ctx: Ctx): Promise<void> {
    await setSuspended(ctx, true);
  },

  async unsuspend(ctx: Ctx): Promise<void> {
    await setSuspended(ctx, false);
  },

  async terminate(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      // The whole domain is gone, and the mailbox with it.
      if (!(await openDomain(session, target.domain, 'gone'))) return;
      const mark = await readAccountMark(session, target.name);
      if (mark !== undefined) {
        if (mark !== ownershipMark(ctx.service.id))
          throw foreignAccount(addressOf(target), session.where, ctx.service.id, mark);
        if (
          !(await removeAccount(session, target.name)) &&
          (await readAccountMark(session, target.name)) !== undefined
        )
          throw axigenErrors.error(
            'axigen.command_refused',
            `${session.where} refused to remove the mailbox ${addressOf(target)}: look at it on Axigen, then retry`,
          );
      }
      await leaveDomain(session, true);
    });
  },

  async changePackage(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const wanted = String(ctx.settings.targetDomain ?? '').toLowerCase();
    if (wanted && wanted !== target.domain) {
      throw axigenErrors.error(
        'axigen.domain_change_unsupported',
        `the new product creates mailboxes in ${wanted}, but this mailbox lives in ${target.domain}: Axigen cannot move a mailbox between domains. Pick a product with the same target domain`,
      );
    }
    const what = `changing the package of ${addressOf(target)}`;
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain, 'error');
      await inOwnAccount(session, ctx, target, async () => {
        await applyAccountSettings(session, classOf(ctx.settings), quotasOf(ctx.settings), what);
        await commitAccount(session, what);
      });
      await leaveDomain(session, true);
    });
    await rememberQuota(ctx);
  },

  async changePassword(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const password = ctx.service.password;
    if (!password) throw missingPassword(`the mailbox ${addressOf(target)}`, ctx.service.id);
    registerPassword(ctx, password);
    const what = `changing the password of ${addressOf(target)}`;
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain, 'error');
      await inOwnAccount(session, ctx, target, async () => {
        await setAccountPassword(session, password, what);
        await commitAccount(session, what);
      });
      await leaveDomain(session, true);
    });
  },
};

async function setSuspended(ctx: Ctx, suspended: boolean): Promise<void> {
  const target = targetOf(ctx);
  const strategy = suspensionOf(ctx.server);
  await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    await openDomain(session, target.domain, 'error');
    await inOwnAccount(session, ctx, target, () =>
      suspended
        ? suspendAccount(session, target.name, strategy, ctx.remote)
        : unsuspendAccount(session, target.name, strategy, ctx.remote),
    );
    await leaveDomain(session, true);
  });
}

interface UsageTarget {
  serviceId: number;
  name: string;
  quotaKb: number;
}

/**
 * Account services' usage, per domain, each domain's mailboxes split over up to `maxSessions`
 * sessions (one UPDATE Domain per session, then each mailbox's registry); the limit is the quota
 * remembered at create / change package.
 */
export async function accountUsage(
  ctx: ServerContext,
  services: readonly ServiceRef[],
): Promise<UsageReport[]> {
  const byDomain = new Map<string, UsageTarget[]>();
  for (const service of services) {
    const { domain, account, quotaKb } = service.remoteIds;
    if (!domain || !account) continue;
    const list = byDomain.get(domain) ?? [];
    list.push({ serviceId: service.serviceId, name: account, quotaKb: Number(quotaKb || 0) });
    byDomain.set(domain, list);
  }
  const settings = poolSettingsOf(ctx.server);
  const reports: UsageReport[] = [];
  let firstError: unknown;
  for (const [domain, accounts] of byDomain) {
    try {
      reports.push(
        ...(await onParallelSessions(ctx, settings, accounts, async (session, part) => {
          const found: UsageReport[] = [];
          if (!(await openDomain(session, domain, 'gone'))) return found;
          for (const account of part) {
            const usage = await readMailboxUsage(session, account.name);
            if (!usage) continue;
            found.push({
              serviceId: account.serviceId,
              diskUsedMb: Math.round((usage.sizeKb / 1024) * 100) / 100,
              ...(account.quotaKb > 0
                ? { diskLimitMb: Math.round((account.quotaKb / 1024) * 100) / 100 }
                : {}),
              figures: { messages: usage.messages },
            });
          }
          await leaveDomain(session, false);
          return found;
        })),
      );
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError && reports.length === 0) throw firstError;
  return reports;
}
