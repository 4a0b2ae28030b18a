import { legacyModuleError, type ProvisioningError } from '../../core/errors.js';
import type { ActionContext, RemoteState, ServerContext, ServiceRef, UsageReport } from '../contract.js';
import {
  configureDomain,
  countAccounts,
  createDomain,
  type DomainConfig,
  type DomainRow,
  type DomainStorage,
  deleteDomain,
  enterDomain,
  findDomain,
  leaveDomain,
  listAllDomains,
  readPostmasterReference,
  setAccountPassword,
  setCustomerReference,
  setDomainEnabled,
  setGroupware,
} from './client.js';
import {
  type AxigenSettings,
  countOrInherit,
  megabytesAsKb,
  missingPassword,
  ownershipMark,
  poolSettingsOf,
  registerPassword,
  settingNumber,
} from './common.js';
import { withAxigenSession } from './pool.js';
import { checkDomainName } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * The Domain product: one Axigen domain per service. Ownership: the domain's postmaster account
 * carries `customerReference = provisio-service-<id>`, written last, so a domain without it was
 * either not created by provisio or not finished (lookup says `pending` when the name was ours).
 */
type Ctx = ActionContext<AxigenSettings>;

const POSTMASTER = 'postmaster';

function domainOf(ctx: Ctx): string {
  const saved = ctx.remote.get('domain');
  if (saved) return saved;
  const settings = ctx.settings;
  const raw =
    settings.domainSource === 'customField'
      ? ctx.service.customFields[String(settings.domainCustomField)]
      : ctx.service.domain;
  if (!raw) {
    throw legacyModuleError(
      'invalid-input',
      settings.domainSource === 'customField'
        ? `the service has no value in the custom field "${String(settings.domainCustomField)}" that names its domain`
        : 'the service has no domain: set the domain on the service',
      { code: 'axigen.domain_missing' },
    );
  }
  return checkDomainName(raw);
}

function postmasterPasswordOf(ctx: Ctx): string {
  const password = String(ctx.settings.postmasterPassword ?? '') || ctx.service.password;
  if (!password) throw missingPassword('the postmaster');
  registerPassword(ctx, password);
  return password;
}

function storageOf(settings: AxigenSettings, domain: string): DomainStorage {
  const path = (key: string): string => String(settings[key]).replaceAll('{domain}', domain);
  const fileSizeKb = settingNumber(settings, 'storageMaxFileSizeMb') * 1024;
  const uri = (key: string, maxFiles: string): string =>
    `${path(key)}?maxFiles=${settingNumber(settings, maxFiles)}&maxFileSize=${fileSizeKb}`;
  return {
    location: path('domainLocation'),
    objectsLocation: uri('objectsLocation', 'objectsMaxFiles'),
    messagesLocation: uri('messagesLocation', 'messagesMaxFiles'),
  };
}

export function domainConfigOf(settings: AxigenSettings): DomainConfig {
  const migration: DomainConfig['migration'] = settings.migrationEnabled
    ? {
        enable: true,
        remoteImapHost: String(settings.migrationImapHost),
        remoteImapPort: settingNumber(settings, 'migrationImapPort'),
        ...(String(settings.migrationSmtpHost ?? '')
          ? {
              remoteSmtpHost: String(settings.migrationSmtpHost),
              remoteSmtpPort: settingNumber(settings, 'migrationSmtpPort'),
            }
          : {}),
      }
    : { enable: false };
  return {
    adminLimits: {
      maxAccounts: countOrInherit(settings, 'maxAccounts'),
      maxMaillists: countOrInherit(settings, 'maxMailingLists'),
      maxGroups: countOrInherit(settings, 'maxGroups'),
    },
    accountDefaultQuotas: {
      totalMessageSize: megabytesAsKb(settings, 'defaultQuotaMb'),
      totalMessageCount: countOrInherit(settings, 'defaultMaxMessages'),
    },
    migration,
  };
}

function notOurs(domain: string): ProvisioningError {
  return legacyModuleError(
    'conflict',
    `the domain ${domain} already exists on the Axigen server and was not created by this service: pick another domain, or remove the existing one on Axigen first`,
    { code: 'axigen.domain_exists' },
  );
}

function missing(domain: string, server: string): ProvisioningError {
  return legacyModuleError(
    'not-found',
    `the domain ${domain} does not exist on ${server} (was it deleted on Axigen?)`,
    { code: 'axigen.domain_missing' },
  );
}

/** Ours: the postmaster carries our mark, or no mark at all on a name this service claimed before creating it. */
async function ownership(
  session: AxigenCliSession,
  ctx: Ctx,
  row: DomainRow,
  claimed: boolean,
): Promise<'ours' | 'unfinished' | 'foreign'> {
  if (!row.enabled) return claimed ? 'ours' : 'foreign';
  const mark = await readPostmasterReference(session, row.name);
  if (mark === ownershipMark(ctx.service.id)) return 'ours';
  return mark === '' && claimed ? 'unfinished' : 'foreign';
}

