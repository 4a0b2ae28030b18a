/**
 * ============================================================================================
 *  EVERY GUESSED FACT OF THE AXIGEN EMULATOR — the one table to correct from a real capture.
 * ============================================================================================
 * Each entry names its section of `docs/specs/axigen.md` and its tag: [V] verified in a cited
 * public source (kept here because it is a text a capture could refine), [I] inferred, [?] an
 * open question of §11, [E] the emulator's own choice where the real text is unknown. Protocol
 * facts that are not texts (prompt grammar, the 5-line LIST header, ` = ` separators) live in
 * the interpreter. Nothing outside this file spells a status text, a banner, a header or a
 * prompt name.
 */
export const GUESSED = Object.freeze({
  /**
   * §3.1 [V]: `Welcome to AXIGEN's Command Line Interface` — xkoi18/axigen
   * manage_accounts_list.py, a script written against a real server, looks for this text in the
   * greeting. Whether more banner lines follow is unknown [E: none].
   */
  banner: ["Welcome to AXIGEN's Command Line Interface"],

  /** §8 [E]: `GET VERSION` lines (the `<version>|<OS>|<platform>` format is [V]). */
  versions: {
    X6: '10.6.30|Linux|x86_64',
    X7: '10.7.2|Linux|x86_64',
  } as Record<string, string>,

  /** §2, §11 Q1: status texts. The client must only look at the `+OK`/`-ERR` prefix. */
  status: {
    /** [V] xkoi18/axigen manage_accounts_list.py checks for `+OK: command successful`. */
    ok: '+OK: command successful',
    /**
     * [I] the same script accepts "committing changes and switching back to previous context"
     * after COMMIT (account and domain contexts); the `+OK: ` prefix is inferred (§2 grammar).
     */
    committed: '+OK: committing changes and switching back to previous context',
    /** [E] whether a status line precedes `<password> ` is unknown (Q1). */
    userAccepted: '+OK: enter password',
    /** [V] capitalised so in xkoi18/axigen manage_accounts_list.py (`+OK: Authentication successful`). */
    loginOk: '+OK: Authentication successful',
    /** [V] §1: Axigen's own axigen_cli.py treats this literal as the end of the session. */
    goodbye: '+OK: have a nice day',
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
    listExists: '-ERR: list already exists',
    listNotFound: '-ERR: no such list',
    aliasExists: '-ERR: alias already exists',
    aliasNotFound: '-ERR: no such alias',
    missingParameter: '-ERR: missing mandatory parameter',
    unknownAttribute: '-ERR: unknown attribute',
    badValue: '-ERR: invalid value',
    onlyInUpdate: '-ERR: this attribute can only be set in an UPDATE operation',
    wrongContext: '-ERR: command not available in this context',
    maxAccountsReached: '-ERR: maximum number of accounts reached for this domain',
    maxMaillistsReached: '-ERR: maximum number of mailing lists reached for this domain',
    cannotDeletePostmaster: '-ERR: the postmaster account cannot be removed',
  },

  /** §3 [V]: the login context's commands (10.6.30 help "login" section); others get `notLoggedIn`. */
  preAuthCommands: ['HELP', 'GET', 'SET', 'USER', 'SHOW', 'EXIT', 'QUIT'],

  /**
   * §5 [I]: prompt names. `domain-create`, `domain`, `domain-account` are [V] (S2, S4, S6 expect
   * them); sub-context prompts are the parent's plus `-<suffix>` (S4 shows
   * `domain-account-quotas`); the capitalisation of multi-word names is unconfirmed.
   */
  prompts: {
    root: '',
    domainCreate: 'domain-create',
    domain: 'domain',
    domainEdit: 'domain-edit',
    account: 'domain-account',
    accountClass: 'domain-accountClass',
    list: 'domain-list',
  },

  /** §6.1 [E] / Q2: LIST titles and column headers (lines 1 and 3 of the 5-line header). */
  lists: {
    domains: { title: 'The list of domains:', columns: ['name', 'total', 'used'] },
    /**
     * [E] LIST AllDomains prints the same columns as LIST Domains, with no status column: only
     * S8 (weak) assumes one. A client tells active from inactive by comparing the two lists,
     * which the 10.6.30 help does document ("lists the active domains" / "all the domains").
     */
    allDomains: { title: 'The list of all domains:', columns: ['name', 'total', 'used'] },
    accounts: { title: 'The list of accounts:', columns: ['name'] },
    accountClasses: { title: 'The list of account classes:', columns: ['name'] },
    maillists: { title: 'The list of mailing lists:', columns: ['name'] },
    columnWidth: 34,
  },
  /** §6.1 [V]: S5 matches this line before the rows of LIST Aliases. */
  aliasesTitle: 'The list of aliases for this domain:',
  accountAliasesTitle: 'The list of aliases for this account:',

  /** §6.2 [E]: second header line of SHOW and SHOW RegistryInformation (the first is empty). */
  showTitle: 'The attributes of this context:',
  registryTitle: 'The registry information:',

  /**
   * §6.2 [E]: what SHOW prints for an attribute never set. yes/no attributes print `no`, never an
   * empty value (every S2/S6 config dump shows a yes/no word); strings print `""`; numbers `0`.
   */
  unsetYesNo: 'no',

  /**
   * §6.2 [I]: the registry's login dates for a protocol never used. S2 last-login.py parses every
   * one of them as a date, so a never-used protocol still has one: the epoch.
   */
  neverDate: 'Thu, 01 Jan 1970 00:00:00 +0000',
  neverIp: '0.0.0.0',

  /** §7.9, Q7 [?]: `Mbox size` in SHOW RegistryInformation is in KB, no unit suffix. */
  mboxSizeUnit: 'KB',
  /** Q2 [?]: `total`/`used` of LIST Domains are in KB (sum of quotas / of mailbox sizes). */
  domainSizeUnit: 'KB',

  /** Q5 [?]: account service tokens; an account with none set inherits them all. */
  accountServices: ['smtpIn', 'smtpOut', 'pop3', 'imap', 'rpop', 'webmail'],

  /**
   * Q4 [?]: a disabled domain cannot be UPDATEd nor SHOWn (its objects are not loaded); EDIT
   * works on it (the 10.6.30 help: domain-edit `COMPACT` "the domain must not be enabled"), and
   * DELETE does not require it disabled.
   */
  updateDisabledDomain: false,
  deleteRequiresDisabled: false,

  /** §9.4 [I]: CREATE Domain also creates this account, with the postmaster password. */
  postmasterAccount: 'postmaster',

  /** Q3 [?]: CREATE Domain does not require wmFilterTemplatePath. */
  requireWmFilterTemplatePath: false,

  /** §9.3 [E]: unknown / malformed commands count toward maxErrors; refusals of valid commands do not. */
  countRefusalsAsErrors: false,
});

export type GuessedStatus = keyof typeof GUESSED.status;
