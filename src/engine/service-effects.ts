import { checkTransition } from '../core/lifecycle.js';
import type { RemoteState } from '../modules/contract.js';
import type { Db } from '../store/database.js';
import { getSecretArgs, type OperationRecord } from '../store/repositories/operations.js';
import { getService, type ServiceFieldsPatch, updateService } from '../store/repositories/services.js';
import type { EngineDeps } from './deps.js';
import type { LoadedOperation } from './operation-loader.js';
import { eventOfAction, lifecycleActionOf, statusAfterAdopt } from './outcomes.js';

/** What a success changes on its service, and the event that says so. */
export interface SuccessEffects {
  serviceId: number;
  patch: ServiceFieldsPatch;
  event: { type: string; payload: Record<string, unknown> };
}

/**
 * The service side of a success: status transition, new password or product, adopted remote ids,
 * event. Shared by the runner (which writes it with the operation's completion, run-end.ts) and by
 * an operator's "resolve as succeeded" (applyOperationSuccess). Undefined when the service is gone.
 */
export async function successEffects(
  deps: EngineDeps,
  trx: Db,
  operation: OperationRecord,
  options: {
    adopted?: Readonly<Record<string, string>> | undefined;
    /** Adopt: the backend object's state, which a pending service takes. */
    remoteStatus?: RemoteState['status'] | undefined;
    known?: LoadedOperation | undefined;
  } = {},
): Promise<SuccessEffects | undefined> {
  const { adopted, known } = options;
  // While an operation is active nothing else changes its service's status (one active operation
  // per service), so the runner's copy from the start of the run is good unless ids are adopted.
  const service = known && !adopted ? known.service : await getService(trx, operation.serviceId);
  if (!service) return undefined;
  const transition = checkTransition(service.status, lifecycleActionOf(operation.action));
  const next =
    transition.allowed &&
    operation.action === 'adopt' &&
    service.status !== 'terminated' &&
    service.status !== 'cancelled'
      ? statusAfterAdopt(service.status, options.remoteStatus)
      : transition.allowed
        ? transition.next
        : undefined;
  const secretArgs = known
    ? known.secretArgs
    : operation.hasSecretArgs
      ? await getSecretArgs(trx, deps.box, operation.id)
      : {};
  return {
    serviceId: service.id,
    patch: {
      ...(next ? { status: next } : {}),
      ...(typeof secretArgs.password === 'string' ? { password: secretArgs.password } : {}),
      ...(typeof operation.args.productId === 'number' ? { productId: operation.args.productId } : {}),
      ...(adopted ? { remoteIds: { ...service.remoteIds, ...adopted } } : {}),
      ...(operation.action === 'suspend'
        ? { suspendReason: typeof operation.args.reason === 'string' ? operation.args.reason : null }
        : {}),
      ...(operation.action === 'unsuspend' ? { suspendReason: null } : {}),
    },
    event: {
      type: eventOfAction(operation.action),
      payload: {
        serviceId: service.id,
        clientId: service.clientId,
        operationId: operation.id,
        action: operation.action,
      },
    },
  };
}

/** Writes a success's effects on its service (an operator's "resolve as succeeded"). */
export async function applyOperationSuccess(
  deps: EngineDeps,
  trx: Db,
  operation: OperationRecord,
): Promise<void> {
  const effects = await successEffects(deps, trx, operation);
  if (!effects) return;
  await updateService(trx, deps.box, effects.serviceId, effects.patch, deps.clock.now());
  await deps.events.publish(trx, effects.event.type, effects.event.payload);
}
