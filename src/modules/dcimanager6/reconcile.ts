import type { PackageDifference, RemoteObject, ServerContext, ServiceRef, UsageReport } from '../contract.js';
import { Dci6Client } from './client.js';
import { markedServiceId } from './mark.js';
import { isOperationRunning } from './operation-status.js';
import type { DciServer } from './routes.js';
import { dataPorts, isPoweredOn } from './server-ops.js';
import type { Dci6Settings } from './settings.js';

/**
 * Reconcile and usage over DCImanager's server list (docs/specs/dcimanager6.md §15). A server is
 * an object of this module once it is given out or claimed: it has an owner or a provisio mark.
 * Free stock is not listed (it belongs to no service, and reconcile would report every spare
 * server as an orphan).
 */
export const LIST_PAGE = 100;

/** Pages of `GET dci/v3/server`, as DCImanager pages them (`limit=offset,count`, `size` the total). */
async function* serverPages(client: Dci6Client, where?: string): AsyncGenerator<DciServer[]> {
  for (let offset = 0; ; offset += LIST_PAGE) {
    const page = await client.list<DciServer>('serverList', {
      ...(where ? { where } : {}),
      orderby: 'id asc',
      limit: `${offset},${LIST_PAGE}`,
    });
    yield page.list;
    if (page.list.length < LIST_PAGE || offset + LIST_PAGE >= page.size) return;
  }
}

/**
 * The state reconcile compares with the service: an operation still running is `pending`, data
 * ports all down `suspended`, a powered-off server `unknown` (no lifecycle status says "off":
 * reconcile shows it as drift of an active service), otherwise `active`.
 */
function stateOf(server: DciServer): RemoteObject['state'] {
  if (isOperationRunning(server.operation)) return 'pending';
  const ports = dataPorts(server);
  if (ports.length > 0 && ports.every((port) => port.admin_status === 'down')) return 'suspended';
  return isPoweredOn(server) ? 'active' : 'unknown';
}

export function remoteObjectOf(server: DciServer): RemoteObject {
  return {
    kind: 'server',
    key: String(server.id),
    label: `${server.domain || `server ${server.id}`}, owner ${server.owner_email ?? 'none'}`,
    markedServiceId: markedServiceId(server),
    state: stateOf(server),
    package: {
      configuration: server.configuration,
      locationId: server.location_id === null ? '' : String(server.location_id),
    },
    remoteIds: {
      serverId: String(server.id),
      ...(server.owner_email ? { ownerEmail: server.owner_email } : {}),
    },
  };
}

export async function* listRemoteServers(ctx: ServerContext): AsyncGenerator<readonly RemoteObject[]> {
  const client = new Dci6Client(ctx);
  for await (const page of serverPages(client)) {
    const objects = page
      .filter((server) => server.owner_email || markedServiceId(server) !== null)
      .map(remoteObjectOf);
    if (objects.length > 0) yield objects;
  }
}

export function remoteKeyOf(service: ServiceRef): { kind: string; key: string } | null {
  const id = service.remoteIds.serverId;
  return id ? { kind: 'server', key: id } : null;
}

/** Configuration and location are the package of a dedicated server; an empty setting asks nothing. */
export function packageDrift(settings: Dci6Settings, object: RemoteObject): readonly PackageDifference[] {
  const differences: PackageDifference[] = [];
  const compare = (field: 'configuration' | 'locationId', expected: string) => {
    const actual = object.package?.[field];
    if (expected === '' || actual === undefined) return;
    if (String(actual) !== expected) differences.push({ field, expected, actual: String(actual) });
  };
  compare('configuration', settings.configuration ?? '');
  compare('locationId', settings.locationId ?? '');
  return differences;
}

/**
 * Usage in one batch per DCImanager: the addresses and power state of each service's server, for
 * servers that carry that service's mark. Bandwidth is not reported: DCImanager's traffic
 * statistics route is not known (spec §12).
 */
export async function usageOfServers(
  ctx: ServerContext,
  services: readonly ServiceRef[],
): Promise<UsageReport[]> {
  const byServer = new Map<number, number>();
  for (const service of services) {
    const id = Number(service.remoteIds.serverId);
    if (Number.isInteger(id) && id > 0) byServer.set(id, service.serviceId);
  }
  if (byServer.size === 0) return [];
  const client = new Dci6Client(ctx);
  const reports: UsageReport[] = [];
  const ids = [...byServer.keys()];
  for (let start = 0; start < ids.length; start += LIST_PAGE) {
    const where = ids
      .slice(start, start + LIST_PAGE)
      .map((id) => `(id EQ ${id})`)
      .join(' OR ');
    for await (const page of serverPages(client, where)) {
      for (const server of page) {
        const serviceId = byServer.get(server.id);
        if (serviceId === undefined || markedServiceId(server) !== serviceId) continue;
        reports.push({
          serviceId,
          figures: {
            ipv4Addresses: server.ip.filter((ip) => ip.family === 'ipv4' && !ip.is_temporary).length,
            ipv6Addresses: server.ip.filter((ip) => ip.family === 'ipv6').length,
            poweredOn: isPoweredOn(server) ? 1 : 0,
          },
        });
      }
    }
  }
  return reports;
}
