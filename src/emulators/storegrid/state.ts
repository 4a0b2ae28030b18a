import { randomInt } from 'node:crypto';
import {
  type AccountDetails,
  type AccountSignup,
  type AccountType,
  type BandwidthThrottling,
  DATA_KEYS,
  encodeAccountDetails,
  type WireErrorCode,
  type WireResponse,
} from '../../modules/storegrid/wire-adapter.js';
import { STOREGRID_GUESSES as G } from './guesses.js';

/**
 * The emulated backup server's model: server → resellers → customers, with the activate /
 * deactivate toggle (a deactivated reseller blocks all its customers' clients), allotted space
 * and MCALs, and the customer pass key. It knows nothing of HTTP.
 */
export interface EmulatedAccount {
  type: AccountType;
  name: string;
  email: string;
  company: string;
  hasPassword: boolean;
  resellerName: string;
  active: boolean;
  autoAuthorization: boolean;
  storageAllottedBytes: number;
  storageUsedBytes: number;
  storageLocation: string;
  consolidatedReportEmails: readonly string[] | null;
  mcal: 'auto' | number;
  throttling: BandwidthThrottling;
  sendMail: boolean;
  notes: string;
  passKey: string | null;
}

/** The answer to one request: HTTP status and envelope. */
export interface Outcome {
  status: number;
  response: WireResponse;
}

const HHMM = /^([01]\d|2[0-3])[0-5]\d$/;
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

export function success(data: Record<string, string> = {}): Outcome {
  return { status: 200, response: { ok: true, data } };
}

export function failure(status: number, code: WireErrorCode, message: string): Outcome {
  return { status, response: { ok: false, code, message } };
}

function makePassKey(): string {
  let key = '';
  for (let i = 0; i < G.passKeyLength; i++) key += G.passKeyAlphabet[randomInt(G.passKeyAlphabet.length)];
  return key;
}

/** Every out-of-range value of a signup, as the console would list them. */
function signupProblems(signup: AccountSignup): string[] {
  const problems: string[] = [];
  if (!G.namePattern.test(signup.name))
    problems.push(`Name "${signup.name}" must be 3 to 64 letters, digits, dots, dashes or underscores`);
  if (!EMAIL.test(signup.email)) problems.push(`Email "${signup.email}" is not a valid e-mail address`);
  if (!Number.isInteger(signup.storageAllottedBytes) || signup.storageAllottedBytes <= 0) {
    problems.push('StorageAllotted must be a positive number of bytes');
  }
  if (signup.mcal !== 'auto' && (!Number.isInteger(signup.mcal) || signup.mcal < 1)) {
    problems.push('AllotMCAL must be a positive whole number');
  }
  if (signup.consolidatedReportEmails) {
    for (const email of signup.consolidatedReportEmails) {
      if (!EMAIL.test(email))
        problems.push(`ConsolidatedReportEmail "${email}" is not a valid e-mail address`);
    }
  }
  const throttling = signup.throttling;
  if (throttling.mode === 'new' && throttling.enabled) {
    if (throttling.window !== 'always') {
      if (!HHMM.test(throttling.window.from))
        problems.push(`ThrottleFrom "${throttling.window.from}" must be HHMM between 0000 and 2359`);
      if (!HHMM.test(throttling.window.till))
        problems.push(`ThrottleTill "${throttling.window.till}" must be HHMM between 0000 and 2359`);
    }
    const rate = throttling.rateBytes;
    if (
      !Number.isInteger(rate) ||
      rate <= G.minRestrictedRateExclusive ||
      rate >= G.maxRestrictedRateExclusive
    ) {
      problems.push('RestrictedRate should be greater than 1024 bytes and less than 9999 GB');
    }
  }
  return problems;
}

export class StoreGridState {
  readonly resellers = new Map<string, EmulatedAccount>();
  readonly customers = new Map<string, EmulatedAccount>();

  private table(type: AccountType): Map<string, EmulatedAccount> {
    return type === 'reseller' ? this.resellers : this.customers;
  }

  get(type: AccountType, name: string): EmulatedAccount | undefined {
    return this.table(type).get(name);
  }

  private nameTaken(type: AccountType, name: string): boolean {
    if (G.namesUniqueAcrossTypes) return this.resellers.has(name) || this.customers.has(name);
    return this.table(type).has(name);
  }

