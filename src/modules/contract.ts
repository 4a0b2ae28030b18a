/**
 * The module contract: what a backend module is and what the engine gives it.
 *
 * Glossary
 * - service:   one thing a client bought (a mail domain, a game server); has a lifecycle status.
 * - operation: one durable lifecycle request on a service (create, suspend, ...), queued and run
 *              by the engine, retried, journaled; a module action runs inside one.
 * - step:      a named, journaled part of an action; once recorded done it never runs again, even
 *              after a crash or a wait.
 * - wait:      a durable pause on a remote condition (an OS install); frees the worker meanwhile.
 * - lease:     a worker's time-limited claim on an operation; an expired lease is taken over.
 * - module:    the code that speaks one backend's protocol; knows nothing of the database.
 * - server:    one configured backend endpoint (host, port, credentials) a module talks to.
 * - product:   what is sold: a module, a product type, validated module settings, a server group.
 *
 * A module is a plain object. Everything optional is optional: an absent action means "not
 * supported" and the engine refuses it clearly, as WHMCS hides the button.
 *
 * Replay model: an action function may run more than once for one operation (after a crash, after
 * a transient error, after each wait check). Work that must not repeat goes in `ctx.step`; remote
 * names are derived from the service and saved with `ctx.remote.set` before the remote create.
 * Work that belongs to a step runs on adoption too: a create re-run that finds its object already
 * made still finishes what the create would have done after it (save the configuration, …).
 *
 * Ownership rule (the world is not empty: backends hold objects provisio did not create):
 * - every remote object a service creates carries that service's **mark** (`ownershipMark`:
 *   Axigen `customerReference`, Calagopus `external_id`, a per-service claim for DCImanager, what
 *   each backend offers for the others), written as part of the create;
 * - `lookup` reports whether the object under the service's name carries this service's mark
 *   (`owner: 'ours'`) or not (`owner: 'foreign'`), and names it (`object`);
 * - the engine calls `lookup` before every action that changes an existing object (suspend,
 *   unsuspend, terminate, change-package, change-password, custom actions) and before create, and
 *   refuses to run the action on a foreign object (`ownership.foreign`, naming the object and how
 *   to adopt it). Modules check the mark again right before each destructive call: between the
 *   engine's look and the call, staff may have changed the backend;
 * - an object without our mark is never adopted, changed or deleted silently: only the explicit,
 *   audited `adopt` action (module `adopt`) writes the mark on it, after an operator confirmed;
 * - change package stays within one product type unless the module lists the move in
 *   `packageMoves`.
 */
import type { ErrorCatalogue } from '../core/errors.js';
import type { ServiceStatus } from '../core/lifecycle.js';
import type { EngineEvent, ServerConnection, SettingValue, TlsPolicy } from '../core/values.js';
import type { ModuleLog } from '../transport/module-log.js';

export type { EngineEvent, ServerConnection, SettingValue, TlsPolicy };

// ---------------------------------------------------------------------------------------------
// Settings schema

export const SETTING_TYPES = [
  'text',
  'password',
  'yesno',
  'dropdown',
  'radio',
  'textarea',
  'number',
] as const;
export type SettingType = (typeof SETTING_TYPES)[number];

/** WHMCS passes module settings positionally as configoption1..24: never more than 24 fields. */
export const MAX_SETTINGS_FIELDS = 24;

export interface SettingChoice {
  value: string;
  label: string;
}

export interface SettingField {
  /** Stable key in the stored settings object, e.g. `storageQuotaMb`. */
  name: string;
  /** What the admin sees, e.g. "Storage quota (MB)". */
  label: string;
  type: SettingType;
  default?: SettingValue;
  description?: string;
  required?: boolean;
  /** Stored encrypted and masked in logs. `password` fields are always secret. */
  secret?: boolean;
  /** Static choices for dropdown and radio. */
  options?: readonly SettingChoice[];
  /** Name of an entry in `module.loaders` that asks the server for the choices (dropdowns). */
  loader?: string;
  /** Numbers: inclusive bounds. */
  min?: number;
  max?: number;
  /** Text: maximum length and an optional pattern with the message shown when it fails. */
  maxLength?: number;
  pattern?: RegExp;
  patternMessage?: string;
  /** Field rule beyond type and bounds; returns a message or undefined. */
  validate?: (value: SettingValue, all: Readonly<Record<string, SettingValue>>) => string | undefined;
  /** Show the field only when another field has a value (for UIs; validation still runs). */
  showWhen?: { field: string; equals: SettingValue };
}

export interface FieldError {
  field: string;
  message: string;
}

export interface SettingsSchema {
  fields: readonly SettingField[];
  /** Rules across fields; every error is reported, not just the first. */
  validate?: (values: Readonly<Record<string, SettingValue>>) => FieldError[];
}

