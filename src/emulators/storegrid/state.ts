import { createHash, randomInt } from 'node:crypto';
import { type ConsoleErrorCode, STOREGRID_GUESSES as G } from './guesses.js';

/**
 * The emulated backup server: server → resellers → customers → clients (machines), with the
 * activate / deactivate toggle (a deactivated reseller blocks all its customers' clients),
 * allotted space and MCALs, bandwidth throttling, notes and the customer pass key
 * (docs/specs/storegrid.md §3). It knows nothing of HTTP: the console API (console-api.ts) reads
 * the wire and calls it.
 */
export type AccountType = 'reseller' | 'customer';

export type Throttling =
  | { mode: 'global' }
  | { mode: 'new'; enabled: false }
  | { mode: 'new'; enabled: true; window: 'always' | { from: string; till: string }; rateBytes: number };

export interface Account {
  type: AccountType;
  name: string;
  email: string;
  company: string;
  /** Free text kept on the account (S3 "Notes"). */
  notes: string;
  active: boolean;
  autoAuthorization: boolean;
  storageAllottedBytes: number;
  storageLocation: string;
  mcal: 'auto' | number;
  throttling: Throttling;
  sendMail: boolean;
  /** SHA-256 of the web-portal password, never the password itself. */
  passwordSha256: string | null;
  /** Customers: the reseller they belong to; '' for resellers. */
  resellerName: string;
  consolidatedReportEmails: readonly string[] | null;
  passKey: string | null;
  /** A built-in account of every server (§3): cannot be deleted. */
  builtIn: boolean;
}

/** A StoreGrid client: one backed-up machine under a customer. */
export interface Machine {
  id: number;
  customerName: string;
  name: string;
  usedBytes: number;
}

/** What a signup or a seed gives for a new account. */
export type NewAccount = Omit<Account, 'passKey' | 'builtIn' | 'passwordSha256'> & {
  password?: string;
  passKey?: string;
  builtIn?: boolean;
};

/** Package fields an edit may change (§4.4 EditAccount). */
export interface AccountChanges {
  storageAllottedBytes?: number;
  autoAuthorization?: boolean;
  mcal?: 'auto' | number;
  throttling?: Throttling;
  notes?: string;
  email?: string;
}

/** What the account looks like from outside: its record plus the figures derived from its clients. */
export interface AccountView extends Account {
  storageUsedBytes: number;
  mcalUsed: number;
  machines: number;
  /** Only active resellers' clients may back up; a customer must be active itself too (S2). */
  clientsMayBackUp: boolean;
}

/** The console refusing a request: the code and message it answers with. */
export class ConsoleRefusal extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleRefusal';
  }
}

const HHMM = /^([01]\d|2[0-3])[0-5]\d$/;
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function makePassKey(): string {
  let key = '';
  for (let i = 0; i < G.passKeyLength; i++) key += G.passKeyAlphabet[randomInt(G.passKeyAlphabet.length)];
  return key;
}

function throttlingProblems(throttling: Throttling): string[] {
  if (throttling.mode !== 'new' || !throttling.enabled) return [];
  const problems: string[] = [];
  if (throttling.window !== 'always') {
    if (!HHMM.test(throttling.window.from))
      problems.push(`ThrottleFrom "${throttling.window.from}" must be HHMM between 0000 and 2359`);
    if (!HHMM.test(throttling.window.till))
      problems.push(`ThrottleTill "${throttling.window.till}" must be HHMM between 0000 and 2359`);
  }
  const rate = throttling.rateBytes;
  if (!Number.isInteger(rate) || rate <= G.minRestrictedRateExclusive || rate >= G.maxRestrictedRateExclusive)
    problems.push('RestrictedRate should be greater than 1024 bytes and less than 9999 GB');
  return problems;
}

type CheckedFields = Pick<
  Account,
  'name' | 'email' | 'storageAllottedBytes' | 'mcal' | 'consolidatedReportEmails' | 'throttling'
> & { builtIn?: boolean };

