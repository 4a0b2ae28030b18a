import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';
import * as reconcile from '../../src/store/repositories/reconcile.js';
import * as servers from '../../src/store/repositories/servers.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';

const box = new SecretBox(Buffer.alloc(32, 5));
const NOW = 1_800_000_000_000;

function draft(kind: reconcile.FindingKind, key: string, serviceId: number | null): reconcile.FindingDraft {
  return {
    kind,
    fingerprint: `${kind}|domain|${key}|${serviceId ?? ''}`,
    remoteKind: 'domain',
    remoteKey: key,
    serviceId,
    details: { billing: 'active', note: key },
    proposedAction: kind === 'missing' ? 'recreate' : 'ignore',
  };
}

for (const dialect of DIALECTS) {
  describe(`reconcile store (${dialect})`, () => {
    let t: TestStore;
    let serverId: number;
    beforeEach(async () => {
      t = await openTestStore(dialect);
      serverId = (
        await servers.insertServer(
          t.store.db,
          box,
          { name: 's1', module: 'fixture', hostname: 'h', port: 1, secret: 'k' },
          NOW,
        )
      ).id;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    async function pass(drafts: reconcile.FindingDraft[], at: number) {
      const run = await reconcile.insertRun(t.store.db, serverId, 'test', at);
      const outcome = await t.store.write((trx) => reconcile.applyPass(trx, serverId, run.id, drafts, at));
      return { run, outcome };
    }

    it('opens new findings, updates those seen again, closes those that vanished', async () => {
      const first = await pass([draft('missing', 'a.com', 1), draft('orphan', 'b.com', null)], NOW);
      expect(first.outcome).toMatchObject({ opened: 2, updated: 0, closed: 0 });
      const [missing, orphan] = first.outcome.findings;
      expect(missing).toMatchObject({
        kind: 'missing',
        remoteKey: 'a.com',
        serviceId: 1,
        status: 'open',
        details: { billing: 'active', note: 'a.com' },
        firstSeenAt: NOW,
        lastSeenAt: NOW,
        runId: first.run.id,
        closedAt: null,
      });
      await reconcile.recordRepair(
        t.store.db,
        orphan!.id,
        { action: 'ignore', operationId: null, status: 'ignored' },
        NOW,
      );

      const second = await pass([draft('missing', 'a.com', 1), draft('orphan', 'b.com', null)], NOW + 10);
      expect(second.outcome).toMatchObject({ opened: 0, updated: 2, closed: 0 });
      expect(second.outcome.findings.map((f) => [f.id, f.status, f.lastSeenAt, f.runId])).toEqual([
        [missing!.id, 'open', NOW + 10, second.run.id],
        [orphan!.id, 'ignored', NOW + 10, second.run.id],
      ]);

      const third = await pass([], NOW + 20);
      expect(third.outcome).toMatchObject({ opened: 0, closed: 2, findings: [] });
      const closed = await reconcile.listFindings(t.store.db, { includeClosed: true });
      expect(closed.map((f) => [f.status, f.closedAt])).toEqual([
        ['repaired', NOW + 20],
        ['ignored', NOW + 20],
      ]);
      // The same difference seen again later is a new finding; the closed one stays history.
      const fourth = await pass([draft('missing', 'a.com', 1)], NOW + 30);
      expect(fourth.outcome.opened).toBe(1);
      expect(fourth.outcome.findings[0]!.id).not.toBe(missing!.id);
    });

    it('keeps at most one unclosed finding per difference', async () => {
      await pass([draft('missing', 'a.com', 1)], NOW);
      const run = await reconcile.insertRun(t.store.db, serverId, 'test', NOW);
      await expect(
        t.store.db
          .insertInto('reconcile_findings')
          .values({
            server_id: serverId,
            kind: 'missing',
            fingerprint: 'missing|domain|a.com|1',
            remote_kind: 'domain',
            remote_key: 'a.com',
            service_id: 1,
            details: '{}',
            proposed_action: 'recreate',
            status: 'open',
            first_seen_at: NOW,
            last_seen_at: NOW,
            run_id: run.id,
            updated_at: NOW,
          })
          .execute(),
      ).rejects.toThrow(/unique|duplicate/i);
    });

    it('filters and pages findings, counts the open ones per server and kind, records runs', async () => {
      const { run } = await pass(
        [draft('missing', 'a.com', 1), draft('missing', 'b.com', 2), draft('foreign', 'c.com', 3)],
        NOW,
      );
      const page = await reconcile.listFindings(t.store.db, { kind: 'missing', limit: 1 });
      expect(page.map((f) => f.remoteKey)).toEqual(['a.com']);
      const next = await reconcile.listFindings(t.store.db, { kind: 'missing', afterId: page[0]!.id });
      expect(next.map((f) => f.remoteKey)).toEqual(['b.com']);
      expect((await reconcile.listFindings(t.store.db, { serviceId: 3 })).map((f) => f.kind)).toEqual([
        'foreign',
      ]);
      expect(await reconcile.countOpenFindingsByServer(t.store.db)).toEqual([
        { serverId, kind: 'foreign', n: 1 },
        { serverId, kind: 'missing', n: 2 },
      ]);
      const finished = await reconcile.finishRun(
        t.store.db,
        run.id,
        {
          status: 'succeeded',
          objectsSeen: 20_000,
          servicesSeen: 3,
          pages: 40,
          findingsOpen: 3,
          findingsNew: 3,
        },
        NOW + 5,
      );
      expect(finished).toMatchObject({
        status: 'succeeded',
        objectsSeen: 20_000,
        finishedAt: NOW + 5,
        error: null,
      });
      expect((await reconcile.listRuns(t.store.db, { serverId })).map((r) => r.id)).toEqual([run.id]);
      expect(await reconcile.getRun(t.store.db, run.id)).toEqual(finished);
    });
  });
}
