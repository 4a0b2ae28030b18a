import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The small `npm run chaos` of issue 17 (100 operations, 3 SIGKILLs, 5% faults on every
 * emulator's wire): it must end with every check at zero and exit 0. The full run is
 * `npm run chaos` (1,000 operations, 10 kills), on SQLite and with `--dialect postgres`.
 */
function runChaos(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chaos.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run chaos, small', () => {
  it('100 operations, 3 kills, 5% faults: every operation ends, billing agrees, nothing twice, no secret in clear', async () => {
    const { code, output } = await runChaos(['--ops', '100', '--kills', '3', '--seed', '7']);
    expect(output).toMatch(/operations terminal \/ total:\s+(\d+) \/ \1 /);
    expect(output).toMatch(/engine kills:\s+3/);
    expect(output).toMatch(/services billing ≠ backend:\s+0/);
    expect(output).toMatch(/duplicate remote objects:\s+0/);
    expect(output).toMatch(/creates run twice:\s+0/);
    expect(output).toMatch(/secrets in clear \(db, log, module log\): 0/);
    expect(code, output).toBe(0);
  }, 600_000);
});
