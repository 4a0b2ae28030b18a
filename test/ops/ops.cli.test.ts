import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api/support.js';
import { ensureBuilt, localEnv, runCli } from '../cli/support.js';
import { waitUntil } from '../support/wait-until.js';
import { type Receiver, startReceiver } from './support.js';

beforeAll(() => ensureBuilt(), 180_000);

const HOOK_SECRET = 'whsec_cli_secret_0001';

describe('provisio webhook, audit and maintenance against a remote engine', () => {
  let h: ApiHarness;
  let receiver: Receiver;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startApiHarness();
    receiver = await startReceiver();
    env = { PATH: process.env.PATH, PROVISIO_URL: h.url, PROVISIO_TOKEN: h.tokens.admin, HOOK_SECRET };
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('adds a webhook with a secret from the environment, shows its deliveries and replays one', async () => {
    expect(
      (await runCli(['webhook', 'add', '--endpoint', receiver.url, '--event', 'client.created'], env)).code,
    ).toBe(2);
    const added = await runCli(
      [
        '--json',
        'webhook',
        'add',
        '--endpoint',
        receiver.url,
        '--event',
        'client.created',
        '--secret-env',
        'HOOK_SECRET',
      ],
      env,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(HOOK_SECRET);
    const hook = JSON.parse(added.stdout);
    expect(hook).toMatchObject({ eventTypes: ['client.created'], hasSecret: true });
    const bad = await runCli(
      ['webhook', 'add', '--endpoint', 'ftp://x', '--event', '*', '--secret-env', 'HOOK_SECRET'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error webhook\.url_invalid: the webhook URL must start with http/);

    await h.call('POST', '/v1/clients', { body: { email: 'cli@example.com' } });
    await waitUntil(() => receiver.requests.length === 1, 15_000, 'the delivery');
    let deliveries: { id: number; status: string }[] = [];
    await waitUntil(async () => {
      const listed = await runCli(['--json', 'webhook', 'deliveries', String(hook.id)], env);
      deliveries = JSON.parse(listed.stdout);
      return deliveries[0]?.status === 'delivered';
    }, 30_000);
    const table = await runCli(['webhook', 'deliveries', String(hook.id), '--status', 'delivered'], env);
    expect(table.stdout).toMatch(/^id\s+eventId\s+eventType\s+status\s+attempts/m);
    const replayed = await runCli(
      ['webhook', 'replay', String(hook.id), '--delivery', String(deliveries[0]!.id)],
      env,
    );
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/^delivery \d+ queued: event \d+ is sent again/);
    await waitUntil(() => receiver.requests.length === 2, 15_000, 'the replay');
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
    expect((await runCli(['webhook', 'replay', String(hook.id)], env)).code).toBe(2);
    const failed = await runCli(['webhook', 'replay', String(hook.id), '--failed'], env);
    expect(failed.stdout).toContain('0 failed deliveries queued again');

    const trail = await runCli(['--json', 'audit', '--target', `webhook:${hook.id}`], env);
    expect(
      JSON.parse(trail.stdout).map((e: { action: string; actor: string }) => [e.actor, e.action]),
    ).toEqual([
      ['admin', 'POST /v1/webhooks/:id/replay-failed'],
      ['admin', 'POST /v1/webhooks/:id/deliveries/:deliveryId/replay'],
      ['admin', 'POST /v1/webhooks'],
    ]);
    expect(trail.stdout).not.toContain(HOOK_SECRET);
    expect((await runCli(['audit', '--target', 'Service 12'], env)).code).toBe(2);
    const pruned = await runCli(['maintenance', 'prune'], env);
    expect(pruned.stdout).toMatch(
      /^pruned \d+ finished operations, \d+ module-log rows, \d+ delivered events/,
    );
  }, 120_000);

  it('lists the local trail too, with the created record as the target', async () => {
    const local = localEnv();
    await runCli(['migrate'], local);
    const added = await runCli(['--json', 'client', 'add', '--email', 'local@example.com'], local);
    const { id } = JSON.parse(added.stdout);
    const trail = await runCli(['audit', '--target', `client:${id}`], local);
    expect(trail.code).toBe(0);
    expect(trail.stdout).toMatch(/^id\s+at\s+actor\s+action\s+targetType\s+targetId\s+details/m);
    expect(trail.stdout).toMatch(/local\s+POST \/v1\/clients\s+client\s+1\s+\{"status":201\}/);
  }, 60_000);
});