  private mcalInUse(): number {
    let used = 0;
    for (const account of [...this.resellers.values(), ...this.customers.values()]) {
      if (
        account.mcal !== 'auto' &&
        (account.type === 'reseller' || this.resellers.get(account.resellerName)?.mcal === 'auto')
      ) {
        used += account.mcal;
      }
    }
    return used;
  }

  private spaceGivenToCustomers(resellerName: string): number {
    let total = 0;
    for (const customer of this.customers.values()) {
      if (customer.resellerName === resellerName) total += customer.storageAllottedBytes;
    }
    return total;
  }

  signup(signup: AccountSignup): Outcome {
    const problems = signupProblems(signup);
    if (problems.length) return failure(400, 'INVALID_VALUE', problems.join('; '));
    if (this.nameTaken(signup.type, signup.name)) {
      return failure(409, 'ACCOUNT_EXISTS', `An account named ${signup.name} already exists`);
    }
    let reseller: EmulatedAccount | undefined;
    if (signup.type === 'customer') {
      reseller = this.resellers.get(signup.resellerName ?? '');
      if (!reseller)
        return failure(404, 'RESELLER_NOT_FOUND', `Reseller ${signup.resellerName ?? ''} does not exist`);
      const free = reseller.storageAllottedBytes - this.spaceGivenToCustomers(reseller.name);
      if (G.customersShareResellerSpace && signup.storageAllottedBytes > free) {
        return failure(
          409,
          'LIMIT_EXCEEDED',
          `Reseller ${reseller.name} has ${free} bytes of space left; ${signup.storageAllottedBytes} were asked`,
        );
      }
    }
    if (signup.mcal !== 'auto') {
      const limit = reseller && reseller.mcal !== 'auto' ? reseller.mcal : G.mcalPool - this.mcalInUse();
      if (signup.mcal > limit) {
        return failure(409, 'LIMIT_EXCEEDED', `Only ${limit} MCALs are available; ${signup.mcal} were asked`);
      }
    }
    this.table(signup.type).set(signup.name, {
      type: signup.type,
      name: signup.name,
      email: signup.email,
      company: signup.company,
      hasPassword: signup.password !== undefined,
      resellerName: reseller?.name ?? '',
      active: signup.activate,
      autoAuthorization: signup.autoAuthorization,
      storageAllottedBytes: signup.storageAllottedBytes,
      storageUsedBytes: 0,
      storageLocation: signup.storageLocation || `/backup/${signup.type}s/${signup.name}`,
      consolidatedReportEmails: signup.consolidatedReportEmails,
      mcal: signup.mcal,
      throttling: signup.throttling,
      sendMail: signup.sendMail,
      notes: signup.notes,
      passKey: signup.type === 'customer' ? makePassKey() : null,
    });
    return success({ [DATA_KEYS.name]: signup.name });
  }

  setActive(type: AccountType, name: string, active: boolean): Outcome {
    const account = this.get(type, name);
    if (!account) return failure(404, 'ACCOUNT_NOT_FOUND', `No ${type} named ${name}`);
    account.active = active;
    return success({ [DATA_KEYS.name]: name });
  }

  details(type: AccountType, name: string): Outcome {
    const account = this.get(type, name);
    if (!account) return failure(404, 'ACCOUNT_NOT_FOUND', `No ${type} named ${name}`);
    return success(encodeAccountDetails(toDetails(account)));
  }

  passKey(name: string): Outcome {
    const customer = this.customers.get(name);
    if (!customer?.passKey) return failure(404, 'ACCOUNT_NOT_FOUND', `No customer named ${name}`);
    return success({ [DATA_KEYS.passKey]: customer.passKey });
  }

  /** Only active resellers' clients may back up; a customer also needs to be active itself. */
  canBackup(customerName: string): boolean {
    const customer = this.customers.get(customerName);
    if (!customer?.active) return false;
    return this.resellers.get(customer.resellerName)?.active === true;
  }

  clear(): void {
    this.resellers.clear();
    this.customers.clear();
  }
}

function toDetails(account: EmulatedAccount): AccountDetails {
  return {
    type: account.type,
    name: account.name,
    email: account.email,
    active: account.active,
    resellerName: account.resellerName,
    storageAllottedBytes: account.storageAllottedBytes,
    storageUsedBytes: account.storageUsedBytes,
    mcalAllotted: account.mcal === 'auto' ? 'Auto' : String(account.mcal),
    notes: account.notes,
  };
}
