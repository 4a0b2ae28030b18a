import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api/support.js';
import { ensureBuilt, localEnv, runCli } from './support.js';

/** The built CLI against a running API (`--url`, `--token`) whose engine has the fixture module. */
let h: ApiHarness;
let env: NodeJS.ProcessEnv;
const cli = (
  args: string[],
  scope: 'admin' | 'operator' | 'read' = 'operator',
  extraEnv: NodeJS.ProcessEnv = {},
) => runCli(['--url', h.url, '--token', h.tokens[scope], ...args], { ...env, ...extraEnv });
const json = async (args: string[], scope: 'admin' | 'operator' | 'read' = 'operator') => {
  const result = await cli(['--json', ...args], scope);
  if (result.code !== 0) throw new Error(`provisio ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

beforeAll(async () => {
  ensureBuilt();
  env = localEnv();
  h = await startApiHarness();
}, 120_000);
afterAll(async () => h.close());

describe('provisio --url --token', () => {
  let serviceId: number;
  let productId: number;

  it('sets up a server, a group and a product with settings from flags', async () => {
    const backend = new URL(h.backend.url);
    const server = await json(
      [
        'server',
        'add',
        '--name',
        'fx',
        '--module',
        'fixture',
        '--hostname',
        backend.hostname,
        '--port',
        backend.port,
        '--no-secure',
        '--secret',
        'server-api-key-123',
      ],
      'admin',
    );
    expect(server).toMatchObject({ hasSecret: true, secure: false });
    const group = await json(['group', 'add', '--name', 'g', '--server', String(server.id)], 'admin');
    const product = await json(
      [
        'product',
        'add',
        '--name',
        'Gold',
        '--module',
        'fixture',
        '--group',
        String(group.id),
        '--setting',
        'plan=gold',
        '--setting',
        'steps=2',
      ],
      'admin',
    );
    expect(product.settings).toMatchObject({ plan: 'gold', steps: 2 });
    productId = product.id;
    const refused = await cli(
      ['server', 'add', '--name', 'x', '--module', 'fixture', '--hostname', 'h', '--port', '1'],
      'operator',
    );
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringContaining('error auth.insufficient_scope'),
    ]);
  });

  it('creates a service and follows the operation to the end, with progress on stderr', async () => {
    const client = await json(['client', 'add', '--email', 'cli@example.com']);
    const created = await cli([
      'service',
      'create',
      '--client',
      String(client.id),
      '--product',
      String(productId),
      '--domain',
      'cli.example',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/operation \d+ \(create\) succeeded/);
    expect(created.stderr).toMatch(/operation \d+ 100% succeeded/);
    serviceId = Number(/service (\d+) added/.exec(created.stderr)![1]);
    const shown = await json(['service', 'show', String(serviceId)], 'read');
    expect(shown).toMatchObject({ status: 'active', domain: 'cli.example' });
    const list = await cli(['service', 'list', '--status', 'active'], 'read');
    expect(list.stdout).toMatch(new RegExp(`^${serviceId}\\s+${client.id}\\s+${productId}`, 'm'));
  });

  it('runs lifecycle actions, with or without waiting, and keeps the password out of every output', async () => {
    const queued = await json(['service', 'suspend', String(serviceId), '--reason', 'overdue', '--no-wait']);
    expect(queued.status).toBe('queued');
    const watched = await cli(['ops', 'watch', String(queued.id)]);
    expect([watched.code, watched.stdout.trim()]).toEqual([0, `operation ${queued.id} (suspend) succeeded`]);
    expect((await cli(['service', 'unsuspend', String(serviceId)])).code).toBe(0);
    const password = await cli(
      ['service', 'change-password', String(serviceId), '--password-env', 'NEW_PASSWORD'],
      'operator',
      { NEW_PASSWORD: 'Cli-Secret-991' },
    );
    expect(password.code).toBe(0);
    const detail = await cli(['ops', 'list', '--service', String(serviceId), '--action', 'change-password']);
    expect(detail.stdout).toContain('change-password');
    expect(`${password.stdout}${password.stderr}${detail.stdout}`).not.toContain('Cli-Secret-991');
    const forbidden = await cli(['service', 'unsuspend', String(serviceId)]);
    expect([forbidden.code, forbidden.stderr]).toEqual([
      1,
      expect.stringContaining('error lifecycle.transition_forbidden'),
    ]);
    const readOnly = await cli(['service', 'suspend', String(serviceId)], 'read');
    expect(readOnly.stderr).toContain('auth.insufficient_scope');
  });

  it('lists failures, shows an operation with its module log, retries, resolves and cancels', async () => {
    h.backend.state.behave(`fx-${serviceId}`, 'suspend', { kind: 'fail', message: 'quota service down' });
    const failed = await cli(['service', 'suspend', String(serviceId)]);
    expect([failed.code, failed.stdout]).toEqual([1, expect.stringContaining('failed: fixture.remote')]);
    const queue = await json(['ops', 'list', '--failed'], 'read');
    const operationId = queue[0].id;
    expect(queue[0]).toMatchObject({ action: 'suspend', status: 'failed' });
    const shown = await cli(['ops', 'show', String(operationId)], 'read');
    expect(shown.stdout).toContain('module log:');
    expect(shown.stdout).toContain('quota service down');
    expect(shown.stdout).not.toContain('server-api-key-123');
    h.backend.state.behaviours.clear();
    expect((await json(['ops', 'retry', String(operationId)])).status).toBe('queued');
    expect((await cli(['ops', 'watch', String(operationId)])).code).toBe(0);
    const notFailed = await cli(['ops', 'resolve', String(operationId)]);
    expect(notFailed.stderr).toContain('operation.not_failed');
    const cancel = await cli(['ops', 'cancel', String(operationId)]);
    expect(cancel.stderr).toContain('operation.not_cancellable');
    h.backend.state.behave(`fx-${serviceId}`, 'unsuspend', { kind: 'fail', message: 'nope' });
    await cli(['service', 'unsuspend', String(serviceId)]);
    const [unsuspendFailure] = await json(['ops', 'list', '--failed'], 'read');
    const resolved = await cli([
      'ops',
      'resolve',
      String(unsuspendFailure.id),
      '--mark-succeeded',
      '--note',
      'fixed by hand',
    ]);
    expect(resolved.stdout).toContain('resolved: marked succeeded: fixed by hand');
    h.backend.state.behaviours.clear();
  });

  it('queries the module log with filters and syncs usage with a progress bar', async () => {
    const log = await json(['log', '--outcome', 'error', '--limit', '5'], 'read');
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((row: { outcome: string }) => row.outcome === 'error')).toBe(true);
    const table = await cli(['log', '--search', 'quota'], 'read');
    expect(table.stdout).toMatch(/^id\s+createdAt\s+operationId/m);
    const usage = await cli(['usage', 'sync']);
    expect(usage.code).toBe(0);
    expect(usage.stderr).toContain('usage sync 100%');
    expect(usage.stdout).toMatch(/fx\s+\d+\s+\d+/);
    expect((await json(['service', 'show', String(serviceId)], 'read')).usage).toMatchObject({
      diskUsedMb: 10,
    });
  });

  it('reports an unreachable engine and a bad token clearly', async () => {
    const unreachable = await runCli(['--url', 'http://127.0.0.1:1', 'server', 'list'], env);
    expect([unreachable.code, unreachable.stderr]).toEqual([
      1,
      expect.stringContaining('cannot reach http://127.0.0.1:1'),
    ]);
    const badToken = await runCli(['--url', h.url, '--token', 'pvo_wrong', 'server', 'list'], env);
    expect(badToken.stderr).toContain('error auth.invalid_token');
    const fromEnv = await runCli(['server', 'list'], {
      ...env,
      PROVISIO_URL: h.url,
      PROVISIO_TOKEN: h.tokens.read,
    });
    expect(fromEnv.stdout).toMatch(/fx\s+fixture/);
  });
});
