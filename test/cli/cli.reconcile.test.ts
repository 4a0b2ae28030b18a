import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { ownershipMark } from '../../src/modules/contract.js';
import { type ApiHarness, startApiHarness } from '../api/support.js';
import { NODE_PRODUCT } from '../modules/calagopus.support.js';
import { ensureBuilt, localEnv, runCli } from './support.js';

/**
 * `provisio reconcile`, `reconcile findings` and `reconcile repair` (the built CLI) against a
 * running API whose engine drives a Calagopus emulator: what an operator types and reads.
 */
let h: ApiHarness;
let emulator: CalagopusEmulator;
let env: NodeJS.ProcessEnv;
let serverId: number;
const services: number[] = [];

const cli = (args: string[], scope: 'operator' | 'read' = 'operator') =>
  runCli(['--url', h.url, '--token', h.tokens[scope], ...args], env);
const json = async (args: string[], scope: 'operator' | 'read' = 'operator') => {
  const result = await cli(['--json', ...args], scope);
  if (result.code !== 0) throw new Error(`provisio ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

beforeAll(async () => {
  ensureBuilt();
  env = localEnv();
  emulator = await startCalagopusEmulator({});
  h = await startApiHarness({ modules: [calagopusModule] });
  const { engine } = h;
  const server = await engine.servers.create({
    name: 'panel',
    module: 'calagopus',
    hostname: '127.0.0.1',
    port: emulator.port,
    secure: false,
    secret: FIXTURE.apiKey,
  });
  serverId = server.id;
  const group = await engine.serverGroups.create({
    name: 'panels',
    fillType: 'least-full',
    serverIds: [serverId],
  });
  const product = await engine.products.create({
    name: 'Minecraft',
    module: 'calagopus',
    serverGroupId: group.id,
    settings: NODE_PRODUCT,
  });
  const client = await engine.clients.create({
    email: 'p@example.com',
    firstName: 'Pat',
    lastName: 'Player',
  });
  for (let i = 0; i < 2; i++) {
    const service = await engine.services.create({ clientId: client.id, productId: product.id });
    expect((await engine.run(service.id, 'create')).status).toBe('succeeded');
    emulator.drift('status', { external_id: ownershipMark(service.id), status: null });
    services.push(service.id);
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
  await emulator?.close();
});

describe('provisio reconcile', () => {
  it('reports a clean server in words, and in JSON', async () => {
    const clean = await cli(['reconcile', '--server', String(serverId)]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/panel\s+succeeded/);
    expect(clean.stdout).toContain('no open findings');
    const [run] = await json(['reconcile']);
    expect(run).toMatchObject({ serverId, status: 'succeeded', findingsOpen: 0, findings: [] });
  });

  it('shows what differs and what provisio would do', async () => {
    emulator.drift('delete', { external_id: ownershipMark(services[0]!) });
    emulator.drift('suspend', { external_id: ownershipMark(services[1]!) });
    const run = await cli(['reconcile']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('open findings:');
    expect(run.stdout).toMatch(
      new RegExp(
        `missing\\s+server ${ownershipMark(services[0]!)}\\s+${services[0]}\\s+open\\s+recreate\\s+recreate,ignore`,
      ),
    );
    expect(run.stdout).toMatch(/state-drift\s+server \S+\s+\d+\s+open\s+unsuspend/);

    const page = await json(['reconcile', 'findings', '--kind', 'missing'], 'read');
    expect(page.items.map((f: { serviceId: number }) => f.serviceId)).toEqual([services[0]]);
    const listed = await cli(['reconcile', 'findings', '--limit', '1'], 'read');
    expect(listed.stdout).toMatch(/\(more: --after \d+\)/);
    const bad = await cli(['reconcile', 'findings', '--kind', 'vanished'], 'read');
    expect(bad.code).toBe(2);
  });

  it('repairs one finding with a chosen action, refuses one that does not fit, and a read token', async () => {
    const [missing] = (await json(['reconcile', 'findings', '--kind', 'missing'], 'read')).items;
    const refused = await cli(['reconcile', 'repair', String(missing.id), '--action', 'adopt']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`finding ${missing.id}: finding ${missing.id} (missing of server`);
    expect(refused.stderr).toContain('choose recreate or ignore');
    const byRead = await cli(['reconcile', 'repair', String(missing.id)], 'read');
    expect(byRead.code).toBe(1);
    expect(byRead.stderr).toContain('auth.insufficient_scope');

    const [item] = await json(['reconcile', 'repair', String(missing.id), '--action', 'recreate']);
    expect(item).toMatchObject({
      findingId: missing.id,
      action: 'recreate',
      operationId: expect.any(Number),
    });
    expect((await h.engine.operations.waitFor(item.operationId, { timeoutMs: 30_000 })).status).toBe(
      'succeeded',
    );
  });

  it('repairs every open finding of a server with its proposed action, and the next run is clean', async () => {
    const repaired = await cli([
      'reconcile',
      'repair',
      '--server',
      String(serverId),
      '--kind',
      'state-drift',
    ]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/unsuspend\s+\d+/);
    const operationId = Number(/unsuspend\s+(\d+)/.exec(repaired.stdout)?.[1]);
    expect((await h.engine.operations.waitFor(operationId, { timeoutMs: 30_000 })).status).toBe('succeeded');
    emulator.drift('status', { external_id: ownershipMark(services[0]!), status: null });
    const [run] = await json(['reconcile', '--server', String(serverId)]);
    expect(run).toMatchObject({ findingsOpen: 0, findingsClosed: 2 });
  });
});
