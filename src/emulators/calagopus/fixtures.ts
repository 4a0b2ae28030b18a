import { ADMIN_PERMISSIONS, type NodeAllocation, nextCreated, type PanelState } from './state.js';

/**
 * Demo panel: two locations, three nodes, a Minecraft nest with a Paper egg. Fixed UUIDs so docs,
 * tests and `provisio emulate calagopus` can name them.
 */
export const FIXTURE = {
  /** `c7sp_` + 43 alphanumerics: the admin key with every permission the integration needs. */
  apiKey: 'c7sp_EmulatorAdminKey000000000000000000000000000',
  adminUser: '00000000-0000-4000-8000-000000000001',
  locationEu: '10000000-0000-4000-8000-000000000001',
  locationUs: '10000000-0000-4000-8000-000000000002',
  /** A location with no nodes (deploy reason `no nodes exist…`). */
  locationEmpty: '10000000-0000-4000-8000-000000000003',
  nodeEu1: '20000000-0000-4000-8000-000000000001',
  nodeUs1: '20000000-0000-4000-8000-000000000002',
  /** Deployment disabled, in the US location too. */
  nodeUs2: '20000000-0000-4000-8000-000000000003',
  nestMinecraft: '30000000-0000-4000-8000-000000000001',
  eggPaper: '40000000-0000-4000-8000-000000000001',
  backupConfiguration: '50000000-0000-4000-8000-000000000001',
} as const;

function addAllocations(
  state: PanelState,
  nodeUuid: string,
  ip: string,
  alias: string | null,
  ports: number[],
  idBase: number,
) {
  ports.forEach((port, index) => {
    const uuid = `60000000-0000-4000-8000-${String(idBase + index).padStart(12, '0')}`;
    const allocation: NodeAllocation = {
      uuid,
      node_uuid: nodeUuid,
      ip,
      ip_alias: alias,
      port,
      created: nextCreated(),
    };
    state.allocations.set(uuid, allocation);
  });
}

export function loadFixtures(state: PanelState): void {
  state.users.set(FIXTURE.adminUser, {
    uuid: FIXTURE.adminUser,
    external_id: null,
    username: 'admin',
    email: 'admin@panel.example',
    name_first: 'Panel',
    name_last: 'Admin',
    admin: true,
    frozen: false,
    suspended: false,
    totp_enabled: false,
    require_two_factor: false,
    language: 'en',
    password: null,
    role_permissions: [],
    created: nextCreated(),
  });
  state.apiKeys.push({
    key: FIXTURE.apiKey,
    user_uuid: FIXTURE.adminUser,
    admin_permissions: [...ADMIN_PERMISSIONS],
    allowed_ips: [],
    expires: null,
  });
  for (const [uuid, name] of [
    [FIXTURE.locationEu, 'eu-west'],
    [FIXTURE.locationUs, 'us-east'],
    [FIXTURE.locationEmpty, 'ap-south'],
  ] as const) {
    state.locations.set(uuid, { uuid, name, description: null, flag: null, created: nextCreated() });
  }
  const node = (uuid: string, location: string, name: string, deployment: boolean) =>
    state.nodes.set(uuid, {
      uuid,
      location_uuid: location,
      name,
      memory: 65536,
      disk: 1048576,
      deployment_enabled: deployment,
      maintenance_enabled: false,
      fqdn: `${name}.panel.example`,
      created: nextCreated(),
    });
  node(FIXTURE.nodeEu1, FIXTURE.locationEu, 'eu-node-1', true);
  node(FIXTURE.nodeUs1, FIXTURE.locationUs, 'us-node-1', true);
  node(FIXTURE.nodeUs2, FIXTURE.locationUs, 'us-node-2', false);
  addAllocations(
    state,
    FIXTURE.nodeEu1,
    '10.0.0.5',
    'play.eu.example',
    Array.from({ length: 20 }, (_, i) => 25565 + i),
    1,
  );
  addAllocations(state, FIXTURE.nodeUs1, '10.1.0.5', null, [25565, 25566, 25567, 25568], 101);
  state.nests.set(FIXTURE.nestMinecraft, {
    uuid: FIXTURE.nestMinecraft,
    name: 'Minecraft',
    description: 'Minecraft: Java Edition',
    author: 'support@panel.example',
    created: nextCreated(),
  });
  state.eggs.set(FIXTURE.eggPaper, {
    uuid: FIXTURE.eggPaper,
    nest_uuid: FIXTURE.nestMinecraft,
    name: 'Paper',
    description: 'High performance Minecraft server',
    author: 'support@panel.example',
    startup_commands: { Default: 'java -Xms128M -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}' },
    docker_images: {
      'Java 21': 'ghcr.io/pterodactyl/yolks:java_21',
      'Java 17': 'ghcr.io/pterodactyl/yolks:java_17',
    },
    variables: [
      {
        env_variable: 'SERVER_JARFILE',
        name: 'Server Jar File',
        default_value: 'server.jar',
        rules: ['required', 'string', 'max:64'],
      },
      {
        env_variable: 'MINECRAFT_VERSION',
        name: 'Minecraft Version',
        default_value: 'latest',
        rules: ['nullable', 'string', 'max:20'],
      },
    ],
    deployment_rules: null,
    created: nextCreated(),
  });
  state.backupConfigurations.set(FIXTURE.backupConfiguration, {
    uuid: FIXTURE.backupConfiguration,
    name: 'nightly',
  });
}
