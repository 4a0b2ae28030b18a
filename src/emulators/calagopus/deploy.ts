import {
  type AllocationRules,
  freeAllocations,
  type NodeAllocation,
  type PanelNode,
  type PanelState,
} from './state.js';
import { ApiError } from './validation.js';

/**
 * `POST /servers/deploy` node and allocation choice (docs/specs/calagopus.md §5.3, source
 * `shared/src/models/node/mod.rs` @ 085f5d3 `by_location_uuids_most_eligible` and
 * `find_deployment_blocker`). Nodes are ordered by overflow, then by the LOWEST fill ratio; with
 * `randomness` > 0 they are then drawn at random weighted by free space (Efraimidis–Spirakis:
 * key = r^(1/w), w = free_ratio^(1/randomness)), from the emulator's seeded generator.
 * Allocations inside a node: the lowest free (ip, port) in range (guess 10).
 */
export interface DeployRequest {
  locationUuids: string[];
  allowOverallocation: boolean;
  suspensionPenalty: number;
  randomness: number;
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

/** Memory (with overhead) and disk the node's servers hold; suspended ones count by the penalty. */
function usage(state: PanelState, node: PanelNode, penalty: number) {
  let memory = 0;
  let disk = 0;
  for (const server of state.servers.values()) {
    if (server.node_uuid !== node.uuid) continue;
    const weight = server.is_suspended ? penalty : 1;
    memory += (server.limits.memory + server.limits.memory_overhead) * weight;
    disk += server.limits.disk * weight;
  }
  // `::BIGINT` in the panel's query rounds the weighted sums.
  return { memory: Math.round(memory), disk: Math.round(disk) };
}

interface Scored {
  node: PanelNode;
  memoryOk: boolean;
  diskOk: boolean;
  overflow: number;
  fill: number;
  freeRatio: number;
}

function score(state: PanelState, node: PanelNode, request: DeployRequest): Scored {
  const used = usage(state, node, request.suspensionPenalty);
  const memoryAfter = used.memory + request.memory;
  const diskAfter = used.disk + request.disk;
  const memoryOk = node.memory === 0 || memoryAfter <= node.memory;
  const diskOk = node.disk === 0 || diskAfter <= node.disk;
  const overflow =
    (node.memory === 0 ? 0 : Math.max(memoryAfter - node.memory, 0)) +
    (node.disk === 0 ? 0 : Math.max(diskAfter - node.disk, 0));
  const fill = Math.max(
    node.memory === 0 ? 0 : memoryAfter / node.memory,
    node.disk === 0 ? 0 : diskAfter / node.disk,
  );
  const memoryFree = node.memory === 0 ? 1 : 1 - memoryAfter / node.memory;
  const diskFree = node.disk === 0 ? 1 : 1 - diskAfter / node.disk;
  const freeRatio = Math.min(Math.max(Math.min(memoryFree, diskFree), 0.0001), 1);
  return { node, memoryOk, diskOk, overflow, fill, freeRatio };
}

/** `find_deployment_blocker`: why no node qualified, or undefined when one does. */
function deploymentBlocker(inLocations: Scored[], allowOverallocation: boolean): string | undefined {
  if (inLocations.length === 0) return 'no nodes exist in the selected location(s)';
  const deployable = inLocations.filter((s) => s.node.deployment_enabled);
  if (deployable.length === 0) return 'deployment is disabled on every node in the selected location(s)';
  const available = deployable.filter((s) => !s.node.maintenance_enabled);
  if (available.length === 0) return 'every deployable node in the selected location(s) is under maintenance';
  const memoryOk = available.filter((s) => allowOverallocation || s.memoryOk).length;
  const diskOk = available.filter((s) => allowOverallocation || s.diskOk).length;
  const both = available.filter((s) => allowOverallocation || (s.memoryOk && s.diskOk)).length;
  if (both > 0) return undefined;
  if (memoryOk === 0 && diskOk === 0)
    return 'no node in the selected location(s) has enough unallocated memory or disk';
  if (memoryOk === 0) return 'no node in the selected location(s) has enough unallocated memory';
  if (diskOk === 0) return 'no node in the selected location(s) has enough unallocated disk';
  return 'no single node in the selected location(s) has enough unallocated memory and disk at the same time';
}

function candidates(state: PanelState, request: DeployRequest, random: () => number): PanelNode[] {
  const wanted = new Set(request.locationUuids);
  const scored = [...state.nodes.values()]
    .filter((n) => wanted.has(n.location_uuid))
    .map((node) => score(state, node, request));
  const eligible = scored
    .filter((s) => s.node.deployment_enabled && !s.node.maintenance_enabled)
    .filter((s) => request.allowOverallocation || (s.memoryOk && s.diskOk))
    .sort((a, b) => a.overflow - b.overflow || a.fill - b.fill);
  if (eligible.length === 0) fail(deploymentBlocker(scored, request.allowOverallocation) ?? NO_ELIGIBLE_NODE);
  if (request.randomness <= 0) return eligible.map((s) => s.node);
  return eligible
    .map((s) => ({ node: s.node, key: random() ** (1 / s.freeRatio ** (1 / request.randomness)) }))
    .sort((a, b) => b.key - a.key)
    .map((s) => s.node);
}

const NO_ELIGIBLE_NODE = 'no eligible node found for server deployment';

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

export function chooseDeployment(
  state: PanelState,
  request: DeployRequest,
  random: () => number,
): DeployChoice {
  const nodes = candidates(state, request, random);
  const rules = request.rules;
  // No rules: the first candidate, and the server gets no allocation at all (§5.3 step 3).
  if (!rules || (request.primarySupplied && request.additionalSupplied))
    return { node: nodes[0] as PanelNode };
  let lastError = NO_ELIGIBLE_NODE;
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
