import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { calagopusModule } from '../../src/modules/calagopus/index.js';
import { type CalagopusSettings, calagopusSettings } from '../../src/modules/calagopus/settings.js';
import type { RemoteObject } from '../../src/modules/contract.js';
import { validateSettings } from '../../src/modules/settings.js';
import { contextFor, NODE_PRODUCT, type PanelWorld, panelWorld } from './calagopus.support.js';

/**
 * Reconcile (issue 16): every panel server, ours and foreign, page by page as the panel pages
 * them, with its mark, state and limits; and each drift a person can make by hand in the panel.
 */
let emulator: CalagopusEmulator;
let world: PanelWorld;
const ours: Record<'suspended' | 'deleted' | 'resized' | 'untouched', number> = {
  suspended: 0,
  deleted: 0,
  resized: 0,
  untouched: 0,
};
let settings: CalagopusSettings;
let objects: RemoteObject[];
let pages: number[];

async function listAll(): Promise<{ objects: RemoteObject[]; pages: number[] }> {
  const listRemote = calagopusModule.listRemote;
  if (!listRemote) throw new Error('listRemote missing');
  const found: RemoteObject[] = [];
  const sizes: number[] = [];
  for await (const page of listRemote(contextFor(emulator.port).ctx)) {
    sizes.push(page.length);
    found.push(...page);
  }
  return { objects: found, pages: sizes };
}

function objectOf(serviceId: number): RemoteObject[] {
  return objects.filter((o) => o.markedServiceId === serviceId);
}

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  world = await panelWorld(emulator);
  const productId = await world.product(NODE_PRODUCT);
  for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
    const { serviceId } = await world.service(productId);
    expect((await world.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    ours[key] = serviceId;
  }
  const validated = validateSettings(calagopusSettings, NODE_PRODUCT);
  if (!validated.ok) throw new Error('the test product settings are invalid');
  settings = validated.values as unknown as CalagopusSettings;
  // Drift made by hand in the panel.
  emulator.drift('suspend', { external_id: `provisio-service-${ours.suspended}` });
  emulator.drift('delete', { external_id: `provisio-service-${ours.deleted}` });
  emulator.drift('limits', {
    external_id: `provisio-service-${ours.resized}`,
    limits: { memory: 4096, io_weight: 300 },
    feature_limits: { backups: 10 },
  });
  // A second server an old module made on a retried create: no external id at all.
  emulator.drift('duplicate', { external_id: `provisio-service-${ours.untouched}` });
  // Servers of others, and enough of them to need three pages.
  emulator.seed('server', {
    name: 'whmcs made it',
    node_uuid: FIXTURE.nodeUs1,
    owner_uuid: FIXTURE.adminUser,
    external_id: 'whmcs-77',
  });
  emulator.seed('server', {
    name: 'other install',
    node_uuid: FIXTURE.nodeUs1,
    owner_uuid: FIXTURE.adminUser,
    external_id: 'provisio-service-999999',
  });
  for (let i = 0; i < 200; i++)
    emulator.seed('server', {
      name: `filler-${i}`,
      node_uuid: FIXTURE.nodeUs1,
      owner_uuid: FIXTURE.adminUser,
      allocation_uuid: null,
      external_id: `filler-${i}`,
    });
  emulator.clearRequests();
  ({ objects, pages } = await listAll());
});
afterAll(async () => {
  await world.harness.close();
  await emulator.close();
});

describe('calagopus listRemote', () => {
  it('lists every server as the panel pages them, 100 at a time', () => {
    expect(pages).toEqual([100, 100, 6]);
    expect(emulator.requests().map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([
      'GET /api/admin/servers?page=1&per_page=100',
      'GET /api/admin/servers?page=2&per_page=100',
      'GET /api/admin/servers?page=3&per_page=100',
    ]);
    expect(new Set(objects.map((o) => o.remoteIds?.['Server UUID'])).size).toBe(206);
  });

  it('reports ours with their mark and state, and each drift kind', () => {
    expect(objectOf(ours.untouched)).toMatchObject([{ kind: 'server', state: 'pending' }]);
    expect(objectOf(ours.suspended)).toMatchObject([{ state: 'suspended' }]);
    expect(objectOf(ours.deleted)).toEqual([]);
    const [resized] = objectOf(ours.resized);
    expect(resized?.package).toMatchObject({ memory: 4096, ioWeight: 300, backupLimit: 10 });
    const duplicate = objects.find(
      (o) => o.markedServiceId === null && o.label?.endsWith(`"MC-${ours.untouched}"`),
    );
    expect(duplicate).toMatchObject({ key: duplicate?.remoteIds?.['Server UUID'], state: 'active' });
  });

  it('reports foreign servers with no provisio mark, or the mark of a service this engine does not have', () => {
    expect(objects.find((o) => o.key === 'whmcs-77')).toMatchObject({
      markedServiceId: null,
      label: expect.stringContaining('"whmcs made it"'),
    });
    expect(objects.find((o) => o.key === 'provisio-service-999999')).toMatchObject({
      markedServiceId: 999999,
    });
  });
});

describe('calagopus remoteKeyOf and packageDrift', () => {
  it('names the key a service claims, without a panel call', () => {
    emulator.clearRequests();
    const key = calagopusModule.remoteKeyOf?.(
      { serviceId: ours.untouched, domain: null, username: null, remoteIds: {}, productType: null },
      settings,
    );
    expect(key).toEqual({ kind: 'server', key: `provisio-service-${ours.untouched}` });
    expect(objects.filter((o) => o.kind === key?.kind && o.key === key?.key)).toHaveLength(1);
    expect(emulator.requests()).toEqual([]);
  });

  it('finds the limits changed by hand, and nothing on an untouched server', () => {
    const drift = calagopusModule.packageDrift;
    if (!drift) throw new Error('packageDrift missing');
    expect(drift(settings, objectOf(ours.untouched)[0] as RemoteObject)).toEqual([]);
    expect(drift(settings, objectOf(ours.resized)[0] as RemoteObject)).toEqual([
      { field: 'memory', expected: '1024', actual: '4096' },
      { field: 'ioWeight', expected: '', actual: '300' },
      { field: 'backupLimit', expected: '2', actual: '10' },
    ]);
  });

  it('does not count what the backend does not report, nor what the product leaves to the egg', () => {
    const drift = calagopusModule.packageDrift;
    const object = objectOf(ours.untouched)[0] as RemoteObject;
    const partial = { ...object, package: { memory: 1024 } };
    expect(drift?.(settings, partial)).toEqual([]);
    // A blank Docker Image means "the egg's default": the server's image is not drift.
    expect(
      drift?.({ ...settings, dockerImage: '' }, { ...object, package: { dockerImage: 'anything:1' } }),
    ).toEqual([]);
    expect(
      drift?.({ ...settings, dockerImage: 'mine:2' }, { ...object, package: { dockerImage: 'anything:1' } }),
    ).toEqual([{ field: 'dockerImage', expected: 'mine:2', actual: 'anything:1' }]);
  });
});
