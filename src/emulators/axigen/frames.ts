import type { SectionSpec } from './attributes.js';
import type { GuessedStatus } from './guesses.js';
import type {
  AccountClassState,
  AccountState,
  Attrs,
  AttrValue,
  DomainState,
  MaillistState,
} from './state.js';
import type { Token } from './tokenizer.js';

/**
 * The context stack of one CLI session (docs/specs/axigen.md §5): each entered context edits a
 * draft; DONE merges a sub-context's draft into its parent, COMMIT applies a context's draft and
 * returns to the parent, BACK drops it.
 */
export interface DomainDraft {
  attrs: Attrs;
  adminLimits: Attrs;
  accountDefaultQuotas: Attrs;
  accountDefaultLimits: Attrs;
  migrationData: Attrs;
  aliases: string[];
}

export interface CreateDraft {
  name: string;
  location: string;
  postmasterPassword: string;
  groupware: boolean;
  objectsLocation?: string;
  wmFilterTemplatePath?: string;
  messagesLocations: string[];
}

export interface EditDraft {
  location: string;
  objectsLocation: string;
  groupware: boolean;
  messagesLocations: string[];
}

export type Frame =
  | { kind: 'root'; prompt: string }
  | { kind: 'domainCreate'; prompt: string; draft: CreateDraft }
  | { kind: 'domainEdit'; prompt: string; domain: DomainState; draft: EditDraft }
  | { kind: 'domain'; prompt: string; domain: DomainState; draft: DomainDraft }
  | {
      kind: 'account';
      prompt: string;
      domain: DomainState;
      isNew: boolean;
      originalName: string;
      draft: AccountState;
    }
  | { kind: 'accountClass'; prompt: string; domain: DomainState; isNew: boolean; draft: AccountClassState }
  | { kind: 'list'; prompt: string; domain: DomainState; isNew: boolean; draft: MaillistState }
  | {
      kind: 'section';
      prompt: string;
      spec: SectionSpec;
      draft: Attrs;
      /** The value SHOW prints for an attribute this context does not set itself. */
      inherited: (key: string) => AttrValue | undefined;
    };

export type FrameOf<K extends Frame['kind']> = Extract<Frame, { kind: K }>;

/** A refused command: its status text key, and whether it counts toward maxErrors (§9.3). */
export class CommandError extends Error {
  constructor(
    readonly status: GuessedStatus,
    readonly countsAsError = false,
  ) {
    super(status);
  }
}

export const unknownCommand = (): CommandError => new CommandError('unknownCommand', true);

export function upper(token: Token | undefined): string {
  return token ? token.text.toUpperCase() : '';
}

/** `[name] <value>` at `index`: the `name` keyword is optional on 10.5+ (§4). Returns the value and the next index. */
export function nameArgument(tokens: readonly Token[], index: number): { value: string; next: number } {
  if (upper(tokens[index]) === 'NAME' && tokens.length > index + 1)
    return { value: (tokens[index + 1] as Token).text, next: index + 2 };
  const token = tokens[index];
  if (!token || token.text === '') throw new CommandError('missingParameter');
  return { value: token.text, next: index + 1 };
}

/** `key value key value …` from `start`, keyed by lower-case key. */
export function pairs(tokens: readonly Token[], start: number): Map<string, Token> {
  const map = new Map<string, Token>();
  for (let i = start; i < tokens.length; i += 2) {
    const key = tokens[i] as Token;
    const value = tokens[i + 1];
    if (!value) throw new CommandError('syntaxError', true);
    map.set(key.text.toLowerCase(), value);
  }
  return map;
}

export function tokenValue(token: Token): AttrValue {
  return token.list ? [...token.list] : token.text;
}

/** `LIST … [wildcard (ex: domain*)]` (10.6.30 help): `*` any run of characters, case-insensitive; no wildcard lists all. */
export function wildcardFilter(token: Token | undefined): (name: string) => boolean {
  if (!token) return () => true;
  const pattern = token.text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${pattern}$`, 'i');
  return (name) => regex.test(name);
}
