import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(process.cwd(), 'dist/cli/main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The tests run the built CLI, as a user would. `npm test` builds first; when dist is older than
 * src (a plain `vitest run`), build here. tsc emits even when someone else's file has a type
 * error, so only a missing entry point is fatal.
 */
export function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(join(process.cwd(), 'src'))) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
  if (!existsSync(CLI)) throw new Error('the build did not produce dist/cli/main.js');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh data folder: database and key file, no config file. */
export function localEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'provisio-cli-'));
  return {
    PATH: process.env.PATH,
    HOME: dir,
    PROVISIO_SQLITE_PATH: join(dir, 'provisio.db'),
    PROVISIO_KEY_FILE: join(dir, 'secret.key'),
    PROVISIO_LOG_LEVEL: 'warn',
  };
}

/** Asynchronous, so an API served by this test process keeps answering while the CLI runs. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