/** A configurable option the client picks at order time (e.g. DCImanager `os`, `ipv4`). */
export interface ConfigOptionSpec {
  /** Canonical name and accepted aliases, e.g. `os` with alias `ostemplate`. */
  name: string;
  aliases?: readonly string[];
  label: string;
  description?: string;
}

export interface ProductTypeSpec {
  id: string;
  displayName: string;
  settings: SettingsSchema;
  configOptions?: readonly ConfigOptionSpec[];
}

// ---------------------------------------------------------------------------------------------
// Servers

export type CredentialKind = 'password' | 'api-key' | 'none';

export interface ServerSpec {
  credential: CredentialKind;
  /** Default port for plain and for secure (TLS) connections, e.g. Axigen 7000 / 7001. */
  defaultPort: { plain: number; secure: number };
  /** Whether `secure` is on by default for new servers of this module. */
  secureByDefault?: boolean;
  /** Module-specific server settings (stored on the server row). */
  settings?: SettingsSchema;
}

// ---------------------------------------------------------------------------------------------
// Contexts

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What every module call gets: a server, its module log, a logger, cancellation and a clock. */
export interface ServerContext {
  server: ServerConnection;
  /** Sink for remote calls; transports write to it (redacted at the sink). */
  moduleLog: ModuleLog;
  logger: Logger;
  /** Aborted on operation timeout and on engine shutdown: pass it to every remote call. */
  signal: AbortSignal;
  /** Registers another secret (e.g. a derived key) so every sink masks it. */
  addSecret(value: string | null | undefined): void;
  /** Engine time (virtual in tests). */
  now(): number;
}

export interface ClientView {
  id: number;
  externalId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  emailVerified: boolean;
  customFields: Readonly<Record<string, string>>;
}

export interface ServiceView {
  id: number;
  status: ServiceStatus;
  domain: string | null;
  username: string | null;
  /** Decrypted; for change-password this is already the new password. */
  password: string | null;
  configOptions: Readonly<Record<string, string>>;
  customFields: Readonly<Record<string, string>>;
  dedicatedIp: string | null;
  assignedIps: readonly string[];
}

export interface ProductView {
  id: number;
  name: string;
  module: string;
  productType: string | null;
}

