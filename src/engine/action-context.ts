import type { Clock } from '../core/clock.js';
import { fail } from '../core/error-catalogue.js';
import { isSecretKeyName, type Redactor } from '../core/redaction.js';
import type { SecretBox } from '../core/secret-box.js';
import type {
  ActionContext,
  AnyModule,
  ClientView,
  ProductView,
  ServerConnection,
  ServerContext,
  ServiceView,
  SettingValue,
} from '../modules/contract.js';
import type { Db } from '../store/database.js';
import { type ClientRecord, mergeClientCustomFields } from '../store/repositories/clients.js';
import type { Journal } from '../store/repositories/operations.js';
import type { ProductRecord } from '../store/repositories/products.js';
import { type ServiceRecord, updateService } from '../store/repositories/services.js';
import { createModuleLogSink, type ModuleLogRow, type RemoteCallRecord } from '../transport/module-log.js';
import { type AppLogger, scopedLogger } from './logger.js';

/** Thrown by ctx.wait when the condition does not hold yet: the runner parks the operation. */
export class WaitSignal extends Error {
  constructor(
    readonly waitName: string,
    readonly nextCheckAt: number,
    readonly progressMessage: string | undefined,
  ) {
    super(`waiting for ${waitName}`);
    this.name = 'WaitSignal';
  }
}

/** Thrown when this worker no longer holds the operation's lease: it must stop writing. */
export class LeaseLostError extends Error {
  constructor(operationId: number) {
    super(`lost the lease on operation ${operationId}`);
    this.name = 'LeaseLostError';
  }
}

export interface ServerContextInput {
  module: AnyModule;
  server: ServerConnection;
  action: string;
  operationId: number | null;
  redactor: Redactor;
  signal: AbortSignal;
  clock: Clock;
  appLogger: AppLogger;
  /** Where module-log rows go (buffered by the caller). */
  writeLog: (row: ModuleLogRow) => void;
  observeCall?: ((call: RemoteCallRecord) => void) | undefined;
}

export function buildServerContext(input: ServerContextInput): ServerContext {
  input.redactor.add(input.server.secret);
  const moduleLog = createModuleLogSink({
    redactor: input.redactor,
    scope: {
      operationId: input.operationId,
      serverId: input.server.id,
      module: input.module.id,
      action: input.action,
    },
    now: () => input.clock.now(),
    write: input.writeLog,
    ...(input.observeCall ? { observe: input.observeCall } : {}),
  });
  return {
    server: input.server,
    moduleLog,
    logger: scopedLogger(input.appLogger, input.redactor, {
      module: input.module.id,
      server: input.server.id,
      ...(input.operationId === null ? {} : { operation: input.operationId }),
      action: input.action,
    }),
    signal: input.signal,
    addSecret: (value) => void input.redactor.add(value),
    now: () => input.clock.now(),
  };
}

export function clientView(client: ClientRecord): ClientView {
  return {
    id: client.id,
    externalId: client.externalId,
    email: client.email,
    firstName: client.firstName,
    lastName: client.lastName,
    company: client.company,
    emailVerified: client.emailVerified,
    customFields: client.customFields,
  };
}

export function serviceView(service: ServiceRecord, password: string | null): ServiceView {
  return {
    id: service.id,
    status: service.status,
    domain: service.domain,
    username: service.username,
    password,
    configOptions: service.configOptions,
    customFields: service.customFields,
    dedicatedIp: service.dedicatedIp,
    assignedIps: service.assignedIps,
  };
}

export function productView(product: ProductRecord): ProductView {
  return { id: product.id, name: product.name, module: product.module, productType: product.productType };
}

/** Resolves configurable-option aliases (`ostemplate` → `os`) to the module's canonical names. */
export function canonicalConfigOptions(
  module: AnyModule,
  productType: string | null,
  raw: Record<string, string>,
): Record<string, string> {
  const specs = [
    ...(module.configOptions ?? []),
    ...(module.productTypes?.find((t) => t.id === productType)?.configOptions ?? []),
  ];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = specs.find((s) => s.name === key || s.aliases?.includes(key));
    out[spec ? spec.name : key] = value;
  }
  return out;
}

/** What the runner lets an action context do with the database, all fenced by the lease. */
export interface OperationPersistence {
  saveJournal(journal: Journal): Promise<void>;
  saveProgress(message: string, fraction: number | null): Promise<void>;
  saveWarning(message: string): Promise<void>;
  /** Durable before it returns: a module names its remote object before the call that makes it. */
  saveRemoteIds(remoteIds: Record<string, string>): Promise<void>;
}

