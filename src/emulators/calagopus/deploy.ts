import { deployCapacityReason } from './guesses.js';
import {
  type AllocationRules,
  freeAllocations,
  type NodeAllocation,
  type PanelNode,
  type PanelState,
} from './state.js';
import { ApiError } from './validation.js';

/**
 * `POST /servers/deploy` node and allocation choice (spec §5.3). Deterministic where the panel
 * samples at random (guess 10): best fit first, lowest free (ip, port) in range.
 */
export interface DeployRequest {
  locationUuids: string[];
  allowOverallocation: boolean;
  suspensionPenalty: number;
  memory: number;
  disk: number;
  rules: AllocationRules | null;
  primarySupplied: boolean;
  additionalSupplied: boolean;
}

export interface DeployChoice {
  node: PanelNode;
  primary?: string;
  additional?: string[];
}

function fail(reason: string): never {
  throw new ApiError(400, [`could not deploy server: ${reason}`]);
}

function usage(state: PanelState, node: PanelNode, penalty: number) {
  let memory = 0;
  let disk = 0;
  for (const server of state.servers.values()) {
    if (server.node_uuid !== node.uuid) continue;
    const weight = server.is_suspended ? penalty : 1;
    memory += (server.limits.memory + server.limits.memory_overhead) * weight;
    disk += server.limits.disk * weight;
  }
  return { memory, disk };
}

function fillRatio(used: number, adding: number, capacity: number): number {
  return capacity === 0 ? 0 : (used + adding) / capacity;
}

function candidates(state: PanelState, request: DeployRequest): PanelNode[] {
  const wanted = new Set(request.locationUuids);
  const inLocations = [...state.nodes.values()].filter((n) => wanted.has(n.location_uuid));
  if (inLocations.length === 0) fail('no nodes exist in the selected location(s)');
  const enabled = inLocations.filter((n) => n.deployment_enabled);
  if (enabled.length === 0) fail('deployment is disabled on every node in the selected location(s)');
  const scored = enabled.map((node) => {
    const used = usage(state, node, request.suspensionPenalty);
    const memoryShort = node.memory !== 0 && used.memory + request.memory > node.memory;
    const diskShort = node.disk !== 0 && used.disk + request.disk > node.disk;
    const fill =
      fillRatio(used.memory, request.memory, node.memory) + fillRatio(used.disk, request.disk, node.disk);
    return { node, memoryShort, diskShort, overflow: Number(memoryShort) + Number(diskShort), fill };
  });
  const eligible = request.allowOverallocation
    ? scored
    : scored.filter((s) => !s.memoryShort && !s.diskShort);
  if (eligible.length === 0)
    fail(deployCapacityReason(scored.map((s) => ({ memory: s.memoryShort, disk: s.diskShort }))));
  return eligible.sort((a, b) => a.overflow - b.overflow || b.fill - a.fill).map((s) => s.node);
}

function usedIps(state: PanelState, nodeUuid: string): Set<string> {
  const free = new Set(freeAllocations(state, nodeUuid).map((a) => a.uuid));
  const ips = new Set<string>();
  for (const allocation of state.allocations.values()) {
    if (allocation.node_uuid === nodeUuid && !free.has(allocation.uuid)) ips.add(allocation.ip);
  }
  return ips;
}

function pickPrimary(state: PanelState, node: PanelNode, rules: AllocationRules): NodeAllocation {
  const range = rules.primary ?? { start_port: 1, end_port: 65535 };
  const busyIps = rules.dedicated ? usedIps(state, node.uuid) : new Set<string>();
  const found = freeAllocations(state, node.uuid).find(
    (a) => a.port >= range.start_port && a.port <= range.end_port && !busyIps.has(a.ip),
  );
  if (!found) throw new Error('no available primary allocation found');
  return found;
}

function wantedPort(
  mode: AllocationRules['additional'][number]['mode'],
  primaryPort: number,
): (port: number) => boolean {
  const value = mode.value ?? 0;
  switch (mode.type) {
    case 'range':
      return (port) => port >= (mode.start_port ?? 1) && port <= (mode.end_port ?? 65535);
    case 'add_primary':
      return (port) => port === primaryPort + value;
    case 'subtract_primary':
      return (port) => port === primaryPort - value;
    case 'multiply_primary':
      return (port) => port === primaryPort * value;
    case 'divide_primary':
      return (port) => value !== 0 && port === Math.floor(primaryPort / value);
    default:
      return () => true;
  }
}

function pickAdditional(
  state: PanelState,
  node: PanelNode,
  rules: AllocationRules,
  primary: NodeAllocation | undefined,
): string[] {
  const taken = new Set(primary ? [primary.uuid] : []);
  const picked: string[] = [];
  for (const rule of rules.additional) {
    const accepts = wantedPort(rule.mode, primary?.port ?? 0);
    const found = freeAllocations(state, node.uuid).find(
      (a) => !taken.has(a.uuid) && (!primary || a.ip === primary.ip) && accepts(a.port),
    );
    if (!found) throw new Error('no available additional allocation found');
    taken.add(found.uuid);
    picked.push(found.uuid);
  }
  return picked;
}

export function chooseDeployment(state: PanelState, request: DeployRequest): DeployChoice {
  const nodes = candidates(state, request);
  const rules = request.rules;
  // No rules: the first candidate, and the server gets no allocation at all (§5.3 step 3).
  if (!rules || (request.primarySupplied && request.additionalSupplied))
    return { node: nodes[0] as PanelNode };
  let lastError = 'no eligible node found for server deployment';
  for (const node of nodes) {
    try {
      const primary = request.primarySupplied ? undefined : pickPrimary(state, node, rules);
      const additional = request.additionalSupplied ? undefined : pickAdditional(state, node, rules, primary);
      return { node, ...(primary ? { primary: primary.uuid } : {}), ...(additional ? { additional } : {}) };
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  fail(lastError);
}
