import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../src/core/webhook-signature.js';
import { openStore } from '../../src/store/database.js';
import { DIALECTS } from '../support/databases.js';
import { startFixtureBackend } from '../support/fixture-backend.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';
import { closedPortUrl, FAST_WEBHOOKS, type OpsEngine, startOpsEngine, startReceiver } from './support.js';

const SECRET = 'whsec_test_0123456789abcdef';

for (const dialect of DIALECTS) {
  describe(`webhooks (${dialect})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    async function setUp(options: Parameters<typeof startOpsEngine>[0] = {}) {
      const t = await startOpsEngine({ dialect, ...options });
      cleanups.push(() => t.close());
      const receiver = await startReceiver();
      cleanups.push(() => receiver.close());
      return { t, receiver };
    }
    const deliveriesOf = (t: OpsEngine, webhookId: number) => t.engine.webhooks.deliveries({ webhookId });

    it('POSTs each event of the subscribed types, signed over the timestamp and body, with no secret in it', async () => {
      const { t, receiver } = await setUp();
      const { engine } = t;
      const hook = await engine.webhooks.create({
        url: receiver.url,
        eventTypes: ['client.created'],
        secret: SECRET,
      });
      const client = await engine.clients.create({
        email: 'ada@example.com',
        customFields: { 'Pass Key': 'pk-very-secret-1', Phone: '555' },
      });
      await waitUntil(() => receiver.requests.length === 1, 10_000, 'the delivery');
      const [request] = receiver.requests;
      const header = request!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(SECRET, header, request!.body)).toBe(true);
      expect(verifySignature('another-secret-000000', header, request!.body)).toBe(false);
      expect(verifySignature(SECRET, header, `${request!.body} `)).toBe(false);
      const body = JSON.parse(request!.body);
      expect(body).toMatchObject({ type: 'client.created', data: { clientId: client.id } });
      expect(request!.headers['provisio-event-id']).toBe(String(body.id));
      expect(request!.body).not.toContain(SECRET);
      expect(request!.body).not.toContain('pk-very-secret-1');

      await waitUntil(async () => (await deliveriesOf(t, hook.id))[0]?.status === 'delivered');
      const [delivery] = await deliveriesOf(t, hook.id);
      expect(delivery).toMatchObject({ eventId: body.id, attempts: 1, responseStatus: 200, lastError: null });
      // Another type than subscribed: nothing sent.
      const { service } = await setUpFixtureService(engine, await backendFor(cleanups));
      await engine.services.cancel(service.id);
      expect(await engine.events.list({ type: 'service.cancelled' })).toHaveLength(1);
      await waitUntil(() => receiver.requests.length === 2, 10_000, 'the second client.created');
      await waitUntil(async () => (await engine.events.deliverPending()) === 0);
      await engine.webhooks.deliverDue();
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual([
        'client.created',
        'client.created',
      ]);
    });

    it('retries a receiver that answers 500 or does not answer in time, with backoff, until it takes the event', async () => {
      const { t, receiver } = await setUp();
      const hook = await t.engine.webhooks.create({ url: receiver.url, eventTypes: ['*'], secret: SECRET });
      receiver.plan('error', 'hang', 'error');
      await t.engine.clients.create({ email: 'bob@example.com' });
      await waitUntil(
        async () => (await deliveriesOf(t, hook.id))[0]?.status === 'delivered',
        15_000,
        'delivery after retries',
      );
      const [delivery] = await deliveriesOf(t, hook.id);
      expect(delivery!.attempts).toBe(4);
      expect(delivery!.history.map((a) => a.status)).toEqual([500, null, 500, 200]);
      expect(delivery!.history[0]!.error).toBe('HTTP 500: receiver broke');
      expect(delivery!.history[1]!.error).toMatch(/no answer within/);
      // Each attempt is signed anew; the body is the same every time.
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
      for (const r of receiver.requests)
        expect(verifySignature(SECRET, r.headers['provisio-signature'] as string, r.body)).toBe(true);
      expect(receiver.requests.map((r) => r.headers['provisio-attempt'])).toEqual(['1', '2', '3', '4']);
    });

    it('gives a receiver that is down up after the attempts, logs why, and replays once it is back', async () => {
      const { t, receiver } = await setUp({ webhooks: { maxAttempts: 2 } });
      const hook = await t.engine.webhooks.create({
        url: await closedPortUrl(),
        eventTypes: ['client.created'],
        secret: SECRET,
      });
      await t.engine.clients.create({ email: 'carol@example.com' });
      await t.engine.clients.create({ email: 'dave@example.com' });
      await waitUntil(async () => {
        const deliveries = await deliveriesOf(t, hook.id);
        return deliveries.length === 2 && deliveries.every((d) => d.status === 'failed');
      });
      const failed = await deliveriesOf(t, hook.id);
      expect(failed[0]).toMatchObject({ attempts: 2, responseStatus: null });
      expect(failed[0]!.lastError).toMatch(/connection refused/);
      expect(t.logLines.some((line) => line.includes('webhook delivery gave up after 2 attempts'))).toBe(
        true,
      );

      await t.engine.webhooks.update(hook.id, { url: receiver.url });
      const single = await t.engine.webhooks.replay(hook.id, failed[1]!.id);
      expect(single).toMatchObject({ status: 'pending', replayOf: failed[1]!.id, attempts: 0 });
      await waitUntil(() => receiver.requests.length === 1);
      const replays = await t.engine.webhooks.replayFailed(hook.id);
      expect(replays.map((r) => r.replayOf)).toEqual([failed[0]!.id]);
      await waitUntil(() => receiver.requests.length === 2);
      const ids = receiver.requests.map((r) => JSON.parse(r.body).id).sort();
      expect(ids).toEqual([failed[0]!.eventId, failed[1]!.eventId].sort());
      await waitUntil(async () =>
        (await deliveriesOf(t, hook.id))
          .filter((d) => d.replayOf !== null)
          .every((d) => d.status === 'delivered'),
      );
      expect(await t.engine.webhooks.replayFailed(hook.id)).toEqual([]);
    });

    it('two nodes share the deliveries through leases: every event arrives, none twice', async () => {
      // Delivery is at least once: an answer slower than the timeout is sent again. A busy machine
      // must not make that happen here, where a second copy can only mean two nodes sent one.
      const patient = { webhooks: { ...FAST_WEBHOOKS, timeoutMs: 30_000 } };
      const { t, receiver } = await setUp(patient);
      // A second node: its own connection to the same database.
      const { location, databaseUrl } = t.testStore;
      const otherStore =
        dialect === 'sqlite'
          ? openStore({ sqlitePath: location })
          : openStore({ databaseUrl, pgSchema: location });
      const second = await startOpsEngine({
        testStore: { ...t.testStore, store: otherStore, cleanup: () => otherStore.close() },
        secretKey: t.secretKey,
        ...patient,
      });
      cleanups.push(() => second.close());
      await t.engine.webhooks.create({ url: receiver.url, eventTypes: ['client.created'], secret: SECRET });
      for (let i = 0; i < 20; i++)
        await (i % 2 ? t : second).engine.clients.create({ email: `c${i}@example.com` });
      await waitUntil(() => receiver.requests.length >= 20, 15_000, '20 deliveries');
      await waitUntil(async () => (await t.engine.events.deliverPending()) === 0);
      const ids = receiver.requests.map((r) => JSON.parse(r.body).id);
      expect(new Set(ids).size).toBe(20);
      expect(ids).toHaveLength(20);
    });

    it('refuses bad webhooks with every reason and writes nothing; the secret is sealed at rest', async () => {
      const { t, receiver } = await setUp();
      const { engine } = t;
      await expect(
        engine.webhooks.create({
          url: 'ftp://example.com/x',
          eventTypes: ['client.created'],
          secret: SECRET,
        }),
      ).rejects.toMatchObject({ code: 'webhook.url_invalid' });
      await expect(
        engine.webhooks.create({ url: 'https://u:p@example.com/', eventTypes: ['*'], secret: SECRET }),
      ).rejects.toMatchObject({ code: 'webhook.url_invalid' });
      await expect(
        engine.webhooks.create({ url: 'https://example.com/?token=abc', eventTypes: ['*'], secret: SECRET }),
      ).rejects.toMatchObject({ code: 'webhook.url_invalid' });
      await expect(
        engine.webhooks.create({
          url: receiver.url,
          eventTypes: ['client.made', 'service.created'],
          secret: SECRET,
        }),
      ).rejects.toMatchObject({
        code: 'webhook.event_type_unknown',
        message: expect.stringContaining('client.made'),
      });
      await expect(
        engine.webhooks.create({ url: receiver.url, eventTypes: ['*'], secret: 'short' }),
      ).rejects.toMatchObject({ code: 'input.invalid' });
      expect(await engine.webhooks.list()).toEqual([]);
      const hook = await engine.webhooks.create({ url: receiver.url, eventTypes: ['*'], secret: SECRET });
      expect(JSON.stringify(hook)).not.toContain(SECRET);
      const rows = await engine.store.db.selectFrom('webhooks').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(SECRET);
      expect(rows[0]!.secret_sealed).toMatch(/^v1:/);
      await expect(engine.webhooks.update(hook.id, { url: 'nope' })).rejects.toMatchObject({
        code: 'webhook.url_invalid',
      });
      expect((await engine.webhooks.get(hook.id)).url).toBe(receiver.url);
      await expect(engine.webhooks.get(999)).rejects.toMatchObject({ code: 'webhook.not_found' });
      await expect(engine.webhooks.replay(hook.id, 999)).rejects.toMatchObject({
        code: 'webhook_delivery.not_found',
      });
    });
  });
}

async function backendFor(cleanups: (() => Promise<void>)[]) {
  const backend = await startFixtureBackend();
  cleanups.push(() => backend.close());
  return backend;
}
