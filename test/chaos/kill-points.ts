import type { ChildProcess } from 'node:child_process';
import type { ControlledEmulator } from '../../src/emulators/index.js';
import type { LoggedRequest } from '../../src/emulators/kit/request-log.js';
import type { OperationRecord } from '../../src/store/repositories/operations.js';
import { waitUntil } from '../support/wait-until.js';
import {
  effectKey,
  isMutating,
  killEngine,
  type ModuleId,
  PRODUCTS,
  type ProductKey,
  type World,
} from './world.js';

/**
 * The kill matrix of issue 17: for one multi-step action, kill the engine process at every
 * state-changing request, in two modes, restart it on the same database and check the backend
 * saw every effect exactly once.
 *
 * - `answered`: the n-th state-changing request is carried out and answered; the engine is killed
 *   when it sends its next request of any kind (held unanswered), so everything it does between
 *   the answer and that request (journal, remote ids) has happened or not, as it got there.
 * - `in-flight`: the n-th state-changing request is carried out and its answer never leaves; the
 *   engine is killed while it waits (the answer is lost).
 */
export type KillMode = 'answered' | 'in-flight';
export const KILL_MODES: readonly KillMode[] = ['in-flight', 'answered'];

export interface Scenario {
  name: string;
  product: ProductKey;
  /** Actions that bring the service where the scenario starts (run without faults). */
  prepare: readonly { action: string; args?: Record<string, unknown> }[];
  action: string;
  args?: Record<string, unknown>;
  /** The service's status when the action has succeeded. */
  status: string;
  /**
   * A lost answer that leaves an object the module cannot prove is its own: the operation is
   * refused as foreign (by design, see the module) and the operator's adopt finishes it.
   */
  adoptAfterLostAnswer?: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'axigen domain create',
    product: 'axigen-domain',
    prepare: [],
    action: 'create',
    status: 'active',
    // A lost answer to CREATE Domain's COMMIT leaves an unmarked domain (docs/specs/axigen.md §7.2).
    adoptAfterLostAnswer: true,
  },
  {
    name: 'axigen domain terminate',
    product: 'axigen-domain',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
  {
    name: 'axigen account create',
    product: 'axigen-account',
    prepare: [],
    action: 'create',
    status: 'active',
  },
  {
    name: 'axigen account terminate',
    product: 'axigen-account',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
  { name: 'calagopus create', product: 'calagopus', prepare: [], action: 'create', status: 'active' },
  {
    name: 'calagopus terminate',
    product: 'calagopus',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
  { name: 'dcimanager6 activation', product: 'dcimanager6', prepare: [], action: 'create', status: 'active' },
  {
    name: 'dcimanager6 termination',
    product: 'dcimanager6',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
  {
    name: 'dcimanager6 reinstall-os',
    product: 'dcimanager6',
    prepare: [{ action: 'create' }],
    action: 'custom',
    args: { name: 'reinstall-os', os: 'Debian 12' },
    status: 'active',
  },
  {
    name: 'easymailarchive create',
    product: 'easymailarchive',
    prepare: [],
    action: 'create',
    status: 'active',
  },
  {
    name: 'easymailarchive terminate',
    product: 'easymailarchive',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
  {
    name: 'storegrid reseller create',
    product: 'storegrid-reseller',
    prepare: [],
    action: 'create',
    status: 'active',
  },
  {
    name: 'storegrid customer create',
    product: 'storegrid-customer',
    prepare: [],
    action: 'create',
    status: 'active',
  },
  {
    name: 'storegrid customer terminate',
    product: 'storegrid-customer',
    prepare: [{ action: 'create' }],
    action: 'terminate',
    status: 'terminated',
  },
];

const FINAL = ['succeeded', 'failed', 'cancelled'];

/**
 * Requests a module may send again after a kill without doing anything twice: they set a state
 * (save the configuration, a port down, power off) rather than make or start something.
 */
const IDEMPOTENT: Record<ModuleId, RegExp> = {
  // COMMITs of an UPDATE context set values again; a create context's COMMIT is refused when
  // repeated (the name exists), so it is never accepted twice.
  axigen: /SAVE CONFIG$|^[a-z-]*# (DISABLE|ENABLE) |^domain(-adminLimits)?# COMMIT$/,
  calagopus: /^(POST \/api\/admin\/servers\/:uuid\/(suspend|unsuspend))$/,
  dcimanager6: /^(PUT|PATCH) |\/power_(on|off)$|\/ipmi_|\/owner$/,
  easymailarchive: /^$/,
  storegrid: /(Deactivate|Activate)Account$/,
};

/** What one run of a scenario did at its backend. */
export interface RunRecord {
  /** Accepted state-changing requests, made generic (`effectKey`), in order. */
  effects: string[];
  /** Occurrences of the service's mark in the backend's state when the action ended. */
  marks: number;
  operation: OperationRecord;
  serviceStatus: string;
  /** Whether the engine was killed (an `answered` kill after the last request may find none). */
  killed: boolean;
  /** Whether the operator's adopt had to finish it (`adoptAfterLostAnswer`). */
  adopted: boolean;
}

export class KillRig {
  child: ChildProcess | undefined;

  constructor(readonly world: World) {}

  emulatorOf(scenario: Scenario): ControlledEmulator {
    return this.world.emulators[PRODUCTS[scenario.product].module];
  }

  async engineProcess(): Promise<ChildProcess> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      this.child = await this.world.spawnEngine();
    return this.child;
  }

  async waitForEnd(operationId: number, timeoutMs = 90_000): Promise<OperationRecord> {
    const { engine } = this.world.setup;
    let last: OperationRecord | undefined;
    await waitUntil(
      async () => {
        last = await engine.operations.get(operationId);
        return FINAL.includes(last.status);
      },
      timeoutMs,
      `operation ${operationId} to end`,
    );
    return last as OperationRecord;
  }

  /** A service where the scenario starts: created, prepared, the emulator's log cleared. */
  async prepare(scenario: Scenario): Promise<number> {
    const { engine } = this.world.setup;
    const emulator = this.emulatorOf(scenario);
    emulator.reset();
    if (PRODUCTS[scenario.product].module === 'dcimanager6') {
      const dci = emulator as unknown as { setDuration(kind: string, ms: number): void };
      dci.setDuration('os_install', 0);
      dci.setDuration('diag', 0);
    }
    const serviceId = await this.world.newService(scenario.product);
    for (const step of scenario.prepare) {
      await this.engineProcess();
      const { operation } = await engine.operations.enqueue({
        serviceId,
        action: step.action,
        ...(step.args ? { args: step.args } : {}),
      });
      const done = await this.waitForEnd(operation.id);
      if (done.status !== 'succeeded')
        throw new Error(
          `${scenario.name}: preparing ${step.action} ended ${done.status}: ${done.errorMessage}`,
        );
    }
    emulator.clearRequests();
    return serviceId;
  }

  /** Runs the scenario's action, killing the engine at `point` when given. */
  async run(scenario: Scenario, point?: { index: number; mode: KillMode }): Promise<RunRecord> {
    const { engine } = this.world.setup;
    const emulator = this.emulatorOf(scenario);
    const serviceId = await this.prepare(scenario);
    await this.engineProcess();
    let seen = 0;
    let armed = false;
    let fired = false;
    if (point) {
      emulator.interceptFaults(({ method, target }) => {
        if (fired) return undefined;
        const request = { method, path: target } as LoggedRequest;
        if (armed) {
          fired = true;
          return { kind: 'hang' };
        }
        if (!isMutating(request)) return undefined;
        if (seen++ !== point.index) return undefined;
        if (point.mode === 'in-flight') {
          fired = true;
          return { kind: 'hang-after' };
        }
        armed = true;
        return undefined;
      });
    }
    const { operation } = await engine.operations.enqueue({
      serviceId,
      action: scenario.action,
      ...(scenario.args ? { args: scenario.args } : {}),
    });
    let killed = false;
    if (point) {
      await waitUntil(
        async () => fired || FINAL.includes((await engine.operations.get(operation.id)).status),
        90_000,
        `${scenario.name}: kill point ${point.index} (${point.mode})`,
      );
      if (fired) {
        await killEngine(this.child as ChildProcess);
        killed = true;
      }
      emulator.interceptFaults(undefined);
      await this.engineProcess();
    }
    let done = await this.waitForEnd(operation.id);
    let adopted = false;
    if (
      scenario.adoptAfterLostAnswer &&
      point?.mode === 'in-flight' &&
      done.status === 'failed' &&
      done.errorCode === 'ownership.foreign' &&
      done.errorMessage?.includes(`provisio service adopt ${serviceId}`)
    ) {
      adopted = true;
      const adopt = await engine.operations.enqueue({ serviceId, action: 'adopt', args: { confirm: true } });
      const adoptDone = await this.waitForEnd(adopt.operation.id);
      if (adoptDone.status !== 'succeeded') done = adoptDone;
      else done = { ...done, status: 'succeeded' };
    }
    const service = await engine.services.get(serviceId);
    const mark = `provisio-service-${serviceId}`;
    const marks = JSON.stringify(emulator.snapshot()).split(mark).length - 1;
    return {
      effects: emulator
        .requests()
        .filter((request) => request.ok === true && isMutating(request))
        .map(effectKey),
      marks,
      operation: done,
      serviceStatus: service.status,
      killed,
      adopted,
    };
  }

  /** What differs from the run without a kill; [] when the backend saw every effect once. */
  static compare(scenario: Scenario, baseline: RunRecord, killed: RunRecord): string[] {
    const problems: string[] = [];
    const { operation } = killed;
    if (operation.status !== 'succeeded')
      problems.push(`operation ended ${operation.status}: ${operation.errorMessage ?? ''}`);
    if (killed.serviceStatus !== scenario.status)
      problems.push(`service is ${killed.serviceStatus}, not ${scenario.status}`);
    if (killed.marks !== baseline.marks)
      problems.push(`the backend holds the mark ${killed.marks} times, not ${baseline.marks}`);
    const idempotent = IDEMPOTENT[PRODUCTS[scenario.product].module];
    const count = (list: string[]) => {
      const counts = new Map<string, number>();
      for (const key of list) counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts;
    };
    const want = count(baseline.effects);
    const got = count(killed.effects);
    for (const key of new Set([...want.keys(), ...got.keys()])) {
      const w = want.get(key) ?? 0;
      const g = got.get(key) ?? 0;
      if (g === w) continue;
      // A setting sent again is the same effect; one never sent is a lost one.
      if (g > w && w > 0 && idempotent.test(key)) continue;
      problems.push(`${key}: ${g} accepted, ${w} without a kill`);
    }
    return problems;
  }
}
