import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxigenEmulator, DEFAULT_ADMIN } from '../../src/emulators/axigen/index.js';
import { FIXTURE as PANEL, startCalagopusEmulator } from '../../src/emulators/calagopus/index.js';
import { startDci6Emulator } from '../../src/emulators/dcimanager6/index.js';
import { startStoreGridEmulator } from '../../src/emulators/storegrid/index.js';
import type { ControlledEmulator } from '../../src/emulators/types.js';
import { describeModule } from '../../src/engine/module-catalogue.js';
import { closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { buttonActions } from '../../src/whmcs/templates/module-file.js';
import { startWhmcsRig, type WhmcsRig } from './support.js';

/**
 * Every generated module but Easy Mail Archive (whmcs.easymailarchive.test.ts goes deeper there),
 * each through every WHMCS function it has, by PHP in the WHMCS stand-in, against a real engine and
 * its backend's emulator over sockets.
 */
interface Case {
  whmcsName: string;
  module: string;
  productType: string | null;
  settings: Record<string, unknown>;
  service: { domain?: string; username?: string };
  /** Backend time follows the engine's virtual clock (an OS install, diagnostics). */
  manualClock?: boolean;
  start(now: () => number): Promise<{
    emulator: ControlledEmulator;
    server: { hostname: string; port: number; username?: string; password?: string; accesshash?: string };
  }>;
  /** The remote object the service made exists on the backend (and no second one). */
  remoteCount(emulator: ControlledEmulator): number;
}

const CASES: Case[] = [
  {
    whmcsName: 'provisio_calagopus',
    module: 'calagopus',
    productType: null,
    settings: {
      nestUuid: PANEL.nestMinecraft,
      eggUuid: PANEL.eggPaper,
      nodeUuid: PANEL.nodeEu1,
      serverNamePrefix: 'MC-',
    },
    service: { domain: 'mc.example.com' },
    async start() {
      const emulator = await startCalagopusEmulator({});
      return { emulator, server: { hostname: '127.0.0.1', port: emulator.port, accesshash: PANEL.apiKey } };
    },
    remoteCount: (e) => (e as Awaited<ReturnType<typeof startCalagopusEmulator>>).servers().length,
  },
  {
    whmcsName: 'provisio_storegrid',
    module: 'storegrid',
    productType: null,
    settings: { action: 'customer', resellerName: 'demo-reseller', storageAllottedBytes: 5 * 1024 ** 3 },
    service: { domain: 'backup.example.com', username: 'acmebackup' },
    async start() {
      const emulator = await startStoreGridEmulator({});
      return {
        emulator,
        server: { hostname: '127.0.0.1', port: emulator.port, ...emulatorCredentials(emulator) },
      };
    },
    remoteCount: () => -1,
  },
  {
    whmcsName: 'provisio_axigendomain',
    module: 'axigen',
    productType: 'domain',
    settings: { maxAccounts: 50, defaultQuotaMb: 1024 },
    service: { domain: 'whmcs-mail.example.net' },
    async start() {
      const emulator = await AxigenEmulator.start({});
      return {
        emulator,
        server: {
          hostname: '127.0.0.1',
          port: emulator.port,
          username: DEFAULT_ADMIN.username,
          password: DEFAULT_ADMIN.password,
        },
      };
    },
    remoteCount: () => -1,
  },
  {
    whmcsName: 'provisio_axigenaccount',
    module: 'axigen',
    productType: 'account',
    settings: { targetDomain: 'example.com', accountClass: 'gold', storageQuotaMb: 2048 },
    service: { username: 'whmcsbox' },
    async start() {
      const emulator = await AxigenEmulator.start({});
      return {
        emulator,
        server: {
          hostname: '127.0.0.1',
          port: emulator.port,
          username: DEFAULT_ADMIN.username,
          password: DEFAULT_ADMIN.password,
        },
      };
    },
    remoteCount: () => -1,
  },
  {
    whmcsName: 'provisio_dcimanager6',
    module: 'dcimanager6',
    productType: null,
    settings: {
      configuration: 'E-2146G-64Gb-1920SSD',
      osTemplate: 'Ubuntu 22.04',
      ipv4Pool: '1',
      locationId: '1',
      dontWaitOsInstall: true,
    },
    service: { domain: 'metal.example.com' },
    manualClock: true,
    async start(now) {
      const emulator = await startDci6Emulator({ now });
      return {
        emulator,
        server: {
          hostname: '127.0.0.1',
          port: emulator.port,
          username: 'admin@example.com',
          password: 'secret',
        },
      };
    },
    remoteCount: () => -1,
  },
];

function emulatorCredentials(emulator: unknown) {
  const { username, password } = (emulator as { credentials: { username: string; password: string } })
    .credentials;
  return { username, password };
}

/** A settings object as WHMCS stores it: configoption1..N in the schema's order, ticks as "on". */
function configOptions(
  module: string,
  productType: string | null,
  settings: Record<string, unknown>,
): string[] {
  const description = describeModule(BUILTIN_MODULES.find((m) => m.id === module)!);
  const type = description.productTypes.find((t) => t.id === productType)!;
  return type.settings.map((field) => {
    const value = settings[field.name] ?? field.default;
    if (field.type === 'yesno') return value === true ? 'on' : '';
    return value === undefined ? '' : String(value);
  });
}

const emulators: ControlledEmulator[] = [];

afterAll(async () => {
  await closeAxigenSessionPools();
  for (const emulator of emulators) await emulator.close();
});

describe.each(CASES)('$whmcsName in WHMCS', (c) => {
  const description = describeModule(BUILTIN_MODULES.find((m) => m.id === c.module)!);
  let rig: WhmcsRig;
  beforeAll(async () => {
    // On virtual time a call waits little: the test moves the clock between WHMCS's retries.
    rig = await startWhmcsRig(c.manualClock ? { waitSeconds: 3, clock: 'manual' } : { waitSeconds: 15 });
  }, 120_000);
  afterAll(() => rig?.close());

  it('runs every function it has against the backend', async () => {
    const clock = rig.test.manualClock;
    const { emulator, server } = await c.start(() => rig.test.clock.now());
    emulators.push(emulator);
    const serverId = await rig.addServer({ type: c.whmcsName, secure: false, ...server });
    const productId = await rig.addProduct(c.whmcsName, configOptions(c.module, c.productType, c.settings));
    const clientId = await rig.addClient();
    const id = await rig.addService({ clientId, productId, serverId, ...c.service });
    /**
     * A WHMCS call, retried as staff would while provisio says it is still working: each retry
     * waits for the same operation. On virtual time the backend's clock moves between tries.
     */
    const call = async (
      fn: string,
      target: { service: number } | { server: number } | { product: number; server: number } = {
        service: id,
      },
    ) => {
      let answer = await rig.call(c.whmcsName, fn, target);
      for (let retry = 0; retry < 40 && /still working on/.test(String(answer.result)); retry++) {
        expect(clock, `${fn} outlasted a WHMCS call on real time: ${answer.result}`).toBeDefined();
        clock?.advance(5 * 60_000);
        answer = await rig.call(c.whmcsName, fn, target);
      }
      return answer;
    };

    expect((await call('TestConnection', { server: serverId })).result).toEqual({ success: true, error: '' });
    // Dropdowns whose choices live on the backend: WHMCS's Loader functions ask the engine.
    const type = description.productTypes.find((t) => t.id === c.productType)!;
    for (const field of type.settings.filter((f) => f.loader)) {
      const loaded = await call(`Load${field.name}`, { product: productId, server: serverId });
      expect([field.name, loaded.threw]).toEqual([field.name, null]);
      expect(Object.keys(loaded.result).length).toBeGreaterThan(0);
    }
    expect((await call('CreateAccount')).result).toBe('success');
    expect((await rig.hosting(id)).domainstatus).toBe('Active');
    const service = await rig.provisioService(id);
    expect(service.status).toBe('active');
    if (c.remoteCount(emulator) >= 0) expect(c.remoteCount(emulator)).toBe(1);
    if (c.module === 'calagopus')
      expect(await rig.property(id, 'Server UUID')).toBe(service.remoteIds['Server UUID']);

    expect((await call('SuspendAccount')).result).toBe('success');
    expect((await rig.provisioService(id)).status).toBe('suspended');
    expect((await call('UnsuspendAccount')).result).toBe('success');
    expect((await rig.provisioService(id)).status).toBe('active');

    if (description.lifecycle.includes('change-password')) {
      await rig.sql('UPDATE tblhosting SET password = ? WHERE id = ?', ['N3w!Passw0rd', id]);
      expect((await call('ChangePassword')).result).toBe('success');
    } else {
      expect((await call('ChangePassword')).missing).toBe(true);
    }
    if (description.lifecycle.includes('change-package')) {
      const next = await rig.addProduct(c.whmcsName, configOptions(c.module, c.productType, c.settings));
      await rig.sql('UPDATE tblhosting SET packageid = ? WHERE id = ?', [next, id]);
      expect((await call('ChangePackage')).result).toBe('success');
      expect((await rig.provisioService(id)).productId).not.toBe(service.productId);
    }
    expect((await call('Renew')).result).toBe('success');

    const area = (await call('ClientArea')).result;
    expect(area).toMatchObject({ templatefile: 'clientarea', vars: { provisioError: '' } });
    const tab = (await call('AdminServicesTabFields')).result;
    expect(tab['provisio status']).toBe('active');
    expect(tab['Last operation']).toMatch(/succeeded/);

    const listed = (await call('ListAccounts', { server: serverId })).result;
    expect(listed.success).toBe(true);
    expect(listed.accounts).toHaveLength(1);
    if (description.usage) {
      const usage = await call('UsageUpdate', { server: serverId });
      expect(usage.threw).toBeNull();
      expect((await rig.hosting(id)).lastupdate).not.toBeNull();
    }

    const buttons = (await call('AdminCustomButtonArray')).result;
    expect(Object.keys(buttons)).toEqual([
      'Adopt backend object',
      ...buttonActions(description).map((a) => a.label),
    ]);
    for (const action of buttonActions(description).filter((a) => !a.destructive)) {
      expect([action.name, (await call(buttons[action.label])).result]).toEqual([action.name, 'success']);
    }
    if (description.loginLink) {
      const sso = (await call('ServiceSingleSignOn')).result;
      expect(sso.success).toBe(true);
      expect(sso.redirectTo).toMatch(/^https?:\/\//);
    }

    const terminated = (await call('TerminateAccount')).result;
    expect(terminated).toBe('success');
    for (const action of ['create', 'terminate'])
      expect(await rig.engine.operations.list({ serviceId: service.id, action })).toHaveLength(1);
    expect((await rig.hosting(id)).domainstatus).toBe('Terminated');
    expect((await rig.provisioService(id)).status).toBe('terminated');
    if (c.remoteCount(emulator) >= 0) expect(c.remoteCount(emulator)).toBe(0);
    expect((await rig.moduleQueue(id)).every((item) => item.completed === 1)).toBe(true);
  }, 400_000);
});
