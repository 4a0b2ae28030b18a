import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.js';

/** `npm run demo` end to end: bounded with `--once`, and stopped by Ctrl-C (SIGINT) otherwise. */
function startDemo(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, output: '', exit: undefined as number | null | undefined };
  child.stdout.on('data', (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  child.on('exit', (code) => {
    run.exit = code;
  });
  return run;
}

describe('npm run demo', () => {
  it('--once: every product ordered and taken through its lifecycle, a summary and the URLs, then exit 0', async () => {
    const run = startDemo(['--once']);
    await waitUntil(() => run.exit !== undefined, 240_000, 'the demo to exit');
    expect(run.output).toContain('placed 7 orders, one per product');
    for (const product of [
      'axigen-domain',
      'axigen-account',
      'calagopus',
      'dcimanager6',
      'easymailarchive',
      'storegrid-reseller',
      'storegrid-customer',
    ])
      expect(run.output).toMatch(new RegExp(`'${product}'\\s*│\\s*\\d+\\s*│ 'terminated'\\s*│ 4 `));
    expect(run.output).toMatch(/API docs: {2}http:\/\/localhost:\d+\/docs/);
    expect(run.output).toMatch(/web UI: {4}http:\/\/localhost:\d+\//);
    expect(run.exit, run.output).toBe(0);
  }, 300_000);

  it('stays up serving the API until Ctrl-C, then stops cleanly', async () => {
    const run = startDemo([]);
    await waitUntil(() => run.output.includes('press Ctrl-C') || run.exit !== undefined, 240_000, 'the demo');
    const docs = /API docs: {2}(\S+)/.exec(run.output)?.[1];
    expect(docs, run.output).toBeDefined();
    const response = await fetch(docs as string);
    expect(response.status).toBe(200);
    run.child.kill('SIGINT');
    await waitUntil(() => run.exit !== undefined, 60_000, 'the demo to stop');
    expect(run.output).toContain('stopping (Ctrl-C)');
    expect(run.exit).toBe(0);
  }, 300_000);
});
