import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/support.js';

/**
 * The library surface is a decision: another package imports provisio by name (through the
 * `exports` map of the built package) and runs an engine with a module of its own.
 */
const THIRD_PARTY_MODULE = `
import { defineErrors, defineModule, ownershipMark } from 'provisio';

const errors = defineErrors('acme', {
  'acme.not_found': { kind: 'not-found', meaning: 'The ACME account does not exist.' },
});
const accounts = new Map();

export const acmeModule = defineModule({
  id: 'acme',
  displayName: 'ACME hosting',
  server: { credential: 'api-key', defaultPort: { plain: 8080, secure: 8443 } },
  settings: { fields: [{ name: 'plan', label: 'Plan', type: 'text', default: 'basic' }] },
  errors,
  async testConnection() {
    return { summary: 'acme: ' + accounts.size + ' accounts' };
  },
  async create(ctx) {
    await ctx.remote.set('account', 'acme-' + ctx.service.id);
    if (!accounts.has(ctx.service.id)) accounts.set(ctx.service.id, { plan: ctx.settings.plan, mark: ownershipMark(ctx.service.id) });
  },
  async suspend(ctx) {
    if (!accounts.has(ctx.service.id)) throw errors.error('acme.not_found', 'no account for service ' + ctx.service.id);
    accounts.get(ctx.service.id).suspended = true;
  },
  async lookup(ctx) {
    const account = accounts.get(ctx.service.id);
    if (!account) return null;
    return {
      status: account.suspended ? 'suspended' : 'active',
      owner: account.mark === ownershipMark(ctx.service.id) ? 'ours' : 'foreign',
      object: 'account acme-' + ctx.service.id,
    };
  },
});
`;

const MAIN = `
import { randomBytes } from 'node:crypto';
import { createEngine, migrateStore, openStore, SecretBox } from 'provisio';
import { EMULATOR_IDS } from 'provisio/emulators';
import { acmeModule } from './acme-module.mjs';

const store = openStore({ sqlitePath: process.argv[2] });
await migrateStore(store);
const engine = createEngine({ store, secretBox: new SecretBox(randomBytes(32)), modules: [acmeModule], eventTriggers: false });
engine.start();
const server = await engine.servers.create({ name: 'acme-1', module: 'acme', hostname: 'acme.example', secret: 'key' });
const group = await engine.serverGroups.create({ name: 'acme', fillType: 'least-full', serverIds: [server.id] });
const product = await engine.products.create({ name: 'ACME Basic', module: 'acme', serverGroupId: group.id, settings: {} });
const client = await engine.clients.create({ email: 'ada@example.com' });
const service = await engine.services.create({ clientId: client.id, productId: product.id });
const created = await engine.run(service.id, 'create');
const suspended = await engine.run(service.id, 'suspend');
await engine.stop();
await store.close();
console.log(JSON.stringify({ created: created.status, suspended: suspended.status, emulators: EMULATOR_IDS.length, port: server.port }));
`;

describe('the public library', () => {
  beforeAll(() => ensureBuilt());

  it('is imported by name by another package, which runs an engine with a module of its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provisio-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(process.cwd(), join(dir, 'node_modules', 'provisio'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'acme-provisioning', type: 'module' }));
    writeFileSync(join(dir, 'acme-module.mjs'), THIRD_PARTY_MODULE);
    writeFileSync(join(dir, 'main.mjs'), MAIN);
    const output = execFileSync(process.execPath, ['main.mjs', join(dir, 'provisio.db')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PROVISIO_LOG_LEVEL: 'error' },
    });
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({
      created: 'succeeded',
      suspended: 'succeeded',
      emulators: 5,
      port: 8443,
    });
  });

  it('exposes nothing but its entries: deep imports are closed', () => {
    const attempt = () =>
      execFileSync(
        process.execPath,
        ['--input-type=module', '-e', "await import('provisio/dist/engine/engine.js')"],
        {
          cwd: process.cwd(),
          stdio: 'pipe',
        },
      );
    expect(attempt).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
