import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layer order of shared/DESIGN.md, as a test: every import in src/ must point down.
 *
 *   cli/ api/ web/            entry points
 *   engine/                   lifecycle, runner, placement, usage, events
 *   modules/<id>/             one backend each; never the store, the engine or another module
 *   modules/contract.ts …     the contract and its helpers (settings, registry)
 *   transport/                HTTP and line clients
 *   store/                    database
 *   core/                     pure domain
 *   emulators/<id>/           fake backends: never imported by engine code, never sharing a
 *                             module's codec (an emulator parses the raw wire itself)
 */
type Layer =
  | 'entry'
  | 'engine'
  | 'module'
  | 'contract'
  | 'registry'
  | 'transport'
  | 'store'
  | 'core'
  | 'emulator'
  | 'emulator-kit'
  | 'wiring';

function layerOf(file: string): { layer: Layer; module?: string } {
  const [top, second] = file.split('/');
  switch (top) {
    case 'cli':
    case 'api':
    case 'web':
      return { layer: 'entry' };
    case 'engine':
      return { layer: 'engine' };
    case 'transport':
      return { layer: 'transport' };
    case 'store':
      return { layer: 'store' };
    case 'core':
      return { layer: 'core' };
    case 'emulators':
      return second === 'kit' || !file.includes('/', 'emulators/'.length)
        ? { layer: second === 'kit' ? 'emulator-kit' : 'emulator' }
        : { layer: 'emulator', module: second };
    case 'modules':
      if (file === 'modules/registry.ts') return { layer: 'registry' };
      if (!second || second.endsWith('.ts')) return { layer: 'contract' };
      return { layer: 'module', module: second };
    default:
      return { layer: 'wiring' };
  }
}

/** Which layers each layer may import. */
const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  wiring: ['entry', 'engine', 'registry', 'contract', 'transport', 'store', 'core', 'wiring'],
  entry: ['entry', 'engine', 'registry', 'contract', 'core', 'wiring', 'emulator', 'emulator-kit'],
  engine: ['engine', 'contract', 'transport', 'store', 'core'],
  registry: ['module', 'contract'],
  module: ['module', 'contract', 'transport', 'core'],
  contract: ['contract', 'transport', 'core'],
  transport: ['transport', 'core'],
  store: ['store', 'core'],
  core: ['core'],
  emulator: ['emulator', 'emulator-kit', 'core'],
  'emulator-kit': ['emulator-kit'],
};

function sourceFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, base);
    return entry.name.endsWith('.ts') || entry.name.endsWith('.tsx') ? [relative(base, path)] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join('src', file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!;
    if (!spec.startsWith('.')) continue;
    found.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return found;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles('src')) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      const allowed = ALLOWED[from.layer].includes(to.layer);
      const crossModule = from.layer === 'module' && to.layer === 'module' && from.module !== to.module;
      const crossEmulator =
        from.layer === 'emulator' &&
        to.layer === 'emulator' &&
        from.module &&
        to.module &&
        from.module !== to.module;
      if (!allowed || crossModule || crossEmulator)
        found.push(`${file} (${from.layer}) imports ${target} (${to.layer})`);
    }
  }
  return found;
}

/**
 * Violations being removed in this wave (issues 12 and 13). The list may only shrink: an entry
 * that no longer occurs fails the test too, so it is deleted as soon as its import is gone.
 */
const BEING_REMOVED: readonly string[] = [
  'api/auth.ts (entry) imports store/database.ts (store)',
  'api/auth.ts (entry) imports store/repositories/api-tokens.ts (store)',
  'api/metrics.ts (entry) imports store/database.ts (store)',
  'api/metrics.ts (entry) imports store/repositories/operations.ts (store)',
  'api/route.ts (entry) imports store/repositories/api-tokens.ts (store)',
  'api/routes/operations.ts (entry) imports store/repositories/operations.ts (store)',
  'api/routes/products.ts (entry) imports store/repositories/products.ts (store)',
  'api/routes/services.ts (entry) imports store/repositories/services.ts (store)',
  'api/routes/tokens.ts (entry) imports store/repositories/api-tokens.ts (store)',
  'api/schemas.ts (entry) imports store/repositories/server-groups.ts (store)',
  'cli/commands/admin.ts (entry) imports store/database.ts (store)',
];

describe('layers', () => {
  it('every import in src/ points down the layer order of DESIGN.md', () => {
    const found = violations();
    expect(found.filter((v) => !BEING_REMOVED.includes(v))).toEqual([]);
    expect(
      BEING_REMOVED.filter((v) => !found.includes(v)),
      'fixed: delete from BEING_REMOVED',
    ).toEqual([]);
  });

  it('the check itself catches an upward import', () => {
    expect(ALLOWED.store.includes(layerOf('modules/contract.ts').layer)).toBe(false);
    expect(ALLOWED.engine.includes(layerOf('emulators/axigen/server.ts').layer)).toBe(false);
    expect(ALLOWED.emulator.includes(layerOf('modules/storegrid/wire-adapter.ts').layer)).toBe(false);
    expect(ALLOWED.module.includes(layerOf('store/database.ts').layer)).toBe(false);
    expect(ALLOWED.entry.includes(layerOf('store/database.ts').layer)).toBe(false);
  });
});
