import { defineErrors } from '../../core/errors.js';

/**
 * Every error the Axigen module raises (docs/errors.md is generated from this). Messages at the
 * call sites name the server, the object and the next step; these meanings are for the operator
 * reading the catalogue.
 */
export const axigenErrors = defineErrors('axigen', {
  'axigen.product_type_missing': {
    kind: 'invalid-input',
    meaning: 'The product has no Axigen product type. Edit the product and choose Domain or Account.',
  },
  'axigen.domain_first': {
    kind: 'invalid-input',
    meaning:
      'Account classes were asked for before a target domain was picked. Pick the target domain first.',
  },
  'axigen.password_missing': {
    kind: 'invalid-input',
    meaning:
      'The service has no password for the mailbox or the postmaster. Set one on the service and retry.',
  },
  'axigen.domain_name_missing': {
    kind: 'invalid-input',
    meaning: 'The service names no domain (neither its domain nor the custom field the product points at).',
  },
  'axigen.domain_name_invalid': {
    kind: 'invalid-input',
    meaning:
      'A domain name (of the service, the product or an alias) is not a plain host name such as example.com.',
  },
  'axigen.account_name_invalid': {
    kind: 'invalid-input',
    meaning:
      'A mailbox name has characters Axigen mailboxes cannot carry safely (spaces, quotes, parentheses, …).',
  },
  'axigen.account_domain_mismatch': {
    kind: 'invalid-input',
    meaning: "The service's username is an address in another domain than the product's target domain.",
  },
  'axigen.value_unsendable': {
    kind: 'invalid-input',
    meaning: 'A value holds a line break or NUL character, which would end the CLI command early. Remove it.',
  },
  'axigen.suspension_class_missing': {
    kind: 'invalid-input',
    meaning:
      'The server suspends mailboxes with an account class, but names none, or the domain has no such class. Fix the server setting "Class that suspends a mailbox" or create the class.',
  },
  'axigen.domain_not_found': {
    kind: 'not-found',
    meaning:
      "The service's domain, or the Account product's target domain, does not exist on the Axigen server.",
  },
  'axigen.account_not_found': {
    kind: 'not-found',
    meaning: "The service's mailbox does not exist on the Axigen server (removed there by hand?).",
  },
  'axigen.domain_foreign': {
    kind: 'conflict',
    meaning:
      "A domain exists under the service's name without this service's mark (customerReference). provisio changes nothing it did not create; adopt it deliberately (`provisio service adopt N`) or pick another domain.",
  },
  'axigen.account_foreign': {
    kind: 'conflict',
    meaning:
      "A mailbox exists under the service's name without this service's mark (customerReference). Adopt it deliberately (`provisio service adopt N`) or choose another username.",
  },
  'axigen.marked_by_other': {
    kind: 'conflict',
    meaning: "Adopt refused: the object carries another provisio service's mark. Resolve that service first.",
  },
  'axigen.domain_disabled': {
    kind: 'conflict',
    meaning:
      'The domain is disabled on Axigen, so its mailboxes cannot be opened. Enable it there, then retry.',
  },
  'axigen.domain_unverifiable': {
    kind: 'conflict',
    meaning:
      "The domain is disabled and this service did not disable it: a disabled domain's mark cannot be read, so it is not treated as ours. Enable it on Axigen, or adopt it (`provisio service adopt N`).",
  },
  'axigen.domain_change_unsupported': {
    kind: 'unsupported',
    meaning: 'Axigen cannot move a mailbox to another domain. Pick a product with the same target domain.',
  },
  'axigen.command_refused': {
    kind: 'remote',
    meaning: "The Axigen server answered -ERR to a command; the message carries the server's own text.",
  },
  'axigen.state_unconfirmed': {
    kind: 'remote',
    meaning:
      'The server accepted a suspend or unsuspend but does not show the end state afterwards. Look at the object on Axigen before retrying.',
  },
  'axigen.protocol': {
    kind: 'remote',
    meaning:
      'The server answered with a prompt or layout provisio does not expect (an unsupported Axigen version?).',
  },
  'axigen.login_failed': {
    kind: 'auth',
    meaning: "The CLI refused the server's username or password. Check the server's credentials.",
  },
  'axigen.permission_missing': {
    kind: 'auth',
    meaning:
      'The CLI login works but may not list domains: use the admin account or grant this delegated admin rights.',
  },
  'axigen.no_greeting': {
    kind: 'unavailable',
    meaning:
      'The port accepted the connection but sent no CLI greeting in time. Check that it is the Axigen CLI service.',
  },
  'axigen.pool_closed': {
    kind: 'unavailable',
    meaning: 'The engine is stopping and closed its Axigen sessions; the operation is retried after restart.',
  },
  'axigen.pool_wait_aborted': {
    kind: 'unavailable',
    meaning: 'The operation was stopped while waiting for a free Axigen CLI session.',
  },
});
