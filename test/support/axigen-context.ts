import { Redactor } from '../../src/core/redaction.js';
import type {
  ActionContext,
  ServerConnection,
  ServerContext,
  ServiceView,
  SettingsSchema,
  SettingValue,
} from '../../src/modules/contract.js';
import { createMemoryModuleLog } from '../../src/transport/module-log.js';

/**
 * Module contexts for calling the axigen module's functions directly against an emulator, without
 * the engine: for tests that must not depend on what the engine refuses or allows (a state the
 * engine's own guards would never produce, such as an Account service changed to a Domain
 * product), and for reconcile, which runs on a server context alone.
 */
export interface EmulatorAddress {
  port: number;
  secure: boolean;
  fingerprint256?: string | undefined;
}

const ADMIN = { username: 'admin', password: 'axigen-admin' };

export function axigenServer(
  emulator: EmulatorAddress,
  settings: Record<string, SettingValue> = {},
): ServerConnection {
  return {
    id: emulator.port,
    name: `axigen-${emulator.port}`,
    module: 'axigen',
    hostname: '127.0.0.1',
    ip: null,
    host: '127.0.0.1',
    port: emulator.port,
    secure: emulator.secure,
    username: ADMIN.username,
    secret: ADMIN.password,
    tls: emulator.fingerprint256 ? { verify: true, fingerprint: emulator.fingerprint256 } : { verify: true },
    maxAccounts: null,
    settings: { commandTimeoutSeconds: 2, connectTimeoutSeconds: 2, ...settings },
  };
}

export interface TestServerContext extends ServerContext {
  /** What the module logged, already redacted. */
  logged(): string;
}

export function axigenServerContext(
  emulator: EmulatorAddress,
  settings: Record<string, SettingValue> = {},
): TestServerContext {
  const server = axigenServer(emulator, settings);
  const redactor = new Redactor([server.secret]);
  const moduleLog = createMemoryModuleLog(redactor);
  const silent = () => undefined;
  return {
    server,
    moduleLog,
    logger: { debug: silent, info: silent, warn: silent, error: silent },
    signal: new AbortController().signal,
    addSecret: (value) => void redactor.add(value),
    now: () => Date.now(),
    logged: () => JSON.stringify(moduleLog.rows),
  };
}

export interface TestActionContext extends ActionContext<Record<string, SettingValue>> {
  /** The service's remote ids as the module left them. */
  remoteIds: Map<string, string>;
  logged(): string;
}

export function axigenActionContext(input: {
  emulator: EmulatorAddress;
  productType: 'domain' | 'account';
  settings: Record<string, SettingValue>;
  service?: Partial<ServiceView>;
  /** Remote ids to start from; pass the same Map to several contexts to play one service's life. */
  remote?: Record<string, string> | Map<string, string>;
  action?: string;
  args?: Record<string, unknown>;
  serverSettings?: Record<string, SettingValue>;
}): TestActionContext {
  const base = axigenServerContext(input.emulator, input.serverSettings);
  const remoteIds = input.remote instanceof Map ? input.remote : new Map(Object.entries(input.remote ?? {}));
  const service: ServiceView = {
    id: 1,
    status: 'active',
    domain: null,
    username: null,
    password: null,
    configOptions: {},
    customFields: {},
    dedicatedIp: null,
    assignedIps: [],
    ...input.service,
  };
  base.addSecret(service.password);
  const steps = new Map<string, unknown>();
  return {
    ...base,
    operationId: 1,
    action: input.action ?? 'create',
    attempt: 1,
    service,
    client: {
      id: 1,
      externalId: null,
      email: 'jane@example.net',
      firstName: 'Jane',
      lastName: 'Doe',
      company: '',
      emailVerified: true,
      customFields: {},
    },
    product: { id: 1, name: `Axigen ${input.productType}`, module: 'axigen', productType: input.productType },
    settings: input.settings,
    configOptions: {},
    args: input.args ?? {},
    remoteIds,
    remote: {
      get: (key) => remoteIds.get(key),
      all: () => Object.fromEntries(remoteIds),
      set: async (key, value) => void remoteIds.set(key, value),
      delete: async (key) => void remoteIds.delete(key),
    },
    async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (steps.has(name)) return steps.get(name) as T;
      const result = await fn();
      steps.set(name, result);
      return result;
    },
    wait: async () => {
      throw new Error('the axigen module never waits');
    },
    progress: async () => undefined,
    warn: async () => undefined,
    updateService: async () => undefined,
    updateClient: async () => undefined,
  };
}

/** A product's settings as the engine passes them: the schema's defaults, then the given values. */
export function productSettings(
  schema: SettingsSchema,
  values: Record<string, SettingValue>,
): Record<string, SettingValue> {
  const defaults = Object.fromEntries(schema.fields.map((field) => [field.name, field.default ?? '']));
  return { ...defaults, ...values };
}
