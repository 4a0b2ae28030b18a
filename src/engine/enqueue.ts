import { fail } from '../core/error-catalogue.js';
import type { ProvisioningError } from '../core/errors.js';
import { checkTransition, isLifecycleAction, statusesAllowing } from '../core/lifecycle.js';
import type { AnyModule } from '../modules/contract.js';
import type { Db } from '../store/database.js';
import {
  getActiveOperationForService,
  getOperationByIdempotencyKey,
  insertOperation,
  insertOperationOnService,
  type OperationRecord,
} from '../store/repositories/operations.js';
import { getProduct, type ProductRecord } from '../store/repositories/products.js';
import { getService } from '../store/repositories/services.js';
import { argumentErrors, checkArgumentsShape } from './action-arguments.js';
import {
  customActionKey,
  customActionName,
  customActionOf,
  handlerOf,
  type RepairOperation,
  repairActionKey,
} from './action-handlers.js';
import type { EngineDeps } from './deps.js';
import { requireModule } from './operation-loader.js';
import { lifecycleActionOf } from './outcomes.js';
import { placeService } from './server-choice.js';

export interface EnqueueRequest {
  serviceId: number;
  /** A lifecycle action, or `custom` with `args.name`, or `custom:<name>`. */
  action: string;
  args?: Record<string, unknown>;
  /** Stored sealed: a new password. */
  secretArgs?: Record<string, unknown>;
  /** Same key + same request → the same operation; same key + another request → conflict. */
  idempotencyKey?: string;
  maxAttempts?: number;
  /** Earliest start (default now). */
  runAt?: number;
}

export interface EnqueueResult {
  operation: OperationRecord;
  created: boolean;
}

const CUSTOM_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function normaliseAction(action: string, args: Record<string, unknown>): string {
  if (action === 'custom') {
    const name = args.name;
    if (typeof name !== 'string' || !CUSTOM_NAME.test(name)) {
      throw fail('action.invalid', 'a custom action needs args.name: lowercase letters, digits and hyphens');
    }
    return customActionKey(name);
  }
  const custom = customActionName(action);
  if (custom !== null && CUSTOM_NAME.test(custom)) return action;
  if (
    custom === null &&
    isLifecycleAction(action) &&
    action !== 'cancel' &&
    action !== 'custom' &&
    action !== 'repair'
  )
    return action;
  throw fail(
    'action.invalid',
    `unknown action "${action}": use create, suspend, unsuspend, terminate, change-package, change-password, adopt or custom`,
  );
}

function requestFingerprint(deps: EngineDeps, request: EnqueueRequest, action: string): string {
  checkArgumentsShape(request.args ?? {});
  return deps.box.mac(
    JSON.stringify([request.serviceId, action, request.args ?? {}, request.secretArgs ?? {}]),
  );
}

