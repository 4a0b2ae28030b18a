import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { describeModule } from '../../engine/module-catalogue.js';
import { BUILTIN_MODULES } from '../../modules/registry.js';
import { exportWhmcsModules } from '../../whmcs/export.js';
import { positiveInteger, reportError } from '../context.js';
import { type OutputOptions, print, renderTable } from '../output.js';

export const DEFAULT_ENGINE_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TOKEN_FILE = '/etc/provisio/whmcs.token';

function engineUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (e.g. https://provisio.example.net:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`"${value}": the engine URL must be http:// or https://`);
  if (url.username || url.password)
    throw new InvalidArgumentError(
      'the engine URL must not carry credentials: the token goes in --token-file',
    );
  return url.toString().replace(/\/$/, '');
}

export function registerWhmcsCommands(program: Command): void {
  const whmcs = program
    .command('whmcs')
    .description('the WHMCS bridge: server modules that forward to provisio');
  whmcs
    .command('export')
    .description('write a WHMCS server module for every module (and product type) into DIR/modules/servers/')
    .requiredOption('--out <dir>', 'folder to write into (your WHMCS root, or a staging copy of it)')
    .option('--engine-url <url>', 'where WHMCS reaches the provisio engine', engineUrl, DEFAULT_ENGINE_URL)
    .option('--token-file <file>', 'file on the WHMCS host holding an admin API token', DEFAULT_TOKEN_FILE)
    .option('--wait-seconds <n>', 'how long a WHMCS call waits for its operation', positiveInteger, 25)
    .action(
      (
        options: { out: string; engineUrl: string; tokenFile: string; waitSeconds: number },
        command: Command,
      ) => {
        try {
          const exported = exportWhmcsModules(BUILTIN_MODULES.map(describeModule), resolve(options.out), {
            engineUrl: options.engineUrl,
            tokenFile: options.tokenFile,
            waitSeconds: options.waitSeconds,
          });
          const output: OutputOptions = {
            json: (command.optsWithGlobals() as { json?: boolean }).json === true,
          };
          const rows = exported.map((e) => ({
            name: e.name,
            module: e.module,
            productType: e.productType ?? '',
            folder: `modules/servers/${e.name}`,
          }));
          print(output, { items: exported }, () =>
            renderTable(rows, ['name', 'module', 'productType', 'folder']),
          );
        } catch (error) {
          reportError(error);
        }
      },
    );
}
