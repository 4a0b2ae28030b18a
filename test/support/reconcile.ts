import { expect } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { FindingView, ReconcileRunView } from '../../src/engine/reconcile-api.js';
import type { RepairAction } from '../../src/engine/reconcile-classify.js';
import { insertService, updateService } from '../../src/store/repositories/services.js';

/**
 * Helpers of the engine-level reconcile tests (test/engine/reconcile.*.test.ts): each seeds an
 * emulator with every kind of drift through its control routes, runs the engine's reconcile over
 * real sockets, asserts the findings, repairs them through the engine and reconciles again.
 */

/** `kind remoteKey #serviceId → proposed`, sorted: one line per open or ignored finding. */
export function summarise(findings: readonly FindingView[]): string[] {
  return findings
    .map(
      (f) =>
        `${f.kind} ${f.remoteKind} ${f.remoteKey}${f.serviceId === null ? '' : ` #${f.serviceId}`} → ${f.proposedAction}${f.status === 'ignored' ? ' (ignored)' : ''}`,
    )
    .sort();
}

/** One reconcile of one server through the engine; the run must succeed. */
export async function reconcileServer(engine: Engine, serverId: number): Promise<ReconcileRunView> {
  const [run] = await engine.reconcile.run({ serverId, trigger: 'test' });
  expect(run?.error, 'the listing should succeed').toBeNull();
  expect(run?.status).toBe('succeeded');
  return run!;
}

/** POSTs a control route of an emulator, as another process would; 2xx expected. */
export async function control(baseUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Repairs every finding with its proposed repair (or `choose`'s) and waits for each operation to
 * end; every repair operation must succeed. Returns the operations' actions, sorted.
 */
export async function repairAll(
  engine: Engine,
  findings: readonly FindingView[],
  choose: (finding: FindingView) => RepairAction = (f) => f.proposedAction as RepairAction,
): Promise<string[]> {
  const actions: string[] = [];
  for (const finding of findings) {
    const { operation } = await engine.reconcile.repair(finding.id, choose(finding), {
      name: 'test-operator',
      tokenId: null,
    });
    if (!operation) continue;
    const done = await engine.operations.waitFor(operation.id, { timeoutMs: 60_000 });
    expect(done.status, `${done.action} for finding ${finding.id}: ${done.errorMessage}`).toBe('succeeded');
    actions.push(done.action);
  }
  return actions.sort();
}

/**
 * A service written straight into the store, placed on a server with a status and remote ids:
 * what the WHMCS bridge registers for a service the vendor's module made, or billing's word
 * that a service ended while its backend object stayed.
 */
export async function placeServiceInStore(
  engine: Engine,
  input: {
    clientId: number;
    productId: number;
    serverId: number;
    status: 'active' | 'suspended' | 'terminated';
    remoteIds?: Record<string, string>;
    domain?: string;
    username?: string;
  },
): Promise<number> {
  const now = engine.clock.now();
  return engine.store.write(async (trx) => {
    const service = await insertService(
      trx,
      engine.deps.box,
      {
        clientId: input.clientId,
        productId: input.productId,
        serverId: input.serverId,
        ...(input.domain ? { domain: input.domain } : {}),
        ...(input.username ? { username: input.username } : {}),
      },
      now,
    );
    await updateService(
      trx,
      engine.deps.box,
      service.id,
      { status: input.status, ...(input.remoteIds ? { remoteIds: input.remoteIds } : {}) },
      now,
    );
    return service.id;
  });
}

/** Billing's status of an existing service changed behind the backend's back. */
export async function setStatusInStore(
  engine: Engine,
  serviceId: number,
  status: 'active' | 'suspended' | 'terminated',
): Promise<void> {
  await engine.store.write((trx) =>
    updateService(trx, engine.deps.box, serviceId, { status }, engine.clock.now()),
  );
}
