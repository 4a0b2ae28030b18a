import { SeedError } from '../kit/control.js';
import { GUESSED } from './guesses.js';
import { type Attrs, addDomain, type DomainState, newAccount, type ServerState } from './state.js';

/**
 * Objects provisio did not create, and changes staff made by hand (`POST /__emulator/seed/<entity>`
 * or the handle's `seed`): the world a module meets. `staffChange` edits what exists — a mailbox
 * disabled or a quota changed by hand, a domain disabled or deleted, a mark written by an old
 * module or left by a service that is gone — so every kind of reconcile drift can be made.
 *
 * | entity         | input                                                                              |
 * |----------------|------------------------------------------------------------------------------------|
 * | `domain`       | name, enabled?, postmasterPassword?, groupware?, customerReference?, postmasterReference? (the mark where old provisio kept it), adminLimits?, accountDefaultQuotas?, aliases?, accounts? (names) |
 * | `account`      | domain, name, password?, customerReference?, accountClass?, quotas?, limits?, sizeKb?, messages? |
 * | `accountClass` | domain, name, quotas?, limits?                                                     |
 * | `maillist`     | domain, name, adminEmail?, password?                                               |
 * | `alias`        | domain, alias                                                                      |
 * | `staffChange`  | domain, account?, then any of: enabled, delete, customerReference, accountClass, quotas, limits, adminLimits, accountDefaultQuotas, groupware |
 */
export const SEED_ENTITIES = [
  'domain',
  'account',
  'accountClass',
  'maillist',
  'alias',
  'staffChange',
] as const;

type Input = Record<string, unknown>;

function text(input: Input, key: string, fallback?: string): string {
  const value = input[key] ?? fallback;
  if (typeof value !== 'string' || value === '') throw new SeedError(`${key} must be a non-empty text`);
  return value;
}

function optionalText(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SeedError(`${key} must be text`);
  return value;
}

/** `{"totalMessageSize": 1024, "services": []}` → attribute values as the CLI stores them. */
function attrs(input: Input, key: string): Attrs | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SeedError(`${key} must be an object`);
  const out: Attrs = {};
  for (const [name, raw] of Object.entries(value)) {
    if (Array.isArray(raw)) out[name] = raw.map(String);
    else if (typeof raw === 'string' || typeof raw === 'number') out[name] = String(raw);
    else if (typeof raw === 'boolean') out[name] = raw ? 'yes' : 'no';
    else throw new SeedError(`${key}.${name} must be text, a number, yes/no or a list`);
  }
  return out;
}

function names(input: Input, key: string): string[] {
  const value = input[key] ?? [];
  if (!Array.isArray(value) || value.some((each) => typeof each !== 'string'))
    throw new SeedError(`${key} must be a list of names`);
  return (value as string[]).map((each) => each.toLowerCase());
}

function domainOf(state: ServerState, input: Input): DomainState {
  const name = text(input, 'domain').toLowerCase();
  const domain = state.domains.get(name);
  if (!domain) throw new SeedError(`no domain ${name} in the emulator`);
  return domain;
}

function seedDomain(state: ServerState, input: Input): unknown {
  const name = text(input, 'name').toLowerCase();
  if (state.domains.has(name)) throw new SeedError(`domain ${name} already exists`);
  const domain = addDomain(state, {
    name,
    location: `/var/opt/axigen/domains/${name}`,
    postmasterPassword: text(input, 'postmasterPassword', 'seeded-postmaster'),
    groupware: input.groupware === true,
  });
  domain.enabled = input.enabled !== false;
  const mark = optionalText(input, 'customerReference');
  if (mark !== undefined) domain.attrs.customerReference = mark;
  const oldMark = optionalText(input, 'postmasterReference');
  const postmaster = domain.accounts.get(GUESSED.postmasterAccount);
  if (oldMark !== undefined && postmaster) postmaster.attrs.customerReference = oldMark;
  domain.adminLimits = attrs(input, 'adminLimits') ?? {};
  domain.accountDefaultQuotas = attrs(input, 'accountDefaultQuotas') ?? {};
  domain.aliases = names(input, 'aliases');
  for (const account of names(input, 'accounts'))
    domain.accounts.set(account, newAccount(state, account, 'seeded'));
  return { domain: name, accounts: [...domain.accounts.keys()] };
}

