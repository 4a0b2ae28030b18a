import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import { ownershipMark } from '../../src/modules/contract.js';
import { easymailarchiveModule } from '../../src/modules/easymailarchive/index.js';
import { insertService, updateService } from '../../src/store/repositories/services.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { addArchiveServers } from './easymailarchive.support.js';

/**
 * Usage sync of 5,000 tenants across two servers (two reseller accounts, two emulators). The
 * services are written straight into the store as already provisioned: 5,000 create operations
 * would test create, not usage.
 */
const PER_SERVER = 2_500;
/** The module asks for 100 a page; the emulator, like a plain Laravel paginator, gives 15 (guess 6). */
const ASKED_PER_PAGE = 100;
const SERVER_PAGE = 15;
const MB = 1_048_576;

function usageOf(index: number): [number, number, number] {
  return [1 + (index % 40), index * MB + MB / 2, index * 3];
}

let emulators: EasyMailArchiveEmulator[];
let test: TestEngine;
let serverIds: number[];
/** Service id → [server index, tenant index]. */
const tenantOfService = new Map<number, [number, number]>();
let orphanServiceId: number;
let unclaimedServiceId: number;

beforeAll(async () => {
  emulators = [
    await startEasyMailArchiveEmulator({ fixtures: false }),
    await startEasyMailArchiveEmulator({ fixtures: false }),
  ];
  for (const [s, emulator] of emulators.entries()) {
    emulator.seedTenants(PER_SERVER, { prefix: `s${s}-tenant-`, usage: usageOf });
  }
  test = await createTestEngine({ modules: [easymailarchiveModule] });
  const { engine } = test;
  const added = await addArchiveServers(engine, emulators, 'ema');
  serverIds = added.serverIds;
  const { productId } = added;
  const client = await engine.clients.create({
    email: 'bulk@example.test',
    company: 'Bulk Reseller Customers',
  });
  const now = test.clock.now();
  await engine.store.write(async (trx) => {
    const provisioned = async (serverIndex: number, slug: string) => {
      const service = await insertService(
        trx,
        engine.deps.box,
        { clientId: client.id, productId, serverId: serverIds[serverIndex]! },
        now,
      );
      // Provisioned by this module: the service holds its claim on the tenant (spec §10).
      const claim = { slug, claim: ownershipMark(service.id), claimState: 'confirmed' };
      await updateService(trx, engine.deps.box, service.id, { status: 'active', remoteIds: claim }, now);
      return service.id;
    };
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < PER_SERVER; i++)
        tenantOfService.set(await provisioned(s, `s${s}-tenant-${i + 1}`), [s, i]);
    }
    orphanServiceId = await provisioned(0, 'deleted-by-support');
    // Imported from WHMCS: names a tenant it holds no claim on, so it is not billed from it.
    const imported = await insertService(
      trx,
      engine.deps.box,
      { clientId: client.id, productId, serverId: serverIds[0]! },
      now,
    );
    await updateService(
      trx,
      engine.deps.box,
      imported.id,
      { status: 'active', remoteIds: { slug: 's0-tenant-7' } },
      now,
    );
    unclaimedServiceId = imported.id;
  });
}, 120_000);

afterAll(async () => {
  await test?.close();
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

beforeEach(() => {
  for (const emulator of emulators) {
    emulator.clearRequests();
    emulator.clearFaults();
    emulator.configure({ envelope: 'enveloped' });
  }
});

async function allServices() {
  return test.engine.services.list({ limit: 10_000 });
}

// Each pass is 2 × 167 pages (the emulator pages by 15): generous bounds for a busy machine.
describe('easymailarchive usage sync', { timeout: 120_000 }, () => {
  it('writes every figure of 5,000 tenants in one paginated pass per server', async () => {
    const results = await test.engine.usage.sync();
    expect(results.map((r) => ({ services: r.services, updated: r.updated, error: r.error }))).toEqual([
      { services: PER_SERVER + 2, updated: PER_SERVER, error: undefined },
      { services: PER_SERVER, updated: PER_SERVER, error: undefined },
    ]);

    const pages = Math.ceil(PER_SERVER / SERVER_PAGE);
    for (const emulator of emulators) {
      const lists = emulator.requests({ method: 'GET', path: '/api/reseller/tenants' });
      expect(lists).toHaveLength(pages);
      expect(lists.map((r) => r.query)).toEqual(
        Array.from({ length: pages }, (_, p) => `?page=${p + 1}&per_page=${ASKED_PER_PAGE}`),
      );
      // Nothing but the list: no per-tenant calls.
      expect(emulator.requests()).toHaveLength(pages);
    }

    const services = await allServices();
    let checked = 0;
    for (const service of services) {
      const at = tenantOfService.get(service.id);
      if (!at) continue;
      const [users, bytes, messages] = usageOf(at[1]);
      expect(service.usage).toEqual({
        diskUsedMb: Math.round((bytes / MB) * 100) / 100,
        figures: { activeUsers: users, messages, storageBytes: bytes },
      });
      checked++;
    }
    expect(checked).toBe(2 * PER_SERVER);
    expect(services.find((s) => s.id === orphanServiceId)?.usageUpdatedAt).toBeNull();
    expect(services.find((s) => s.id === unclaimedServiceId)?.usageUpdatedAt).toBeNull();
  });

  it('reads the bare (S3) list, which has no paging metadata, until a short page', async () => {
    for (const emulator of emulators) emulator.configure({ envelope: 'bare' });
    const [result] = await test.engine.usage.sync({ serverId: serverIds[1]! });
    expect(result?.updated).toBe(PER_SERVER);
    // 166 full pages of 15 (not the 100 asked for), then a short one ends the pass.
    expect(emulators[1]!.requests()).toHaveLength(Math.ceil(PER_SERVER / SERVER_PAGE));
    const service = (await allServices()).find((s) => tenantOfService.get(s.id)?.join() === '1,41');
    expect(service?.usage.figures).toEqual({
      activeUsers: usageOf(41)[0],
      messages: usageOf(41)[2],
      storageBytes: usageOf(41)[1],
    });
  });

  it('writes nothing for a server whose pass fails midway, still syncs the other, and catches up next time', async () => {
    const serviceOfFirstTenant = [...tenantOfService].find(([, at]) => at.join() === '0,0')![0];
    const usersOf = async () =>
      (await test.engine.services.get(serviceOfFirstTenant)).usage.figures?.activeUsers;
    const before = await usersOf();
    emulators[0]!.tenant('s0-tenant-1')!.usersCount = 999;
    emulators[0]!.injectFault({
      kind: 'error',
      method: 'GET',
      match: '/api/reseller/tenants',
      status: 503,
      skip: 2,
    });

    const failed = await test.engine.usage.sync();
    expect(failed[0]).toMatchObject({ updated: 0, error: expect.stringContaining('HTTP 503') });
    expect(failed[1]).toMatchObject({ updated: PER_SERVER });
    expect(emulators[0]!.requests().map((r) => r.status)).toEqual([200, 200, 503]);
    expect(await usersOf()).toBe(before);

    const retried = await test.engine.usage.sync({ serverId: serverIds[0]! });
    expect(retried[0]).toMatchObject({ updated: PER_SERVER });
    expect(await usersOf()).toBe(999);
    emulators[0]!.tenant('s0-tenant-1')!.usersCount = usageOf(0)[0];
  });
});
