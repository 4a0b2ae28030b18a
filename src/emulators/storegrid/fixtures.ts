import { STOREGRID_GUESSES as G } from './guesses.js';
import type { NewAccount, StoreGridState } from './state.js';

/**
 * The demo world of `provisio emulate storegrid`: the built-in accounts every server has
 * (docs/specs/storegrid.md §3) and one reseller with one customer and a backed-up machine [E].
 */
const COMMON = {
  company: 'Demo Hosting',
  notes: '',
  active: true,
  autoAuthorization: true,
  storageLocation: '',
  consolidatedReportEmails: null,
  mcal: 'auto',
  throttling: { mode: 'global' },
  sendMail: false,
} as const satisfies Partial<NewAccount>;

export const FIXTURES = Object.freeze({
  reseller: { name: 'demo-reseller', email: 'reseller@example.net', storageAllottedBytes: 1024 ** 4 },
  customer: { name: 'demo-customer', email: 'customer@example.net', storageAllottedBytes: 50 * 1024 ** 3 },
  machine: { name: 'demo-customer-pc1', usedBytes: 3 * 1024 ** 3 },
});

export function loadFixtures(state: StoreGridState): void {
  const add = (account: NewAccount) => state.add(account, { checkLimits: false });
  add({
    ...COMMON,
    type: 'reseller',
    name: G.builtInReseller,
    email: '',
    resellerName: '',
    builtIn: true,
    storageAllottedBytes: 1024 ** 4,
  });
  add({
    ...COMMON,
    type: 'customer',
    name: G.builtInCustomer,
    email: '',
    resellerName: G.builtInReseller,
    builtIn: true,
    storageAllottedBytes: 1024 ** 3,
  });
  add({ ...COMMON, type: 'reseller', ...FIXTURES.reseller, resellerName: '' });
  add({ ...COMMON, type: 'customer', ...FIXTURES.customer, resellerName: FIXTURES.reseller.name });
  state.addMachine(FIXTURES.customer.name, FIXTURES.machine.name, FIXTURES.machine.usedBytes);
}