function checkModuleSupports(module: AnyModule, action: string): void {
  if (handlerOf(module, action)) return;
  const custom = customActionName(action);
  if (custom !== null) {
    const known = Object.keys(module.actions ?? {});
    throw fail(
      'action.unsupported',
      `module ${module.id} has no action "${custom}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
    );
  }
  throw fail('action.unsupported', `module ${module.id} does not support ${action}`);
}

function isUniqueViolation(error: unknown, what: string): boolean {
  const text = `${(error as { message?: string })?.message ?? ''} ${(error as { constraint?: string })?.constraint ?? ''}`;
  return /unique|duplicate key/i.test(text) && text.includes(what);
}

/**
 * Enqueue in one transaction with the lifecycle check, the one-active-operation rule and
 * placement, so a refused request changes nothing and an accepted one is durable at once.
 */
/** Enqueue inside the caller's transaction (an order writes its services and operations at once). */
export function enqueueWithin(deps: EngineDeps, trx: Db, request: EnqueueRequest): Promise<EnqueueResult> {
  const args = request.args ?? {};
  const action = normaliseAction(request.action, args);
  return enqueueInTransaction(deps, trx, request, action, args, requestFingerprint(deps, request, action), {
    askActive: true,
  });
}

function alreadyActive(serviceId: number, active: OperationRecord) {
  return fail(
    'operation.already_active',
    `service ${serviceId} already has operation ${active.id} (${active.action}, ${active.status}): wait for it, or cancel it if it is queued or waiting`,
    { details: { operationId: active.id } },
  );
}

export async function enqueueOperation(deps: EngineDeps, request: EnqueueRequest): Promise<EnqueueResult> {
  const args = request.args ?? {};
  return enqueueNormalised(deps, request, normaliseAction(request.action, args));
}

/**
 * A reconcile repair (`repair:<name>`, see action-handlers.ts): the same durable path as any
 * action, but never reachable through the public action names, so only a finding's repair queues one.
 */
export function enqueueRepairOperation(
  deps: EngineDeps,
  request: Omit<EnqueueRequest, 'action'> & { repair: RepairOperation },
): Promise<EnqueueResult> {
  const { repair, ...rest } = request;
  const action = repairActionKey(repair);
  return enqueueNormalised(deps, { ...rest, action }, action);
}

async function enqueueNormalised(
  deps: EngineDeps,
  request: EnqueueRequest,
  action: string,
): Promise<EnqueueResult> {
  const args = request.args ?? {};
  const fingerprint = requestFingerprint(deps, request, action);
  try {
    const queued = await enqueueAtOnce(deps, request, action, args, fingerprint);
    if (queued) return { operation: queued, created: true };
    return await deps.store.write((trx) =>
      enqueueInTransaction(deps, trx, request, action, args, fingerprint),
    );
  } catch (error) {
    // Two requests raced past the checks, or the one-statement enqueue met an operation already
    // there: the database's unique indexes decided. With a key, the key's own operation (a
    // replay) comes before the one-active rule.
    const onOperations = isUniqueViolation(error, 'operations');
    if (request.idempotencyKey && onOperations) {
      return deps.store.write((trx) =>
        enqueueInTransaction(deps, trx, request, action, args, fingerprint, { askActive: true }),
      );
    }
    // The one-active-operation rule is the database's unique index: no query asks first.
    if (onOperations) {
      const active = await getActiveOperationForService(deps.store.db, request.serviceId);
      if (active) throw alreadyActive(request.serviceId, active);
      throw fail(
        'operation.already_active',
        `service ${request.serviceId} already has an operation in progress: wait for it to finish`,
      );
    }
    throw error;
  }
}

/**
 * The common request (a lifecycle action on a placed service) in one statement, which reads the
 * service and its product itself and queues the operation only if the service's status allows the
 * action and its product's module has it: one statement instead of four (BEGIN, read, insert, COMMIT). Undefined when that
 * statement cannot decide (a custom action's arguments, a move to another product, a service
 * without a server yet, arguments the plain checks refuse) or it queued nothing: the full checks
 * in enqueueInTransaction then run and say why, with the same errors in the same order.
 */
async function enqueueAtOnce(
  deps: EngineDeps,
  request: EnqueueRequest,
  action: string,
  args: Record<string, unknown>,
  fingerprint: string,
): Promise<OperationRecord | undefined> {
  if (!isLifecycleAction(action) || (action === 'change-package' && args.productId !== undefined))
    return undefined;
  if (plainArgumentsProblem(action, args, request.secretArgs ?? {})) return undefined;
  const condition = { statuses: statusesAllowing(action), modules: modulesWith(deps, action) };
  return deps.store.writeStatement((db) => {
    const now = deps.clock.now();
    return insertOperationOnService(
      db,
      deps.box,
      { serviceId: request.serviceId, ...operationFields(deps, request, action, args, fingerprint, now) },
      condition,
      now,
    );
  });
}

/** What a queued operation takes from its request, whichever way it is queued. */
function operationFields(
  deps: EngineDeps,
  request: EnqueueRequest,
  action: string,
  args: Record<string, unknown>,
  fingerprint: string,
  now: number,
) {
  return {
    action,
    args,
    secretArgs: request.secretArgs,
    maxAttempts: request.maxAttempts ?? deps.defaultMaxAttempts,
    runAt: request.runAt ?? now,
    idempotencyKey: request.idempotencyKey,
    requestHash: fingerprint,
  };
}

/** The installed modules that have `action`. */
function modulesWith(deps: EngineDeps, action: string): string[] {
  return [...deps.modules.values()].filter((module) => handlerOf(module, action)).map((module) => module.id);
}

async function enqueueInTransaction(
  deps: EngineDeps,
  trx: Db,
  request: EnqueueRequest,
  action: string,
  args: Record<string, unknown>,
  fingerprint: string,
  // Inside a caller's transaction (an order) a unique violation would abort it on PostgreSQL, so
  // ask first; on its own, the index answers and a refused enqueue looks the active one up.
  options: { askActive: boolean } = { askActive: false },
): Promise<EnqueueResult> {
  if (request.idempotencyKey) {
    const existing = await getOperationByIdempotencyKey(trx, request.idempotencyKey);
    if (existing) {
      if (existing.requestHash === fingerprint) return { operation: existing, created: false };
      throw fail(
        'idempotency.key_reused',
        'this Idempotency-Key was already used for a different request: use a new key for a new request',
      );
    }
  }
  const service = await getService(trx, request.serviceId);
  if (!service) throw fail('service.not_found', `service ${request.serviceId} does not exist`);
  const transition = checkTransition(service.status, lifecycleActionOf(action));
  if (!transition.allowed) {
    throw fail('lifecycle.transition_forbidden', `service ${service.id}: ${transition.reason}`);
  }
  const active = options.askActive ? await getActiveOperationForService(trx, service.id) : undefined;
  if (active) throw alreadyActive(service.id, active);
  const product = await deps.cache.products.get(service.productId, () =>
    getProduct(trx, deps.box, service.productId),
  );
  if (!product) throw fail('product.not_found', `product ${service.productId} does not exist`);
  const module = requireModule(deps, product.module);
  checkModuleSupports(module, action);
  await checkActionArguments(deps, trx, {
    action,
    args,
    secretArgs: request.secretArgs ?? {},
    module,
    product,
  });

  const placesService = action === 'create' || action === 'adopt';
  const serverId = service.serverId ?? (placesService ? await placeService(deps, trx, service) : null);
  if (serverId === null) {
    throw fail('service.no_server', `service ${service.id} has no server; it gets one when it is created`);
  }
  const now = deps.clock.now();
  const operation = await insertOperation(
    trx,
    deps.box,
    {
      serviceId: service.id,
      serverId,
      module: product.module,
      ...operationFields(deps, request, action, args, fingerprint, now),
    },
    now,
  );
  return { operation, created: true };
}

interface ActionRequestParts {
  action: string;
  args: Record<string, unknown>;
  secretArgs: Record<string, unknown>;
  module: AnyModule;
  /** The service's current product. */
  product: ProductRecord;
}

/** Checks what an action is given, before anything is queued. */
async function checkActionArguments(deps: EngineDeps, trx: Db, parts: ActionRequestParts): Promise<void> {
  const { action, args, secretArgs, module, product } = parts;
  const custom = customActionName(action);
  if (custom !== null) {
    const { name: _name, ...given } = args;
    const errors = argumentErrors(customActionOf(module, custom)!, given);
    if (errors.length) {
      throw fail('action.args_invalid', `${custom}: ${errors.map((e) => e.message).join('; ')}`, {
        details: errors,
      });
    }
  }
  const problem = plainArgumentsProblem(action, args, secretArgs);
  if (problem) throw problem;
  if (action === 'change-package' && args.productId !== undefined) {
    if (typeof args.productId !== 'number') {
      throw fail('product.invalid', 'change-package: productId must be a number');
    }
    const next = await getProduct(trx, deps.box, args.productId);
    if (!next) throw fail('product.not_found', `product ${args.productId} does not exist`);
    if (next.module !== product.module) {
      throw fail(
        'product.module_mismatch',
        `product ${next.id} belongs to module ${next.module}, not ${product.module}: a package change stays within one module`,
      );
    }
    if (!packageMoveAllowed(module, product.productType, next.productType)) {
      throw fail(
        'product.type_mismatch',
        `product ${next.id} is a ${next.productType ?? 'plain'} product and this service is a ${product.productType ?? 'plain'} one: ` +
          `a package change stays within one product type (module ${module.id} declares no safe move between them); ` +
          'terminate this service and order the other product instead',
      );
    }
  }
}

/** What is wrong with an action's arguments on their own, before any module or product is known. */
function plainArgumentsProblem(
  action: string,
  args: Record<string, unknown>,
  secretArgs: Record<string, unknown>,
): ProvisioningError | null {
  if (action === 'adopt' && args.confirm !== true) {
    return fail(
      'action.args_invalid',
      'adopt takes over a backend object provisio did not create: confirm it with {"confirm": true} (CLI: --yes)',
      { details: [{ field: 'confirm', message: 'confirm must be true' }] },
    );
  }
  if (action === 'change-password') {
    const password = secretArgs.password;
    if (typeof password !== 'string' || password.length === 0) {
      return fail('password.missing', 'change-password needs the new password');
    }
    if (/[\r\n\0]/.test(password)) {
      return fail('password.invalid', 'the new password must not contain line breaks or NUL characters');
    }
  }
  return null;
}

/** Same product type, or a move the module declares safe. */
export function packageMoveAllowed(module: AnyModule, from: string | null, to: string | null): boolean {
  if (from === to) return true;
  return (module.packageMoves ?? []).some((move) => move.from === from && move.to === to);
}
