import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemoteObject } from '../../src/modules/contract.js';
import { dcimanager6Module } from '../../src/modules/dcimanager6/index.js';
import { LIST_PAGE } from '../../src/modules/dcimanager6/reconcile.js';
import type { Dci6Settings } from '../../src/modules/dcimanager6/settings.js';
import { dci6ActionContext } from '../support/dcimanager6-context.js';
import { BASE_SETTINGS, type Dci6Harness, order, run, startHarness } from './dcimanager6.support.js';

/** Reconcile (issue 16): every given-out or claimed server, ours and foreign, in DCImanager's pages. */
let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function listAll(): Promise<{ pages: number; objects: RemoteObject[] }> {
  const ctx = dci6ActionContext({
    port: h.emulator.port,
    serviceId: 0,
    email: 'nobody@example.net',
    settings: BASE_SETTINGS as unknown as Dci6Settings,
  });
  let pages = 0;
  const objects: RemoteObject[] = [];
  for await (const page of dcimanager6Module.listRemote?.(ctx) ?? []) {
    pages++;
    objects.push(...page);
  }
  return { pages, objects };
}

describe('dcimanager6 listRemote, remoteKeyOf, packageDrift', () => {
  it('lists ours and foreign servers with their marks, pages as DCImanager pages, and finds every drift', async () => {
    const ordered = await order(h, { settings: { dontWaitOsInstall: true } });
    expect((await run(h, ordered.service.id, 'create')).status).toBe('succeeded');
    const other = await order(h, { settings: { dontWaitOsInstall: true } });
    expect((await run(h, other.service.id, 'create')).status).toBe('succeeded');
    h.clock.advance(30 * 60_000); // both installs end
    // Drift made by hand: 102 powered off, 101's owner changed; a server an old module gave with no mark;
    // stock enough to need two pages (free servers are not listed).
    h.emulator.seed('server-edit', { id: 102, power_status: 'off' });
    h.emulator.seed('server-edit', { id: 101, owner_email: 'staff@example.org' });
    h.emulator.seed('server', {
      id: 700,
      configuration: 'OLD-1',
      owner_email: 'legacy@example.net',
      power_status: 'on',
      port_status: 'up',
    });
    for (let n = 0; n < LIST_PAGE; n++) h.emulator.seed('server', { configuration: 'SPARE-1' });
    h.emulator.seed('server', {
      id: 5000,
      configuration: 'SPARE-1',
      owner_email: 'last@example.net',
      port_status: 'down',
    });

    const { pages, objects } = await listAll();
    expect(pages).toBe(2);
    const byKey = Object.fromEntries(objects.map((object) => [object.key, object]));
    expect(Object.keys(byKey).sort()).toEqual(['101', '102', '5000', '700']);
    expect(byKey['101']).toMatchObject({
      kind: 'server',
      markedServiceId: ordered.service.id,
      state: 'active',
      remoteIds: { serverId: '101', ownerEmail: 'staff@example.org' },
      package: { configuration: BASE_SETTINGS.configuration, locationId: '1' },
    });
    expect(byKey['102']).toMatchObject({ markedServiceId: other.service.id, state: 'unknown' });
    expect(byKey['700']).toMatchObject({ markedServiceId: null, state: 'active' });
    expect(byKey['5000']).toMatchObject({ markedServiceId: null, state: 'suspended' });

    // Released by hand: no owner, no mark any more: gone from the list (reconcile reports it missing).
    h.emulator.seed('server-edit', { id: 102, release: true });
    expect((await listAll()).objects.map((object) => object.key)).not.toContain('102');

    const record = await h.engine.services.get(ordered.service.id);
    const ref = {
      serviceId: record.id,
      domain: record.domain,
      username: record.username,
      remoteIds: record.remoteIds,
      productType: null,
    };
    expect(dcimanager6Module.remoteKeyOf?.(ref, BASE_SETTINGS as unknown as Dci6Settings)).toEqual({
      kind: 'server',
      key: '101',
    });
    expect(
      dcimanager6Module.remoteKeyOf?.({ ...ref, remoteIds: {} }, BASE_SETTINGS as unknown as Dci6Settings),
    ).toBeNull();

    const settings = { ...BASE_SETTINGS } as unknown as Dci6Settings;
    expect(dcimanager6Module.packageDrift?.(settings, byKey['101'] as RemoteObject)).toEqual([]);
    expect(dcimanager6Module.packageDrift?.(settings, byKey['700'] as RemoteObject)).toEqual([
      { field: 'configuration', expected: BASE_SETTINGS.configuration, actual: 'OLD-1' },
    ]);
    expect(
      dcimanager6Module.packageDrift?.(
        { ...settings, configuration: '', locationId: '2' },
        byKey['101'] as RemoteObject,
      ),
    ).toEqual([{ field: 'locationId', expected: '2', actual: '1' }]);
  });
});
