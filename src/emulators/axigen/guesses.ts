/**
 * ============================================================================================
 *  EVERY GUESSED FACT OF THE AXIGEN EMULATOR — the one table to correct from a real capture.
 * ============================================================================================
 * Tags refer to `specs/axigen-cli.md`: [E] the emulator's own choice where the real text is
 * unknown, [?] an open question of §11. Values tagged [V] elsewhere in the spec (prompt grammar,
 * `+OK: have a nice day`, the `|`-separated version line, the 5-line LIST header shape, the 2-line
 * SHOW header shape, ` = ` separators) are protocol facts and live in the interpreter instead.
 * Nothing outside this file may spell a status text, a banner, a header or a prompt name.
 */
export const GUESSED = Object.freeze({
  /** [E] §3.1: banner lines before the first `<login> ` prompt. */
  banner: ["Welcome to AXIGEN's Command Line Interface"],

  /** [E]/[?] §8: version lines returned by `GET VERSION` (format `<version>|<OS>|<platform>` is [V]). */
  versions: {
    X6: '10.6.30|Linux|x86_64',
    X7: '10.7.2|Linux|x86_64',
  } as Record<string, string>,

  /** [E] §11 Q1: status texts. The client must only look at the `+OK`/`-ERR` prefix. */
  status: {
    ok: '+OK: command successful',
    userAccepted: '+OK: enter password',
    loginOk: '+OK: authentication successful',
    loginFailed: '-ERR: authentication failed',
    notLoggedIn: '-ERR: you must log in first',
    unknownCommand: '-ERR: invalid command',
    syntaxError: '-ERR: syntax error',
    permissionDenied: '-ERR: permission denied',
    domainExists: '-ERR: domain already exists',
    domainNotFound: '-ERR: no such domain',
    domainDisabled: '-ERR: domain is disabled',
    domainAlreadyEnabled: '-ERR: domain is already enabled',
    domainAlreadyDisabled: '-ERR: domain is already disabled',
    accountExists: '-ERR: account already exists',
    accountNotFound: '-ERR: no such account',
    accountClassNotFound: '-ERR: no such account class',
    accountClassExists: '-ERR: account class already exists',
    missingParameter: '-ERR: missing mandatory parameter',
    unknownAttribute: '-ERR: unknown attribute',
    badValue: '-ERR: invalid value',
    wrongContext: '-ERR: command not available in this context',
    maxAccountsReached: '-ERR: maximum number of accounts reached for this domain',
    cannotDeletePostmaster: '-ERR: the postmaster account cannot be removed',
  },

  /** [E] §9.2: pre-authentication commands other than these get `notLoggedIn`. */
  preAuthCommands: ['HELP', 'GET', 'SET', 'USER', 'EXIT', 'QUIT'],

  /** [I]/[E] §5: prompt names per context; matched case-insensitively by clients. */
  prompts: {
    root: '',
    domainCreate: 'domain-create',
    domain: 'domain',
    domainEdit: 'domain-edit',
    adminLimits: 'domain-adminLimits',
    accountDefaultQuotas: 'domain-accountDefaultQuotas',
    migrationData: 'domain-migrationData',
    accountClass: 'domain-accountClass',
    account: 'domain-account',
  },
  /** [I]/[E] §5: sub-context prompts are the parent's prompt plus `-<suffix>` (S4 shows `domain-account-quotas`). */
  sectionSuffixes: { quotas: 'quotas', limits: 'limits', contactInfo: 'contactInfo' },

  /** [E] §6.1 / §11 Q2: LIST titles and column headers (lines 1 and 3 of the 5-line header). */
  lists: {
    domains: { title: 'The list of domains:', columns: ['name', 'total', 'used'] },
    allDomains: { title: 'The list of all domains:', columns: ['name', 'total', 'used', 'status'] },
    accounts: { title: 'The list of accounts:', columns: ['name'] },
    accountClasses: { title: 'The list of account classes:', columns: ['name'] },
    /** [E] S8 only: status words in the last column of LIST AllDomains. */
    enabledWord: 'enabled',
    disabledWord: 'disabled',
    columnWidth: 34,
  },

  /** [E] §6.2: second header line of SHOW and SHOW RegistryInformation (first is empty). */
  showTitle: 'The attributes of this context:',
  registryTitle: 'The registry information:',

  /** [?] §11 Q7: unit of `Mbox size` in SHOW RegistryInformation; the emulator prints KB, no suffix. */
  mboxSizeUnit: 'KB',
  /** [?] §11 Q2: `total`/`used` columns of LIST Domains are in KB (sum of quotas / of mailbox sizes). */
  domainSizeUnit: 'KB',

  /** [?] §11 Q5: account service tokens; `SET services ()` in CONFIG Limits disables them all (Q6). */
  accountServices: ['smtpIn', 'smtpOut', 'pop3', 'imap', 'rpop', 'webmail'],

  /** [?] §11 Q4: can a disabled domain be UPDATEd (no), must it be disabled before DELETE (no). */
  updateDisabledDomain: false,
  deleteRequiresDisabled: false,

  /** [I] §9.4: CREATE Domain also creates this account with the postmaster password. */
  postmasterAccount: 'postmaster',

  /** [?] §11 Q3: CREATE Domain does not require wmFilterTemplatePath. */
  requireWmFilterTemplatePath: false,

  /** [E] §9.3: unknown / malformed commands count toward maxErrors; refusals of valid commands do not. */
  countRefusalsAsErrors: false,
});

export type GuessedStatus = keyof typeof GUESSED.status;
