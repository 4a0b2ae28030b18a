import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { type PanelWorld, panelWorld } from './calagopus.support.js';

/**
 * Golden wire: the literal method, path, query and body of every request of every action, as the
 * emulator received it (bodies compared as the exact JSON text sent, so key order counts too).
 * Every action on an existing server starts with the engine's lookup (`GET /servers/{uuid}`), then
 * the module checks the mark again right before its change.
 */
const look = (uuid: string): Wire => ({ method: 'GET', path: `/api/admin/servers/${uuid}` });
let emulator: CalagopusEmulator;
let world: PanelWorld;
let deployWorld: PanelWorld;

interface Wire {
  method: string;
  path: string;
  query?: string;
  body?: unknown;
}

function sent(): Wire[] {
  return emulator.requests().map((r) => ({
    method: r.method,
    path: r.path,
    ...(r.query ? { query: r.query } : {}),
    ...(r.body ? { body: r.body } : {}),
  }));
}

/** The expected wire with bodies serialised in the order written here. */
function golden(...requests: Wire[]): Wire[] {
  return requests.map((r) => ({ ...r, ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }) }));
}

const PRODUCT = {
  nestUuid: FIXTURE.nestMinecraft,
  eggUuid: FIXTURE.eggPaper,
  nodeUuid: FIXTURE.nodeEu1,
  serverNamePrefix: 'MC-',
  memory: '2048',
  swap: '-1',
  disk: '20480',
  cpu: '200',
  memoryOverhead: '128',
  ioWeight: '500',
  allocationLimit: '2',
  databaseLimit: '1',
  backupLimit: '3',
  scheduleLimit: '4',
  customFeatureLimits: 'plugins:5,modded:true',
  variables: 'SERVER_JARFILE=paper.jar',
  backupConfigurationUuid: FIXTURE.backupConfiguration,
  kvmPassthrough: true,
};

const LIMITS = { cpu: 200, memory: 2048, memory_overhead: 128, swap: -1, disk: 20480, io_weight: 500 };
const FEATURES = { allocations: 2, databases: 1, backups: 3, schedules: 4, plugins: 5, modded: true };

function createBody(serviceId: number, ownerUuid: string, settings: { name: string; backup: boolean }) {
  return {
    owner_uuid: ownerUuid,
    egg_uuid: FIXTURE.eggPaper,
    start_on_completion: true,
    skip_installer: false,
    external_id: `provisio-service-${serviceId}`,
    name: settings.name,
    limits: LIMITS,
    pinned_cpus: [],
    startup: 'java -Xms128M -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}',
    image: 'ghcr.io/pterodactyl/yolks:java_21',
    hugepages_passthrough_enabled: false,
    kvm_passthrough_enabled: true,
    feature_limits: FEATURES,
    variables: [{ env_variable: 'SERVER_JARFILE', value: 'paper.jar' }],
    ...(settings.backup ? { backup_configuration_uuid: FIXTURE.backupConfiguration } : {}),
  };
}

let productId: number;
let serviceId: number;
let clientId: number;
let ownerUuid: string;
let serverUuid: string;

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
  world = await panelWorld(emulator);
  deployWorld = await world.anotherServer({
    deployPortRange: '25565-25600',
    deleteBackupsOnTerminate: false,
  });
  productId = await world.product(PRODUCT);
  ({ clientId, serviceId } = await world.service(productId, {
    firstName: 'Jean-Luc',
    lastName: 'Picard',
    email: 'picard@example.com',
  }));
});
beforeEach(() => emulator.clearRequests());
afterAll(async () => {
  await world.harness.close();
  await emulator.close();
});

