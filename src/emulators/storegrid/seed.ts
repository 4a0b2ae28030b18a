import { SeedError } from '../kit/control.js';
import {
  type AccountChanges,
  type AccountType,
  ConsoleRefusal,
  type NewAccount,
  type StoreGridState,
  type Throttling,
} from './state.js';

/**
 * Seed entities: objects as staff or another tool made them in the console, never through the
 * API provisio uses (`POST /__emulator/seed/<entity>`), and the changes staff make by hand
 * (`POST /__emulator/by-hand/<change>`), so a test can build any world and any drift.
 *
 * | entity / change      | fields                                                                      |
 * |----------------------|-----------------------------------------------------------------------------|
 * | `reseller`           | name; email, company, notes, active, autoAuthorization, storageAllottedBytes, mcal (`auto` or a number), throttling |
 * | `customer`           | name, resellerName; the reseller fields, passKey                            |
 * | `machine`            | customer, usedBytes; name                                                   |
 * | by-hand `deactivate` / `activate` / `delete` | type (`reseller`/`customer`), name                  |
 * | by-hand `edit`       | type, name; storageAllottedBytes, autoAuthorization, mcal, throttling, notes |
 */
export const SEED_ENTITIES = ['reseller', 'customer', 'machine'] as const;
export const BY_HAND_CHANGES = ['deactivate', 'activate', 'delete', 'edit'] as const;

type Input = Record<string, unknown>;

function text(input: Input, key: string, fallback?: string): string {
  const value = input[key] ?? fallback;
  if (typeof value !== 'string') throw new SeedError(`${key} must be text`);
  return value;
}

function bool(input: Input, key: string, fallback: boolean): boolean {
  const value = input[key] ?? fallback;
  if (typeof value !== 'boolean') throw new SeedError(`${key} must be true or false`);
  return value;
}

function wholeNumber(input: Input, key: string, fallback?: number): number {
  const value = input[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new SeedError(`${key} must be a whole number ≥ 0`);
  return value;
}

function mcalOf(input: Input): 'auto' | number {
  const value = input.mcal ?? 'auto';
  if (value === 'auto') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new SeedError('mcal must be "auto" or a whole number ≥ 1');
}

function throttlingOf(input: Input): Throttling {
  const value = input.throttling ?? { mode: 'global' };
  const t = value as Record<string, unknown>;
  if (t.mode === 'global') return { mode: 'global' };
  if (t.mode === 'new' && t.enabled === false) return { mode: 'new', enabled: false };
  if (t.mode === 'new' && t.enabled === true && typeof t.rateBytes === 'number') {
    const window = t.window as { from?: unknown; till?: unknown } | 'always' | undefined;
    if (window === 'always' || window === undefined)
      return { mode: 'new', enabled: true, window: 'always', rateBytes: t.rateBytes };
    if (typeof window.from === 'string' && typeof window.till === 'string')
      return {
        mode: 'new',
        enabled: true,
        window: { from: window.from, till: window.till },
        rateBytes: t.rateBytes,
      };
  }
  throw new SeedError(
    'throttling must be {"mode":"global"}, {"mode":"new","enabled":false} or {"mode":"new","enabled":true,"window":"always"|{"from","till"},"rateBytes":N}',
  );
}

function typeOf(input: Input): AccountType {
  const type = input.type;
  if (type !== 'reseller' && type !== 'customer') throw new SeedError('type must be reseller or customer');
  return type;
}

function newAccount(type: AccountType, input: Input): NewAccount {
  const passKey = input.passKey === undefined ? undefined : text(input, 'passKey');
  return {
    type,
    name: text(input, 'name'),
    email: text(input, 'email', ''),
    company: text(input, 'company', ''),
    notes: text(input, 'notes', ''),
    active: bool(input, 'active', true),
    autoAuthorization: bool(input, 'autoAuthorization', false),
    storageAllottedBytes: wholeNumber(
      input,
      'storageAllottedBytes',
      type === 'reseller' ? 1024 ** 4 : 50 * 1024 ** 3,
    ),
    storageLocation: text(input, 'storageLocation', ''),
    mcal: mcalOf(input),
    throttling: throttlingOf(input),
    sendMail: false,
    resellerName: type === 'customer' ? text(input, 'resellerName') : '',
    consolidatedReportEmails: null,
    ...(passKey ? { passKey } : {}),
  };
}

/** Runs a state change, turning the console's refusal into a seed error (HTTP 422). */
function asSeed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConsoleRefusal) throw new SeedError(error.message);
    throw error;
  }
}

export function seedEntity(state: StoreGridState, entity: string, input: Input): unknown {
  switch (entity) {
    case 'reseller':
    case 'customer':
      return asSeed(() => state.view(state.add(newAccount(entity, input), { checkLimits: false })));
    case 'machine': {
      const customer = text(input, 'customer');
      const name = text(input, 'name', `${customer}-pc${state.machinesOf(customer).length + 1}`);
      return asSeed(() => state.addMachine(customer, name, wholeNumber(input, 'usedBytes', 0)));
    }
    default:
      throw new SeedError(`no seed entity "${entity}": choose one of ${SEED_ENTITIES.join(', ')}`);
  }
}

function changesOf(input: Input): AccountChanges {
  const changes: AccountChanges = {};
  if (input.storageAllottedBytes !== undefined)
    changes.storageAllottedBytes = wholeNumber(input, 'storageAllottedBytes');
  if (input.autoAuthorization !== undefined)
    changes.autoAuthorization = bool(input, 'autoAuthorization', false);
  if (input.mcal !== undefined) changes.mcal = mcalOf(input);
  if (input.throttling !== undefined) changes.throttling = throttlingOf(input);
  if (input.notes !== undefined) changes.notes = text(input, 'notes');
  return changes;
}

/** A change staff make by hand in the console (drift for reconcile tests). */
export function changeByHand(state: StoreGridState, change: string, input: Input): unknown {
  const type = typeOf(input);
  const name = text(input, 'name');
  return asSeed(() => {
    switch (change) {
      case 'deactivate':
      case 'activate':
        return state.view(state.setActive(type, name, change === 'activate'));
      case 'delete':
        state.remove(type, name);
        return { deleted: `${type} ${name}` };
      case 'edit':
        return state.view(state.edit(type, name, changesOf(input), { checkLimits: false }));
      default:
        throw new SeedError(`no by-hand change "${change}": choose one of ${BY_HAND_CHANGES.join(', ')}`);
    }
  });
}
