import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Dci6Harness, run, startHarness } from './dcimanager6.support.js';

let h: Dci6Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('dcimanager6 pinned server (issue 11)', () => {
  it('refuses a second order of the same client pinned to a server the first one took', async () => {
    const client = await h.engine.clients.create({ email: 'same@example.net', emailVerified: true });
    const product = await h.engine.products.create({
      name: 'Dedicated pinned',
      module: 'dcimanager6',
      serverGroupId: h.groupId,
      settings: { configuration: 'E-2146G-64Gb-1920SSD', osTemplate: 'Ubuntu 22.04', ipv4Pool: '1' },
    });
    const pinned = { 'DCImgr server ID': '102' };
    const first = await h.engine.services.create({
      clientId: client.id,
      productId: product.id,
      customFields: pinned,
    });
    const second = await h.engine.services.create({
      clientId: client.id,
      productId: product.id,
      customFields: pinned,
    });
    const { operation } = await h.engine.operations.enqueue({ serviceId: first.id, action: 'create' });
    // The first install is still running when the second order arrives.
    for (let i = 0; i < 2000; i++) {
      const op = await h.engine.operations.get(operation.id);
      if (op.status === 'waiting') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const installsBefore = h.emulator.operations(102).filter((op) => op.kind === 'os_install');
    const refused = await run(h, second.id, 'create');
    expect(refused.status).toBe('failed');
    expect(refused.errorMessage).toContain('The selected server is already in use');
    const installs = h.emulator.operations(102).filter((op) => op.kind === 'os_install');
    expect(installs).toHaveLength(installsBefore.length);
    expect(installs.every((op) => op.status !== 'canceled')).toBe(true);
  });
});
