import type { ProvisioningError } from '../../core/errors.js';
import type { ActionContext, RemoteState, ServerContext, ServiceRef, UsageReport } from '../contract.js';
import { ownershipMark } from '../contract.js';
import {
  addAccount,
  commitAccount,
  enterDomain,
  leaveDomain,
  openAccount,
  readAccountMark,
  setAccountPassword,
} from './account-client.js';
import { aliasesOf } from './aliases.js';
import {
  configureDomain,
  countAccounts,
  createDomain,
  DOMAIN,
  type DomainConfig,
  type DomainStorage,
  deleteDomain,
  findDomain,
  listDomains,
  readDomainMark,
  readPostmasterMark,
  saveConfig,
  setDomainEnabled,
  setGroupware,
} from './client.js';
import {
  type AxigenSettings,
  countOrInherit,
  megabytesAsKb,
  missingPassword,
  poolSettingsOf,
  registerPassword,
  settingNumber,
} from './common.js';
import { axigenErrors } from './errors.js';
import { foreignAccount, foreignDomain, refuseOtherService } from './ownership.js';
import { withAxigenSession } from './pool.js';
import { checkAccountName, checkDomainName, quoteValue } from './quoting.js';
import type { AxigenCliSession } from './session.js';

/**
 * The Domain product: one Axigen domain per service (the vendor guide's section 5.2).
 *
 * Ownership: the domain's own `customerReference` carries `provisio-service-<id>` (domain `SET
 * customerReference`, 10.5/10.6 help), written in the create's configuration COMMIT; domains
 * made by earlier provisio versions carry it on their postmaster account, which is still read
 * when the domain-level mark is empty. A domain without this service's mark is foreign, whatever
 * name the service claimed (issue 11): it is never configured, re-passworded, disabled or deleted.
 *
 * Remote ids: `domain`; `createPending` (the domain name, from just before CREATE until the
 * create's SAVE CONFIG: lookup says `pending`, so a re-run finishes the create, issue 17);
 * `disabledByUs` (the name, while this service keeps the domain disabled: a disabled domain's
 * mark cannot be read, Q4, so only a suspend of our own, made after checking the mark, lets
 * unsuspend and terminate enable it again); `aliases` (the aliases provisio added);
 * `postmaster` (the mailbox holding the postmaster role).
 */
type Ctx = ActionContext<AxigenSettings>;

const POSTMASTER = 'postmaster';
const CREATE_PENDING = 'createPending';
/**
 * The domain name, saved once CREATE Domain's COMMIT was answered `+OK`: proof that this service
 * made the domain, so a re-run after a crash before the marking COMMIT finishes the create
 * instead of refusing an unmarked domain (issue 17, found by killing the engine there). A lost
 * answer proves nothing (someone may have made the name in between): that case stays refused
 * until an operator adopts it.
 */
const CREATE_ANSWERED = 'createAnswered';
/** The domain name, from just before DELETE Domain until its SAVE CONFIG (terminate, issue 17). */
const DELETE_PENDING = 'deletePending';
const DISABLED_BY_US = 'disabledByUs';
const MANAGED_ALIASES = 'aliases';
const POSTMASTER_ROLE = 'postmaster';

function domainOf(ctx: Ctx): string {
  const saved = ctx.remote.get('domain');
  if (saved) return saved;
  const settings = ctx.settings;
  const raw =
    settings.domainSource === 'customField'
      ? ctx.service.customFields[String(settings.domainCustomField)]
      : ctx.service.domain;
  if (!raw) {
    throw axigenErrors.error(
      'axigen.domain_name_missing',
      settings.domainSource === 'customField'
        ? `service ${ctx.service.id} has no value in the custom field "${String(settings.domainCustomField)}" that names its domain: fill it in the billing order and retry`
        : `service ${ctx.service.id} has no domain: set the domain on the service and retry`,
    );
  }
  return checkDomainName(raw);
}

function postmasterPasswordOf(ctx: Ctx): string {
  const password = String(ctx.settings.postmasterPassword ?? '') || ctx.service.password;
  if (!password) throw missingPassword('the postmaster', ctx.service.id);
  registerPassword(ctx, password);
  return password;
}

function postmasterRoleOf(ctx: Ctx): string {
  return checkAccountName(String(ctx.settings.postmasterAccount ?? '') || POSTMASTER);
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

function onlySet(values: Record<string, number | null>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== null),
  );
}

