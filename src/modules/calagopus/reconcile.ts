import {
  type PackageDifference,
  type RemoteObject,
  type ServerContext,
  type ServiceRef,
  type SettingValue,
  serviceIdOfMark,
  type UsageReport,
} from '../contract.js';
import { CalagopusClient, type PanelServer } from './client.js';
import { REMOTE_EXTERNAL_ID, remoteIdsOf } from './locate.js';
import { describeServer, serverMark } from './ownership.js';
import { featureLimits, serverLimits } from './payload.js';
import type { CalagopusSettings } from './settings.js';

/**
 * Reconcile and usage read the panel's whole server list (`GET /servers`, §5.4), page by page as
 * the panel pages it (at most 100 per page, §2.3).
 */
const PER_PAGE = 100;

export async function* panelServerPages(ctx: ServerContext): AsyncIterable<PanelServer[]> {
  const panel = CalagopusClient.forServer(ctx);
  for (let page = 1; ; page++) {
    const listed = await panel.servers(page, PER_PAGE);
    if (listed.data.length > 0) yield listed.data;
    if (listed.data.length === 0 || page * listed.per_page >= listed.total) return;
  }
}

/** The limits a server has, under the product settings' names (`packageDrift` compares them). */
export function packageOf(server: PanelServer): Record<string, SettingValue> {
  const features = server.feature_limits;
  return {
    memory: server.limits.memory,
    swap: server.limits.swap,
    disk: server.limits.disk,
    cpu: server.limits.cpu,
    memoryOverhead: server.limits.memory_overhead,
    ioWeight: server.limits.io_weight ?? '',
    allocationLimit: Number(features.allocations),
    databaseLimit: Number(features.databases),
    backupLimit: Number(features.backups),
    scheduleLimit: Number(features.schedules),
    dockerImage: server.image,
    hugepagesPassthrough: server.hugepages_passthrough_enabled,
    kvmPassthrough: server.kvm_passthrough_enabled,
  };
}

function stateOf(server: PanelServer): RemoteObject['state'] {
  if (server.is_suspended) return 'suspended';
  return server.status === 'installing' ? 'pending' : 'active';
}

export function remoteObjectOf(server: PanelServer): RemoteObject {
  return {
    kind: 'server',
    // A server without an external id is still listed, under its UUID, so reconcile sees it.
    key: server.external_id ?? server.uuid,
    label: describeServer(server),
    markedServiceId: serviceIdOfMark(server.external_id),
    state: stateOf(server),
    package: packageOf(server),
    remoteIds: remoteIdsOf(server),
  };
}

export async function* listRemote(ctx: ServerContext): AsyncIterable<readonly RemoteObject[]> {
  for await (const page of panelServerPages(ctx)) yield page.map(remoteObjectOf);
}

/**
 * The server a service names: its mark, or the external id an earlier module saved on an
 * imported service (until an adopt writes the mark there too), as `lookup` looks for them.
 */
export function remoteKeyOf(service: ServiceRef): { kind: string; key: string } {
  const mark = serverMark(service.serviceId);
  const legacy = service.remoteIds[REMOTE_EXTERNAL_ID];
  return { kind: 'server', key: legacy && legacy !== mark ? legacy : mark };
}

/** What change package would send, under the same names as `packageOf`. */
function expectedPackage(settings: CalagopusSettings): Record<string, SettingValue> {
  const limits = serverLimits(settings);
  const features = featureLimits(settings);
  return {
    memory: limits.memory,
    swap: limits.swap,
    disk: limits.disk,
    cpu: limits.cpu,
    memoryOverhead: limits.memory_overhead,
    // A blank IO weight is sent as no io_weight, which the panel stores as null (§5.5).
    ioWeight: limits.io_weight ?? '',
    allocationLimit: Number(features.allocations),
    databaseLimit: Number(features.databases),
    backupLimit: Number(features.backups),
    scheduleLimit: Number(features.schedules),
    // A blank image setting means "the egg's default", which the product does not know.
    ...(settings.dockerImage.trim() === '' ? {} : { dockerImage: settings.dockerImage.trim() }),
    hugepagesPassthrough: settings.hugepagesPassthrough,
    kvmPassthrough: settings.kvmPassthrough,
  };
}

export function packageDrift(settings: CalagopusSettings, object: RemoteObject): PackageDifference[] {
  const actual = object.package ?? {};
  const differences: PackageDifference[] = [];
  for (const [field, expected] of Object.entries(expectedPackage(settings))) {
    if (!(field in actual)) continue;
    if (String(actual[field]) !== String(expected))
      differences.push({ field, expected: String(expected), actual: String(actual[field]) });
  }
  return differences;
}

/**
 * The panel's admin API reports limits, not what a server uses (usage lives in Wings), so usage
 * reports each service's disk limit and its memory and CPU limits as figures.
 */
export async function usage(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]> {
  if (services.length === 0) return [];
  const wanted = new Set(services.map((s) => s.serviceId));
  const reports: UsageReport[] = [];
  for await (const page of panelServerPages(ctx)) {
    for (const server of page) {
      const serviceId = serviceIdOfMark(server.external_id);
      if (serviceId === null || !wanted.has(serviceId)) continue;
      wanted.delete(serviceId);
      reports.push({
        serviceId,
        diskLimitMb: server.limits.disk,
        figures: { memoryLimitMb: server.limits.memory, cpuLimitPercent: server.limits.cpu },
      });
    }
    if (wanted.size === 0) break;
  }
  return reports;
}
