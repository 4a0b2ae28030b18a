import type {
  Egg,
  Location,
  Nest,
  NodeAllocation,
  PanelNode,
  PanelServer,
  PanelState,
  PanelUser,
} from './state.js';

/** The API objects of spec §3–§5.1, built from state. Clients must ignore keys they do not know. */
export function presentUser(user: PanelUser) {
  return {
    uuid: user.uuid,
    external_id: user.external_id,
    username: user.username,
    role: null,
    avatar: null,
    email: user.email,
    name_first: user.name_first,
    name_last: user.name_last,
    admin: user.admin,
    frozen: user.frozen,
    suspended: user.suspended,
    totp_enabled: user.totp_enabled,
    totp_last_used: null,
    require_two_factor: user.require_two_factor,
    language: user.language,
    toast_position: 'bottom_right',
    start_on_grouped_servers: false,
    has_password: user.password !== null,
    created: user.created,
  };
}

export function presentLocation(location: Location) {
  return { ...location, backup_configuration: null };
}

export function presentNode(state: PanelState, node: PanelNode) {
  const location = state.locations.get(node.location_uuid);
  return {
    uuid: node.uuid,
    location: location ? presentLocation(location) : null,
    backup_configuration: null,
    name: node.name,
    description: null,
    deployment_enabled: node.deployment_enabled,
    maintenance_enabled: node.maintenance_enabled,
    public_url: null,
    url: `https://${node.fqdn}:8080`,
    sftp_host: null,
    sftp_port: 2022,
    memory: node.memory,
    disk: node.disk,
    created: node.created,
  };
}

export function presentAllocation(allocation: NodeAllocation) {
  return {
    uuid: allocation.uuid,
    server: null,
    ip: allocation.ip,
    ip_alias: allocation.ip_alias,
    port: allocation.port,
    created: allocation.created,
  };
}

export function presentNest(nest: Nest) {
  return { ...nest };
}

export function presentEgg(egg: Egg) {
  return {
    uuid: egg.uuid,
    egg_repository_egg: null,
    name: egg.name,
    description: egg.description,
    author: egg.author,
    config_files: [],
    config_startup: { done: [], strip_ansi: false },
    config_stop: { type: 'command', value: 'stop' },
    config_script: { container: 'alpine', entrypoint: 'ash', content: '' },
    startup_commands: egg.startup_commands,
    force_outgoing_ip: false,
    separate_port: false,
    features: [],
    docker_images: egg.docker_images,
    file_denylist: [],
    created: egg.created,
  };
}

export function presentServer(state: PanelState, server: PanelServer) {
  const primary = server.allocations.find((a) => a.is_primary);
  const nodeAllocation = primary ? state.allocations.get(primary.allocation_uuid) : undefined;
  const node = state.nodes.get(server.node_uuid);
  const owner = state.users.get(server.owner_uuid);
  const egg = state.eggs.get(server.egg_uuid);
  const nest = egg ? state.nests.get(egg.nest_uuid) : undefined;
  const backup = server.backup_configuration_uuid
    ? state.backupConfigurations.get(server.backup_configuration_uuid)
    : undefined;
  return {
    uuid: server.uuid,
    uuid_short: server.uuid_short,
    external_id: server.external_id,
    allocation:
      primary && nodeAllocation
        ? {
            uuid: primary.uuid,
            ip: nodeAllocation.ip,
            ip_alias: nodeAllocation.ip_alias,
            port: nodeAllocation.port,
            notes: null,
            is_primary: true,
            created: primary.created,
          }
        : null,
    node: node ? presentNode(state, node) : null,
    owner: owner ? presentUser(owner) : null,
    egg: egg ? presentEgg(egg) : null,
    nest: nest ? presentNest(nest) : null,
    backup_configuration: backup ?? null,
    status: server.status,
    is_suspended: server.is_suspended,
    is_transferring: false,
    name: server.name,
    description: server.description,
    limits: { ...server.limits },
    pinned_cpus: [...server.pinned_cpus],
    feature_limits: { ...server.feature_limits },
    startup: server.startup,
    image: server.image,
    auto_kill: { enabled: false, seconds: 30 },
    auto_start_behavior: 'unless_stopped',
    timezone: server.timezone,
    hugepages_passthrough_enabled: server.hugepages_passthrough_enabled,
    kvm_passthrough_enabled: server.kvm_passthrough_enabled,
    created: server.created,
  };
}

/** The list envelope of spec §2.3. */
export function paginate<T>(items: readonly T[], page: number, perPage: number) {
  return {
    total: items.length,
    per_page: perPage,
    page,
    data: items.slice((page - 1) * perPage, page * perPage),
  };
}
