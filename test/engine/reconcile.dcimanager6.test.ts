import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingView } from '../../src/engine/reconcile-api.js';
import type { RepairAction } from '../../src/engine/reconcile-classify.js';
import {
  BASE_SETTINGS,
  type Dci6Harness,
  drive,
  order,
  run,
  startHarness,
} from '../modules/dcimanager6.support.js';
import {
  control,
  placeServiceInStore,
  reconcileServer,
  setStatusInStore,
  summarise,
} from '../support/reconcile.js';

/**
 * Reconcile over the DCImanager 6 emulator (issue 16): every given-out or marked bare-metal
 * server, compared with the services placed on the DCImanager. A server's name for provisio is
 * its DCImanager id (saved on the service), its mark a line of its comment. DCImanager has no
 * change package: a package drift can only be ignored (or fixed by hand), and says so.
 */
let h: Dci6Harness;
let serverId: number;
const svc: Record<string, { serviceId: number; productId: number; dciId: string }> = {};
let imported: number;

const edit = (body: Record<string, unknown>) => control(h.emulator.url, 'seed/server-edit', body);

async function repair(finding: FindingView, action: RepairAction = finding.proposedAction as RepairAction) {
  const { operation } = await h.engine.reconcile.repair(finding.id, action);
  if (!operation) return null;
  const done = await drive(h, operation.id);
  expect(done.status, `${done.action}: ${done.errorMessage}`).toBe('succeeded');
  return done.action;
}

beforeAll(async () => {
  h = await startHarness();
  serverId = (await h.engine.servers.list())[0]!.id;
  // Stock for six services and one re-creation.
  for (let i = 0; i < 8; i++)
    await control(h.emulator.url, 'seed/server', { configuration: BASE_SETTINGS.configuration });
  for (const name of ['steady', 'handSuspended', 'handUnsuspended', 'released', 'relocated', 'ended']) {
    const ordered = await order(h, { settings: { dontWaitOsInstall: true } });
    const created = await run(h, ordered.service.id, 'create');
    expect(created.status, created.errorMessage ?? '').toBe('succeeded');
    const service = await h.engine.services.get(ordered.service.id);
    svc[name] = { serviceId: service.id, productId: ordered.product.id, dciId: service.remoteIds.serverId! };
  }
  h.clock.advance(30 * 60_000); // every install ends
  expect((await run(h, svc.handUnsuspended!.serviceId, 'suspend')).status).toBe('succeeded');
  // Servers of others: one given out by hand, nobody's name: never a finding.
  await control(h.emulator.url, 'seed/server', {
    id: 701,
    configuration: BASE_SETTINGS.configuration,
    owner_email: 'someone@example.org',
    power_status: 'on',
    port_status: 'up',
  });
});

afterAll(async () => {
  await h?.close();
});

describe('reconcile with DCImanager 6', () => {
  it('finds nothing on a clean DCImanager, with servers of others beside ours', async () => {
    const run = await reconcileServer(h.engine, serverId);
    expect(summarise(run.findings)).toEqual([]);
    expect(run.objectsSeen).toBe(7);
  });

  it('finds every kind of drift, and only those', async () => {
    await edit({ id: Number(svc.handSuspended!.dciId), port_status: 'down' });
    await edit({ id: Number(svc.handUnsuspended!.dciId), port_status: 'up' });
    await edit({ id: Number(svc.released!.dciId), release: true });
    // Billing moved the product to another location; the server stayed where it was.
    await h.engine.products.update(svc.relocated!.productId, {
      settings: { ...BASE_SETTINGS, dontWaitOsInstall: true, locationId: '2' },
    });
    await setStatusInStore(h.engine, svc.ended!.serviceId, 'terminated');
    // A server an earlier module gave a customer, registered from WHMCS with its id.
    await control(h.emulator.url, 'seed/server', {
      id: 700,
      configuration: BASE_SETTINGS.configuration,
      owner_email: 'legacy@example.net',
      power_status: 'on',
      port_status: 'up',
    });
    const client = await h.engine.clients.create({
      email: 'legacy@example.net',
      firstName: 'L',
      lastName: 'G',
      emailVerified: true,
    });
    imported = await placeServiceInStore(h.engine, {
      clientId: client.id,
      productId: svc.steady!.productId,
      serverId,
      status: 'active',
      remoteIds: { serverId: '700' },
    });

    h.emulator.clearRequests();
    const run = await reconcileServer(h.engine, serverId);
    const at = (name: string) => `server ${svc[name]!.dciId} #${svc[name]!.serviceId}`;
    expect(summarise(run.findings)).toEqual(
      [
        `state-drift ${at('handSuspended')} → unsuspend`,
        `state-drift ${at('handUnsuspended')} → re-suspend`,
        `missing ${at('released')} → recreate`,
        `package-drift ${at('relocated')} → ignore`,
        `orphan ${at('ended')} → release`,
        `foreign server 700 #${imported} → adopt`,
      ].sort(),
    );
    // One paged listing (one page: fewer than 100 servers), no lookup per service.
    expect(h.emulator.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /dci/v3/server']);
    const relocated = run.findings.find((f) => f.kind === 'package-drift')!;
    expect(relocated.repairs).toEqual(['ignore']);
    expect(relocated.details.differences).toEqual([{ field: 'locationId', expected: '2', actual: '1' }]);
  });

  it('repairs each finding as an operation, and a second reconcile finds nothing open', async () => {
    const findings = await h.engine.reconcile.findings({ serverId });
    const actions: string[] = [];
    for (const finding of findings) {
      const action = await repair(finding);
      if (action) actions.push(action);
    }
    expect(actions.sort()).toEqual([
      'adopt',
      'repair:re-suspend',
      'repair:recreate',
      'repair:release',
      'repair:unsuspend',
    ]);
    h.clock.advance(30 * 60_000); // the recreated server's install ends

    const run = await reconcileServer(h.engine, serverId);
    expect(summarise(run.findings)).toEqual([
      `package-drift server ${svc.relocated!.dciId} #${svc.relocated!.serviceId} → ignore (ignored)`,
    ]);
    expect(run.findingsOpen).toBe(0);
    expect(run.findingsClosed).toBe(5);
    expect((await h.engine.services.get(svc.ended!.serviceId)).status).toBe('terminated');
  });
});
