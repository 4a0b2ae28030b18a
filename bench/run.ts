/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts. Benchmarks print figures and ratios
 * against a baseline measured in the same run; they never fail the test suite.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 1 : 0);
}
const bench = (await import(join(here, `${name}.ts`))) as { run(args: string[]): Promise<void> };
await bench.run(args);
process.exit(0);
