import { defineErrors, type ProvisioningError } from './errors.js';

/**
 * The engine's codes: API requests, records, lifecycle, operations, transports. Modules declare
 * theirs in `modules/<id>/errors.ts`. docs/errors.md is generated from every catalogue.
 *
 * Body of every error answer: `{ error: { code, message, details? } }`. `message` is the specific
 * sentence (which service, which field, what to do); `details` carries field errors for 422s.
 */
export const engineErrors = defineErrors('engine', {
  // Authentication and authorisation (the caller's own token)
  'auth.missing_token': {
    kind: 'auth',
    status: 401,
    meaning: 'No `Authorization: Bearer <token>` header.',
  },
  'auth.invalid_token': { kind: 'auth', status: 401, meaning: 'The token is unknown or was revoked.' },
  'auth.insufficient_scope': {
    kind: 'auth',
    status: 403,
    meaning: "The token's scope does not allow this route (customer < read < operator < admin).",
  },
  'auth.client_mismatch': {
    kind: 'auth',
    status: 403,
    meaning: 'A customer token asked for a record of another client.',
  },
  // Requests
  'request.invalid': {
    kind: 'invalid-input',
    meaning: 'The body, path or query does not match the schema; `details` lists every field.',
  },
  'request.malformed': { kind: 'invalid-input', status: 400, meaning: 'The body is not valid JSON.' },
  'request.unsupported_media_type': {
    kind: 'invalid-input',
    status: 415,
    meaning: 'The body is not `application/json`.',
  },
  'request.too_large': {
    kind: 'invalid-input',
    status: 413,
    meaning: 'The body exceeds the configured limit.',
  },
  'route.not_found': { kind: 'not-found', meaning: 'No route with this method and path.' },
  'record.duplicate': {
    kind: 'conflict',
    meaning: 'A record with this unique value (server, group or product name) exists already.',
  },
  'record.reference_missing': {
    kind: 'not-found',
    meaning: 'The request refers to a record that does not exist.',
  },
  'store.unreachable': { kind: 'unavailable', meaning: '`/readyz`: the database does not answer.' },
  'secret.undecryptable': {
    kind: 'internal',
    status: 500,
    meaning:
      'A stored secret does not decrypt with the configured key: the key file or `PROVISIO_SECRET_KEY` is not the one the database was written with.',
  },
  // Records
  'input.invalid': {
    kind: 'invalid-input',
    meaning: 'A record failed validation; `details` lists every field error.',
  },
  'settings.invalid': {
    kind: 'invalid-input',
    meaning:
      "Product or server settings do not match the module's schema; `details` lists every field error.",
  },
  'client.not_found': { kind: 'not-found', meaning: 'No client with this id.' },
  'server.not_found': { kind: 'not-found', meaning: 'No server with this id.' },
  'server_group.not_found': { kind: 'not-found', meaning: 'No server group with this id.' },
  'product.not_found': { kind: 'not-found', meaning: 'No product with this id.' },
  'service.not_found': { kind: 'not-found', meaning: 'No service with this id.' },
  'operation.not_found': { kind: 'not-found', meaning: 'No operation with this id.' },
  'token.not_found': { kind: 'not-found', meaning: 'No API token with this id.' },
  'client.exists': { kind: 'conflict', meaning: 'A client with this external id exists already.' },
  'server.exists': { kind: 'conflict', meaning: 'A server with this external id exists already.' },
  'product.exists': { kind: 'conflict', meaning: 'A product with this external id exists already.' },
  'service.exists': { kind: 'conflict', meaning: 'A service with this external id exists already.' },
  'client.in_use': { kind: 'conflict', meaning: 'The client still has services; it cannot be deleted.' },
  'product.in_use': {
    kind: 'conflict',
    meaning: 'Services were sold with this product; it cannot be deleted.',
  },
  'server.in_use': {
    kind: 'conflict',
    meaning: 'Services were placed on this server; disable it instead of deleting it.',
  },
  'server_group.in_use': { kind: 'conflict', meaning: 'Products use this server group; move them first.' },
  'server_group.member_exists': {
    kind: 'conflict',
    meaning: 'The server is already a member of this server group.',
  },
  'server_group.member_not_found': {
    kind: 'not-found',
    meaning: 'The server is not a member of this server group.',
  },
  'module.not_found': {
    kind: 'invalid-input',
    meaning: 'No module with this id is installed in this engine.',
  },
  'loader.not_found': { kind: 'invalid-input', meaning: 'The settings field has no dynamic loader.' },
  'server.module_mismatch': {
    kind: 'invalid-input',
    meaning: 'The server belongs to another module than the product.',
  },
  'welcome.template_invalid': {
    kind: 'invalid-input',
    meaning:
      "The product's welcome template does not compile or uses a forbidden feature (helpers, partials).",
  },
  // Orders and placement
  'order.client_missing': {
    kind: 'invalid-input',
    meaning: 'An order needs `clientId` or a `client` object, not both.',
  },
  'order.invalid': {
    kind: 'invalid-input',
    meaning: 'The order id is missing or malformed, or the order has no services.',
  },
  'product.no_server_group': {
    kind: 'invalid-input',
    meaning: 'The product has no server group, so a service cannot be placed.',
  },
  'placement.no_server': { kind: 'conflict', meaning: 'Every server of the group is disabled or full.' },
  'placement.server_not_eligible': {
    kind: 'conflict',
    meaning:
      "An explicit server is disabled, full, or not in the product's server group (an admin may override with `placementOverride`).",
  },
  'service.no_server': {
    kind: 'invalid-input',
    meaning: 'The service has no server yet (it gets one when it is created).',
  },
  // Actions and their arguments
  'action.invalid': {
    kind: 'invalid-input',
    meaning: 'Unknown action, or a custom action without a valid name.',
  },
  'action.unsupported': {
    kind: 'unsupported',
    meaning: "The service's module does not implement this action.",
  },
  'action.args_invalid': {
    kind: 'invalid-input',
    meaning: "The action's arguments are unknown, missing or of the wrong type; `details` lists every one.",
  },
  'product.module_mismatch': {
    kind: 'invalid-input',
    meaning: 'A package change must stay within one module.',
  },
  'product.type_mismatch': {
    kind: 'invalid-input',
    meaning:
      'A package change must stay within one product type (an Axigen mailbox cannot become a domain) unless the module declares the move safe.',
  },
  'product.invalid': { kind: 'invalid-input', meaning: 'change-package: `productId` must be a number.' },
  'password.missing': { kind: 'invalid-input', meaning: 'change-password needs the new password.' },
  'password.invalid': {
    kind: 'invalid-input',
    meaning: 'The new password contains line breaks or NUL characters.',
  },
  'login.unsupported': { kind: 'unsupported', meaning: "The service's module offers no login link." },
  'secret.not_secret': {
    kind: 'invalid-input',
    meaning:
      'Reveal is for secret fields (names with password, pass key, token, …); this one is shown anyway.',
  },
  'secret.already_revealed': {
    kind: 'conflict',
    meaning:
      'The current password of this service was revealed once already; set a new one with change-password to see it again.',
  },
  'secret.none': { kind: 'not-found', meaning: 'The service or client has no such secret stored.' },
  // Ownership: the world is not empty
  'ownership.foreign': {
    kind: 'conflict',
    meaning:
      "The backend object this service would act on exists but does not carry this service's mark: provisio did not create it. Adopt it deliberately (`provisio service adopt`) if it belongs to the service.",
  },
  'ownership.nothing_to_adopt': {
    kind: 'not-found',
    meaning: 'Adopt found no backend object under the name this service would use.',
  },
  // Lifecycle and operations
  'lifecycle.transition_forbidden': {
    kind: 'conflict',
    meaning: "The service's status does not allow this action (e.g. suspending a pending service).",
  },
  'operation.already_active': {
    kind: 'conflict',
    meaning: 'The service has an operation in progress; `details.operationId` names it.',
  },
  'operation.not_failed': {
    kind: 'conflict',
    meaning: 'Only unresolved failed operations can be retried or resolved.',
  },
  'operation.not_cancellable': {
    kind: 'conflict',
    meaning: 'Only queued or waiting operations can be cancelled.',
  },
  'idempotency.key_reused': {
    kind: 'conflict',
    meaning: 'The Idempotency-Key was used before for a different request.',
  },
  'operation.timeout': {
    kind: 'unknown-outcome',
    meaning:
      'A run of the action exceeded its time limit (outcome unknown: the engine looks up before retrying).',
  },
  'operation.wait_timeout': {
    kind: 'remote',
    meaning: 'A durable wait (e.g. an OS install) did not finish in its time limit.',
  },
  'operation.context_unavailable': {
    kind: 'unsupported',
    meaning: 'A module used an operation-only context feature (steps, waits) outside an operation.',
  },
  'operation.step_name_invalid': {
    kind: 'internal',
    meaning: 'A module named a step with an empty or over-long name (a bug in the module).',
  },
  'usage.no_server': {
    kind: 'not-found',
    meaning: 'The server does not exist, is disabled, or its module does not report usage.',
  },
  // Reconcile
  'reconcile.no_server': {
    kind: 'not-found',
    meaning: 'The server does not exist, is disabled, or its module cannot list its objects.',
  },
  'reconcile_finding.not_found': { kind: 'not-found', meaning: 'No reconcile finding with this id.' },
  'reconcile.finding_closed': {
    kind: 'conflict',
    meaning: 'A later reconcile no longer saw this difference: there is nothing left to repair.',
  },
  'reconcile.repair_invalid': {
    kind: 'invalid-input',
    meaning: "The repair does not fit the finding's kind; the message lists the repairs that do.",
  },
  'reconcile.service_changed': {
    kind: 'conflict',
    meaning:
      'The service changed since reconcile saw the difference (another status, or gone): run reconcile again before repairing.',
  },
  // Webhooks
  'webhook.not_found': { kind: 'not-found', meaning: 'No webhook with this id.' },
  'webhook_delivery.not_found': {
    kind: 'not-found',
    meaning: 'No delivery with this id for this webhook.',
  },
  'webhook.url_invalid': {
    kind: 'invalid-input',
    meaning:
      'A webhook URL must be http:// or https://, without credentials (a user name, a password or a secret-named query parameter): receivers check the signature instead.',
  },
  'webhook.event_type_unknown': {
    kind: 'invalid-input',
    meaning: 'A webhook subscribes to an event type the engine does not publish; `details` lists every one.',
  },
  // Backup, restore and key rotation (local CLI)
  'backup.unsupported_dialect': {
    kind: 'unsupported',
    meaning:
      '`provisio backup` copies the SQLite database; on PostgreSQL use `pg_dump` (docs/operations.md) and `provisio backup --key-only`.',
  },
  'backup.file_exists': {
    kind: 'conflict',
    meaning: 'The backup or key file named exists already; nothing is overwritten: choose another name.',
  },
  'backup.invalid': {
    kind: 'invalid-input',
    meaning:
      'The file to restore is not a readable provisio SQLite database (integrity check or migrations table missing).',
  },
  'restore.target_exists': {
    kind: 'conflict',
    meaning: 'The database to restore into exists already: stop the engine and pass `--force` to replace it.',
  },
  'restore.key_mismatch': {
    kind: 'invalid-input',
    meaning:
      "The backup's secrets do not decrypt with the key given (or configured): restore with the key that was in use when the backup was taken (`--key`).",
  },
  'key.invalid': {
    kind: 'invalid-input',
    meaning: 'A key file or key setting is not 32 bytes written as 64 hex characters or base64.',
  },
  // Transports (every module's backend calls)
  'transport.unavailable': {
    kind: 'unavailable',
    meaning:
      'The backend refused the connection, cannot be reached or did not answer a safe request; actions retry by themselves.',
  },
  'transport.answer_lost': {
    kind: 'unknown-outcome',
    meaning: 'A request was sent and its answer lost; actions look up before retrying.',
  },
  'transport.aborted': {
    kind: 'unknown-outcome',
    meaning: 'A backend request was interrupted by cancellation or a timeout.',
  },
  'transport.tls_untrusted': {
    kind: 'auth',
    meaning:
      'The backend presented a certificate that is not trusted or not the pinned one: fix the server record.',
  },
  'transport.tls_mismatch': {
    kind: 'invalid-input',
    meaning:
      'Secure (TLS) on the server record does not match what the port speaks: switch Secure or the port.',
  },
});

export type EngineErrorCode = keyof typeof engineErrors.entries;

/** Records the engine looks up by id; `notFound` gives each its `<record>.not_found` code. */
export type RecordName = 'client' | 'server' | 'server group' | 'product' | 'service' | 'operation' | 'token';

export function notFound(record: RecordName, id: number | string): ProvisioningError {
  const code = `${record.replace(/ /g, '_')}.not_found` as EngineErrorCode;
  return engineErrors.error(code, `${record} ${id} does not exist`);
}

/** Makes one of the engine's errors: `throw fail('placement.no_server', message)`. */
export const fail = engineErrors.error;
