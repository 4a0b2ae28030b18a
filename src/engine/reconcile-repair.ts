import { fail } from '../core/error-catalogue.js';
import { toProvisioningError } from '../core/errors.js';
import { type FindingKind, MAX_FINDINGS_PAGE } from '../core/findings.js';
import type { ServiceStatus } from '../core/lifecycle.js';
import type { OperationRecord } from '../store/repositories/operations.js';
import {
  type FindingRecord,
  getFinding,
  listFindings,
  recordRepair,
} from '../store/repositories/reconcile.js';
import { getService } from '../store/repositories/services.js';
import type { RepairOperation } from './action-handlers.js';
import type { Actor, AuditApi } from './audit-api.js';
import type { EngineDeps } from './deps.js';
import { enqueueOperation, enqueueRepairOperation } from './enqueue.js';
import { type RepairAction, repairsFor } from './reconcile-classify.js';

/**
 * An operator's repair of a finding. Every repair but `ignore` is an ordinary durable operation
 * on the finding's service, queued through the same enqueue as any action (journaled, retried,
 * logged, one active operation per service, the ownership lookup first); the finding records the
 * operation and stays open until a later reconcile no longer sees the difference.
 */

/** The billing status a repair is right for: the difference was seen against it. */
const STATUS_FOR: Record<Exclude<RepairAction, 'ignore'>, readonly ServiceStatus[]> = {
  recreate: ['active', 'suspended'],
  're-suspend': ['suspended'],
  unsuspend: ['active'],
  'reapply-package': ['active', 'suspended'],
  adopt: ['active', 'suspended'],
  release: ['terminated', 'cancelled'],
};

export interface RepairResult {
  finding: FindingRecord;
  action: RepairAction;
  operation: OperationRecord | null;
}

export interface RepairDeps {
  deps: EngineDeps;
  audit: AuditApi;
  poke(): void;
}

function refuseUnfit(finding: FindingRecord, action: RepairAction): void {
  const fitting = repairsFor(finding.kind, finding.details);
  if (!fitting.includes(action)) {
    throw fail(
      'reconcile.repair_invalid',
      `finding ${finding.id} (${finding.kind} of ${finding.remoteKind} ${finding.remoteKey}) cannot be repaired with "${action}": choose ${fitting.join(' or ')}`,
    );
  }
}

async function queueRepair(
  deps: EngineDeps,
  finding: FindingRecord,
  action: Exclude<RepairAction, 'ignore'>,
): Promise<OperationRecord> {
  const serviceId = finding.serviceId!;
  const service = await getService(deps.store.db, serviceId);
  if (!service || service.serverId !== finding.serverId || !STATUS_FOR[action].includes(service.status)) {
    throw fail(
      'reconcile.service_changed',
      `finding ${finding.id}: service ${serviceId} is ${service ? `${service.status}${service.serverId === finding.serverId ? '' : ` on server ${service.serverId}`}` : 'gone'} now, ` +
        `so "${action}" no longer fits: run reconcile on server ${finding.serverId} again and repair what it finds`,
    );
  }
  // One operation per finding, pass and repair: asking twice answers the same operation.
  const idempotencyKey = `reconcile:${finding.id}:${finding.runId}:${action}`;
  const { operation } =
    action === 'adopt'
      ? await enqueueOperation(deps, { serviceId, action: 'adopt', args: { confirm: true }, idempotencyKey })
      : await enqueueRepairOperation(deps, {
          serviceId,
          repair: action satisfies RepairOperation,
          args: { findingId: finding.id },
          idempotencyKey,
        });
  return operation;
}

export async function repairFinding(
  parts: RepairDeps,
  findingId: number,
  action: RepairAction,
  actor: Actor,
): Promise<RepairResult> {
  const { deps, audit } = parts;
  const finding = await getFinding(deps.store.db, findingId);
  if (!finding) throw fail('reconcile_finding.not_found', `reconcile finding ${findingId} does not exist`);
  if (finding.closedAt !== null) {
    throw fail(
      'reconcile.finding_closed',
      `finding ${finding.id} was closed: the reconcile of run ${finding.runId} or later no longer saw this difference`,
    );
  }
  refuseUnfit(finding, action);
  const operation = action === 'ignore' ? null : await queueRepair(deps, finding, action);
  const now = deps.clock.now();
  const updated = (await recordRepair(
    deps.store.db,
    finding.id,
    { action, operationId: operation?.id ?? null, status: action === 'ignore' ? 'ignored' : 'open' },
    now,
  ))!;
  await audit.record(
    actor,
    'reconcile.repair',
    { type: 'reconcile_finding', id: finding.id },
    {
      action,
      kind: finding.kind,
      serverId: finding.serverId,
      serviceId: finding.serviceId,
      ...(operation ? { operationId: operation.id } : {}),
    },
  );
  if (operation) parts.poke();
  return { finding: updated, action, operation };
}

export interface BulkRepairRequest {
  /** These findings; otherwise every open finding matching the filters below. */
  ids?: readonly number[];
  serverId?: number;
  kind?: FindingKind;
  /** One repair for all, or each finding's proposed one (default). */
  action?: RepairAction | 'proposed';
}

export interface BulkRepairItem {
  findingId: number;
  action: string;
  operationId: number | null;
  error?: { code: string; message: string };
}

/**
 * Repairs many findings, each as `repairFinding` would, and reports each one's outcome: one that
 * does not fit or whose service changed is reported and the others go on. At most one page.
 */
export async function repairFindings(
  parts: RepairDeps,
  request: BulkRepairRequest,
  actor: Actor,
): Promise<BulkRepairItem[]> {
  const findings = await listFindings(parts.deps.store.db, {
    ...(request.ids ? { ids: request.ids } : { status: 'open' }),
    ...(request.serverId !== undefined ? { serverId: request.serverId } : {}),
    ...(request.kind !== undefined ? { kind: request.kind } : {}),
    limit: MAX_FINDINGS_PAGE,
  });
  const items: BulkRepairItem[] = [];
  const known = new Set(findings.map((f) => f.id));
  for (const id of request.ids ?? []) {
    if (!known.has(id)) {
      const missing = fail(
        'reconcile_finding.not_found',
        `reconcile finding ${id} does not exist or is closed`,
      );
      items.push({
        findingId: id,
        action: request.action ?? 'proposed',
        operationId: null,
        error: { code: missing.code, message: missing.message },
      });
    }
  }
  for (const finding of findings) {
    const action =
      !request.action || request.action === 'proposed'
        ? (finding.proposedAction as RepairAction)
        : request.action;
    try {
      const result = await repairFinding(parts, finding.id, action, actor);
      items.push({ findingId: finding.id, action, operationId: result.operation?.id ?? null });
    } catch (error) {
      const failure = toProvisioningError(error);
      items.push({
        findingId: finding.id,
        action,
        operationId: null,
        error: { code: failure.code, message: failure.message },
      });
    }
  }
  return items.sort((a, b) => a.findingId - b.findingId);
}