export interface ActionContextInput {
  server: ServerContext;
  db: Db;
  box: SecretBox;
  clock: Clock;
  operationId: number;
  action: string;
  attempt: number;
  service: ServiceRecord;
  password: string | null;
  client: ClientRecord;
  product: ProductRecord;
  module: AnyModule;
  args: Record<string, unknown>;
  journal: Journal;
  persistence: OperationPersistence | null;
}

function journalKey(name: string): string {
  if (name.length === 0 || name.length > 200)
    throw fail('operation.step_name_invalid', `step name "${name}" must be 1 to 200 characters`);
  return name;
}

export function buildActionContext(input: ActionContextInput): ActionContext<Record<string, SettingValue>> {
  const { db, box, clock, journal, persistence } = input;
  const remote: Record<string, string> = { ...input.service.remoteIds };
  let lastProgress: string | undefined;
  const requirePersistence = (what: string): OperationPersistence => {
    if (!persistence)
      throw fail('operation.context_unavailable', `${what} is not available outside an operation`);
    return persistence;
  };

  return {
    ...input.server,
    operationId: input.operationId,
    action: input.action,
    attempt: input.attempt,
    service: serviceView(input.service, input.password),
    client: clientView(input.client),
    product: productView(input.product),
    settings: input.product.settings,
    configOptions: canonicalConfigOptions(
      input.module,
      input.product.productType,
      input.service.configOptions,
    ),
    args: input.args,
    remote: {
      get: (key) => remote[key],
      all: () => ({ ...remote }),
      async set(key, value) {
        const store = requirePersistence('ctx.remote.set');
        remote[key] = value;
        await store.saveRemoteIds({ ...remote });
      },
      async delete(key) {
        const store = requirePersistence('ctx.remote.delete');
        delete remote[key];
        await store.saveRemoteIds({ ...remote });
      },
    },
    async step(name, fn) {
      const key = journalKey(name);
      const done = journal.steps[key];
      if (done) return done.result as Awaited<ReturnType<typeof fn>>;
      const store = requirePersistence('ctx.step');
      const result = await fn();
      journal.steps[key] = {
        result: result === undefined ? null : result,
        attempt: input.attempt,
        at: clock.now(),
      };
      await store.saveJournal(journal);
      return result;
    },
    async wait(name, check, options) {
      const key = journalKey(`wait:${name}`);
      const done = journal.steps[key];
      if (done) return done.result as Awaited<ReturnType<typeof check>> as never;
      const store = requirePersistence('ctx.wait');
      journal.waits[name] ??= { startedAt: clock.now(), checks: 0 };
      const state = journal.waits[name];
      const value = await check();
      state.checks++;
      if (value !== undefined) {
        journal.steps[key] = {
          result: value === null ? null : value,
          attempt: input.attempt,
          at: clock.now(),
        };
        await store.saveJournal(journal);
        return value;
      }
      const waited = clock.now() - state.startedAt;
      if (waited >= options.timeout) {
        throw fail(
          'operation.wait_timeout',
          `${options.message ?? `waiting for ${name}`}: not finished after ${Math.round(waited / 60_000)} minutes (limit ${Math.round(options.timeout / 60_000)}); check the backend and retry or resolve the operation`,
        );
      }
      // What the check last reported (an OS install at 85 %) says more than the wait's own label.
      throw new WaitSignal(name, clock.now() + options.every, lastProgress ?? options.message);
    },
    async progress(message, fraction) {
      lastProgress = message;
      await requirePersistence('ctx.progress').saveProgress(message, fraction ?? null);
    },
    async warn(message) {
      input.server.logger.warn(message);
      await requirePersistence('ctx.warn').saveWarning(message);
    },
    async updateService(update) {
      requirePersistence('ctx.updateService');
      await updateService(
        db,
        box,
        input.service.id,
        {
          ...(update.username !== undefined ? { username: update.username } : {}),
          ...(update.domain !== undefined ? { domain: update.domain } : {}),
          ...(update.dedicatedIp !== undefined ? { dedicatedIp: update.dedicatedIp } : {}),
          ...(update.assignedIps !== undefined ? { assignedIps: update.assignedIps } : {}),
          ...(update.customFields !== undefined
            ? { customFields: { ...input.service.customFields, ...update.customFields } }
            : {}),
        },
        clock.now(),
      );
      if (update.customFields)
        input.service.customFields = { ...input.service.customFields, ...update.customFields };
    },
    async updateClient(update) {
      requirePersistence('ctx.updateClient');
      if (update.customFields) {
        for (const [key, value] of Object.entries(update.customFields))
          if (isSecretKeyName(key)) input.server.addSecret(value);
        await mergeClientCustomFields(db, box, input.client.id, { ...update.customFields }, clock.now());
      }
    },
  };
}