describe('calagopus golden wire', () => {
  it('create in node mode', async () => {
    expect((await world.harness.engine.run(serviceId, 'create')).status).toBe('succeeded');
    const owner = [...emulator.state.users.values()].find(
      (u) => u.external_id === `provisio-client-${clientId}`,
    );
    ownerUuid = owner?.uuid as string;
    serverUuid = emulator.servers()[0]?.uuid as string;
    expect(sent()).toEqual(
      golden(
        { method: 'GET', path: `/api/admin/servers/external/provisio-service-${serviceId}` },
        { method: 'GET', path: `/api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}` },
        { method: 'GET', path: `/api/admin/users/external/provisio-client-${clientId}` },
        {
          method: 'POST',
          path: '/api/admin/users',
          body: {
            external_id: `provisio-client-${clientId}`,
            username: `${'jeanlucpicard'.slice(0, 14 - String(clientId).length)}_${clientId}`,
            email: 'picard@example.com',
            name_first: 'Jean-Luc',
            name_last: 'Picard',
            admin: false,
            send_email: true,
            language: 'en',
          },
        },
        {
          method: 'GET',
          path: `/api/admin/nodes/${FIXTURE.nodeEu1}/allocations/available`,
          query: '?page=1&per_page=100',
        },
        {
          method: 'POST',
          path: '/api/admin/servers',
          body: {
            ...createBody(serviceId, ownerUuid, { name: `MC-${serviceId}`, backup: true }),
            node_uuid: FIXTURE.nodeEu1,
            allocation_uuid: '60000000-0000-4000-8000-000000000001',
            allocation_uuids: [],
          },
        },
      ),
    );
  });

  it('create in deploy mode (an existing account of the client, explicit port rules)', async () => {
    const deployProduct = await deployWorld.product({
      ...PRODUCT,
      nodeUuid: '',
      locationUuids: `${FIXTURE.locationUs}, ${FIXTURE.locationEu}`,
      serverNamePrefix: '',
    });
    const second = await world.harness.engine.services.create({ clientId, productId: deployProduct });
    emulator.clearRequests();
    expect((await world.harness.engine.run(second.id, 'create')).status).toBe('succeeded');
    expect(sent()).toEqual(
      golden(
        { method: 'GET', path: `/api/admin/servers/external/provisio-service-${second.id}` },
        { method: 'GET', path: `/api/admin/nests/${FIXTURE.nestMinecraft}/eggs/${FIXTURE.eggPaper}` },
        { method: 'GET', path: `/api/admin/users/external/provisio-client-${clientId}` },
        {
          method: 'POST',
          path: '/api/admin/servers/deploy',
          body: {
            ...createBody(second.id, ownerUuid, { name: `Server-${second.id}`, backup: true }),
            deployment: {
              location_uuids: [FIXTURE.locationUs, FIXTURE.locationEu],
              allow_overallocation: false,
              allocations: {
                dedicated: false,
                primary: { start_port: 25565, end_port: 25600 },
                additional: [],
              },
            },
          },
        },
      ),
    );
  });

  it('suspend and unsuspend: the mark checked, then the flag', async () => {
    const { engine } = world.harness;
    expect((await engine.run(serviceId, 'suspend')).status).toBe('succeeded');
    expect((await engine.run(serviceId, 'unsuspend')).status).toBe('succeeded');
    expect(sent()).toEqual(
      golden(
        look(serverUuid),
        look(serverUuid),
        { method: 'PATCH', path: `/api/admin/servers/${serverUuid}`, body: { suspended: true } },
        look(serverUuid),
        look(serverUuid),
        { method: 'PATCH', path: `/api/admin/servers/${serverUuid}`, body: { suspended: false } },
      ),
    );
  });

  it('change package: whole limits, all feature limits, passthrough flags and image, then variables', async () => {
    const next = await world.product({
      ...PRODUCT,
      memory: '4096',
      ioWeight: '',
      dockerImage: 'ghcr.io/example/java:22',
      variables: 'SERVER_JARFILE=big.jar\nMINECRAFT_VERSION=1.21',
    });
    expect(
      (await world.harness.engine.run(serviceId, 'change-package', { args: { productId: next } })).status,
    ).toBe('succeeded');
    expect(sent()).toEqual(
      golden(
        look(serverUuid),
        look(serverUuid),
        {
          method: 'PATCH',
          path: `/api/admin/servers/${serverUuid}`,
          body: {
            limits: { cpu: 200, memory: 4096, memory_overhead: 128, swap: -1, disk: 20480 },
            feature_limits: FEATURES,
            hugepages_passthrough_enabled: false,
            kvm_passthrough_enabled: true,
            image: 'ghcr.io/example/java:22',
          },
        },
        {
          method: 'PUT',
          path: `/api/admin/servers/${serverUuid}/variables`,
          body: {
            variables: [
              { env_variable: 'SERVER_JARFILE', value: 'big.jar' },
              { env_variable: 'MINECRAFT_VERSION', value: '1.21' },
            ],
          },
        },
      ),
    );
  });

  it('change password: the owner checked against the client mark, then its password', async () => {
    const op = await world.harness.engine.run(serviceId, 'change-password', {
      secretArgs: { password: 'Enterprise-1701-D' },
    });
    expect(op.status).toBe('succeeded');
    expect(sent()).toEqual(
      golden(
        look(serverUuid),
        look(serverUuid),
        { method: 'GET', path: `/api/admin/users/external/provisio-client-${clientId}` },
        { method: 'PATCH', path: `/api/admin/users/${ownerUuid}`, body: { password: 'Enterprise-1701-D' } },
      ),
    );
  });

  it('custom actions: clear state (no body) and rename', async () => {
    const { engine } = world.harness;
    expect((await engine.run(serviceId, 'custom:clear-state')).status).toBe('succeeded');
    expect(
      (await engine.run(serviceId, 'custom:rename', { args: { serverName: 'Ten Forward' } })).status,
    ).toBe('succeeded');
    expect(sent()).toEqual(
      golden(
        look(serverUuid),
        look(serverUuid),
        { method: 'POST', path: `/api/admin/servers/${serverUuid}/clear-state` },
        look(serverUuid),
        look(serverUuid),
        { method: 'PATCH', path: `/api/admin/servers/${serverUuid}`, body: { name: 'Ten Forward' } },
      ),
    );
  });

  it('usage: the server list, page by page', async () => {
    const results = await world.harness.engine.usage.sync({ serverId: world.serverId });
    expect(results[0]).toMatchObject({ services: 1 });
    expect(sent()).toEqual(
      golden({ method: 'GET', path: '/api/admin/servers', query: '?page=1&per_page=100' }),
    );
  });

  it('test connection: the first page of locations', async () => {
    await world.harness.engine.servers.testConnection(world.serverId);
    expect(sent()).toEqual(
      golden({ method: 'GET', path: '/api/admin/locations', query: '?page=1&per_page=100' }),
    );
  });

  it('adopt: the server found under the service, then its mark written', async () => {
    emulator.drift('external-id', { uuid: serverUuid, new_external_id: 'staff-changed-it' });
    emulator.clearRequests();
    expect((await world.harness.engine.run(serviceId, 'adopt', { args: { confirm: true } })).status).toBe(
      'succeeded',
    );
    // The engine's lookup finds it foreign (saved uuid, then the mark); adopt writes the mark.
    expect(sent()).toEqual(
      golden(
        look(serverUuid),
        { method: 'GET', path: `/api/admin/servers/external/provisio-service-${serviceId}` },
        {
          method: 'PATCH',
          path: `/api/admin/servers/${serverUuid}`,
          body: { external_id: `provisio-service-${serviceId}` },
        },
      ),
    );
  });

  it('terminate: the mark checked, then the delete with its body', async () => {
    expect((await world.harness.engine.run(serviceId, 'terminate')).status).toBe('succeeded');
    expect(sent()).toEqual(
      golden(look(serverUuid), look(serverUuid), {
        method: 'DELETE',
        path: `/api/admin/servers/${serverUuid}`,
        body: { force: false, delete_backups: true },
      }),
    );
  });
});
