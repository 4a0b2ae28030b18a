import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import type { ActionContext, RemoteState, ServerContext, ServiceRef, UsageReport } from '../contract.js';
import {
  type AccountQuotas,
  addAccount,
  findDomain,
  leaveDomain,
  listAccounts,
  readAccountInfo,
  readMailboxUsage,
  removeAccount,
  setAccountPassword,
  setAccountSuspended,
  updateAccountPackage,
} from './client.js';
import {
  type AxigenSettings,
  countOrInherit,
  megabytesAsKb,
  missingPassword,
  ownershipMark,
  poolSettingsOf,
  registerPassword,
} from './common.js';
import { withAxigenSession } from './pool.js';
import { checkAccountName, checkDomainName } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * The Account product: one mailbox in an existing domain per service. The account is created
 * complete in one COMMIT, its `customerReference` marking it as this service's.
 */
type Ctx = ActionContext<AxigenSettings>;

interface Target {
  domain: string;
  name: string;
}

function targetOf(ctx: Ctx): Target {
  const domain = ctx.remote.get('domain') ?? checkDomainName(String(ctx.settings.targetDomain ?? ''));
  const saved = ctx.remote.get('account');
  if (saved) return { domain, name: saved };
  const username = ctx.service.username?.trim() || `svc${ctx.service.id}`;
  const [local = '', at] = username.split('@');
  if (at !== undefined && at.toLowerCase() !== domain) {
    throw legacyModuleError(
      'invalid-input',
      `the service's username ${username} is not in the product's target domain ${domain}`,
      { code: 'axigen.account_domain_mismatch' },
    );
  }
  return { domain, name: checkAccountName(local) };
}

export function quotasOf(settings: AxigenSettings): AccountQuotas {
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

function notOurs(target: Target): ProvisioningError {
  return legacyModuleError(
    'conflict',
    `the mailbox ${target.name}@${target.domain} already exists on the Axigen server and was not created by this service: choose another username, or remove the existing mailbox on Axigen first`,
    { code: 'axigen.account_exists' },
  );
}

/** Enters the domain; a refusal is explained by what LIST AllDomains shows (never by the -ERR text). */
async function openDomain(session: AxigenCliSession, domain: string): Promise<void> {
  const reply = await session.send(`UPDATE Domain name ${domain}`, { mutating: false });
  if (reply.ok) return session.checkContext('domain');
  const row = await findDomain(session, domain);
  if (!row) {
    throw legacyModuleError(
      'not-found',
      `Domain not found: ${domain} does not exist on ${session.where}. Edit the product and pick the target domain again (the list reloads from the server)`,
      { code: 'axigen.domain_missing' },
    );
  }
  if (!row.enabled)
    throw legacyModuleError(
      'conflict',
      `the domain ${domain} is disabled on Axigen: enable it there, then retry`,
      { code: 'axigen.domain_disabled' },
    );
  throw legacyModuleError(
    'remote',
    `${session.where} refused to open the domain ${domain}: ${reply.text || 'no reason given'}`,
    { code: 'axigen.command_refused' },
  );
}

export const accountProduct = {
  async create(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const password = ctx.service.password;
    if (!password) throw missingPassword(`the mailbox ${target.name}@${target.domain}`);
    registerPassword(ctx, password);
    const mark = ownershipMark(ctx.service.id);
    const claimed = ctx.remote.get('account') === target.name;
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain);
      // A replay (the name was claimed by an earlier run) looks first: the COMMIT may have landed.
      const existing = claimed ? await readAccountInfo(session, target.name) : undefined;
      if (existing) {
        if (existing.customerReference !== mark) throw notOurs(target);
      } else {
        if (!claimed) {
          await ctx.remote.set('domain', target.domain);
          await ctx.remote.set('account', target.name);
        }
        await rememberQuota(ctx);
        const added = await addAccount(session, {
          name: target.name,
          password,
          accountClass: classOf(ctx.settings),
          quotas: quotasOf(ctx.settings),
          customerReference: mark,
        });
        if (!added.ok) {
          // ADD refuses an existing name at once (spec §9.6): adopt it only when it carries our mark.
          const info = await readAccountInfo(session, target.name);
          if (info && info.customerReference !== mark) throw notOurs(target);
          if (!info)
            throw legacyModuleError(
              'remote',
              `${session.where} refused to create the mailbox ${target.name}@${target.domain}: ${added.text || 'no reason given'}`,
              { code: 'axigen.command_refused' },
            );
        }
      }
      await leaveDomain(session, true);
    });
    if (ctx.service.username !== `${target.name}@${target.domain}` && ctx.service.username !== target.name) {
      await ctx.updateService({ username: target.name });
    }
  },

  async lookup(ctx: Ctx): Promise<RemoteState | null> {
    const name = ctx.remote.get('account');
    const domain = ctx.remote.get('domain');
    if (!name || !domain) return null;
    return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const opened = await session.send(`UPDATE Domain name ${domain}`, { mutating: false });
      if (!opened.ok) return null;
      const info = await readAccountInfo(session, name);
      await leaveDomain(session, false);
      if (!info || info.customerReference !== ownershipMark(ctx.service.id)) return null;
      return { status: info.suspended ? 'suspended' : 'active', remoteIds: { domain, account: name } };
    });
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
      const opened = await session.send(`UPDATE Domain name ${target.domain}`, { mutating: false });
      if (!opened.ok) {
        if (!(await findDomain(session, target.domain))) return; // the whole domain is gone, and the mailbox with it
        return openDomain(session, target.domain);
      }
      const info = await readAccountInfo(session, target.name);
      if (info) {
        if (info.customerReference !== ownershipMark(ctx.service.id)) throw notOurs(target);
        if (
          !(await removeAccount(session, target.name)) &&
          (await listAccounts(session)).includes(target.name)
        ) {
          throw legacyModuleError(
            'remote',
            `${session.where} refused to remove the mailbox ${target.name}@${target.domain}`,
            { code: 'axigen.command_refused' },
          );
        }
      }
      await leaveDomain(session, true);
    });
  },

  async changePackage(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const wanted = String(ctx.settings.targetDomain ?? '').toLowerCase();
    if (wanted && wanted !== target.domain) {
      throw legacyModuleError(
        'unsupported',
        `the new product creates mailboxes in ${wanted}, but this mailbox lives in ${target.domain}: Axigen cannot move a mailbox between domains. Pick a product with the same target domain`,
        { code: 'axigen.domain_change_unsupported' },
      );
    }
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain);
      await updateAccountPackage(session, target.name, classOf(ctx.settings), quotasOf(ctx.settings));
      await leaveDomain(session, true);
    });
    await rememberQuota(ctx);
  },

  async changePassword(ctx: Ctx): Promise<void> {
    const target = targetOf(ctx);
    const password = ctx.service.password;
    if (!password) throw missingPassword(`the mailbox ${target.name}@${target.domain}`);
    registerPassword(ctx, password);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      await openDomain(session, target.domain);
      await setAccountPassword(session, target.name, password);
      await leaveDomain(session, true);
    });
  },
};

