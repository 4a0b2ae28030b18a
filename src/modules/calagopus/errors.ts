import { defineErrors } from '../../core/errors.js';

/**
 * Every code the Calagopus module raises (docs/errors.md is generated from these meanings). The
 * panel's HTTP status is in each message and in `details.status`; the code says what it means
 * for the operator.
 */
export const calagopusErrors = defineErrors('calagopus', {
  'calagopus.request_refused': {
    kind: 'invalid-input',
    meaning:
      'The panel refused the request as invalid (HTTP 400): a validation rule, an egg variable rule, a malformed payload or a nest, egg, node or owner it does not know. The message carries the panel text; fix the product setting it names, then `provisio ops retry <operation>`.',
  },
  'calagopus.key_refused': {
    kind: 'auth',
    meaning:
      'The panel refused the API key (HTTP 401/403): unknown or expired key, an admin permission not ticked on the key, the caller address not in its allowed IPs, or its account suspended. The message names the permission when the panel does.',
  },
  'calagopus.not_found': {
    kind: 'not-found',
    meaning:
      'The panel answered HTTP 404 for something the product names (nest, egg, node) or for an unknown API path (wrong panel URL or an old panel version).',
  },
  'calagopus.conflict': {
    kind: 'conflict',
    meaning:
      'The panel answered HTTP 409 where no retry can help (a user email, username or external id already taken).',
  },
  'calagopus.rate_limited': {
    kind: 'unavailable',
    meaning:
      'The panel rate-limits per client address (HTTP 429, default 360 requests per 30 s). Operations are retried after its Retry-After; a connection test is not.',
  },
  'calagopus.panel_unavailable': {
    kind: 'unavailable',
    meaning:
      'The panel failed in a way worth one more try: HTTP 500 on a create (the node daemon Wings refused, and the panel removed the server again), the first HTTP 500 of any other action, or HTTP 502/503/504 from its front.',
  },
  'calagopus.panel_failed': {
    kind: 'remote',
    meaning:
      'The panel failed with HTTP 500 again (a malformed id, a foreign-key error, a broken node) or answered a status provisio does not expect; the message has the panel text. Check the panel log, then retry the operation.',
  },
  'calagopus.redirect': {
    kind: 'invalid-input',
    meaning:
      "The panel answered with a redirect: the server's Secure setting does not match the panel (http vs https), or the hostname carries a path.",
  },
  'calagopus.not_json': {
    kind: 'remote',
    meaning: 'Something answered that is not the Calagopus API (not JSON): check the hostname and port.',
  },
  'calagopus.server_not_found': {
    kind: 'not-found',
    meaning:
      "The panel has no server carrying this service's mark (external id `provisio-service-<id>`): it was deleted in the panel, or never made.",
  },
  'calagopus.server_foreign': {
    kind: 'conflict',
    meaning:
      "A panel server exists under this service's name (its saved UUID, or the external id an earlier module wrote) but does not carry this service's mark; nothing was changed. If it is this service's server, adopt it: `provisio service adopt <id> --yes`.",
  },
  'calagopus.server_marked_elsewhere': {
    kind: 'conflict',
    meaning:
      "Adopt refused: the panel server carries another provisio service's mark. Resolve which service owns it before adopting.",
  },
  'calagopus.nothing_to_adopt': {
    kind: 'not-found',
    meaning: "Adopt found no panel server under this service's name: nothing to adopt.",
  },
  'calagopus.no_allocations': {
    kind: 'remote',
    meaning:
      'No available allocations on the selected node: add allocations to the node in the panel, or switch the product to deploy mode (clear Node UUID, set Location UUIDs).',
  },
  'calagopus.allocations_contended': {
    kind: 'unavailable',
    meaning:
      'Every free allocation provisio tried on the node was taken by a create running at the same time (the panel answered 409); the create is retried and picks again.',
  },
  'calagopus.egg_incomplete': {
    kind: 'invalid-input',
    meaning:
      "The egg has no Docker image or no startup command, and the product sets none: set one on the egg in the panel or in the product's Docker Image / Startup Command setting.",
  },
  'calagopus.client_name_missing': {
    kind: 'invalid-input',
    meaning:
      'The billing client has no first or last name; the panel requires both for accounts. Complete the client, then `provisio ops retry <operation>`.',
  },
  'calagopus.user_linked_elsewhere': {
    kind: 'conflict',
    meaning:
      "The panel account with the client's email is linked to another provisio client (its external id names that client); provisio does not re-link accounts.",
  },
  'calagopus.username_only_match': {
    kind: 'conflict',
    meaning:
      "A panel account has the username provisio derives for the client but another email: it may be someone else's, so it is not used. Make the emails match, or rename that account, and retry.",
  },
  'calagopus.user_not_found_after_conflict': {
    kind: 'conflict',
    meaning:
      "The panel said the client's email or username is taken (409) but no account with them could be found by search.",
  },
  'calagopus.owner_foreign': {
    kind: 'conflict',
    meaning:
      "Change password refused: the server's owner account was not created by provisio for this client (it was matched by email), so its password is the customer's own and is not changed.",
  },
});

export type CalagopusErrorCode = keyof typeof calagopusErrors.entries;
