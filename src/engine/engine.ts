import { randomInt } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { ProvisioningError } from '../core/errors.js';
import { checkTransition, type OperationStatus } from '../core/lifecycle.js';
import { Redactor } from '../core/redaction.js';
import type { SecretBox } from '../core/secret-box.js';
import type {
  AnyModule,
  SettingChoice,
  SettingValue,
  TestConnectionResult,
  ViewModel,
} from '../modules/contract.js';
import { settingsSchemaFor, splitSecretSettings, validateSettings } from '../modules/settings.js';
import type { Store } from '../store/database.js';
import * as clientsRepo from '../store/repositories/clients.js';
import { listEvents } from '../store/repositories/events.js';
import * as logRepo from '../store/repositories/module-log.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as productsRepo from '../store/repositories/products.js';
import * as groupsRepo from '../store/repositories/server-groups.js';
import * as serversRepo from '../store/repositories/servers.js';
import * as servicesRepo from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildActionContext, buildServerContext } from './action-context.js';
import type { EngineDeps, EngineObserver } from './deps.js';
import { type EnqueueRequest, type EnqueueResult, enqueueOperation } from './enqueue.js';
import { registerEventTriggers } from './event-triggers.js';
import { EventBus, type EventHandler } from './events.js';
import { type AppLogger, createAppLogger } from './logger.js';
import { loadOperation, requireModule } from './operation-loader.js';
import {
  applyOperationSuccess,
  DEFAULT_RUNNER_OPTIONS,
  OperationRunner,
  type RunnerOptions,
} from './operation-runner.js';
import { acceptOrder, type OrderInput } from './orders.js';
import { lifecycleActionOf } from './outcomes.js';
import { TtlCache } from './ttl-cache.js';
import { type ServerUsageResult, syncUsage, type UsageSyncOptions } from './usage-sync.js';
import { checkNewClient, checkNewService, FieldErrors, isHostName } from './validation.js';
import { checkWelcomeTemplate, renderWelcomeMessage, welcomeData } from './welcome-message.js';

export interface EngineOptions {
  store: Store;
  secretBox: SecretBox;
  modules: readonly AnyModule[];
  clock?: Clock;
  logger?: AppLogger;
  runner?: Partial<RunnerOptions>;
  observer?: EngineObserver;
  /** Attempts per operation before transient failures end it (default 5). */
  maxAttempts?: number;
  /** Usage sync interval in ms; 0 or undefined: only on demand. */
  usageIntervalMs?: number;
  eventPollMs?: number;
  /** Provision products on engine events when their module declares triggers (default true). */
  eventTriggers?: boolean;
}

const TERMINAL: readonly OperationStatus[] = ['succeeded', 'failed', 'cancelled'];

function notFound(what: string, id: number | string): ProvisioningError {
  return new ProvisioningError('not-found', `${what} ${id} does not exist`, {
    code: `${what.replace(/ /g, '_')}.not_found`,
  });
}

export type Engine = ReturnType<typeof createEngine>;

/**
 * The engine: one object that owns the runner, the events outbox and usage sync, and offers the
 * operations every entry point (HTTP API, CLI, library) needs. Entry points parse and authorise;
 * every rule lives here or below.
 */
