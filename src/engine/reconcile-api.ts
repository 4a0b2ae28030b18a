import { fail } from '../core/error-catalogue.js';
import * as reconcileRepo from '../store/repositories/reconcile.js';
import { type Actor, ENGINE_ACTOR } from './audit-api.js';
import { type ReconcileOptions, reconcile, type ServerReconcileResult } from './reconcile.js';
import { type RepairAction, repairsFor } from './reconcile-classify.js';
import { type BulkRepairRequest, repairFinding, repairFindings } from './reconcile-repair.js';
import type { EngineScope } from './scope.js';

/** A finding as entry points show it: the stored record and the repairs an operator may choose. */
export type FindingView = reconcileRepo.FindingRecord & { repairs: RepairAction[] };

export function findingView(finding: reconcileRepo.FindingRecord): FindingView {
  return { ...finding, repairs: repairsFor(finding.kind, finding.details) };
}

export interface ReconcileRunView {
  serverId: number;
  serverName: string;
  runId: number;
  status: string;
  objectsSeen: number;
  servicesSeen: number;
  pages: number;
  requests: number;
  findingsOpen: number;
  findingsNew: number;
  findingsClosed: number;
  error: string | null;
  findings: FindingView[];
}

function runView(result: ServerReconcileResult): ReconcileRunView {
  const { run } = result;
  return {
    serverId: result.serverId,
    serverName: result.serverName,
    runId: run.id,
    status: run.status,
    objectsSeen: run.objectsSeen,
    servicesSeen: run.servicesSeen,
    pages: run.pages,
    requests: result.requests,
    findingsOpen: run.findingsOpen,
    findingsNew: run.findingsNew,
    findingsClosed: run.findingsClosed,
    error: run.error,
    findings: result.findings.map(findingView),
  };
}

export function createReconcileApi(scope: EngineScope) {
  const { deps, db, audit, runner } = scope;
  const repairDeps = { deps, audit, poke: () => runner.poke() };
  let scheduled: Promise<unknown> | null = null;

  return {
    /** One pass over every reconcilable server (or one): findings stored, nothing repaired. */
    async run(options: Omit<ReconcileOptions, 'onServerDone'> = {}): Promise<ReconcileRunView[]> {
      return (await reconcile(deps, options)).map(runView);
    },
    /** The timer's pass; skipped while the previous one still runs (a slow backend never piles up). */
    async runScheduled(): Promise<void> {
      if (scheduled) return;
      scheduled = reconcile(deps, { trigger: 'schedule' }).finally(() => {
        scheduled = null;
      });
      await scheduled;
    },
    /** Resolves when no scheduled pass runs (engine stop waits for it). */
    async idle(): Promise<void> {
      await scheduled?.catch(() => undefined);
    },
    async findings(filter: reconcileRepo.FindingFilter = {}): Promise<FindingView[]> {
      return (await reconcileRepo.listFindings(db, filter)).map(findingView);
    },
    async finding(id: number): Promise<FindingView> {
      const found = await reconcileRepo.getFinding(db, id);
      if (!found) throw fail('reconcile_finding.not_found', `reconcile finding ${id} does not exist`);
      return findingView(found);
    },
    runs: (filter: { serverId?: number; limit?: number } = {}) => reconcileRepo.listRuns(db, filter),
    /** An operator's repair of one finding (audited); `ignore` queues nothing. */
    async repair(id: number, action: RepairAction, actor: Actor = ENGINE_ACTOR) {
      const result = await repairFinding(repairDeps, id, action, actor);
      return { finding: findingView(result.finding), action: result.action, operation: result.operation };
    },
    /** Many findings at once, each as `repair` would; each one's outcome is reported. */
    repairMany: (request: BulkRepairRequest, actor: Actor = ENGINE_ACTOR) =>
      repairFindings(repairDeps, request, actor),
    /** Open findings per server and kind (metrics). */
    countOpen: () => reconcileRepo.countOpenFindingsByServer(db),
  };
}

export type ReconcileApi = ReturnType<typeof createReconcileApi>;
