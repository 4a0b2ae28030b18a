import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/core/webhook-signature.js';
import { type ApiHarness, startApiHarness } from '../api/support.js';
import { waitUntil } from '../support/wait-until.js';
import { type Receiver, startReceiver } from './support.js';

const SECRET = 'whsec_api_test_secret_42';

describe('/v1/webhooks and /v1/audit over HTTP', () => {
  let h: ApiHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startApiHarness();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('registers a webhook (admin only) whose secret is write-only, and refuses bad ones with nothing written', async () => {
    const body = {
      url: receiver.url,
      eventTypes: ['client.created'],
      secret: SECRET,
      description: 'billing',
    };
    expect((await h.call('POST', '/v1/webhooks', { token: h.tokens.operator, body })).body.error.code).toBe(
      'auth.insufficient_scope',
    );
    expect((await h.call('GET', '/v1/webhooks', { token: h.tokens.read })).status).toBe(403);
    const bad = await Promise.all([
      h.call('POST', '/v1/webhooks', { body: { ...body, url: 'gopher://x' } }),
      h.call('POST', '/v1/webhooks', { body: { ...body, eventTypes: ['nope.nope'] } }),
      h.call('POST', '/v1/webhooks', { body: { ...body, secret: 'short' } }),
      h.call('POST', '/v1/webhooks', { body: { ...body, evnetTypes: ['*'] } }),
      h.call('POST', '/v1/webhooks', { body: { ...body, eventTypes: [] } }),
    ]);
    expect(bad.map((a) => [a.status, a.body.error.code])).toEqual([
      [422, 'webhook.url_invalid'],
      [422, 'webhook.event_type_unknown'],
      [422, 'request.invalid'],
      [422, 'request.invalid'],
      [422, 'request.invalid'],
    ]);
    for (const answer of bad) expect(JSON.stringify(answer.body)).not.toContain(SECRET);
    expect((await h.call('GET', '/v1/webhooks')).body.items).toEqual([]);

    const created = await h.call('POST', '/v1/webhooks', { body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: receiver.url,
      eventTypes: ['client.created'],
      hasSecret: true,
    });
    expect(created.body.secret).toBeUndefined();
    const listed = await h.call('GET', '/v1/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    expect((await h.call('GET', '/v1/webhooks/9999')).body.error.code).toBe('webhook.not_found');
    const patched = await h.call('PATCH', `/v1/webhooks/${created.body.id}`, { body: { enabled: false } });
    expect(patched.body.enabled).toBe(false);
    expect((await h.call('PATCH', `/v1/webhooks/${created.body.id}`, { body: {} })).status).toBe(422);
    expect((await h.call('DELETE', `/v1/webhooks/${created.body.id}`)).body).toEqual({
      deleted: true,
      id: created.body.id,
    });
  });

  it('delivers, logs every attempt, replays on request; the audit trail lists every write with its target', async () => {
    const hook = (
      await h.call('POST', '/v1/webhooks', {
        body: { url: receiver.url, eventTypes: ['client.created'], secret: SECRET },
      })
    ).body;
    const before = receiver.requests.length;
    receiver.plan('error');
    const client = await h.call('POST', '/v1/clients', {
      token: h.tokens.operator,
      body: { email: 'eve@example.com' },
    });
    expect(client.status).toBe(201);
    // The harness retries after 10 s by default: replay instead of waiting for the backoff.
    await waitUntil(() => receiver.requests.length === before + 1, 10_000, 'the first attempt');
    const log = async () => (await h.call('GET', `/v1/webhooks/${hook.id}/deliveries`)).body.items;
    await waitUntil(async () => (await log())[0]?.attempts === 1);
    const [first] = await log();
    expect(first).toMatchObject({
      status: 'pending',
      responseStatus: 500,
      lastError: 'HTTP 500: receiver broke',
    });
    const replay = await h.call('POST', `/v1/webhooks/${hook.id}/deliveries/${first.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ replayOf: first.id, eventId: first.eventId, status: 'pending' });
    await waitUntil(() => receiver.requests.length === before + 2, 10_000, 'the replay');
    const sent = receiver.requests.at(-1)!;
    expect(verifySignature(SECRET, sent.headers['provisio-signature'] as string, sent.body)).toBe(true);
    expect(JSON.parse(sent.body).data.clientId).toBe(client.body.id);
    await waitUntil(async () => (await log()).some((d: { status: string }) => d.status === 'delivered'));
    const delivered = (await h.call('GET', `/v1/webhooks/${hook.id}/deliveries?status=delivered`)).body.items;
    expect(delivered.map((d: { id: number }) => d.id)).toContain(replay.body.id);
    expect((await h.call('POST', `/v1/webhooks/${hook.id}/deliveries/99999/replay`)).body.error.code).toBe(
      'webhook_delivery.not_found',
    );

    // The audit trail: admin only, newest first, filtered.
    expect((await h.call('GET', '/v1/audit', { token: h.tokens.operator })).status).toBe(403);
    const all = (await h.call('GET', '/v1/audit?limit=1000')).body.items;
    expect(all.map((e: { id: number }) => e.id)).toEqual(
      [...all.map((e: { id: number }) => e.id)].sort((a, b) => b - a),
    );
    const clientTrail = (await h.call('GET', `/v1/audit?targetType=client&targetId=${client.body.id}`)).body
      .items;
    expect(clientTrail).toEqual([
      expect.objectContaining({ actor: 'operator', action: 'POST /v1/clients', details: { status: 201 } }),
    ]);
    const hookTrail = (await h.call('GET', `/v1/audit?targetType=webhook&targetId=${hook.id}`)).body.items;
    expect(hookTrail.map((e: { action: string }) => e.action)).toEqual([
      // The refused replay (404) changed nothing and is not in the trail.
      'POST /v1/webhooks/:id/deliveries/:deliveryId/replay',
      'POST /v1/webhooks',
    ]);
    expect(JSON.stringify(all)).not.toContain(SECRET);
    const byActor = (await h.call('GET', '/v1/audit?actor=operator')).body.items;
    expect(byActor.every((e: { actor: string }) => e.actor === 'operator')).toBe(true);
    const refused = (await h.call('GET', '/v1/audit?action=POST%20/v1/webhooks')).body.items;
    expect(refused.map((e: { details: { status: number } }) => e.details.status)).not.toContain(422);
    const page = (await h.call('GET', `/v1/audit?beforeId=${all[1].id}&limit=1`)).body.items;
    expect(page).toEqual([all[2]]);
    expect((await h.call('GET', '/v1/audit?limit=0')).body.error.code).toBe('request.invalid');
  });

  it('prunes on request by the retention settings and documents the new routes', async () => {
    const pruned = await h.call('POST', '/v1/maintenance/prune');
    expect(pruned).toMatchObject({ status: 200, body: { operations: 0, moduleLog: 0, events: 0 } });
    const paths = Object.keys((await h.call('GET', '/openapi.json', { token: null })).body.paths);
    for (const path of [
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/deliveries',
      '/v1/webhooks/{id}/deliveries/{deliveryId}/replay',
      '/v1/webhooks/{id}/replay-failed',
      '/v1/audit',
      '/v1/maintenance/prune',
    ])
      expect(paths).toContain(path);
  });
});
