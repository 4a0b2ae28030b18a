/**
 * EVERY GUESS OF THIS EMULATOR, in one place (spec tags [?] unknown, [I] inferred, [E] emulator's
 * own choice). A capture from the real API corrects them here and nowhere else.
 *
 * | # | fact                                               | emulator's choice                                      | tag |
 * |---|----------------------------------------------------|--------------------------------------------------------|-----|
 * | 1 | slug conflict (taken by anyone, any reseller)      | 422 `{message, errors:{slug:[…]}}` (switch: 409)       | [?] |
 * | 2 | body of the 409 variant                            | `{message:"The slug has already been taken."}`         | [E] |
 * | 3 | reserved words                                     | RESERVED_SLUGS below, answered like a conflict         | [?] |
 * | 4 | invalid slug / missing name                        | 422 Laravel validation body with field errors          | [I] |
 * | 5 | pagination parameters                              | `page`, `per_page`; default 15, at most 100            | [?] |
 * | 6 | bare (S3) list pagination                          | same pages, no paging metadata at all                  | [E] |
 * | 6b| bare (S3) list items                               | S3 show shape, with `usage:{…}` (S3 list lists none)   | [E] |
 * | 7 | list items carry `messages_count`                  | yes (S4 has it on the usage endpoint only)             | [?] |
 * | 8 | suspend an already suspended tenant (and unsuspend)| 409 `{message:"Tenant is already suspended."}`         | [?] |
 * | 9 | envelope of suspend/unsuspend/delete/usage replies | follows the list/show style: `{data:{…}}` or bare      | [?] |
 * |10 | another reseller's slug under our key              | 404 `{message:"Tenant not found."}`                    | [?] |
 * |11 | 401 body                                           | `{message:"Unauthenticated."}` (Laravel default)       | [I] |
 * |12 | a deleted tenant's slug                            | freed at once (no grace period)                        | [?] |
 * |13 | create reply `url`                                 | only in the bare (S3) style                            | [I] |
 * |14 | re-POST of a slug this reseller already owns       | the same conflict answer as #1 (no idempotency)        | [?] |
 * |15 | unknown route / wrong method                       | 404 / 405 with `{message}`                             | [E] |
 */
export type Envelope = 'enveloped' | 'bare';
export type ConflictAnswer = '422' | '409';

export const DEFAULT_ENVELOPE: Envelope = 'enveloped';
export const DEFAULT_CONFLICT_ANSWER: ConflictAnswer = '422';

export const CONFLICT_422_BODY = {
  message: 'The slug has already been taken.',
  errors: { slug: ['The slug has already been taken.'] },
};
export const CONFLICT_409_BODY = { message: 'The slug has already been taken.' };

export const RESERVED_SLUGS: readonly string[] = [
  'admin',
  'api',
  'app',
  'www',
  'mail',
  'smtp',
  'imap',
  'ingress',
  'support',
  'help',
  'status',
  'login',
  'static',
  'assets',
  'reseller',
];
export const RESERVED_MESSAGE = 'The slug is reserved.';

export const PAGE_PARAM = 'page';
export const PER_PAGE_PARAM = 'per_page';
export const DEFAULT_PER_PAGE = 15;
export const MAX_PER_PAGE = 100;

export const ALREADY_IN_STATE_STATUS = 409;
export const NOT_FOUND_BODY = { message: 'Tenant not found.' };
export const UNAUTHENTICATED_BODY = { message: 'Unauthenticated.' };
