import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, localEnv, runCli } from './support.js';

beforeAll(() => ensureBuilt(), 120_000);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a long-running command and resolves with the first stdout line matching `pattern`. */
function startAndWaitFor(
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve({ child, match, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${output}`)));
  });
}

describe('provisio on the local database', () => {
  it('refuses to create an empty database silently, naming the file it would use', async () => {
    const env = localEnv();
    const answer = await runCli(['service', 'list'], env);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain(`no provisio database at ${env.PROVISIO_SQLITE_PATH}`);
    expect(answer.stderr).toContain('provisio migrate');
    expect(existsSync(env.PROVISIO_SQLITE_PATH!)).toBe(false);
  });

  it('migrates, creates, lists and revokes tokens, in tables and in JSON', async () => {
    const env = localEnv();
    expect((await runCli(['migrate'], env)).stdout).toContain('applied: 001-initial');
    expect((await runCli(['migrate'], env)).stdout).toContain('up to date');
    const created = await runCli(
      ['--json', 'token', 'create', '--name', 'billing', '--scope', 'operator'],
      env,
    );
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token.token).toMatch(/^pvo_/);
    expect(statSync(env.PROVISIO_KEY_FILE!).mode & 0o777).toBe(0o600);
    const table = await runCli(['token', 'list'], env);
    expect(table.stdout).toMatch(/^id\s+name\s+prefix\s+scope/m);
    expect(table.stdout).toContain('billing');
    expect(table.stdout).not.toContain(token.token);
    const revoked = await runCli(['--json', 'token', 'revoke', String(token.record.id)], env);
    expect(JSON.parse(revoked.stdout).revokedAt).toEqual(expect.any(Number));
  });

  it('adds a client and reports every invalid field with exit code 1', async () => {
    const env = localEnv();
    await runCli(['migrate'], env);
    const added = await runCli(
      [
        '--json',
        'client',
        'add',
        '--email',
        'ada@example.com',
        '--first-name',
        'Ada',
        '--external-id',
        'w-1',
      ],
      env,
    );
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 1, email: 'ada@example.com', externalId: 'w-1' });
    const bad = await runCli(['client', 'add', '--email', 'not-an-email'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error input.invalid');
    const missing = await runCli(['service', 'show', '42'], env);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      'error service.not_found: service 42 does not exist',
    ]);
    const usage = await runCli(['service', 'show', 'abc'], env);
    expect(usage.code).toBe(2);
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
  });

  it('deletes a group, takes a server out of it, and refuses what is still used', async () => {
    const env = localEnv();
    await runCli(['migrate'], env);
    const setUp = [
      [
        'server',
        'add',
        '--name',
        's1',
        '--module',
        'easymailarchive',
        '--hostname',
        '127.0.0.1',
        '--port',
        '1',
        '--secret',
        'k',
      ],
      ['group', 'add', '--name', 'g1', '--server', '1'],
      ['product', 'add', '--name', 'p1', '--module', 'easymailarchive', '--group', '1'],
    ];
    for (const args of setUp) expect((await runCli(args, env)).code, args.join(' ')).toBe(0);
    const inUse = await runCli(['group', 'delete', '1'], env);
    expect([inUse.code, inUse.stderr]).toEqual([1, expect.stringContaining('error server_group.in_use')]);
    const removed = await runCli(['--json', 'group', 'remove-server', '1', '1'], env);
    expect(JSON.parse(removed.stdout).members).toEqual([]);
    for (const [noun, id] of [
      ['product', '1'],
      ['group', '1'],
      ['server', '1'],
    ]) {
      const deleted = await runCli([noun!, 'delete', id!], env);
      expect([deleted.code, deleted.stdout.trim()]).toEqual([
        0,
        `${noun === 'group' ? 'server group' : noun} 1 deleted`,
      ]);
    }
    expect((await runCli(['server', 'delete', '1'], env)).stderr).toContain('error server.not_found');
  });

  it('reads product settings from a JSON file and reports settings errors field by field', async () => {
    const env = localEnv();
    await runCli(['migrate'], env);
    const file = join(env.HOME!, 'settings.json');
    writeFileSync(file, JSON.stringify({ nonsense: true }));
    const result = await runCli(
      ['product', 'add', '--name', 'Mail', '--module', 'easymailarchive', '--settings-file', file],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error settings\.invalid/);
    const unreadable = await runCli(
      [
        'product',
        'add',
        '--name',
        'Mail',
        '--module',
        'easymailarchive',
        '--settings-file',
        join(env.HOME!, 'nope.json'),
      ],
      env,
    );
    expect([unreadable.code, unreadable.stderr]).toEqual([
      2,
      expect.stringContaining('cannot read settings'),
    ]);
  });

  it('starts an emulator, adds a server for it and tests the connection', async () => {
    const env = localEnv();
    await runCli(['migrate'], env);
    const emulator = await startAndWaitFor(
      ['emulate', 'easymailarchive', '--port', '0', '--set', 'apiKey=cli-test-key-123'],
      env,
      /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    const port = emulator.match[1]!;
    const added = await runCli(
      [
        '--json',
        'server',
        'add',
        '--name',
        'ema',
        '--module',
        'easymailarchive',
        '--hostname',
        '127.0.0.1',
        '--port',
        port,
        '--no-secure',
        '--secret-env',
        'EMA_KEY',
      ],
      { ...env, EMA_KEY: 'cli-test-key-123' },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain('cli-test-key-123');
    const test = await runCli(['server', 'test', '1'], env);
    expect([test.code, test.stdout]).toEqual([0, expect.stringMatching(/^ok: /)]);
    const list = await runCli(['server', 'list'], env);
    expect(list.stdout).toMatch(/1\s+ema\s+easymailarchive\s+127\.0\.0\.1/);
    emulator.child.kill('SIGTERM');
    const dead = await runCli(['server', 'test', '1'], env);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toMatch(/^failed \(/);
  });

  it('serves: prints an admin token once on first start, answers, and stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...localEnv(), PROVISIO_PORT: '0' };
    const first = await startAndWaitFor(
      ['serve'],
      env,
      /listening on (http:\/\/localhost:\d+)[\s\S]*?(pvo_[\w-]+)/,
    );
    const [, url, token] = first.match;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/v1/servers`)).status).toBe(401);
    expect((await fetch(`${url}/v1/servers`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    const remote = await runCli(
      ['--url', url!, '--token', token!, '--json', 'client', 'add', '--email', 'remote@example.com'],
      env,
    );
    expect(JSON.parse(remote.stdout).email).toBe('remote@example.com');
    const exited = new Promise<number | null>((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(first.output()).toContain('SIGTERM: finishing running actions');

    const second = await startAndWaitFor(['serve'], env, /listening on http:\/\/localhost:\d+/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.output()).not.toContain('pvo_');
    second.child.kill('SIGTERM');
    expect(existsSync(env.PROVISIO_SQLITE_PATH!)).toBe(true);
  });
});
