import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';

for (const dialect of DIALECTS) {
  describe(`orders (${dialect})`, () => {
    let backend: RunningFixtureBackend;
    let t: TestEngine;

    beforeEach(async () => {
      backend = await startFixtureBackend();
      t = await createTestEngine({ modules: [createFixtureModule()], dialect });
    });
    afterEach(async () => {
      await t.close();
      await backend.close();
    });

    const counts = async () => {
      const { db } = t.engine.store;
      const n = async (table: 'clients' | 'services' | 'operations' | 'events') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        clients: await n('clients'),
        services: await n('services'),
        operations: await n('operations'),
        events: await n('events'),
      };
    };

    it('accepts client, services and creates in one go, and a resend returns the same order', async () => {
      const { engine } = t;
      const { product } = await setUpFixtureService(engine, backend);
      const order = {
        orderId: 'INV-1001',
        client: { email: 'grace@example.com', externalId: 'whmcs-7' },
        services: [
          { productId: product.id, domain: 'a.test' },
          { productId: product.id, domain: 'b.test' },
        ],
      };
      const accepted = await engine.orders.accept(order);
      expect(accepted).toMatchObject({ created: true, clientCreated: true });
      expect(accepted.services.map((s) => s.enqueued.operation.action)).toEqual(['create', 'create']);
      for (const { enqueued } of accepted.services)
        expect((await engine.operations.waitFor(enqueued.operation.id, { timeoutMs: 10_000 })).status).toBe(
          'succeeded',
        );
      const types = (await engine.events.list({ limit: 100 })).map((e) => e.type);
      expect(types).toContain('order.accepted');

      const again = await engine.orders.accept(order);
      expect(again.created).toBe(false);
      expect(again.services.map((s) => s.service.id)).toEqual(accepted.services.map((s) => s.service.id));
      await expect(engine.orders.accept({ ...order, services: [order.services[0]!] })).rejects.toMatchObject({
        code: 'idempotency.key_reused',
      });
    });

    it('a refused order writes nothing, and the same order id works once the cause is fixed', async () => {
      const { engine } = t;
      const { product, server } = await setUpFixtureService(engine, backend);
      await engine.servers.update(server.id, { enabled: false });
      const before = await counts();
      const order = {
        orderId: 'INV-2002',
        client: { email: 'linus@example.com' },
        services: [{ productId: product.id }],
      };
      await expect(engine.orders.accept(order)).rejects.toMatchObject({ code: 'placement.no_server' });
      expect(await counts()).toEqual(before);
      await expect(
        engine.orders.accept({ ...order, client: { email: 'not-an-email' } }),
      ).rejects.toMatchObject({ code: 'input.invalid' });
      await expect(engine.orders.accept({ ...order, services: [{ productId: 999 }] })).rejects.toMatchObject({
        code: 'product.not_found',
      });
      expect(await counts()).toEqual(before);

      await engine.servers.update(server.id, { enabled: true });
      expect((await engine.orders.accept(order)).created).toBe(true);
    });

    it('finds an existing client by external id instead of adding one', async () => {
      const { engine } = t;
      const { product } = await setUpFixtureService(engine, backend);
      const existing = await engine.clients.create({ email: 'x@example.com', externalId: 'whmcs-9' });
      const accepted = await engine.orders.accept({
        orderId: 'INV-3',
        client: { email: 'x@example.com', externalId: 'whmcs-9' },
        services: [{ productId: product.id }],
      });
      expect(accepted).toMatchObject({ clientCreated: false, client: { id: existing.id } });
    });
  });
}
