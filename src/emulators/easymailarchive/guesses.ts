/**
 * EVERY GUESS OF THIS EMULATOR, in one place. The three public pages disagree (S2 help-centre
 * reference, S3 marketing page, S6 managing tenants); where they do, the guess is here, with the
 * section of `docs/specs/easymailarchive.md` that discusses it. A capture from the real API
 * corrects them here and nowhere else. Tags: [?] unknown, [I] inferred, [E] emulator's own choice.
 *
 * | #  | fact                                               | emulator's choice                                          | tag | spec  |
 * |----|----------------------------------------------------|------------------------------------------------------------|-----|-------|
 * | 1  | slug conflict (taken by anyone, any reseller)      | 422 `{message, errors:{slug:[…]}}` (switch: 409)           | [?] | §4    |
 * | 2  | body of the 409 variant                            | `{message:"The slug has already been taken."}`             | [E] | §4    |
 * | 3  | reserved words                                     | RESERVED_SLUGS below, 422 with `errors.slug`               | [?] | §4    |
 * | 4  | invalid slug / missing name                        | 422 Laravel validation body with field errors              | [I] | §4    |
 * | 5  | `page` query parameter                             | honoured (S2 `meta.current_page`)                          | [I] | §3.2  |
 * | 6  | `per_page` query parameter                         | ignored, 15 a page (Laravel `paginate()` default); switch  | [I] | §3.2  |
 * | 7  | bare (S3) list paging                              | pages of 15 without metadata (switch: the whole list)      | [?] | §3.2  |
 * | 8  | bare (S3) list items                               | S3 show shape with `usage:{…}` (S3 list shows less)        | [E] | §3.2  |
 * | 9  | list items carry `messages_count`                  | yes (S4 has it on the usage endpoint only)                 | [?] | §3.4  |
 * | 10 | suspend an already suspended tenant (and unsuspend)| 409 `{message:"Tenant is already suspended."}`             | [?] | §3.5  |
 * | 11 | envelope of suspend/unsuspend/delete/usage replies | follows the list/show style: `{data:{…}}` or bare          | [?] | §3.5  |
 * | 12 | another reseller's slug under our key              | 404 `{message:"Tenant not found."}`                        | [?] | §2    |
 * | 13 | 401 body                                           | `{message:"Unauthenticated."}` (Laravel default)           | [I] | §2    |
 * | 14 | a deleted tenant's slug                            | freed at once (no grace period)                            | [?] | §3.6  |
 * | 15 | create reply `url`                                 | only in the bare (S3) style                                | [I] | §5    |
 * | 16 | re-POST of a slug this reseller already owns       | the same conflict answer as #1 (no idempotency)            | [?] | §4    |
 * | 17 | unknown route / wrong method                       | 404 / 405 with `{message}`                                 | [E] | §14   |
 * | 18 | request without `Accept: application/json`         | Laravel's web answers: 302 to `/login` or back to `/`      | [I] | §2    |
 * | 19 | body without `Content-Type: application/json`      | not read as JSON: fields missing, 422                      | [I] | §2    |
 * | 20 | longest tenant name                                | 255 characters (Laravel `string` column), else 422         | [E] | §3.1  |
 * | 21 | `plan` in the create body                          | optional; one of the reseller's plans, else 422            | [?] | §11   |
 * | 22 | plans a reseller has                               | `starter`, `business` (S10 names a Starter plan)           | [E] | §11   |
 * | 23 | `plan` in replies                                  | S3 shape only (S3 shows it; S2 examples never do)          | [I] | §11   |
 * | 24 | `created_at` in replies                            | S2 shape only (S2 shows it; S3 examples never do)          | [V] | §10   |
 */
export type Envelope = 'enveloped' | 'bare';
export type ConflictAnswer = '422' | '409';
export type PerPageRule = 'ignored' | 'honoured';
export type BareListPaging = 'paged' | 'all';

export const DEFAULT_ENVELOPE: Envelope = 'enveloped';
export const DEFAULT_CONFLICT_ANSWER: ConflictAnswer = '422';
export const DEFAULT_PER_PAGE_RULE: PerPageRule = 'ignored';
export const DEFAULT_BARE_LIST_PAGING: BareListPaging = 'paged';

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

export const MAX_NAME_LENGTH = 255;
export const DEFAULT_PLANS: readonly string[] = ['starter', 'business'];

export const ALREADY_IN_STATE_STATUS = 409;
export const NOT_FOUND_BODY = { message: 'Tenant not found.' };
export const UNAUTHENTICATED_BODY = { message: 'Unauthenticated.' };
/** Where Laravel sends a client that did not ask for JSON (guess 18). */
export const LOGIN_REDIRECT = '/login';
