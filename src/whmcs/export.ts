import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleDescription } from '../engine/module-catalogue.js';
import { whmcsModuleName } from './names.js';
import { bridgeLibraryPhp } from './templates/bridge-library.js';
import { moduleFilePhp } from './templates/module-file.js';
import { type BridgeConfig, clientAreaTpl, configFilePhp, readmeMd } from './templates/side-files.js';

/** The bridge runtime's version: in every file, so mixed exports are easy to see. */
export const BRIDGE_VERSION = '1';

export interface ExportedModule {
  name: string;
  module: string;
  productType: string | null;
  files: string[];
}

/**
 * Writes one WHMCS server module per module and product type under `<outDir>/modules/servers/`:
 * a module that sells one kind of thing is `provisio_<id>`; one that sells several (Axigen domains
 * and mailboxes) gets `provisio_<id><type>` for each, since WHMCS passes at most 24 settings and
 * each type has its own schema.
 */
export function exportWhmcsModules(
  modules: readonly ModuleDescription[],
  outDir: string,
  config: BridgeConfig,
): ExportedModule[] {
  const exported: ExportedModule[] = [];
  for (const module of modules) {
    const multiType = module.productTypes.length > 1;
    for (const productType of module.productTypes) {
      const name = whmcsModuleName(module.id, multiType ? productType.id : null);
      const dir = join(outDir, 'modules', 'servers', name);
      mkdirSync(join(dir, 'lib'), { recursive: true });
      const files: [string, string][] = [
        [`${name}.php`, moduleFilePhp({ module, productType, multiType }, BRIDGE_VERSION)],
        ['lib/ProvisioBridge.php', bridgeLibraryPhp(BRIDGE_VERSION)],
        ['clientarea.tpl', clientAreaTpl()],
        ['provisio.config.php', configFilePhp(config)],
        ['README.md', readmeMd(name, module, productType, config)],
      ];
      for (const [file, text] of files) writeFileSync(join(dir, file), text, { mode: 0o644 });
      // The config names where the token lies: readable by the web server's user, not the world.
      chmodSync(join(dir, 'provisio.config.php'), 0o640);
      exported.push({
        name,
        module: module.id,
        productType: productType.id,
        files: files.map(([file]) => join(dir, file)),
      });
    }
  }
  return exported;
}