/** Persisted remote identifiers of the service (server UUID, slug, account name). */
export interface RemoteIds {
  get(key: string): string | undefined;
  all(): Readonly<Record<string, string>>;
  /** Saved at once, outside the operation's transaction, so a crash right after keeps it. */
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Fields of the service and client a module may write (saved at once). */
export interface ServiceUpdate {
  username?: string;
  domain?: string;
  dedicatedIp?: string | null;
  assignedIps?: readonly string[];
  customFields?: Readonly<Record<string, string>>;
}

export interface ClientUpdate {
  customFields?: Readonly<Record<string, string>>;
}

export interface WaitOptions {
  /** How often to check, in ms of engine time. */
  every: number;
  /** Give up after this long (ms since the wait first started); the operation fails with `message`. */
  timeout: number;
  /** Shown as progress while waiting and in the timeout error. */
  message?: string;
}

export interface ActionContext<S = Record<string, SettingValue>> extends ServerContext {
  operationId: number;
  action: string;
  /** 1 on the first run; grows with every retry or takeover, not with wait checks. */
  attempt: number;
  service: ServiceView;
  client: ClientView;
  product: ProductView;
  /** The product's validated settings (for change-package: the new product's). */
  settings: S;
  /** Configurable options by canonical name (aliases resolved). */
  configOptions: Readonly<Record<string, string>>;
  /** Action arguments, e.g. `{ name: 'reboot' }` for a custom action. */
  args: Readonly<Record<string, unknown>>;
  remote: RemoteIds;
  /** Runs `fn` once per operation: a recorded result is returned without running it again. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Durable wait: `check` returns a value when the condition holds, `undefined` while it does not.
   * While it does not, the operation is parked as `waiting` and the worker is freed; the action
   * is replayed at the next check (finished steps are skipped). Never call it inside a step.
   */
  wait<T>(name: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T>;
  progress(message: string, fraction?: number): Promise<void>;
  /**
   * Tells the operator something they should know about this operation (it succeeded, but…):
   * kept on the operation and shown by the API, the CLI and the UI, and logged. Redacted.
   */
  warn(message: string): Promise<void>;
  updateService(update: ServiceUpdate): Promise<void>;
  updateClient(update: ClientUpdate): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Results

/** The mark every remote object of service `serviceId` carries (see the ownership rule above). */
export function ownershipMark(serviceId: number): string {
  return `provisio-service-${serviceId}`;
}

/** The service id a mark names, or null when the text is not a provisio mark. */
export function serviceIdOfMark(mark: string | null | undefined): number | null {
  const match = /^provisio-service-([1-9][0-9]{0,15})$/.exec(mark ?? '');
  return match ? Number(match[1]) : null;
}

/** What `lookup` found under the service's name: the object, whose it is, and its state. */
export interface RemoteState {
  status: 'active' | 'suspended' | 'pending' | 'terminated';
  /**
   * `ours`: the object carries this service's mark. `foreign`: an object exists under the name
   * this service would use, without this service's mark (another service's, or none at all).
   */
  owner: 'ours' | 'foreign';
  /** The object as a person names it, for messages: `domain example.com`, `server 102 (r740-01)`. */
  object: string;
  /** Remote ids to adopt onto the service when the engine adopts the object. */
  remoteIds?: Readonly<Record<string, string>>;
}

/**
 * One object of this module on a server, as `listRemote` reports it for reconcile: its identity,
 * the service its mark names (if any) and its state.
 */
export interface RemoteObject {
  /** What it is within the module: `domain`, `account`, `server`, `tenant`, `customer`, … */
  kind: string;
  /** Its identity as a service would name it: domain name, account email, external id, slug. */
  key: string;
  /** Display name for people, when it differs from the key. */
  label?: string;
  /** The service id its mark names (`serviceIdOfMark`), or null when it carries no provisio mark. */
  markedServiceId: number | null;
  /**
   * The backend would not show the mark (an Axigen domain that is disabled): whose the object is
   * cannot be told, so reconcile takes it for its claimant's and never calls it foreign or orphan.
   */
  markUnread?: true;
  state: 'active' | 'suspended' | 'pending' | 'unknown';
  /** Limits as the backend has them, compared with the product's settings by `packageDrift`. */
  package?: Readonly<Record<string, SettingValue>>;
  remoteIds?: Readonly<Record<string, string>>;
}

/**
 * The object a service names on the backend (`remoteKeyOf`). `held` is for a backend that keeps
 * no mark on its objects (Easy Mail Archive): the mark is the service's own claim, so `true` says
 * the object at this key is the service's, `false` that the service names it without holding a
 * claim (an imported service). Absent: the mark on the object decides whose it is.
 */
export interface RemoteClaim {
  kind: string;
  key: string;
  held?: boolean;
}

/** A package field whose backend value differs from what the product's settings say. */
export interface PackageDifference {
  field: string;
  expected: string;
  actual: string;
}

export interface ServiceRef {
  serviceId: number;
  domain: string | null;
  username: string | null;
  remoteIds: Readonly<Record<string, string>>;
  productType: string | null;
}

export interface UsageReport {
  serviceId: number;
  /** WHMCS's four figures, in MB. */
  diskUsedMb?: number;
  diskLimitMb?: number;
  bandwidthUsedMb?: number;
  bandwidthLimitMb?: number;
  /** Module-specific figures, e.g. `accounts`, `messages`, `activeUsers`. */
  figures?: Readonly<Record<string, number>>;
}

export interface ViewField {
  label: string;
  /** Plain text; every renderer escapes it. */
  value: string;
  /** Optional link target (http/https only; renderers refuse other schemes). */
  href?: string;
}

/** What a view shows. Views only read: they never create backend credentials or sessions. */
export interface ViewModel {
  fields: readonly ViewField[];
}

export const ACTION_ARGUMENT_TYPES = ['text', 'number', 'yesno', 'choice'] as const;
export type ActionArgumentType = (typeof ACTION_ARGUMENT_TYPES)[number];

/** One argument a custom action takes; the engine refuses unknown, missing or ill-typed ones. */
export interface ActionArgument {
  name: string;
  label: string;
  type: ActionArgumentType;
  required?: boolean;
  description?: string;
  /** `choice`: the accepted values. A backend-dependent list names a loader instead. */
  choices?: readonly string[];
  /** `choice`: name of an entry in `module.loaders` that lists the values the backend offers. */
  loader?: string;
  /** Numbers: inclusive bounds. Text: `maxLength`. */
  min?: number;
  max?: number;
  maxLength?: number;
}

export interface CustomAction<S> {
  label: string;
  description?: string;
  /** The arguments it takes (none when absent): validated before anything is queued. */
  arguments?: readonly ActionArgument[];
  /** It destroys data (reinstall, wipe): UIs ask for confirmation. */
  destructive?: boolean;
  run(ctx: ActionContext<S>): Promise<void>;
}

export type Loader = (
  ctx: ServerContext,
  values: Readonly<Record<string, SettingValue>>,
) => Promise<SettingChoice[]>;

/**
 * Provision a product on an engine event instead of on an explicit create, as StoreGrid's WHMCS
 * action hooks sign a client up when the client is added or the order accepted. The engine
 * creates the service and enqueues its create at most once per (event subject, product).
 */
export interface EventTrigger<S> {
  /** `client.created` or `order.accepted`. */
  event: string;
  /** Whether a product with these settings wants to be provisioned on this event. */
  appliesTo(settings: S): boolean;
}

// ---------------------------------------------------------------------------------------------
// The module

export interface Module<S = Record<string, SettingValue>> {
  /** Lowercase letters and digits, unique: `axigen`, `dcimanager6`. */
  id: string;
  displayName: string;
  server: ServerSpec;
  /** For modules that sell one kind of thing. */
  settings?: SettingsSchema;
  /** For modules that sell several kinds (axigen: domain, account); each has its own settings. */
  productTypes?: readonly ProductTypeSpec[];
  configOptions?: readonly ConfigOptionSpec[];
  /** The module's error codes (`modules/<id>/errors.ts`), documented in docs/errors.md. */
  errors?: ErrorCatalogue<string>;

  testConnection(ctx: ServerContext): Promise<TestConnectionResult>;
  create(ctx: ActionContext<S>): Promise<void>;
  suspend?(ctx: ActionContext<S>): Promise<void>;
  unsuspend?(ctx: ActionContext<S>): Promise<void>;
  terminate?(ctx: ActionContext<S>): Promise<void>;
  changePackage?(ctx: ActionContext<S>): Promise<void>;
  changePassword?(ctx: ActionContext<S>): Promise<void>;
  /**
   * What exists under the name this service uses, and whose it is (`owner`); null when nothing
   * does. Called before every action on an existing object, before create, and before any retry of
   * an unknown outcome. Reads only.
   */
  lookup(ctx: ActionContext<S>): Promise<RemoteState | null>;
  /**
   * Writes this service's mark on the foreign object `lookup` found under its name, and returns
   * that object's state: what an operator's deliberate, audited `adopt` runs. Refuses an object that
   * carries another service's mark.
   */
  adopt?(ctx: ActionContext<S>): Promise<RemoteState>;
  /** Package changes across product types that are safe (default: none; same type only). */
  packageMoves?: readonly { from: string; to: string }[];
  /** A sign-in link for the customer (single sign-on). Creates a backend credential: never from a view. */
  loginUrl?(ctx: ActionContext<S>): Promise<string>;
  /** Every object of this module on a server, in pages (reconcile). Reads only. */
  listRemote?(ctx: ServerContext): AsyncIterable<readonly RemoteObject[]>;
  /** The identity a service claims on the backend (kind and key as `listRemote` reports them). */
  remoteKeyOf?(service: ServiceRef, settings: S): RemoteClaim | null;
  /** Where the backend's limits differ from the product's settings (reconcile's package drift). */
  packageDrift?(settings: S, object: RemoteObject): readonly PackageDifference[];
  /** One batch per server. */
  usage?(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]>;
  clientArea?(ctx: ActionContext<S>): Promise<ViewModel>;
  adminFields?(ctx: ActionContext<S>): Promise<ViewModel>;
  loaders?: Readonly<Record<string, Loader>>;
  actions?: Readonly<Record<string, CustomAction<S>>>;
  eventTriggers?: readonly EventTrigger<S>[];
  /** Releases what the module keeps between operations (connection pools); called on engine stop. */
  close?(): Promise<void>;
  /** Per-action time limit in ms (default: engine's operationTimeoutMs). Waits do not count. */
  timeouts?: Partial<Record<string, number>>;
}

export interface TestConnectionResult {
  /** Human summary, e.g. "Axigen 10.7.2, 3 domains". */
  summary: string;
  details?: Readonly<Record<string, string>>;
}

/** Module function names the engine maps lifecycle actions onto. */
export const ACTION_HANDLERS = {
  create: 'create',
  suspend: 'suspend',
  unsuspend: 'unsuspend',
  terminate: 'terminate',
  'change-package': 'changePackage',
  'change-password': 'changePassword',
} as const satisfies Record<string, keyof Module>;

/** A module of any settings type, as registries and the engine hold them. */
// biome-ignore lint/suspicious/noExplicitAny: settings types differ per module; the engine validates them against the schema.
export type AnyModule = Module<any>;

/** Identity helper that checks a module's shape at compile time and its schema at load time. */
export function defineModule<S>(module: Module<S>): Module<S> {
  for (const schema of [module.settings, ...(module.productTypes ?? []).map((t) => t.settings)]) {
    if (schema && schema.fields.length > MAX_SETTINGS_FIELDS) {
      throw new Error(
        `module ${module.id}: a settings schema has ${schema.fields.length} fields; at most ${MAX_SETTINGS_FIELDS}`,
      );
    }
  }
  if (!module.settings && !module.productTypes?.length) {
    throw new Error(`module ${module.id}: give either settings or productTypes`);
  }
  return Object.freeze(module);
}
