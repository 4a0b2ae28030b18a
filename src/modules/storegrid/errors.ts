import { defineErrors } from '../../core/errors.js';

/**
 * The StoreGrid module's error codes, documented in docs/errors.md. Refusals of the web console
 * map to the codes of its `<Code>` (docs/specs/storegrid.md §4.3); the rest are the module's own
 * checks. An account under the service's name that provisio did not create is refused with the
 * engine's `ownership.foreign`, as every module refuses it.
 */
export const storegridErrors = defineErrors('storegrid', {
  'storegrid.auth_failed': {
    kind: 'auth',
    meaning:
      "The web console refused the server's admin user name or password: correct them on the server record (`username`, `secret`).",
  },
  'storegrid.name_taken': {
    kind: 'conflict',
    meaning:
      'The console already has an account of that name (names are unique across resellers and customers): give the service a name of its own.',
  },
  'storegrid.account_missing': {
    kind: 'not-found',
    meaning:
      "The service's reseller or customer is no longer on the backup server (removed in the console): recreate it there, or resolve the operation.",
  },
  'storegrid.reseller_not_found': {
    kind: 'not-found',
    meaning: "The product's Reseller Name names no reseller on the backup server: correct the product.",
  },
  'storegrid.invalid_value': {
    kind: 'invalid-input',
    meaning: 'The console refused a value of the signup or change; the message lists what it refused.',
  },
  'storegrid.limit_exceeded': {
    kind: 'conflict',
    meaning:
      "The reseller's space or the MCAL pool cannot cover the allotment: raise the reseller's allotment or lower the product's.",
  },
  'storegrid.busy': {
    kind: 'unavailable',
    meaning: 'The backup server said it is busy; the action is retried by itself.',
  },
  'storegrid.refused': {
    kind: 'remote',
    meaning: 'The console refused the call with a code provisio does not know; the message carries its text.',
  },
  'storegrid.unexpected_answer': {
    kind: 'remote',
    meaning:
      'The answer is not a StoreGrid web-console response (a proxy page, another service on the port): check the host, the port and Secure.',
  },
  'storegrid.no_pass_key': {
    kind: 'remote',
    meaning: 'The console gave no pass key for the new customer; retry, or read it in the console.',
  },
  'storegrid.type_change': {
    kind: 'unsupported',
    meaning:
      'A package change cannot turn a reseller into a customer or back: StoreGrid has no such move. Use a product of the same Action.',
  },
  'storegrid.reseller_change': {
    kind: 'unsupported',
    meaning:
      "A package change cannot move a customer to another reseller: use a product with the customer's current Reseller Name.",
  },
  'storegrid.adopt_unconfirmed': {
    kind: 'invalid-input',
    meaning:
      'Adopt writes the mark on an account provisio did not create: it runs only when confirmed (`--yes`).',
  },
  'storegrid.marked_by_other_service': {
    kind: 'conflict',
    meaning:
      "The account carries another service's mark: it belongs to that service and cannot be adopted by this one.",
  },
  'storegrid.mark_not_kept': {
    kind: 'remote',
    meaning:
      "The console accepted the notes change but does not show the mark afterwards: the account's notes may not be editable; check it in the console.",
  },
});

export type StoreGridErrorCode = keyof typeof storegridErrors.entries;