/** Runs `work` on a domain that must be enabled for it; a suspended domain is re-disabled after. */
async function withDomainEnabled(
  session: AxigenCliSession,
  row: DomainRow,
  work: () => Promise<void>,
): Promise<void> {
  if (row.enabled) return work();
  await setDomainEnabled(session, row.name, true);
  try {
    await work();
  } finally {
    if (session.usable) {
      if (session.context !== '') await session.toRoot();
      await setDomainEnabled(session, row.name, false);
    }
  }
}

async function markOwned(session: AxigenCliSession, ctx: Ctx, domain: string): Promise<void> {
  await enterDomain(session, domain);
  await setCustomerReference(session, POSTMASTER, ownershipMark(ctx.service.id));
  await leaveDomain(session, true);
}

export const domainProduct = {
  async create(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    const password = postmasterPasswordOf(ctx);
    const claimed = ctx.remote.get('domain') === domain;
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const row = await findDomain(session, domain);
      if (row) {
        if ((await ownership(session, ctx, row, claimed)) === 'foreign') throw notOurs(domain);
        if (!row.enabled)
          throw legacyModuleError(
            'conflict',
            `the domain ${domain} exists but is disabled on Axigen: enable it there, then retry`,
            { code: 'axigen.domain_disabled' },
          );
      } else {
        // Saved before the create so a lost answer is recognised as ours (contract: replay model).
        await ctx.remote.set('domain', domain);
        await createDomain(
          session,
          domain,
          storageOf(ctx.settings, domain),
          password,
          ctx.settings.groupware === true,
        );
      }
      await configureDomain(session, domain, domainConfigOf(ctx.settings));
      await markOwned(session, ctx, domain);
    });
  },

  async lookup(ctx: Ctx): Promise<RemoteState | null> {
    const domain = ctx.remote.get('domain');
    if (!domain) return null;
    return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const row = await findDomain(session, domain);
      if (!row) return null;
      const owner = await ownership(session, ctx, row, true);
      if (owner === 'foreign') return null;
      const status = owner === 'unfinished' ? 'pending' : row.enabled ? 'active' : 'suspended';
      return { status, remoteIds: { domain } };
    });
  },

  async suspend(ctx: Ctx): Promise<void> {
    await setEnabled(ctx, false);
  },

  async unsuspend(ctx: Ctx): Promise<void> {
    await setEnabled(ctx, true);
  },

  async terminate(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const row = await findDomain(session, domain);
      if (!row) return;
      if ((await ownership(session, ctx, row, ctx.remote.get('domain') === domain)) === 'foreign')
        throw notOurs(domain);
      await deleteDomain(session, domain);
    });
  },

  async changePackage(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const row = await findDomain(session, domain);
      if (!row) throw missing(domain, session.where);
      await withDomainEnabled(session, row, async () => {
        await setGroupware(session, domain, ctx.settings.groupware === true);
        await configureDomain(session, domain, domainConfigOf(ctx.settings));
      });
    });
  },

  async changePassword(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    const password = ctx.service.password;
    if (!password) throw missingPassword('the postmaster');
    registerPassword(ctx, password);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const row = await findDomain(session, domain);
      if (!row) throw missing(domain, session.where);
      await withDomainEnabled(session, row, async () => {
        await enterDomain(session, domain);
        await setAccountPassword(session, POSTMASTER, password);
        await leaveDomain(session, true);
      });
    });
  },
};

async function setEnabled(ctx: Ctx, enabled: boolean): Promise<void> {
  const domain = domainOf(ctx);
  await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    const row = await findDomain(session, domain);
    if (!row) throw missing(domain, session.where);
    if (row.enabled !== enabled) await setDomainEnabled(session, domain, enabled);
  });
}

/** Domain services' usage: `used` of LIST AllDomains (KB) and the number of accounts. */
export async function domainUsage(
  ctx: ServerContext,
  services: readonly ServiceRef[],
): Promise<UsageReport[]> {
  if (services.length === 0) return [];
  return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    const rows = new Map((await listAllDomains(session)).map((row) => [row.name, row]));
    const reports: UsageReport[] = [];
    for (const service of services) {
      const name = service.remoteIds.domain ?? service.domain?.toLowerCase();
      const row = name ? rows.get(name) : undefined;
      if (!row || !name) continue;
      const accounts = row.enabled ? await countAccounts(session, name) : undefined;
      reports.push({
        serviceId: service.serviceId,
        ...(row.usedKb === undefined ? {} : { diskUsedMb: Math.round((row.usedKb / 1024) * 100) / 100 }),
        ...(accounts === undefined ? {} : { figures: { accounts } }),
      });
    }
    return reports;
  });
}