/** Every out-of-range value of an account, as the console would list them. */
function accountProblems(account: CheckedFields): string[] {
  const problems: string[] = [];
  if (!account.builtIn && !G.namePattern.test(account.name))
    problems.push(`Name "${account.name}" must be 3 to 64 letters, digits, dots, dashes or underscores`);
  // S6: only the name is required; the rest is record-keeping, checked when given.
  if (account.email !== '' && !EMAIL.test(account.email))
    problems.push(`Email "${account.email}" is not a valid e-mail address`);
  if (!Number.isInteger(account.storageAllottedBytes) || account.storageAllottedBytes <= 0)
    problems.push('StorageAllotted must be a positive number of bytes');
  if (account.mcal !== 'auto' && (!Number.isInteger(account.mcal) || account.mcal < 1))
    problems.push('AllotMCAL must be a positive whole number');
  for (const email of account.consolidatedReportEmails ?? []) {
    if (!EMAIL.test(email)) problems.push(`ConsolidatedReportEmail "${email}" is not a valid e-mail address`);
  }
  problems.push(...throttlingProblems(account.throttling));
  return problems;
}

export class StoreGridState {
  readonly resellers = new Map<string, Account>();
  readonly customers = new Map<string, Account>();
  readonly machines = new Map<number, Machine>();
  private nextMachineId = 1;

  private table(type: AccountType): Map<string, Account> {
    return type === 'reseller' ? this.resellers : this.customers;
  }

  get(type: AccountType, name: string): Account | undefined {
    return this.table(type).get(name);
  }

  /** The account, or the console's "no such account". */
  require(type: AccountType, name: string): Account {
    const account = this.get(type, name);
    if (!account) throw new ConsoleRefusal('ACCOUNT_NOT_FOUND', `No ${type} named ${name}`);
    return account;
  }

  private nameTaken(type: AccountType, name: string): boolean {
    if (G.namesUniqueAcrossTypes) return this.resellers.has(name) || this.customers.has(name);
    return this.table(type).has(name);
  }

  customersOf(resellerName: string): Account[] {
    return [...this.customers.values()].filter((c) => c.resellerName === resellerName);
  }

  machinesOf(customerName: string): Machine[] {
    return [...this.machines.values()].filter((m) => m.customerName === customerName);
  }

  usedBytes(account: Account): number {
    const customers = account.type === 'reseller' ? this.customersOf(account.name) : [account];
    let used = 0;
    for (const customer of customers) for (const m of this.machinesOf(customer.name)) used += m.usedBytes;
    return used;
  }

  mcalUsed(account: Account): number {
    const customers = account.type === 'reseller' ? this.customersOf(account.name) : [account];
    return customers.reduce((sum, c) => sum + this.machinesOf(c.name).length * G.mcalPerMachine, 0);
  }

  view(account: Account): AccountView {
    const machines =
      account.type === 'customer'
        ? this.machinesOf(account.name).length
        : this.customersOf(account.name).reduce((n, c) => n + this.machinesOf(c.name).length, 0);
    return {
      ...account,
      storageUsedBytes: this.usedBytes(account),
      mcalUsed: this.mcalUsed(account),
      machines,
      clientsMayBackUp:
        account.active &&
        (account.type === 'reseller' || this.resellers.get(account.resellerName)?.active === true),
    };
  }

  /** MCALs fixed by accounts that draw on the server pool directly. */
  private mcalFixedFromPool(except?: Account): number {
    let fixed = 0;
    for (const account of [...this.resellers.values(), ...this.customers.values()]) {
      if (account === except || account.mcal === 'auto') continue;
      const fromPool =
        account.type === 'reseller' || this.resellers.get(account.resellerName)?.mcal === 'auto';
      if (fromPool) fixed += account.mcal;
    }
    return fixed;
  }

  private spaceGivenToCustomers(resellerName: string, except?: Account): number {
    return this.customersOf(resellerName)
      .filter((c) => c !== except)
      .reduce((sum, c) => sum + c.storageAllottedBytes, 0);
  }

  /** Space and MCAL limits an allotment must respect (§3, §8). */
  private checkLimits(account: Account, storageAllottedBytes: number, mcal: 'auto' | number): void {
    const reseller = account.type === 'customer' ? this.resellers.get(account.resellerName) : undefined;
    if (reseller && G.customersShareResellerSpace) {
      const free = reseller.storageAllottedBytes - this.spaceGivenToCustomers(reseller.name, account);
      if (storageAllottedBytes > free)
        throw new ConsoleRefusal(
          'LIMIT_EXCEEDED',
          `Reseller ${reseller.name} has ${free} bytes of space left; ${storageAllottedBytes} were asked`,
        );
    }
    if (mcal !== 'auto') {
      const limit =
        reseller && reseller.mcal !== 'auto' ? reseller.mcal : G.mcalPool - this.mcalFixedFromPool(account);
      if (mcal > limit)
        throw new ConsoleRefusal('LIMIT_EXCEEDED', `Only ${limit} MCALs are available; ${mcal} were asked`);
    }
  }

