import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILL_MODES, KillRig, type RunRecord, SCENARIOS, type Scenario } from './kill-points.js';
import { isMutating, startWorld, type World } from './world.js';

/**
 * Issue 17's permanent kill test: every module, every multi-step action, the engine process
 * SIGKILLed at each state-changing request (once after its answer, once while it is in flight),
 * restarted on the same SQLite file; the backend must have seen each effect exactly once and the
 * operation must end well.
 *
 * `npm test` runs a representative subset (one scenario or more per module, those with past
 * findings first, each point in one mode, the modes alternating: about two minutes);
 * `PROVISIO_CHAOS_FULL=1` (`npm run chaos:kill`) runs every scenario at every point in both
 * modes (about ten minutes).
 * `PROVISIO_CHAOS_ONLY=<text>` keeps the scenarios whose name contains it.
 */
const FULL = process.env.PROVISIO_CHAOS_FULL === '1';
const ONLY = process.env.PROVISIO_CHAOS_ONLY;

let world: World;
let rig: KillRig;

beforeAll(async () => {
  world = await startWorld();
  rig = new KillRig(world);
});
afterAll(async () => {
  await world?.close();
});

/** The points to kill at: all of them in both modes, or each point once with the mode alternating. */
function pointsFor(count: number) {
  const points: { index: number; mode: (typeof KILL_MODES)[number] }[] = [];
  for (let index = 0; index < count; index++) {
    if (FULL) for (const mode of KILL_MODES) points.push({ index, mode });
    else points.push({ index, mode: KILL_MODES[index % 2] as (typeof KILL_MODES)[number] });
  }
  return points;
}

/** The subset of `npm test`: every module, and every action where a kill found a bug. */
const REPRESENTATIVE = [
  'axigen domain create',
  'axigen domain terminate',
  'calagopus create',
  'dcimanager6 termination',
  'easymailarchive create',
  'storegrid customer create',
];
const scenarios = SCENARIOS.filter((s) =>
  ONLY ? s.name.includes(ONLY) : FULL || REPRESENTATIVE.includes(s.name),
);

describe.each(scenarios.map((s) => [s.name, s] as [string, Scenario]))(
  'kill at every request: %s',
  (_, scenario) => {
    it('does each effect once and ends well, wherever the engine dies', async () => {
      const baseline: RunRecord = await rig.run(scenario);
      expect(baseline.operation.status, baseline.operation.errorMessage ?? '').toBe('succeeded');
      const mutating = rig.emulatorOf(scenario).requests().filter(isMutating).length;
      expect(mutating, 'the action changes the backend').toBeGreaterThan(0);
      const problems: string[] = [];
      let kills = 0;
      for (const point of pointsFor(mutating)) {
        const record = await rig.run(scenario, point);
        if (record.killed) kills++;
        for (const problem of KillRig.compare(scenario, baseline, record))
          problems.push(`killed ${point.mode} at request ${point.index + 1}/${mutating}: ${problem}`);
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThan(0);
    }, 600_000);
  },
);
