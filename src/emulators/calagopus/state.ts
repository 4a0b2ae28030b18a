import { randomUUID } from 'node:crypto';

/**
 * The panel's state (spec §6): users, API keys, locations, nodes, allocations, nests, eggs,
 * backup configurations and servers. Plain maps; the routes keep the panel's invariants.
 */
export const ADMIN_PERMISSIONS = [
  'locations.read',
  'users.read',
  'users.create',
  'users.update',
  'users.delete',
  'nests.read',
  'eggs.read',
  'nodes.read',
  'nodes.allocations',
  'servers.read',
  'servers.create',
  'servers.update',
  'servers.delete',
  'servers.variables',
] as const;

export interface PanelUser {
  uuid: string;
  external_id: string | null;
  username: string;
  email: string;
  name_first: string;
  name_last: string;
  admin: boolean;
  frozen: boolean;
  suspended: boolean;
  totp_enabled: boolean;
  require_two_factor: boolean;
  language: string;
  /** Kept in clear so tests can see a change-password land; never presented. */
  password: string | null;
  /** Admin permissions granted by the user's role (non-admin users). */
  role_permissions: string[];
  created: string;
}

export interface ApiKey {
  key: string;
  user_uuid: string;
  admin_permissions: string[];
  /** CIDR list; empty = any address. */
  allowed_ips: string[];
  expires: number | null;
}

export interface Location {
  uuid: string;
  name: string;
  description: string | null;
  flag: string | null;
  created: string;
}

export interface PanelNode {
  uuid: string;
  location_uuid: string;
  name: string;
  memory: number;
  disk: number;
  deployment_enabled: boolean;
  maintenance_enabled: boolean;
  fqdn: string;
  created: string;
}

export interface NodeAllocation {
  uuid: string;
  node_uuid: string;
  ip: string;
  ip_alias: string | null;
  port: number;
  created: string;
}

export interface Nest {
  uuid: string;
  name: string;
  description: string | null;
  author: string;
  created: string;
}

export interface EggVariable {
  env_variable: string;
  name: string;
  default_value: string | null;
  rules: string[];
}

export interface AllocationRules {
  dedicated: boolean;
  primary?: { start_port: number; end_port: number; assign_to_variable?: string };
  additional: {
    mode: { type: string; start_port?: number; end_port?: number; value?: number };
    assign_to_variable?: string;
  }[];
}

export interface Egg {
  uuid: string;
  nest_uuid: string;
  name: string;
  description: string | null;
  author: string;
  startup_commands: Record<string, string>;
  docker_images: Record<string, string>;
  variables: EggVariable[];
  /** The merged egg configuration's deployment rules; null = none (the panel ships none). */
  deployment_rules: AllocationRules | null;
  created: string;
}

export interface ServerAllocation {
  uuid: string;
  allocation_uuid: string;
  is_primary: boolean;
  created: string;
}

export type ServerStatus =
  | null
  | 'installing'
  | 'install_failed'
  | 'restoring_backup'
  | 'backup_restore_failed';

export interface ServerLimits {
  cpu: number;
  memory: number;
  memory_overhead: number;
  swap: number;
  disk: number;
  io_weight: number | null;
}

export interface PanelServer {
  uuid: string;
  uuid_short: string;
  external_id: string | null;
  node_uuid: string;
  owner_uuid: string;
  egg_uuid: string;
  backup_configuration_uuid: string | null;
  allocations: ServerAllocation[];
  status: ServerStatus;
  is_suspended: boolean;
  name: string;
  description: string | null;
  limits: ServerLimits;
  pinned_cpus: number[];
  feature_limits: { allocations: number; databases: number; backups: number; schedules: number };
  startup: string;
  image: string;
  timezone: string | null;
  hugepages_passthrough_enabled: boolean;
  kvm_passthrough_enabled: boolean;
  variables: Map<string, string>;
  backups: number;
  created: string;
}

export interface PanelState {
  users: Map<string, PanelUser>;
  apiKeys: ApiKey[];
  locations: Map<string, Location>;
  nodes: Map<string, PanelNode>;
  allocations: Map<string, NodeAllocation>;
  nests: Map<string, Nest>;
  eggs: Map<string, Egg>;
  backupConfigurations: Map<string, { uuid: string; name: string }>;
  servers: Map<string, PanelServer>;
  /** Panel-wide backup deletions, to show what `delete_backups` did. */
  deletedBackups: number;
}

export function emptyState(): PanelState {
  return {
    users: new Map(),
    apiKeys: [],
    locations: new Map(),
    nodes: new Map(),
    allocations: new Map(),
    nests: new Map(),
    eggs: new Map(),
    backupConfigurations: new Map(),
    servers: new Map(),
    deletedBackups: 0,
  };
}

let clock = Date.UTC(2026, 7, 22, 12, 0, 0);
/** Strictly increasing creation times so "ordered by created" is stable. */
export function nextCreated(): string {
  clock += 1000;
  return new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUuid(): string {
  return randomUUID();
}

/** Which server holds a node allocation, if any (server_allocations.allocation_uuid is unique). */
export function allocationHolder(state: PanelState, allocationUuid: string): PanelServer | undefined {
  for (const server of state.servers.values()) {
    if (server.allocations.some((a) => a.allocation_uuid === allocationUuid)) return server;
  }
  return undefined;
}

export function freeAllocations(state: PanelState, nodeUuid: string): NodeAllocation[] {
  const used = new Set<string>();
  for (const server of state.servers.values())
    for (const a of server.allocations) used.add(a.allocation_uuid);
  return [...state.allocations.values()]
    .filter((a) => a.node_uuid === nodeUuid && !used.has(a.uuid))
    .sort(compareAllocations);
}

function ipKey(ip: string): string {
  return ip
    .split('.')
    .map((part) => part.padStart(3, '0'))
    .join('.');
}

export function compareAllocations(a: NodeAllocation, b: NodeAllocation): number {
  const byIp = ipKey(a.ip).localeCompare(ipKey(b.ip));
  return byIp !== 0 ? byIp : a.port - b.port;
}
