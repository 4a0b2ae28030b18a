import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';
import { openStore } from '../../src/store/database.js';
import * as apiTokens from '../../src/store/repositories/api-tokens.js';
import * as clients from '../../src/store/repositories/clients.js';
import { completeLeasedOperation } from '../../src/store/repositories/completions.js';
import * as events from '../../src/store/repositories/events.js';
import * as moduleLog from '../../src/store/repositories/module-log.js';
import * as operations from '../../src/store/repositories/operations.js';
import * as products from '../../src/store/repositories/products.js';
import * as groups from '../../src/store/repositories/server-groups.js';
import * as servers from '../../src/store/repositories/servers.js';
import * as services from '../../src/store/repositories/services.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';

const box = new SecretBox(Buffer.alloc(32, 3));
const NOW = 1_800_000_000_000;

for (const dialect of DIALECTS) {
  describe(`store repositories (${dialect})`, () => {
    let t: TestStore;
    beforeEach(async () => {
      t = await openTestStore(dialect);
    });
    afterEach(async () => {
      await t.cleanup();
    });

    async function seedService() {
      const { db } = t.store;
      const client = await clients.insertClient(
        db,
        box,
        { email: 'a@example.com', customFields: { 'Pass Key': 'pk-1', Phone: '1' } },
        NOW,
      );
      const server = await servers.insertServer(
        db,
        box,
        { name: 's1', module: 'fixture', hostname: 'h', port: 1, secret: 'key-1' },
        NOW,
      );
      const group = await groups.insertServerGroup(
        db,
        { name: 'g', fillType: 'round-robin', members: [{ serverId: server.id }] },
        NOW,
      );
      const product = await products.insertProduct(
        db,
        box,
        {
          name: 'p',
          module: 'fixture',
          serverGroupId: group.id,
          plainSettings: { plan: 'x' },
          secretSettings: { apiToken: 'tok-1' },
        },
        NOW,
      );
      const service = await services.insertService(
        db,
        box,
        { clientId: client.id, productId: product.id, serverId: server.id, password: 'pw-1' },
        NOW,
      );
      return { client, server, group, product, service };
    }

    /** Another service on the seeded server, with a create queued for it; returns the service's id. */
    async function queuedCreate(seeded: {
      client: { id: number };
      product: { id: number };
      server: { id: number };
    }) {
      const { client, product, server } = seeded;
      const service = await services.insertService(
        t.store.db,
        box,
        { clientId: client.id, productId: product.id, serverId: server.id },
        NOW,
      );
      await queueCreate(service.id, server.id);
      return service.id;
    }

    /** A create queued for the service on the server, due now. */
    function queueCreate(serviceId: number, serverId: number) {
      return operations.insertOperation(
        t.store.db,
        box,
        { serviceId, serverId, module: 'fixture', action: 'create', args: {}, maxAttempts: 3, runAt: NOW },
        NOW,
      );
    }

    it('keeps clients, with secret-named custom fields sealed at rest', async () => {
      const { client } = await seedService();
      expect((await clients.getClient(t.store.db, box, client.id))?.customFields).toEqual({
        'Pass Key': 'pk-1',
        Phone: '1',
      });
      const raw = await t.store.db
        .selectFrom('clients')
        .select('custom_fields')
        .where('id', '=', client.id)
        .executeTakeFirstOrThrow();
      expect(raw.custom_fields).not.toContain('pk-1');
      expect(raw.custom_fields).toContain('"Phone":"1"');
      await clients.mergeClientCustomFields(t.store.db, box, client.id, { Phone: '2' }, NOW);
      expect((await clients.getClient(t.store.db, box, client.id))?.customFields).toEqual({
        'Pass Key': 'pk-1',
        Phone: '2',
      });
      expect(await clients.findClientByExternalId(t.store.db, box, 'nope')).toBeUndefined();
    });

    it('never returns a server secret in a record, only through the engine connection', async () => {
      const { server } = await seedService();
      const record = await servers.getServer(t.store.db, server.id);
      expect(JSON.stringify(record)).not.toContain('key-1');
      expect(record?.hasSecret).toBe(true);
      expect((await servers.getServerConnection(t.store.db, box, server.id))?.secret).toBe('key-1');
      await servers.updateServer(t.store.db, box, server.id, { enabled: false, secret: 'key-2' }, NOW);
      expect((await servers.listServers(t.store.db, { enabled: false })).map((s) => s.id)).toEqual([
        server.id,
      ]);
      expect((await servers.getServerConnection(t.store.db, box, server.id))?.secret).toBe('key-2');
    });

    it('keeps product secrets sealed and merges them back for the engine', async () => {
      const { product } = await seedService();
      expect((await products.getProduct(t.store.db, box, product.id))?.settings).toEqual({
        plan: 'x',
        apiToken: 'tok-1',
      });
      const raw = await t.store.db
        .selectFrom('products')
        .selectAll()
        .where('id', '=', product.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(raw)).not.toContain('tok-1');
    });

    it('keeps services, counts them per server, and writes usage', async () => {
      const { service, server } = await seedService();
      expect(await services.getServicePassword(t.store.db, box, service.id)).toBe('pw-1');
      await services.updateService(
        t.store.db,
        box,
        service.id,
        { status: 'active', remoteIds: { uuid: 'u-1' }, assignedIps: ['10.0.0.2'] },
        NOW,
      );
      const updated = await services.getService(t.store.db, service.id);
      expect(updated).toMatchObject({
        status: 'active',
        remoteIds: { uuid: 'u-1' },
        assignedIps: ['10.0.0.2'],
      });
      expect((await services.countServicesOnServers(t.store.db, [server.id, 999])).get(server.id)).toBe(1);
      await services.writeServiceUsage(
        t.store.db,
        service.id,
        { diskUsedMb: 12.5, figures: { accounts: 3 } },
        NOW,
      );
      expect((await services.getService(t.store.db, service.id))?.usage).toEqual({
        diskUsedMb: 12.5,
        figures: { accounts: 3 },
      });
    });

    it('enforces one active operation per service in the database itself', async () => {
      const { service, server } = await seedService();
      const base = {
        serviceId: service.id,
        serverId: server.id,
        module: 'fixture',
        args: {},
        maxAttempts: 3,
        runAt: NOW,
      };
      await operations.insertOperation(t.store.db, box, { ...base, action: 'create' }, NOW);
      await expect(
        operations.insertOperation(t.store.db, box, { ...base, action: 'suspend' }, NOW),
      ).rejects.toThrow(/unique|duplicate/i);
    });

    it('seals secret operation arguments', async () => {
      const { service, server } = await seedService();
      const op = await operations.insertOperation(
        t.store.db,
        box,
        {
          serviceId: service.id,
          serverId: server.id,
          module: 'fixture',
          action: 'change-password',
          args: {},
          secretArgs: { password: 'new-pw-9' },
          maxAttempts: 3,
          runAt: NOW,
        },
        NOW,
      );
      const raw = await t.store.db
        .selectFrom('operations')
        .selectAll()
        .where('id', '=', op.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(raw)).not.toContain('new-pw-9');
      expect(await operations.getSecretArgs(t.store.db, box, op.id)).toEqual({ password: 'new-pw-9' });
    });

    it('queues an operation in one statement only on a service as the action needs, else writes nothing', async () => {
      const { server, service } = await seedService();
      const unplaced = await services.insertService(
        t.store.db,
        box,
        { clientId: service.clientId, productId: service.productId },
        NOW,
      );
      const request = (serviceId: number) => ({
        serviceId,
        action: 'create',
        args: { note: 'n' },
        secretArgs: { password: 'pw-new' },
        maxAttempts: 3,
        runAt: NOW,
      });
      const queue = (serviceId: number, condition: operations.ServiceCondition) =>
        operations.insertOperationOnService(t.store.db, box, request(serviceId), condition, NOW);
      const ok = { statuses: ['pending'], modules: ['other', 'fixture'] };
      // Wrong status, a module without the action, no server yet, no such service: nothing queued.
      expect(await queue(service.id, { ...ok, statuses: ['active', 'suspended'] })).toBeUndefined();
      expect(await queue(service.id, { ...ok, modules: ['other'] })).toBeUndefined();
      expect(await queue(unplaced.id, ok)).toBeUndefined();
      expect(await queue(service.id + 1_000, ok)).toBeUndefined();
      expect(await operations.listOperations(t.store.db)).toEqual([]);

      const queued = await queue(service.id, ok);
      expect(queued).toMatchObject({
        serviceId: service.id,
        serverId: server.id,
        module: 'fixture',
        action: 'create',
        args: { note: 'n' },
        hasSecretArgs: true,
        status: 'queued',
        attempts: 0,
        maxAttempts: 3,
        runAt: NOW,
      });
      expect(await operations.getSecretArgs(t.store.db, box, queued!.id)).toEqual({ password: 'pw-new' });
      // The one-active rule is the database's: a second one is refused by its index.
      await expect(queue(service.id, ok)).rejects.toThrow(/unique|duplicate key/i);
    });

    it('claims read their own indexes even when statistics were taken before a backlog came', async () => {
      const { service, server } = await seedService();
      const { db } = t.store;
      // Statistics on a table of finished operations, then a backlog the statistics never saw.
      const row = (n: number, status: string) => ({
        service_id: service.id,
        server_id: server.id,
        module: 'fixture',
        action: 'create',
        args: '{}',
        journal: '{}',
        status,
        attempts: 0,
        max_attempts: 3,
        run_at: n,
        created_at: n,
        updated_at: n,
      });
      for (let chunk = 0; chunk < 10; chunk++)
        await db
          .insertInto('operations')
          .values(Array.from({ length: 500 }, (_, i) => row(chunk * 500 + i, 'succeeded')))
          .execute();
      await sql`analyze`.execute(db);
      const others = await Promise.all(
        Array.from({ length: 300 }, () =>
          services.insertService(db, box, { clientId: service.clientId, productId: service.productId }, NOW),
        ),
      );
      await db
        .insertInto('operations')
        .values(others.map((other, i) => ({ ...row(10_000 + i, 'queued'), service_id: other.id })))
        .execute();
      const plan = async (query: string) => {
        const explain = t.dialect === 'postgres' ? 'explain' : 'explain query plan';
        const { rows } = await sql.raw(`${explain} ${query}`).execute(db);
        return JSON.stringify(rows);
      };
      // The claim's two reads (repositories/operations.ts), as it states them.
      const expired = await plan(
        `select id from operations where status = 'running' and lease_expires_at < ${NOW} order by lease_expires_at limit 64`,
      );
      const due = await plan(
        `select id from operations where status in ('queued', 'waiting') and run_at <= ${NOW} order by run_at, id limit 64`,
      );
      expect(expired).toContain('operations_leases_idx');
      expect(due).toContain('operations_due_idx');
      // The one-active index still answers a service's own question.
      expect(
        await plan(
          `select id from operations where service_id = ${others[0]!.id} and status in ('queued', 'waiting', 'running')`,
        ),
      ).toContain('operations_one_active_idx');
    });

    it('claims due work once, respects per-server room, and takes over expired leases', async () => {
      const { client, product, server } = await seedService();
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const svc = await services.insertService(
          t.store.db,
          box,
          { clientId: client.id, productId: product.id, serverId: server.id },
          NOW,
        );
        ids.push(
          (
            await operations.insertOperation(
              t.store.db,
              box,
              {
                serviceId: svc.id,
                serverId: server.id,
                module: 'fixture',
                action: 'create',
                args: {},
                maxAttempts: 3,
                runAt: i < 5 ? NOW : NOW + 60_000,
              },
              NOW,
            )
          ).id,
        );
      }
      const claim = (owner: string, now: number, limit = 10) =>
        operations
          .claimOperations(t.store, { owner, now, leaseMs: 1_000, limit })
          .then((claimed) => claimed.map((c) => c.operation));
      const first = await claim('a', NOW, 2);
      expect(first.map((o) => o.id)).toEqual(ids.slice(0, 2));
      expect(
        first.every(
          (o) =>
            o.status === 'running' &&
            o.attempts === 1 &&
            o.leaseOwner?.startsWith('a/') &&
            o.claimedFrom === 'queued',
        ),
      ).toBe(true);
      const second = await claim('b', NOW);
      expect(second.map((o) => o.id)).toEqual(ids.slice(2, 5));
      expect(await claim('c', NOW)).toEqual([]);
      // The leases expire: a takes its own two back and c the rest, as new attempts, knowing they
      // were running. Each claim has its own token, so a's stale runs fail the fence too.
      const again = await claim('a', NOW + 1_500, 2);
      const takeover = await claim('c', NOW + 1_500);
      expect([...again, ...takeover].map((o) => o.id).sort()).toEqual([...ids.slice(0, 5)].sort());
      expect([...again, ...takeover].every((o) => o.claimedFrom === 'running' && o.attempts === 2)).toBe(
        true,
      );
      const stale = first.find((o) => o.id === again[0]!.id)!;
      expect(stale.leaseOwner).not.toBe(again[0]!.leaseOwner);
      expect(
        await operations.updateLeasedOperation(t.store.db, stale.id, stale.leaseOwner!, {
          progress_message: 'x',
        }),
      ).toBe(false);
      expect(
        await operations.updateLeasedOperation(t.store.db, stale.id, again[0]!.leaseOwner!, {
          progress_message: 'x',
        }),
      ).toBe(true);
    });

    it('gives concurrent claimers disjoint operations', async () => {
      const { client, product, server } = await seedService();
      for (let i = 0; i < 40; i++) await queuedCreate({ client, product, server });
      // PostgreSQL: a second pool, as another node would have. SQLite: one connection per process
      // is the deployment model (a second connection in the same thread would block the event
      // loop while it waits for the lock); other processes are covered by the crash test.
      const other =
        t.dialect === 'sqlite' ? t.store : openStore({ databaseUrl: t.databaseUrl, pgSchema: t.location });
      try {
        const claimers = Array.from({ length: 8 }, (_, i) =>
          operations.claimOperations(i % 2 ? other : t.store, {
            owner: `n${i}`,
            now: NOW,
            leaseMs: 60_000,
            limit: 4,
          }),
        );
        const claimed = (await Promise.all(claimers)).flat().map((c) => c.operation.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(claimed.length).toBeGreaterThan(0);
      } finally {
        if (other !== t.store) await other.close();
      }
    });

    it("holds a server's max_concurrency across nodes; waiting and expired runs hold nothing", async () => {
      const { client, product, server } = await seedService();
      await servers.updateServer(t.store.db, box, server.id, { maxConcurrency: 3 }, NOW);
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) {
        const svc = await services.insertService(
          t.store.db,
          box,
          { clientId: client.id, productId: product.id, serverId: server.id },
          NOW,
        );
        const op = await operations.insertOperation(
          t.store.db,
          box,
          {
            serviceId: svc.id,
            serverId: server.id,
            module: 'fixture',
            action: 'create',
            args: {},
            maxAttempts: 3,
            runAt: NOW,
          },
          NOW,
        );
        ids.push(op.id);
      }
      const other =
        t.dialect === 'sqlite' ? t.store : openStore({ databaseUrl: t.databaseUrl, pgSchema: t.location });
      try {
        const claimAll = (now: number) =>
          Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              operations.claimOperations(i % 2 ? other : t.store, {
                owner: `n${i}`,
                now,
                leaseMs: 60_000,
                limit: 4,
              }),
            ),
          ).then((claims) => claims.flat().map((c) => c.operation));
        const first = await claimAll(NOW);
        expect(first).toHaveLength(3);
        expect(await claimAll(NOW)).toEqual([]);
        // One ends, one parks in a durable wait: two places free up.
        const [done, parked] = first as [operations.OperationRecord, operations.OperationRecord];
        await operations.updateLeasedOperation(t.store.db, done.id, done.leaseOwner!, {
          status: 'succeeded',
          lease_owner: null,
        });
        await operations.updateLeasedOperation(t.store.db, parked.id, parked.leaseOwner!, {
          status: 'waiting',
          run_at: NOW + 3_600_000,
          lease_owner: null,
        });
        const second = await claimAll(NOW);
        expect(second).toHaveLength(2);
        // Every lease runs out (their workers died): their places are free again, for any node.
        const later = await claimAll(NOW + 120_000);
        expect(later).toHaveLength(3);
        expect(await claimAll(NOW + 120_000)).toEqual([]);
        // And one claimer takes abandoned work first: three more expired leases, taken over.
        const takeover = await operations.claimOperations(other, {
          owner: 'late',
          now: NOW + 240_000,
          leaseMs: 60_000,
          limit: 4,
        });
        expect(takeover.map((c) => c.operation.claimedFrom)).toEqual(['running', 'running', 'running']);
      } finally {
        if (other !== t.store) await other.close();
      }
    });

    it('completes a leased run with its log, service change and event, and writes nothing without the lease', async () => {
      const { server, service } = await seedService();
      const op = await queueCreate(service.id, server.id);
      const [{ operation: claimed, subject }] = (await operations.claimOperations(t.store, {
        owner: 'w',
        now: NOW,
        leaseMs: 1_000,
        limit: 1,
      })) as [operations.ClaimedOperation];
      // The claim read the run's service and client too, secrets still sealed.
      expect(JSON.stringify(subject)).not.toMatch(/pw-1|pk-1/);
      const opened = services.openServiceWithClient(box, subject!);
      expect(opened.service).toMatchObject({ id: service.id, status: 'pending' });
      expect(opened.password).toBe('pw-1');
      expect(opened.client.customFields).toEqual({ 'Pass Key': 'pk-1', Phone: '1' });
      expect(opened).toEqual(await services.getServiceWithClient(t.store.db, box, service.id));
      const logRow = (request: string, error?: string) => ({
        operationId: op.id,
        serverId: server.id,
        module: 'fixture',
        action: 'create',
        request,
        response: '200',
        durationMs: 1.25,
        outcome: error ? ('error' as const) : ('ok' as const),
        ...(error ? { error } : {}),
        createdAt: NOW + 1,
      });
      const completion = (lease: string) => ({
        operationId: op.id,
        lease,
        patch: { status: 'succeeded', lease_owner: null, finished_at: NOW + 2, updated_at: NOW + 2 },
        service: {
          id: service.id,
          patch: services.serviceRowPatch(box, { status: 'active', remoteIds: { name: 'x' } }, NOW + 2),
        },
        event: { type: 'service.created', payload: { serviceId: service.id }, at: NOW + 2 },
        logRows: [logRow('POST /a'), logRow("GET /b?q='%", 'boom')],
      });
      const write = (lease: string) =>
        t.store.write((trx) => completeLeasedOperation(trx, t.store.dialect, completion(lease)));
      const eventCount = async () => (await events.undeliveredEvents(t.store.db, 'probe', 0, 100)).length;

      // Another worker's token: refused, and nothing of it is written.
      expect(await write(`${claimed!.leaseOwner}-stale`)).toBe(false);
      expect((await operations.getOperation(t.store.db, op.id))!.status).toBe('running');
      expect((await services.getService(t.store.db, service.id))!.status).toBe('pending');
      expect(await moduleLog.moduleLogForOperation(t.store.db, op.id)).toEqual([]);
      expect(await eventCount()).toBe(0);

      expect(await write(claimed!.leaseOwner!)).toBe(true);
      const done = (await operations.getOperation(t.store.db, op.id))!;
      expect([done.status, done.leaseOwner, done.finishedAt]).toEqual(['succeeded', null, NOW + 2]);
      const after = (await services.getService(t.store.db, service.id))!;
      expect([after.status, after.remoteIds]).toEqual(['active', { name: 'x' }]);
      const logged = await moduleLog.moduleLogForOperation(t.store.db, op.id);
      expect(logged.map((r) => [r.request, r.outcome, r.error, r.durationMs, r.createdAt])).toEqual([
        ['POST /a', 'ok', undefined, 1.25, NOW + 1],
        ["GET /b?q='%", 'error', 'boom', 1.25, NOW + 1],
      ]);
      const [published] = await events.undeliveredEvents(t.store.db, 'probe', 0, 100);
      expect([published!.type, published!.payload, published!.createdAt]).toEqual([
        'service.created',
        { serviceId: service.id },
        NOW + 2,
      ]);
      // Once finished, the lease is gone: a second completion is refused.
      expect(await write(claimed!.leaseOwner!)).toBe(false);
      expect(await eventCount()).toBe(1);
    });

    it('ends runs of different shapes in turn, each writing its own values', async () => {
      // The PostgreSQL completion is compiled once per shape (which columns, which parts): runs
      // of one shape, then another, then the first again must each bind their own values.
      const { client, server, product } = await seedService();
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await queuedCreate({ client, product, server }));
      const claimed = (
        await operations.claimOperations(t.store, { owner: 'w', now: NOW, leaseMs: 1_000, limit: 3 })
      ).map((c) => c.operation);
      expect(claimed.map((op) => op.serviceId).sort()).toEqual([...ids].sort());
      const byService = new Map(claimed.map((op) => [op.serviceId, op]));
      const succeed = (serviceId: number, at: number) => {
        const op = byService.get(serviceId)!;
        return t.store.write((trx) =>
          completeLeasedOperation(trx, t.store.dialect, {
            operationId: op.id,
            lease: op.leaseOwner!,
            patch: { status: 'succeeded', lease_owner: null, finished_at: at, updated_at: at },
            service: {
              id: serviceId,
              patch: services.serviceRowPatch(
                box,
                { status: 'active', remoteIds: { name: `r-${serviceId}` } },
                at,
              ),
            },
            event: { type: 'service.created', payload: { serviceId }, at },
            logRows: [],
          }),
        );
      };
      const fail = (serviceId: number, at: number) => {
        const op = byService.get(serviceId)!;
        return t.store.write((trx) =>
          completeLeasedOperation(trx, t.store.dialect, {
            operationId: op.id,
            lease: op.leaseOwner!,
            patch: {
              status: 'failed',
              lease_owner: null,
              error_message: `boom ${serviceId}`,
              finished_at: at,
            },
            logRows: [],
          }),
        );
      };
      const [a, b, c] = ids as [number, number, number];
      expect(await succeed(a, NOW + 10)).toBe(true);
      expect(await fail(b, NOW + 20)).toBe(true);
      expect(await succeed(c, NOW + 30)).toBe(true);

      for (const [serviceId, status, remote] of [
        [a, 'active', { name: `r-${a}` }],
        [b, 'pending', {}],
        [c, 'active', { name: `r-${c}` }],
      ] as const) {
        const row = (await services.getService(t.store.db, serviceId))!;
        expect([row.status, row.remoteIds]).toEqual([status, remote]);
      }
      const ended = await Promise.all(
        ids.map((id) => operations.getOperation(t.store.db, byService.get(id)!.id)),
      );
      expect(ended.map((op) => [op!.status, op!.finishedAt, op!.errorMessage ?? null])).toEqual([
        ['succeeded', NOW + 10, null],
        ['failed', NOW + 20, `boom ${b}`],
        ['succeeded', NOW + 30, null],
      ]);
      const published = await events.undeliveredEvents(t.store.db, 'probe', 0, 100);
      expect(published.map((e) => [e.payload, e.createdAt])).toEqual([
        [{ serviceId: a }, NOW + 10],
        [{ serviceId: c }, NOW + 30],
      ]);
    });

    it('keeps the module log and filters it', async () => {
      await moduleLog.insertModuleLogRows(t.store.db, [
        {
          operationId: 1,
          serverId: 1,
          module: 'fixture',
          action: 'create',
          request: 'POST /a',
          response: '201',
          durationMs: 1.5,
          outcome: 'ok',
          createdAt: NOW,
        },
        {
          operationId: 1,
          serverId: 1,
          module: 'fixture',
          action: 'create',
          request: 'GET 50%_off',
          response: '500',
          durationMs: 2,
          outcome: 'error',
          error: 'boom',
          createdAt: NOW + 1,
        },
      ]);
      expect((await moduleLog.moduleLogForOperation(t.store.db, 1)).map((r) => r.request)).toEqual([
        'POST /a',
        'GET 50%_off',
      ]);
      expect((await moduleLog.queryModuleLog(t.store.db, { outcome: 'error' })).map((r) => r.error)).toEqual([
        'boom',
      ]);
      expect((await moduleLog.queryModuleLog(t.store.db, { search: '50%_' })).length).toBe(1);
      expect((await moduleLog.queryModuleLog(t.store.db, { search: '%' })).length).toBe(1);
    });

    it('delivers events per subscriber until acknowledged', async () => {
      const a = await events.insertEvent(t.store.db, 'client.created', { clientId: 1 }, NOW);
      const b = await events.insertEvent(t.store.db, 'service.created', { serviceId: 1 }, NOW);
      expect((await events.undeliveredEvents(t.store.db, 'x', 0, 10)).map((e) => e.id)).toEqual([a, b]);
      await events.markDelivered(t.store.db, 'x', a, NOW);
      await events.markDelivered(t.store.db, 'x', a, NOW);
      expect((await events.undeliveredEvents(t.store.db, 'x', 0, 10)).map((e) => e.id)).toEqual([b]);
      expect(
        (await events.undeliveredEvents(t.store.db, 'y', 0, 10, ['client.created'])).map((e) => e.id),
      ).toEqual([a]);
    });

    it('stores API tokens hashed and revokes them', async () => {
      const { token, record } = await apiTokens.createApiToken(
        t.store.db,
        { name: 'ci', scope: 'operator' },
        NOW,
      );
      const raw = await t.store.db.selectFrom('api_tokens').selectAll().execute();
      expect(JSON.stringify(raw)).not.toContain(token);
      expect((await apiTokens.findActiveToken(t.store.db, token))?.id).toBe(record.id);
      expect(await apiTokens.findActiveToken(t.store.db, `${token}x`)).toBeUndefined();
      expect(await apiTokens.revokeApiToken(t.store.db, record.id, NOW)).toBe(true);
      expect(await apiTokens.findActiveToken(t.store.db, token)).toBeUndefined();
      expect(await apiTokens.revokeApiToken(t.store.db, record.id, NOW)).toBe(false);
    });
  });
}