export function createEngine(options: EngineOptions) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createAppLogger();
  const store = options.store;
  const box = options.secretBox;
  const modules = new Map(options.modules.map((m) => [m.id, m]));
  const events = new EventBus(store, clock, logger, { pollMs: options.eventPollMs ?? 250, retryMs: 5_000 });
  const finishWaiters = new Map<number, Set<() => void>>();
  const observer: EngineObserver = {
    ...options.observer,
    operationFinished(operation, durationMs) {
      options.observer?.operationFinished?.(operation, durationMs);
      for (const wake of finishWaiters.get(operation.id) ?? []) wake();
    },
  };
  const deps: EngineDeps = {
    store,
    box,
    modules,
    clock,
    logger,
    events,
    observer,
    defaultMaxAttempts: options.maxAttempts ?? 5,
    cache: { products: new TtlCache(1_000), servers: new TtlCache(1_000) },
  };
  const runner = new OperationRunner(deps, { ...DEFAULT_RUNNER_OPTIONS, ...options.runner });
  let usageTimer: NodeJS.Timeout | null = null;
  let unsubscribeTriggers: (() => void) | null = null;
  const { db } = store;

  const requireServer = async (id: number) =>
    (await serversRepo.getServer(db, id)) ?? Promise.reject(notFound('server', id));
  const requireProduct = async (id: number) =>
    (await productsRepo.getProduct(db, box, id)) ?? Promise.reject(notFound('product', id));
  const requireService = async (id: number) =>
    (await servicesRepo.getService(db, id)) ?? Promise.reject(notFound('service', id));
  const requireClient = async (id: number) =>
    (await clientsRepo.getClient(db, box, id)) ?? Promise.reject(notFound('client', id));
  const requireGroup = async (id: number) =>
    (await groupsRepo.getServerGroup(db, id)) ?? Promise.reject(notFound('server group', id));
  const requireOperation = async (id: number) =>
    (await opsRepo.getOperation(db, id)) ?? Promise.reject(notFound('operation', id));

  /** Names of servers, groups and products are unique (the schema says so too; this says it clearly). */
  async function nameTaken(table: 'servers' | 'server_groups' | 'products', name: unknown): Promise<boolean> {
    if (typeof name !== 'string') return false;
    return (
      (await db.selectFrom(table).select('id').where('name', '=', name).executeTakeFirst()) !== undefined
    );
  }

  /** Refuses to delete a record that services or products still point at: history must stay whole. */
  async function refuseIfReferenced(
    what: string,
    id: number,
    column: 'server_id' | 'product_id' | 'client_id',
    advice = '',
  ) {
    const row = await db
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', id)
      .executeTakeFirst();
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      throw new ProvisioningError(
        'conflict',
        `${what} ${id} is used by ${n} service${n === 1 ? '' : 's'} and cannot be deleted${advice}`,
        {
          code: `${what.replace(/ /g, '_')}.in_use`,
        },
      );
    }
  }

  /** A server context outside any operation (test connection, loaders, views, usage). */
  async function withServerContext<T>(
    serverId: number,
    action: string,
    fn: (ctx: ReturnType<typeof buildServerContext>, module: AnyModule) => Promise<T>,
  ) {
    const connection = await serversRepo.getServerConnection(db, box, serverId);
    if (!connection) throw notFound('server', serverId);
    const module = requireModule(deps, connection.module);
    const rows: ModuleLogRow[] = [];
    const ctx = buildServerContext({
      module,
      server: connection,
      action,
      operationId: null,
      redactor: new Redactor(),
      signal: AbortSignal.timeout(60_000),
      clock,
      appLogger: logger,
      writeLog: (row) => rows.push(row),
      observeCall: (call) => observer.remoteCall?.(module.id, serverId, call),
    });
    try {
      return await fn(ctx, module);
    } finally {
      await logRepo.insertModuleLogRows(db, rows);
    }
  }

  const clients = {
    async create(input: clientsRepo.NewClient) {
      checkNewClient(input).throwIfAny('the client was not created');
      if (input.externalId && (await clientsRepo.findClientByExternalId(db, box, input.externalId))) {
        throw new ProvisioningError(
          'conflict',
          `a client with external id ${input.externalId} exists already`,
          { code: 'client.exists' },
        );
      }
      return store
        .write(async (trx) => {
          const client = await clientsRepo.insertClient(trx, box, input, clock.now());
          await events.publish(trx, 'client.created', { clientId: client.id, email: client.email });
          return client;
        })
        .finally(() => events.poke());
    },
    get: requireClient,
    findByExternalId: (externalId: string) => clientsRepo.findClientByExternalId(db, box, externalId),
    list: (page: { limit?: number; afterId?: number } = {}) =>
      clientsRepo.listClients(db, box, {
        limit: page.limit ?? 100,
        ...(page.afterId === undefined ? {} : { afterId: page.afterId }),
      }),
    /** Only a client without services (their history refers to the client). */
    async delete(id: number) {
      await requireClient(id);
      await refuseIfReferenced('client', id, 'client_id');
      await db.deleteFrom('clients').where('id', '=', id).execute();
    },
    async update(id: number, patch: Partial<clientsRepo.NewClient>) {
      await requireClient(id);
      const errors = new FieldErrors();
      if (patch.email !== undefined) errors.email('email', patch.email);
      errors.text('firstName', patch.firstName, { max: 100 });
      errors.text('lastName', patch.lastName, { max: 100 });
      errors.text('company', patch.company, { max: 200 });
      errors.stringMap('customFields', patch.customFields);
      errors.throwIfAny('the client was not changed');
      await clientsRepo.updateClient(db, box, id, patch, clock.now());
      return requireClient(id);
    },
  };

  const servers = {
    /** `port` and `secure` default to the module's usual values. */
    async create(input: Omit<serversRepo.NewServer, 'port'> & { port?: number }) {
      const module = requireModule(deps, input.module);
      const errors = new FieldErrors();
      errors.text('name', input.name, { required: true, max: 100 });
      if (await nameTaken('servers', input.name))
        errors.add('name', `a server named "${input.name}" exists already`);
      if (typeof input.hostname !== 'string' || !isHostName(input.hostname))
        errors.add('hostname', 'hostname must be a host name or an IP address, without scheme or path');
      errors.integer('port', input.port, { min: 1, max: 65535 });
      errors.integer('maxAccounts', input.maxAccounts ?? undefined, { min: 0 });
      errors.integer('maxConcurrency', input.maxConcurrency, { min: 1, max: 1000 });
      errors.text('username', input.username, { max: 255 });
      if (module.server.credential !== 'none' && !input.secret)
        errors.add('secret', `a ${module.server.credential} is required for ${module.displayName} servers`);
      if (input.tlsFingerprint && !/^([0-9A-Fa-f]{2}:?){32}$/.test(input.tlsFingerprint))
        errors.add(
          'tlsFingerprint',
          'tlsFingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)',
        );
      let settings = input.settings ?? {};
      if (module.server.settings) {
        const checked = validateSettings(module.server.settings, settings);
        if (!checked.ok) for (const e of checked.errors) errors.add(`settings.${e.field}`, e.message);
        else settings = checked.values;
      }
      errors.throwIfAny('the server was not added');
      // The module knows its usual ports and whether it normally speaks TLS.
      const secure = input.secure ?? module.server.secureByDefault ?? true;
      const port =
        input.port ?? (secure ? module.server.defaultPort.secure : module.server.defaultPort.plain);
      return serversRepo.insertServer(db, box, { ...input, secure, port, settings }, clock.now());
    },
    get: requireServer,
    list: (filter: { module?: string } = {}) => serversRepo.listServers(db, filter),
    async update(id: number, patch: Partial<serversRepo.NewServer>) {
      await requireServer(id);
      const errors = new FieldErrors();
      if (patch.hostname !== undefined && !isHostName(patch.hostname))
        errors.add('hostname', 'hostname must be a host name or an IP address');
      errors.integer('port', patch.port, { min: 1, max: 65535 });
      errors.integer('maxConcurrency', patch.maxConcurrency, { min: 1, max: 1000 });
      errors.throwIfAny('the server was not changed');
      await serversRepo.updateServer(db, box, id, patch, clock.now());
      deps.cache.servers.delete(id);
      return requireServer(id);
    },
    /** Only a server no service was ever placed on; otherwise disable it (`enabled: false`). */
    async delete(id: number) {
      await requireServer(id);
      await refuseIfReferenced(
        'server',
        id,
        'server_id',
        ': disable it instead, so no new service is placed on it',
      );
      await serversRepo.deleteServer(db, id);
      deps.cache.servers.delete(id);
    },
    testConnection: (id: number): Promise<TestConnectionResult> =>
      withServerContext(id, 'test-connection', (ctx, module) => module.testConnection(ctx)),
  };

  const serverGroups = {
    async removeServer(groupId: number, serverId: number) {
      const group = await requireGroup(groupId);
      if (!group.members.some((m) => m.serverId === serverId)) {
        throw new ProvisioningError('not-found', `server ${serverId} is not in server group ${groupId}`, {
          code: 'server_group.member_not_found',
        });
      }
      await groupsRepo.removeServerGroupMember(db, groupId, serverId);
    },
    async create(input: { name: string; fillType: groupsRepo.FillType; serverIds?: number[] }) {
      const errors = new FieldErrors();
      errors.text('name', input.name, { required: true, max: 100 });
      if (await nameTaken('server_groups', input.name))
        errors.add('name', `a server group named "${input.name}" exists already`);
      if (!groupsRepo.FILL_TYPES.includes(input.fillType))
        errors.add('fillType', `fillType must be one of ${groupsRepo.FILL_TYPES.join(', ')}`);
      for (const id of input.serverIds ?? [])
        if (!(await serversRepo.getServer(db, id))) errors.add('serverIds', `server ${id} does not exist`);
      errors.throwIfAny('the server group was not created');
      return store.write((trx) =>
        groupsRepo.insertServerGroup(
          trx,
          {
            name: input.name,
            fillType: input.fillType,
            members: (input.serverIds ?? []).map((serverId, priority) => ({ serverId, priority })),
          },
          clock.now(),
        ),
      );
    },
    get: requireGroup,
    /** Only a group no product points at. */
    async delete(id: number) {
      await requireGroup(id);
      const row = await db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('server_group_id', '=', id)
        .executeTakeFirst();
      const n = Number(row?.n ?? 0);
      if (n > 0) {
        throw new ProvisioningError(
          'conflict',
          `server group ${id} is used by ${n} product${n === 1 ? '' : 's'}: move them to another group first`,
          {
            code: 'server_group.in_use',
          },
        );
      }
      await db.deleteFrom('server_groups').where('id', '=', id).execute();
    },
    list: () => groupsRepo.listServerGroups(db),
    async addServer(groupId: number, serverId: number, priority = 0) {
      const group = await requireGroup(groupId);
      if (group.members.some((m) => m.serverId === serverId)) {
        throw new ProvisioningError('conflict', `server ${serverId} is already in server group ${groupId}`, {
          code: 'server_group.member_exists',
        });
      }
      await requireServer(serverId);
      await groupsRepo.addServerGroupMember(db, groupId, serverId, priority);
    },
  };

  function validateProductSettings(
    module: AnyModule,
    productType: string | null,
    settings: Record<string, unknown>,
  ) {
    if (module.productTypes?.length && !module.productTypes.some((t) => t.id === productType)) {
      throw new ProvisioningError(
        'invalid-input',
        `module ${module.id} sells product types ${module.productTypes.map((t) => t.id).join(', ')}: give productType`,
        {
          code: 'settings.invalid',
          details: [
            {
              field: 'productType',
              message: `productType must be one of ${module.productTypes.map((t) => t.id).join(', ')}`,
            },
          ],
        },
      );
    }
    const schema = settingsSchemaFor(module, productType)!;
    const checked = validateSettings(schema, settings);
    if (!checked.ok) {
      throw new ProvisioningError(
        'invalid-input',
        `the product settings are invalid: ${checked.errors.map((e) => e.message).join('; ')}`,
        {
          code: 'settings.invalid',
          details: checked.errors,
        },
      );
    }
    return splitSecretSettings(schema, checked.values);
  }

  function checkTemplate(errors: FieldErrors, template: string | null | undefined) {
    const problem = template ? checkWelcomeTemplate(template) : undefined;
    if (problem) errors.add('welcomeTemplate', problem);
  }

  const products = {
    async create(input: {
      name: string;
      module: string;
      productType?: string | null;
      serverGroupId?: number | null;
      settings?: Record<string, unknown>;
      configOptions?: unknown[];
      welcomeTemplate?: string | null;
    }) {
      const module = requireModule(deps, input.module);
      const errors = new FieldErrors();
      errors.text('name', input.name, { required: true, max: 200 });
      if (await nameTaken('products', input.name))
        errors.add('name', `a product named "${input.name}" exists already`);
      if (input.serverGroupId != null && !(await groupsRepo.getServerGroup(db, input.serverGroupId)))
        errors.add('serverGroupId', `server group ${input.serverGroupId} does not exist`);
      checkTemplate(errors, input.welcomeTemplate);
      errors.throwIfAny('the product was not created');
      const { plain, secret } = validateProductSettings(
        module,
        input.productType ?? null,
        input.settings ?? {},
      );
      return productsRepo.insertProduct(
        db,
        box,
        {
          name: input.name,
          module: input.module,
          productType: input.productType ?? null,
          serverGroupId: input.serverGroupId ?? null,
          plainSettings: plain,
          secretSettings: secret,
          configOptions: input.configOptions ?? [],
          welcomeTemplate: input.welcomeTemplate ?? null,
        },
        clock.now(),
      );
    },
    get: requireProduct,
    list: (filter: { module?: string } = {}) => productsRepo.listProducts(db, box, filter),
    async update(
      id: number,
      patch: {
        name?: string;
        serverGroupId?: number | null;
        settings?: Record<string, unknown>;
        welcomeTemplate?: string | null;
      },
    ) {
      const product = await requireProduct(id);
      const module = requireModule(deps, product.module);
      const errors = new FieldErrors();
      checkTemplate(errors, patch.welcomeTemplate);
      errors.throwIfAny('the product was not changed');
      const split = patch.settings
        ? validateProductSettings(module, product.productType, patch.settings)
        : undefined;
      await productsRepo.updateProduct(
        db,
        box,
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.serverGroupId !== undefined ? { serverGroupId: patch.serverGroupId } : {}),
          ...(split ? { plainSettings: split.plain, secretSettings: split.secret } : {}),
          ...(patch.welcomeTemplate !== undefined ? { welcomeTemplate: patch.welcomeTemplate } : {}),
        },
        clock.now(),
      );
      deps.cache.products.delete(id);
      return requireProduct(id);
    },
    /** Only a product that was never sold. */
    async delete(id: number) {
      await requireProduct(id);
      await refuseIfReferenced('product', id, 'product_id', ': keep it, or rename it to retire it');
      await db.deleteFrom('products').where('id', '=', id).execute();
      deps.cache.products.delete(id);
    },
    /** Runs a settings field's dynamic loader against a server (dropdown choices). */
    async loadChoices(input: {
      module: string;
      productType?: string | null;
      field: string;
      serverId: number;
      values?: Record<string, SettingValue>;
    }): Promise<SettingChoice[]> {
      const module = requireModule(deps, input.module);
      const field = settingsSchemaFor(module, input.productType ?? null)?.fields.find(
        (f) => f.name === input.field,
      );
      const loader = field?.loader ? module.loaders?.[field.loader] : undefined;
      if (!field || !loader) {
        throw new ProvisioningError(
          'invalid-input',
          `${input.field} is not a field with a loader in ${module.id}${input.productType ? ` ${input.productType}` : ''} settings`,
          { code: 'loader.not_found' },
        );
      }
      const server = await requireServer(input.serverId);
      if (server.module !== module.id)
        throw new ProvisioningError(
          'invalid-input',
          `server ${server.id} is a ${server.module} server, not ${module.id}`,
          { code: 'server.module_mismatch' },
        );
      return withServerContext(input.serverId, `loader:${input.field}`, (ctx) =>
        loader(ctx, input.values ?? {}),
      );
    },
  };

  const services = {
    async create(input: servicesRepo.NewService) {
      checkNewService(input).throwIfAny('the service was not created');
      await requireClient(input.clientId);
      const product = await requireProduct(input.productId);
      if (input.serverId != null) {
        const server = await requireServer(input.serverId);
        if (server.module !== product.module)
          throw new ProvisioningError(
            'invalid-input',
            `server ${server.id} is a ${server.module} server; product ${product.id} needs ${product.module}`,
            { code: 'server.module_mismatch' },
          );
      }
      return servicesRepo.insertService(
        db,
        box,
        { ...input, password: input.password ?? generatePassword() },
        clock.now(),
      );
    },
    get: requireService,
    list: (filter: servicesRepo.ServiceFilter = {}) => servicesRepo.listServices(db, filter),
    /** Pending → cancelled: an order withdrawn before it was provisioned; nothing remote to do. */
    async cancel(id: number) {
      await store.write(async (trx) => {
        const service = await servicesRepo.getService(trx, id);
        if (!service) throw notFound('service', id);
        const transition = checkTransition(service.status, 'cancel');
        if (!transition.allowed)
          throw new ProvisioningError('conflict', `service ${id}: ${transition.reason}`, {
            code: 'lifecycle.transition_forbidden',
          });
        const active = await opsRepo.getActiveOperationForService(trx, id);
        if (active)
          throw new ProvisioningError(
            'conflict',
            `service ${id} has operation ${active.id} in progress: cancel that first`,
            { code: 'operation.already_active' },
          );
        await servicesRepo.updateService(trx, box, id, { status: transition.next }, clock.now());
        await events.publish(trx, 'service.cancelled', { serviceId: id, clientId: service.clientId });
      });
      events.poke();
      return requireService(id);
    },
    /** The product's welcome message for this service, with merge fields filled; null without a template. */
    async welcomeMessage(id: number): Promise<string | null> {
      const service = await requireService(id);
      const product = await requireProduct(service.productId);
      if (!product.welcomeTemplate) return null;
      const client = await requireClient(service.clientId);
      return renderWelcomeMessage(product.welcomeTemplate, welcomeData({ service, client, product }));
    },
    /** Client-area or admin view from the module, read live from the backend. */
    async view(id: number, kind: 'client' | 'admin'): Promise<ViewModel> {
      const service = await requireService(id);
      const product = await requireProduct(service.productId);
      const module = requireModule(deps, product.module);
      const render = kind === 'client' ? module.clientArea : module.adminFields;
      if (!render) return { fields: [] };
      if (service.serverId === null)
        throw new ProvisioningError('invalid-input', `service ${id} has no server yet`, {
          code: 'service.no_server',
        });
      const pseudo: opsRepo.OperationRecord = { ...(await placeholderOperation(service, product.module)) };
      const loaded = await loadOperation(deps, pseudo);
      const rows: ModuleLogRow[] = [];
      const server = buildServerContext({
        module,
        server: loaded.server,
        action: `view:${kind}`,
        operationId: null,
        redactor: loaded.redactor,
        signal: AbortSignal.timeout(30_000),
        clock,
        appLogger: logger,
        writeLog: (row) => rows.push(row),
      });
      const ctx = buildActionContext({
        server,
        db,
        box,
        clock,
        operationId: 0,
        action: `view:${kind}`,
        attempt: 0,
        service: loaded.service,
        password: loaded.password,
        client: loaded.client,
        product: loaded.product,
        module,
        args: {},
        journal: opsRepo.emptyJournal(),
        persistence: null,
      });
      try {
        return await render.call(module, ctx);
      } finally {
        await logRepo.insertModuleLogRows(db, rows);
      }
    },
  };

  const operations = {
    enqueue: async (request: EnqueueRequest): Promise<EnqueueResult> => {
      const result = await enqueueOperation(deps, request);
      if (result.created) runner.poke();
      return result;
    },
    get: requireOperation,
    getByIdempotencyKey: (key: string) => opsRepo.getOperationByIdempotencyKey(db, key),
    list: (filter: opsRepo.OperationFilter = {}) => opsRepo.listOperations(db, filter),
    /** Resolves when the operation has ended, or with its current state after `timeoutMs`. */
    async waitFor(id: number, waitOptions: { timeoutMs: number }): Promise<opsRepo.OperationRecord> {
      const deadline = performance.now() + waitOptions.timeoutMs;
      for (;;) {
        const operation = await requireOperation(id);
        const left = deadline - performance.now();
        if (TERMINAL.includes(operation.status) || left <= 0) return operation;
        await new Promise<void>((resolve) => {
          const waiters = finishWaiters.get(id) ?? new Set();
          finishWaiters.set(id, waiters);
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            if (waiters.size === 0) finishWaiters.delete(id);
            resolve();
          };
          // Poll too: another node may run it, and a wait parks without "finishing".
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.add(wake);
        });
      }
    },
    /** Failed → queued again; finished steps stay finished (the journal is kept). */
    async retry(id: number) {
      await store.write(async (trx) => {
        const operation = await opsRepo.getOperation(trx, id);
        if (!operation) throw notFound('operation', id);
        if (operation.status !== 'failed')
          throw new ProvisioningError(
            'conflict',
            `operation ${id} is ${operation.status}; only failed operations can be retried`,
            { code: 'operation.not_failed' },
          );
        const service = await servicesRepo.getService(trx, operation.serviceId);
        const transition = service && checkTransition(service.status, lifecycleActionOf(operation.action));
        if (!transition?.allowed)
          throw new ProvisioningError(
            'conflict',
            `operation ${id} can no longer run: ${transition?.reason ?? 'its service is gone'}`,
            { code: 'lifecycle.transition_forbidden' },
          );
        const active = await opsRepo.getActiveOperationForService(trx, operation.serviceId);
        if (active)
          throw new ProvisioningError(
            'conflict',
            `service ${operation.serviceId} has operation ${active.id} in progress`,
            { code: 'operation.already_active' },
          );
        const journal = {
          ...operation.journal,
          lookupFirst: operation.errorKind === 'unknown-outcome' || operation.journal.lookupFirst === true,
        };
        await opsRepo.updateOperation(trx, id, {
          status: 'queued',
          attempts: 0,
          run_at: clock.now(),
          finished_at: null,
          resolved_at: null,
          resolution: null,
          journal: opsRepo.journalJson(journal),
          updated_at: clock.now(),
        });
      });
      runner.poke();
      return requireOperation(id);
    },
    /** Takes a failure off the failed-actions queue; `markSucceeded` applies its effect as if it had worked. */
    async resolve(id: number, input: { markSucceeded?: boolean; note?: string } = {}) {
      await store.write(async (trx) => {
        const operation = await opsRepo.getOperation(trx, id);
        if (!operation) throw notFound('operation', id);
        if (operation.status !== 'failed' || operation.resolvedAt !== null)
          throw new ProvisioningError('conflict', `operation ${id} is not an unresolved failure`, {
            code: 'operation.not_failed',
          });
        const now = clock.now();
        const resolution = input.markSucceeded
          ? `marked succeeded${input.note ? `: ${input.note}` : ''}`
          : input.note || 'resolved';
        await opsRepo.updateOperation(trx, id, {
          resolved_at: now,
          resolution,
          updated_at: now,
          ...(input.markSucceeded ? { status: 'succeeded' } : {}),
        });
        if (input.markSucceeded) await applyOperationSuccess(deps, trx, operation);
      });
      events.poke();
      return requireOperation(id);
    },
    /** Queued or waiting → cancelled. A running action cannot be cancelled halfway. */
    async cancel(id: number) {
      const now = clock.now();
      const result = await db
        .updateTable('operations')
        .set({
          status: 'cancelled',
          finished_at: now,
          updated_at: now,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'waiting'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        const operation = await requireOperation(id);
        throw new ProvisioningError(
          'conflict',
          `operation ${id} is ${operation.status}; only queued or waiting operations can be cancelled`,
          { code: 'operation.not_cancellable' },
        );
      }
      return requireOperation(id);
    },
  };

  async function placeholderOperation(
    service: servicesRepo.ServiceRecord,
    module: string,
  ): Promise<opsRepo.OperationRecord> {
    const now = clock.now();
    return {
      id: 0,
      serviceId: service.id,
      serverId: service.serverId,
      module,
      action: 'view',
      args: {},
      hasSecretArgs: false,
      status: 'succeeded',
      claimedFrom: null,
      attempts: 0,
      maxAttempts: 0,
      runAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
      idempotencyKey: null,
      requestHash: null,
      journal: opsRepo.emptyJournal(),
      progressMessage: null,
      progressFraction: null,
      errorKind: null,
      errorCode: null,
      errorMessage: null,
      resolvedAt: null,
      resolution: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    };
  }

  const orders = {
    /** Client, services, their create operations and `order.accepted`, in one transaction. */
    async accept(order: OrderInput) {
      const accepted = await acceptOrder(deps, order, generatePassword);
      if (accepted.created) {
        runner.poke();
        events.poke();
      }
      return accepted;
    },
  };

  const engine = {
    deps,
    orders,
    store,
    clock,
    logger,
    modules,
    runner,
    events: {
      subscribe: (name: string, handler: EventHandler, opts: { types?: readonly string[] } = {}) =>
        events.subscribe(name, handler, opts),
      deliverPending: () => events.deliverPending(),
      list: (filter: { type?: string; afterId?: number; limit?: number } = {}) => listEvents(db, filter),
      bus: events,
    },
    clients,
    servers,
    serverGroups,
    products,
    services,
    operations,
    moduleLog: {
      query: (filter: logRepo.ModuleLogFilter = {}) => logRepo.queryModuleLog(db, filter),
      forOperation: (operationId: number) => logRepo.moduleLogForOperation(db, operationId),
    },
    usage: {
      sync: (opts: UsageSyncOptions = {}): Promise<ServerUsageResult[]> => syncUsage(deps, opts),
    },
    /** Enqueue and wait for the end: what a caller that needs an answer does. */
    async run(
      serviceId: number,
      action: string,
      opts: {
        args?: Record<string, unknown>;
        secretArgs?: Record<string, unknown>;
        idempotencyKey?: string;
        timeoutMs?: number;
      } = {},
    ) {
      const { operation } = await operations.enqueue({ serviceId, action, ...opts });
      return operations.waitFor(operation.id, { timeoutMs: opts.timeoutMs ?? 60_000 });
    },
    start() {
      if (options.eventTriggers !== false && !unsubscribeTriggers)
        unsubscribeTriggers = registerEventTriggers(engine);
      runner.start();
      events.start();
      if (options.usageIntervalMs) {
        usageTimer = setInterval(() => {
          syncUsage(deps).catch((error) =>
            logger.error({ err: (error as Error).message }, 'scheduled usage sync failed'),
          );
        }, options.usageIntervalMs);
        usageTimer.unref();
      }
    },
    /** Graceful: running actions finish (or are released after the grace period). */
    async stop() {
      if (usageTimer) clearInterval(usageTimer);
      usageTimer = null;
      await runner.stop();
      await events.stop();
      await Promise.all([...modules.values()].map((module) => module.close?.()));
    },
  };
  return engine;
}

/** 20 characters from an alphabet without look-alikes (about 116 bits), uniform by randomInt. */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}