async function setSuspended(ctx: Ctx, suspended: boolean): Promise<void> {
  const target = targetOf(ctx);
  await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    await openDomain(session, target.domain);
    await setAccountSuspended(session, target.name, suspended);
    await leaveDomain(session, true);
  });
}

/**
 * Account services' usage, grouped by domain and split over up to `maxSessions` sessions: one
 * `UPDATE Domain` per chunk, then per mailbox its registry (size, messages); the limit is the
 * quota remembered at create / change package.
 */
export async function accountUsage(
  ctx: ServerContext,
  services: readonly ServiceRef[],
): Promise<UsageReport[]> {
  const byDomain = new Map<string, Array<{ serviceId: number; name: string; quotaKb: number }>>();
  for (const service of services) {
    const domain = service.remoteIds.domain;
    const name = service.remoteIds.account;
    if (!domain || !name) continue;
    const list = byDomain.get(domain) ?? [];
    list.push({ serviceId: service.serviceId, name, quotaKb: Number(service.remoteIds.quotaKb || 0) });
    byDomain.set(domain, list);
  }
  const settings = poolSettingsOf(ctx.server);
  const chunks: Array<{
    domain: string;
    accounts: Array<{ serviceId: number; name: string; quotaKb: number }>;
  }> = [];
  const total = [...byDomain.values()].reduce((sum, list) => sum + list.length, 0);
  const chunkSize = Math.max(50, Math.ceil(total / settings.maxSessions));
  for (const [domain, accounts] of byDomain) {
    for (let i = 0; i < accounts.length; i += chunkSize)
      chunks.push({ domain, accounts: accounts.slice(i, i + chunkSize) });
  }
  const reports: UsageReport[] = [];
  let firstError: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as (typeof chunks)[number];
      try {
        await withAxigenSession(ctx, settings, async (session) => {
          const opened = await session.send(`UPDATE Domain name ${chunk.domain}`, { mutating: false });
          if (!opened.ok) return;
          for (const account of chunk.accounts) {
            const usage = await readMailboxUsage(session, account.name);
            if (!usage) continue;
            reports.push({
              serviceId: account.serviceId,
              diskUsedMb: Math.round((usage.sizeKb / 1024) * 100) / 100,
              ...(account.quotaKb > 0
                ? { diskLimitMb: Math.round((account.quotaKb / 1024) * 100) / 100 }
                : {}),
              figures: { messages: usage.messages },
            });
          }
          await leaveDomain(session, false);
        });
      } catch (error) {
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.maxSessions, chunks.length) }, worker));
  if (firstError && reports.length === 0) throw firstError;
  return reports;
}
