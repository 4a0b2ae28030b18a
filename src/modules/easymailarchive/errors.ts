import { defineErrors } from '../../core/errors.js';

/** Every error the Easy Mail Archive module raises (docs/errors.md is generated from these). */
export const easymailarchiveErrors = defineErrors('easymailarchive', {
  'easymailarchive.no_api_key': {
    kind: 'auth',
    meaning:
      "The server has no reseller API key. Enter the key from the reseller dashboard in the server's Password field (`PATCH /v1/servers/{id}` with a new `secret`).",
  },
  'easymailarchive.invalid_api_key': {
    kind: 'auth',
    meaning:
      'Easy Mail Archive answered 401: the reseller API key is invalid, revoked or mistyped. Copy the current key from the reseller dashboard into the server.',
  },
  'easymailarchive.forbidden': {
    kind: 'auth',
    meaning:
      'Easy Mail Archive answered 403: the reseller key may not do this. Check the reseller account with Easy Mail Archive support.',
  },
  'easymailarchive.unavailable': {
    kind: 'unavailable',
    meaning:
      'Easy Mail Archive answered 429, 502, 503 or 504 (busy or down for a moment); the engine retries with backoff. The message has the status.',
  },
  'easymailarchive.server_error': {
    kind: 'remote',
    meaning:
      'Easy Mail Archive failed with a 5xx answer that is not a retryable one. The message has the status and the vendor’s text; retry later or ask their support.',
  },
  'easymailarchive.refused': {
    kind: 'remote',
    meaning:
      'Easy Mail Archive refused the request with a 4xx answer and its own message (quoted). Fix what it names and retry the operation.',
  },
  'easymailarchive.bad_answer': {
    kind: 'remote',
    meaning:
      'Easy Mail Archive answered with something the module cannot read (for example a tenant list that is not a list). The module log holds the answer.',
  },
  'easymailarchive.tenant_not_found': {
    kind: 'not-found',
    meaning:
      "The service's tenant is not visible under the reseller key: deleted through support, or it belongs to another reseller account. Check the slug with Easy Mail Archive.",
  },
  'easymailarchive.no_slug': {
    kind: 'not-found',
    meaning:
      'The service has no tenant slug recorded, so it was never created on Easy Mail Archive. Run or retry its create operation.',
  },
  'easymailarchive.tenant_foreign': {
    kind: 'conflict',
    meaning:
      "A tenant exists under the service's slug in your reseller account, but this service did not create it (no claim). If it is this customer's archive, adopt it (`provisio service adopt N --yes`); otherwise give the service another slug.",
  },
  'easymailarchive.tenant_claimed_elsewhere': {
    kind: 'conflict',
    meaning:
      "The service's record claims its tenant for another provisio service. Nothing is changed; find which service owns the tenant before adopting.",
  },
  'easymailarchive.adopt_unconfirmed': {
    kind: 'invalid-input',
    meaning:
      'Adopt writes a claim on a tenant provisio did not create; it runs only when confirmed (`--yes`).',
  },
  'easymailarchive.invalid_slug': {
    kind: 'invalid-input',
    meaning:
      "The slug chosen for the service breaks the vendor's rules (3–48 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen). Correct the service's `slug` field.",
  },
  'easymailarchive.slug_missing': {
    kind: 'invalid-input',
    meaning:
      'The product does not auto-generate slugs and the service has none. Fill in the service’s `slug` field or turn on "Auto-generate slug".',
  },
  'easymailarchive.base_domain_missing': {
    kind: 'invalid-input',
    meaning:
      'Neither the server nor the product names the reseller base domain, so no access URL can be built. Set "Reseller base domain" on the server.',
  },
  'easymailarchive.slug_taken': {
    kind: 'conflict',
    meaning:
      'The slug the customer chose is taken on Easy Mail Archive (slugs are unique across every reseller) or reserved. Give the service another slug and retry.',
  },
  'easymailarchive.slug_exhausted': {
    kind: 'conflict',
    meaning:
      'Every auto-generated slug candidate (base, base-2 … base-20) is taken. Give the service a slug of its own, or change the product’s slug prefix, and retry.',
  },
  'easymailarchive.plan_change_unsupported': {
    kind: 'unsupported',
    meaning:
      'The new product asks for another plan, and the reseller API cannot change a tenant’s plan (only name and branding are updatable). Have Easy Mail Archive support move the tenant, then retry.',
  },
});

export type EasyMailArchiveErrorCode = keyof typeof easymailarchiveErrors.entries;
