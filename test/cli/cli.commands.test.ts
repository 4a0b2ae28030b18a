import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api/support.js';
import { ensureBuilt, localEnv, runCli } from './support.js';

/**
 * Every command an operator needs, run as the built CLI against a real API (`--url`, `--token`)
 * whose engine has the fixture module: the CLI can do what the API does.
 */
let h: ApiHarness;
let env: NodeJS.ProcessEnv;
let ids: Awaited<ReturnType<ApiHarness['setUp']>>;
const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli(['--url', h.url, '--token', h.tokens.admin, ...args], { ...env, ...extraEnv });
const json = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
  const result = await cli(['--json', ...args], extraEnv);
  if (result.code !== 0)
    throw new Error(`provisio ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
};

beforeAll(async () => {
  ensureBuilt();
  env = localEnv();
  h = await startApiHarness();
  ids = await h.setUp();
});
afterAll(async () => h.close());

describe('the CLI covers what the API does', () => {
  it('prints its version, and a usage error exits 2 without a stack trace', async () => {
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = await cli(['ops', 'list', '--limit', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('describes modules', async () => {
    expect((await cli(['module', 'list'])).stdout).toMatch(/^fixture\s+Fixture/m);
    const shown = (await cli(['module', 'show', 'fixture'])).stdout;
    expect(shown).toContain('custom action reboot');
    expect(shown).toContain('plan');
    expect((await json(['module', 'show', 'fixture'])).lifecycle).toContain('adopt');
  });

  it('lists, shows, updates, disables, enables and re-keys servers; lists, shows and updates groups', async () => {
    expect((await cli(['server', 'list'])).stdout).toContain('fixture');
    expect(await json(['server', 'show', String(ids.serverId)])).toMatchObject({ id: ids.serverId });
    expect(await json(['server', 'update', String(ids.serverId), '--max-accounts', '50'])).toMatchObject({
      maxAccounts: 50,
    });
    expect(await json(['server', 'disable', String(ids.serverId)])).toMatchObject({ enabled: false });
    expect(await json(['server', 'enable', String(ids.serverId)])).toMatchObject({ enabled: true });
    const rotated = await cli(['server', 'rotate-secret', String(ids.serverId), '--secret-env', 'NEW_KEY'], {
      NEW_KEY: 'server-api-key-123',
    });
    expect(rotated.stdout).toContain('secret replaced');
    expect(rotated.stdout).not.toContain('server-api-key-123');
    const groups = (await cli(['group', 'list'])).stdout;
    expect(groups).toMatch(new RegExp(`${ids.serverId} fx-`));
    expect(await json(['group', 'update', String(ids.groupId), '--fill-type', 'round-robin'])).toMatchObject({
      fillType: 'round-robin',
    });
    expect(await json(['group', 'show', String(ids.groupId)])).toMatchObject({ fillType: 'round-robin' });
  });

  it('lists, shows and updates products, and asks a server for dropdown choices', async () => {
    expect((await cli(['product', 'list'])).stdout).toMatch(/least-full|g-/);
    const updated = await json(['product', 'update', String(ids.productId), '--setting', 'steps=1']);
    expect(updated.settings).toMatchObject({ steps: 1, plan: 'gold' });
    const refused = await cli(['product', 'update', String(ids.productId), '--setting', 'steps=99']);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('settings.invalid')]);
    const choices = await cli([
      'product',
      'choices',
      '--module',
      'fixture',
      '--field',
      'plan',
      '--server',
      String(ids.serverId),
    ]);
    expect(choices.code).toBe(1);
    expect(choices.stderr).toContain('loader.not_found');
  });

  it('manages clients: custom fields masked, revealed on request, customer tokens', async () => {
    const client = await json([
      'client',
      'add',
      '--email',
      'grace@example.com',
      '--custom-field',
      'Pass Key=pk-42',
    ]);
    expect(client.customFields).toEqual({ 'Pass Key': '********' });
    expect((await cli(['client', 'list'])).stdout).toContain('grace@example.com');
    expect(await json(['client', 'update', String(client.id), '--company', 'Navy'])).toMatchObject({
      company: 'Navy',
    });
    expect((await cli(['client', 'reveal', String(client.id), 'Pass Key'])).stdout.trim()).toBe('pk-42');
    const token = await json(['client', 'customer-token', String(client.id)]);
    expect(token.record).toMatchObject({ scope: 'customer', clientId: client.id });
    const viaToken = await json([
      'token',
      'create',
      '--name',
      'shop',
      '--scope',
      'customer',
      '--client',
      String(client.id),
    ]);
    expect(viaToken.record.clientId).toBe(client.id);
  });

  it('creates a service with its password, options and fields, then shows, lists, updates and views it', async () => {
    const created = await json(
      [
        'service',
        'create',
        '--client',
        String(ids.clientId),
        '--product',
        String(ids.productId),
        '--domain',
        'cli.example',
        '--password-env',
        'SERVICE_PASSWORD',
        '--config-option',
        'size=large',
        '--custom-field',
        'Note=hello',
      ],
      { SERVICE_PASSWORD: 'S3cret-from-env' },
    );
    expect(created.status).toBe('succeeded');
    const service = await json(['service', 'show', String(created.serviceId)]);
    expect(service).toMatchObject({
      status: 'active',
      domain: 'cli.example',
      configOptions: { size: 'large' },
    });
    const listed = (await cli(['service', 'list', '--client', String(ids.clientId)])).stdout;
    expect(listed).toMatch(new RegExp(`${ids.productId} p-`));
    expect(
      await json(['service', 'update', String(service.id), '--custom-field', 'Note=changed']),
    ).toMatchObject({
      customFields: { Note: 'changed' },
    });
    expect((await cli(['service', 'view', String(service.id)])).stdout).toContain(`fx-${service.id}`);
    expect((await cli(['service', 'reveal-password', String(service.id)])).stdout.trim()).toBe(
      'S3cret-from-env',
    );
    const again = await cli(['service', 'reveal-password', String(service.id)]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('secret.already_revealed')]);
    const link = await cli(['service', 'login-link', String(service.id)]);
    expect(link.stderr).toContain('login.unsupported');
    const welcome = await cli(['service', 'welcome-message', String(service.id)]);
    expect([welcome.code, welcome.stderr]).toEqual([0, '']); // a failure says why in the test output
    expect(welcome.stdout).toContain('no welcome template');
    const action = await json(['service', 'action', String(service.id), 'reboot', '--arg', 'mode=hard']);
    expect(action.status).toBe('succeeded');
    const badArg = await cli(['service', 'action', String(service.id), 'reboot', '--arg', 'os=debian']);
    expect([badArg.code, badArg.stderr]).toEqual([1, expect.stringContaining('action.args_invalid')]);
    expect((await json(['usage', 'show', String(service.id)])).serviceId).toBe(service.id);

    const refusedTerminate = await cli(['service', 'terminate', String(service.id)]);
    expect([refusedTerminate.code, refusedTerminate.stderr]).toEqual([2, expect.stringContaining('--yes')]);
    expect((await json(['service', 'show', String(service.id)])).status).toBe('active');
    expect((await json(['service', 'terminate', String(service.id), '--yes'])).status).toBe('succeeded');
  });

  it('adopts a foreign object only when confirmed, cancels a pending service, places an order from a file', async () => {
    const pending = (
      await h.call('POST', '/v1/services', { body: { clientId: ids.clientId, productId: ids.productId } })
    ).body;
    h.backend.state.seedForeign(`fx-${pending.id}`);
    const unconfirmed = await cli(['service', 'adopt', String(pending.id)]);
    expect(unconfirmed.code).toBe(2);
    expect((await json(['service', 'adopt', String(pending.id), '--yes'])).status).toBe('succeeded');
    expect((await json(['service', 'show', String(pending.id)])).status).toBe('active');

    const other = (
      await h.call('POST', '/v1/services', { body: { clientId: ids.clientId, productId: ids.productId } })
    ).body;
    expect((await json(['service', 'cancel', String(other.id)])).status).toBe('cancelled');

    const file = join(env.HOME!, 'order.json');
    writeFileSync(
      file,
      JSON.stringify({
        orderId: 'cli-order-1',
        clientId: ids.clientId,
        services: [{ productId: ids.productId }],
      }),
    );
    const placed = await json(['order', 'place', file]);
    expect(placed.map((op: { status: string }) => op.status)).toEqual(['succeeded']);
  });

  it('shows the message of a failed operation in the failed-actions queue', async () => {
    const service = (
      await h.call('POST', '/v1/services', { body: { clientId: ids.clientId, productId: ids.productId } })
    ).body;
    h.backend.state.behave(`fx-${service.id}`, 'create', { kind: 'fail', message: 'quota service down' });
    await h.call('POST', `/v1/services/${service.id}/create?wait=10`);
    expect((await cli(['ops', 'list', '--failed'])).stdout).toContain('quota service down');
  });
});