function seedAccount(state: ServerState, input: Input): unknown {
  const domain = domainOf(state, input);
  const name = text(input, 'name').toLowerCase();
  if (domain.accounts.has(name) || domain.maillists.has(name))
    throw new SeedError(`${name}@${domain.name} already exists`);
  const account = newAccount(state, name, text(input, 'password', 'seeded'));
  const mark = optionalText(input, 'customerReference');
  if (mark !== undefined) account.attrs.customerReference = mark;
  const className = optionalText(input, 'accountClass');
  if (className !== undefined) {
    if (!domain.accountClasses.has(className))
      throw new SeedError(`no account class ${className} in ${domain.name}`);
    account.className = className;
  }
  account.quotas = attrs(input, 'quotas') ?? {};
  account.limits = attrs(input, 'limits') ?? {};
  if (typeof input.sizeKb === 'number') account.registry.mboxSizeKb = input.sizeKb;
  if (typeof input.messages === 'number') account.registry.messageCount = input.messages;
  domain.accounts.set(name, account);
  return { account: `${name}@${domain.name}` };
}

function seedAccountClass(state: ServerState, input: Input): unknown {
  const domain = domainOf(state, input);
  const name = text(input, 'name');
  if (domain.accountClasses.has(name))
    throw new SeedError(`account class ${name} already exists in ${domain.name}`);
  domain.accountClasses.set(name, {
    name,
    quotas: attrs(input, 'quotas') ?? {},
    limits: attrs(input, 'limits') ?? {},
  });
  return { accountClass: name, domain: domain.name };
}

function seedMaillist(state: ServerState, input: Input): unknown {
  const domain = domainOf(state, input);
  const name = text(input, 'name').toLowerCase();
  if (domain.maillists.has(name) || domain.accounts.has(name))
    throw new SeedError(`${name}@${domain.name} already exists`);
  domain.maillists.set(name, {
    name,
    password: text(input, 'password', 'seeded'),
    adminEmail: text(input, 'adminEmail', `postmaster@${domain.name}`),
    attrs: {},
  });
  return { maillist: `${name}@${domain.name}` };
}

function seedAlias(state: ServerState, input: Input): unknown {
  const domain = domainOf(state, input);
  const alias = text(input, 'alias').toLowerCase();
  if (domain.aliases.includes(alias)) throw new SeedError(`${domain.name} already has the alias ${alias}`);
  domain.aliases.push(alias);
  return { domain: domain.name, alias };
}

function staffChange(state: ServerState, input: Input): unknown {
  const domain = domainOf(state, input);
  const accountName = optionalText(input, 'account')?.toLowerCase();
  if (accountName === undefined) {
    if (input.delete === true) {
      state.domains.delete(domain.name);
      return { deleted: `domain ${domain.name}` };
    }
    if (typeof input.enabled === 'boolean') domain.enabled = input.enabled;
    if (typeof input.groupware === 'boolean') domain.groupware = input.groupware;
    const mark = optionalText(input, 'customerReference');
    if (mark !== undefined) domain.attrs.customerReference = mark;
    Object.assign(domain.adminLimits, attrs(input, 'adminLimits'));
    Object.assign(domain.accountDefaultQuotas, attrs(input, 'accountDefaultQuotas'));
    return { changed: `domain ${domain.name}` };
  }
  const account = domain.accounts.get(accountName);
  if (!account) throw new SeedError(`no account ${accountName}@${domain.name}`);
  if (input.delete === true) {
    domain.accounts.delete(accountName);
    return { deleted: `account ${accountName}@${domain.name}` };
  }
  const mark = optionalText(input, 'customerReference');
  if (mark !== undefined) account.attrs.customerReference = mark;
  if (input.accountClass !== undefined)
    account.className = input.accountClass === null ? null : text(input, 'accountClass');
  Object.assign(account.quotas, attrs(input, 'quotas'));
  Object.assign(account.limits, attrs(input, 'limits'));
  return { changed: `account ${accountName}@${domain.name}` };
}

const SEEDERS: Record<(typeof SEED_ENTITIES)[number], (state: ServerState, input: Input) => unknown> = {
  domain: seedDomain,
  account: seedAccount,
  accountClass: seedAccountClass,
  maillist: seedMaillist,
  alias: seedAlias,
  staffChange,
};

export function seedEntity(state: ServerState, entity: string, input: Input): unknown {
  const seeder = SEEDERS[entity as (typeof SEED_ENTITIES)[number]];
  if (!seeder) throw new SeedError(`no seed entity ${entity}: use one of ${SEED_ENTITIES.join(', ')}`);
  return seeder(state, input);
}