  /** Adds an account; `checkLimits` false for seeds (a world made by hand may break the rules). */
  add(input: NewAccount, options: { checkLimits: boolean }): Account {
    const problems = accountProblems(input);
    if (problems.length) throw new ConsoleRefusal('INVALID_VALUE', problems.join('; '));
    if (this.nameTaken(input.type, input.name))
      throw new ConsoleRefusal('ACCOUNT_EXISTS', `An account named ${input.name} already exists`);
    if (input.type === 'customer' && !this.resellers.has(input.resellerName))
      throw new ConsoleRefusal('RESELLER_NOT_FOUND', `Reseller ${input.resellerName} does not exist`);
    const { password, ...fields } = input;
    const account: Account = {
      ...fields,
      resellerName: input.type === 'customer' ? input.resellerName : '',
      storageLocation: input.storageLocation || `/backup/${input.type}s/${input.name}`,
      passwordSha256: password ? sha256(password) : null,
      passKey: input.type === 'customer' ? (input.passKey ?? makePassKey()) : null,
      builtIn: input.builtIn ?? false,
    };
    if (options.checkLimits) this.checkLimits(account, account.storageAllottedBytes, account.mcal);
    this.table(input.type).set(input.name, account);
    return account;
  }

  setActive(type: AccountType, name: string, active: boolean): Account {
    const account = this.require(type, name);
    account.active = active;
    return account;
  }

  edit(type: AccountType, name: string, changes: AccountChanges, options: { checkLimits: boolean }): Account {
    const account = this.require(type, name);
    const next: Account = { ...account, ...changes };
    const problems = accountProblems(next);
    if (problems.length) throw new ConsoleRefusal('INVALID_VALUE', problems.join('; '));
    if (options.checkLimits) {
      const used = this.usedBytes(account);
      if (G.allotmentBelowUsageRefused && next.storageAllottedBytes < used)
        throw new ConsoleRefusal(
          'LIMIT_EXCEEDED',
          `${name} already uses ${used} bytes; the allotted space cannot be set to ${next.storageAllottedBytes}`,
        );
      this.checkLimits(account, next.storageAllottedBytes, next.mcal);
    }
    Object.assign(account, changes);
    return account;
  }

  changePassword(type: AccountType, name: string, password: string): void {
    const account = this.require(type, name);
    if (password === '') throw new ConsoleRefusal('INVALID_VALUE', 'Password must not be empty');
    account.passwordSha256 = sha256(password);
  }

  /** Deletes as the console's "delete … and data" option does: a reseller takes its customers along. */
  remove(type: AccountType, name: string): void {
    const account = this.require(type, name);
    if (account.builtIn)
      throw new ConsoleRefusal('INVALID_VALUE', `${name} is built in and cannot be deleted`);
    const customers = type === 'reseller' ? this.customersOf(name) : [account];
    for (const customer of customers) {
      for (const machine of this.machinesOf(customer.name)) this.machines.delete(machine.id);
      this.customers.delete(customer.name);
    }
    if (type === 'reseller') this.resellers.delete(name);
  }

  addMachine(customerName: string, name: string, usedBytes: number): Machine {
    this.require('customer', customerName);
    const machine = { id: this.nextMachineId++, customerName, name, usedBytes };
    this.machines.set(machine.id, machine);
    return machine;
  }

  passKey(name: string): string {
    const key = this.require('customer', name).passKey;
    if (!key) throw new ConsoleRefusal('ACCOUNT_NOT_FOUND', `No customer named ${name}`);
    return key;
  }

  /** Accounts of one type in creation order (Map order), for paged listing. */
  list(type: AccountType): Account[] {
    return [...this.table(type).values()];
  }

  clear(): void {
    this.resellers.clear();
    this.customers.clear();
    this.machines.clear();
    this.nextMachineId = 1;
  }
}