function domainConfigOf(ctx: Ctx, domain: string): DomainConfig {
  const { settings } = ctx;
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
    mark: ownershipMark(ctx.service.id),
    adminLimits: onlySet({
      maxAccounts: countOrInherit(settings, 'maxAccounts'),
      maxMaillists: countOrInherit(settings, 'maxMailingLists'),
      maxGroups: countOrInherit(settings, 'maxGroups'),
    }),
    accountDefaultQuotas: onlySet({
      totalMessageSize: megabytesAsKb(settings, 'defaultQuotaMb'),
      totalMessageCount: countOrInherit(settings, 'defaultMaxMessages'),
    }),
    migration,
    aliases: {
      wanted: aliasesOf(String(settings.domainAliases ?? ''), domain),
      managed: (ctx.remote.get(MANAGED_ALIASES) ?? '').split(',').filter(Boolean),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What is on the server under the service's name, and whose it is

interface DomainFacts {
  name: string;
  enabled: boolean;
  usedKb: number | undefined;
  /** The mark of an active domain ('' for none); undefined for a disabled one, whose mark cannot be read (Q4). */
  mark: string | undefined;
}

/** The mark of an active domain: at domain level, else where provisio kept it before. */
async function readMark(session: AxigenCliSession, ctx: Ctx, domain: string): Promise<string> {
  const mark = await readDomainMark(session, domain);
  // Domains made before the mark moved to the domain carry it on their postmaster. A service that
  // was an Account product (its remote ids name a mailbox) made no domain: the old place is not its.
  if (mark !== '' || ctx.remote.get('account') !== undefined) return mark;
  return readPostmasterMark(session, domain);
}

async function inspect(
  session: AxigenCliSession,
  ctx: Ctx,
  domain: string,
): Promise<DomainFacts | undefined> {
  const row = await findDomain(session, domain);
  if (!row) return undefined;
  const mark = row.enabled ? await readMark(session, ctx, domain) : undefined;
  return { name: domain, enabled: row.enabled, usedKb: row.usedKb, mark };
}

function isOurs(ctx: Ctx, facts: DomainFacts): boolean {
  if (facts.mark === '' && ctx.remote.get(CREATE_ANSWERED) === facts.name) return true;
  if (facts.mark !== undefined) return facts.mark === ownershipMark(ctx.service.id);
  return ctx.remote.get(DISABLED_BY_US) === facts.name;
}

function stateOf(ctx: Ctx, facts: DomainFacts): RemoteState {
  const owner = isOurs(ctx, facts) ? 'ours' : 'foreign';
  // `pending`: this service's create got as far as CREATE Domain and has not finished (issue 17).
  const pending = ctx.remote.get(CREATE_PENDING) === facts.name;
  return {
    status: pending ? 'pending' : facts.enabled ? 'active' : 'suspended',
    owner,
    object: facts.mark === undefined ? `domain ${facts.name} (disabled)` : `domain ${facts.name}`,
    remoteIds: { domain: facts.name },
  };
}

function refusal(ctx: Ctx, facts: DomainFacts, where: string): ProvisioningError {
  if (facts.mark !== undefined) {
    const error = foreignDomain(facts.name, where, ctx.service.id, facts.mark);
    if (ctx.remote.get(CREATE_PENDING) !== facts.name || facts.mark !== '') return error;
    return axigenErrors.error(
      'axigen.domain_foreign',
      `${error.message}. This service's create sent CREATE Domain ${facts.name} and was interrupted before it could mark the domain: if the module log shows that CREATE, adopting the domain finishes the create`,
    );
  }
  return axigenErrors.error(
    'axigen.domain_unverifiable',
    `the domain ${facts.name} on ${where} is disabled and service ${ctx.service.id} did not disable it; a disabled domain's mark cannot be read, so provisio leaves it alone: enable it on Axigen, or take it over deliberately with \`provisio service adopt ${ctx.service.id}\``,
  );
}

function missing(ctx: Ctx, domain: string, where: string): ProvisioningError {
  return axigenErrors.error(
    'axigen.domain_not_found',
    `the domain ${domain} of service ${ctx.service.id} does not exist on ${where} (deleted on Axigen?): recreate it there, or terminate the service`,
  );
}

/** The domain this service may change: it exists and carries our mark (or we disabled it). */
async function ownedDomain(session: AxigenCliSession, ctx: Ctx): Promise<DomainFacts> {
  const domain = domainOf(ctx);
  const facts = await inspect(session, ctx, domain);
  if (!facts) throw missing(ctx, domain, session.where);
  if (!isOurs(ctx, facts)) throw refusal(ctx, facts, session.where);
  return facts;
}

/**
 * Runs `work` on a domain that must be active for it. A domain this service disabled is enabled
 * for the work, its mark checked now that it can be read, and disabled again after; on a mark
 * that is not ours it is disabled again and nothing else happens.
 */
async function withDomainActive(
  session: AxigenCliSession,
  ctx: Ctx,
  facts: DomainFacts,
  work: () => Promise<void>,
  keepEnabled = false,
): Promise<void> {
  if (facts.enabled) return work();
  await setDomainEnabled(session, facts.name, true);
  let restore = !keepEnabled;
  try {
    const mark = await readMark(session, ctx, facts.name);
    if (mark !== ownershipMark(ctx.service.id)) {
      restore = true;
      throw refusal(ctx, { ...facts, enabled: true, mark }, session.where);
    }
    await work();
  } finally {
    if (restore && session.usable) {
      if (session.context !== '') await session.toRoot();
      await setDomainEnabled(session, facts.name, false);
    }
  }
}

/** Active domains the server lists now (LIST Domains), to confirm an enable or disable took effect (M2). */
async function confirmEnabled(session: AxigenCliSession, domain: string, enabled: boolean): Promise<void> {
  const row = await findDomain(session, domain);
  if (row?.enabled === enabled) return;
  throw axigenErrors.error(
    'axigen.state_unconfirmed',
    `${session.where} accepted ${enabled ? 'ENABLE' : 'DISABLE'} Domain ${domain}, but LIST Domains ${enabled ? 'does not list' : 'still lists'} it: look at the domain on Axigen before retrying`,
  );
}

/**
 * In `<domain#>`: the mailbox holding the postmaster role, when it is not `postmaster`: created
 * (with the postmaster password and our mark) unless it is already ours, then given the role
 * (10.6 `SET postmasterAccount`, which takes effect at once).
 */
async function ensurePostmasterRole(
  session: AxigenCliSession,
  ctx: Ctx,
  domain: string,
  role: string,
): Promise<void> {
  if (role === POSTMASTER) return;
  const password = postmasterPasswordOf(ctx);
  const mark = ownershipMark(ctx.service.id);
  const existing = await readAccountMark(session, role);
  if (existing !== undefined && existing !== mark)
    throw foreignAccount(`${role}@${domain}`, session.where, ctx.service.id, existing);
  if (existing === undefined) {
    const added = await addAccount(session, {
      name: role,
      password,
      accountClass: null,
      quotas: {},
      customerReference: mark,
    });
    if (!added.ok)
      throw axigenErrors.error(
        'axigen.command_refused',
        `${session.where} refused to create the postmaster mailbox ${role}@${domain}: ${added.text || 'no reason given'}`,
      );
  }
  await session.ok(`SET postmasterAccount ${quoteValue(role, 'the postmaster mailbox')}`, {
    mutating: true,
    expect: DOMAIN,
    what: `giving ${role}@${domain} the postmaster role`,
  });
}

async function configure(session: AxigenCliSession, ctx: Ctx, domain: string): Promise<void> {
  const config = domainConfigOf(ctx, domain);
  const role = postmasterRoleOf(ctx);
  await configureDomain(session, domain, config, () => ensurePostmasterRole(session, ctx, domain, role));
  await ctx.remote.set(MANAGED_ALIASES, config.aliases.wanted.join(','));
  await ctx.remote.set(POSTMASTER_ROLE, role);
}

export const domainProduct = {
  async create(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    const password = postmasterPasswordOf(ctx);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await inspect(session, ctx, domain);
      if (facts) {
        if (!isOurs(ctx, facts)) throw refusal(ctx, facts, session.where);
        if (!facts.enabled)
          throw axigenErrors.error(
            'axigen.domain_disabled',
            `the domain ${domain} on ${session.where} is this service's but disabled: unsuspend the service (provisio service unsuspend ${ctx.service.id}) instead of creating it again`,
          );
        // Ours and active: an earlier run of this create made it; finish what that run would have.
      } else {
        // Named before the create so a lost answer is recognised as this create's (replay model).
        await ctx.remote.set('domain', domain);
        await ctx.remote.set(CREATE_PENDING, domain);
        await createDomain(
          session,
          domain,
          storageOf(ctx.settings, domain),
          password,
          ctx.settings.groupware === true,
        );
        await ctx.remote.set(CREATE_ANSWERED, domain);
      }
      await configure(session, ctx, domain);
      await saveConfig(session);
    });
    await ctx.remote.delete(CREATE_PENDING);
    await ctx.remote.delete(CREATE_ANSWERED);
  },

  async lookup(ctx: Ctx): Promise<RemoteState | null> {
    const domain = domainOf(ctx);
    return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await inspect(session, ctx, domain);
      return facts ? stateOf(ctx, facts) : null;
    });
  },

  /**
   * Writes our mark on the domain lookup found; a disabled domain is enabled to read and mark it,
   * then disabled again. When this service's own create was interrupted after CREATE Domain (the
   * domain exists but could not be marked), adopting it finishes that create: configuration,
   * mark and SAVE CONFIG (issue 17: work that belongs to a step runs on adoption too).
   */
  async adopt(ctx: Ctx): Promise<RemoteState> {
    const domain = domainOf(ctx);
    const unfinished = ctx.remote.get(CREATE_PENDING) === domain;
    const adopted = await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await inspect(session, ctx, domain);
      if (!facts) throw missing(ctx, domain, session.where);
      if (!facts.enabled) await setDomainEnabled(session, domain, true);
      try {
        refuseOtherService(
          `the domain ${domain}`,
          ctx.service.id,
          facts.mark ?? (await readMark(session, ctx, domain)),
        );
        if (unfinished) {
          await configure(session, ctx, domain);
          await saveConfig(session);
        } else {
          await enterDomain(session, domain);
          await session.ok(
            `SET customerReference ${quoteValue(ownershipMark(ctx.service.id), 'the customer reference')}`,
            {
              mutating: false,
              expect: DOMAIN,
              what: `marking ${domain} as service ${ctx.service.id}'s`,
            },
          );
          await leaveDomain(session, true);
        }
      } finally {
        if (!facts.enabled && session.usable) {
          if (session.context !== '') await session.toRoot();
          await setDomainEnabled(session, domain, false);
        }
      }
      return facts;
    });
    await ctx.remote.set('domain', domain);
    if (unfinished) {
      await ctx.remote.delete(CREATE_PENDING);
      await ctx.remote.delete(CREATE_ANSWERED);
    }
    if (!adopted.enabled) await ctx.remote.set(DISABLED_BY_US, domain);
    return stateOf(ctx, { ...adopted, mark: adopted.enabled ? ownershipMark(ctx.service.id) : undefined });
  },

  async suspend(ctx: Ctx): Promise<void> {
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await ownedDomain(session, ctx);
      if (!facts.enabled) return;
      await ctx.remote.set(DISABLED_BY_US, facts.name);
      await setDomainEnabled(session, facts.name, false);
      await saveConfig(session);
      await confirmEnabled(session, facts.name, false);
    });
  },

  async unsuspend(ctx: Ctx): Promise<void> {
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await ownedDomain(session, ctx);
      if (!facts.enabled) {
        await withDomainActive(session, ctx, facts, async () => undefined, true);
        await saveConfig(session);
        await confirmEnabled(session, facts.name, true);
      }
    });
    await ctx.remote.delete(DISABLED_BY_US);
  },

  async terminate(ctx: Ctx): Promise<void> {
    const domain = domainOf(ctx);
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await inspect(session, ctx, domain);
      if (!facts) {
        // An earlier run deleted it and died before saving (issue 17): the save is this step's.
        if (ctx.remote.get(DELETE_PENDING) === domain) await saveConfig(session);
        return;
      }
      if (!isOurs(ctx, facts)) throw refusal(ctx, facts, session.where);
      await ctx.remote.set(DELETE_PENDING, domain);
      // The mark was read just now (inspect), or is read after enabling a domain we disabled.
      await withDomainActive(session, ctx, facts, () => deleteDomain(session, domain), true);
      await saveConfig(session);
    });
    for (const key of [CREATE_PENDING, CREATE_ANSWERED, DISABLED_BY_US, DELETE_PENDING])
      await ctx.remote.delete(key);
  },

  async changePackage(ctx: Ctx): Promise<void> {
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await ownedDomain(session, ctx);
      // Inside: a disabled domain's mark is read (once enabled) before anything of it changes.
      await withDomainActive(session, ctx, facts, async () => {
        await setGroupware(session, facts.name, ctx.settings.groupware === true);
        await configure(session, ctx, facts.name);
      });
    });
  },

  async changePassword(ctx: Ctx): Promise<void> {
    const password = ctx.service.password;
    if (!password) throw missingPassword('the postmaster', ctx.service.id);
    registerPassword(ctx, password);
    const role = ctx.remote.get(POSTMASTER_ROLE) ?? POSTMASTER;
    await withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
      const facts = await ownedDomain(session, ctx);
      await withDomainActive(session, ctx, facts, async () => {
        const what = `changing the password of ${role}@${facts.name}`;
        await enterDomain(session, facts.name);
        if (!(await openAccount(session, role)))
          throw axigenErrors.error(
            'axigen.account_not_found',
            `the postmaster mailbox ${role}@${facts.name} does not exist on ${session.where}: recreate it there, or change the package to re-create it`,
          );
        await setAccountPassword(session, password, what);
        await commitAccount(session, what);
        await leaveDomain(session, true);
      });
    });
  },
};

/** Domain services' usage: `used` of LIST AllDomains (KB) and the number of accounts of active ones. */
export async function domainUsage(
  ctx: ServerContext,
  services: readonly ServiceRef[],
): Promise<UsageReport[]> {
  if (services.length === 0) return [];
  return withAxigenSession(ctx, poolSettingsOf(ctx.server), async (session) => {
    const rows = new Map((await listDomains(session)).map((row) => [row.name, row]));
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
