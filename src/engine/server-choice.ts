import { fail } from '../core/error-catalogue.js';
import type { Db } from '../store/database.js';
import { getProduct, type ProductRecord } from '../store/repositories/products.js';
import { getServerGroup, setRoundRobinCursor } from '../store/repositories/server-groups.js';
import { getServer } from '../store/repositories/servers.js';
import { countServicesOnServers, type ServiceRecord, updateService } from '../store/repositories/services.js';
import type { EngineDeps } from './deps.js';
import { type PlacementCandidate, placeServiceOnServer, whyNotEligible } from './placement.js';

/** Picks and records a server for a service that has none, by its product's group fill type. */
export async function placeService(deps: EngineDeps, trx: Db, service: ServiceRecord): Promise<number> {
  const product = await getProduct(trx, deps.box, service.productId);
  if (!product?.serverGroupId) {
    throw fail(
      'product.no_server_group',
      `product ${service.productId} has no server group: give it one before creating services (\`provisio product update ${service.productId} --group N\`)`,
    );
  }
  const group = await getServerGroup(trx, product.serverGroupId);
  if (!group) throw fail('server_group.not_found', `server group ${product.serverGroupId} does not exist`);
  const counts = await countServicesOnServers(
    trx,
    group.members.map((m) => m.serverId),
  );
  const candidates: PlacementCandidate[] = [];
  for (const member of group.members) {
    const server = await getServer(trx, member.serverId);
    if (!server || server.module !== product.module) continue;
    candidates.push({
      serverId: server.id,
      name: server.name,
      priority: member.priority,
      enabled: server.enabled,
      maxAccounts: server.maxAccounts,
      used: counts.get(server.id) ?? 0,
    });
  }
  const chosen = placeServiceOnServer(group.fillType, candidates, group.lastServerId, group.name);
  if (group.fillType === 'round-robin') await setRoundRobinCursor(trx, group.id, chosen.serverId);
  await updateService(trx, deps.box, service.id, { serverId: chosen.serverId }, deps.clock.now());
  return chosen.serverId;
}

/**
 * A server chosen by the caller (billing's or an operator's pick) must pass what placement by the
 * group checks: same module, in the product's group, enabled, not full. `override` (admin only,
 * audited by the caller) skips all but the module: for moving an existing customer onto the
 * server it already lives on.
 */
export async function checkChosenServer(
  trx: Db,
  product: ProductRecord,
  serverId: number,
  override: boolean,
): Promise<void> {
  const server = await getServer(trx, serverId);
  if (!server) throw fail('server.not_found', `server ${serverId} does not exist`);
  if (server.module !== product.module) {
    throw fail(
      'server.module_mismatch',
      `server ${server.id} is a ${server.module} server; product ${product.id} needs ${product.module}`,
    );
  }
  if (override) return;
  const group = product.serverGroupId === null ? null : await getServerGroup(trx, product.serverGroupId);
  const member = group?.members.find((m) => m.serverId === serverId);
  const used = (await countServicesOnServers(trx, [serverId])).get(serverId) ?? 0;
  const reason = whyNotEligible(
    {
      serverId,
      name: server.name,
      priority: member?.priority ?? 0,
      enabled: server.enabled,
      maxAccounts: server.maxAccounts,
      used,
    },
    member !== undefined,
  );
  if (reason) {
    throw fail(
      'placement.server_not_eligible',
      `${reason}: a new service of product ${product.id} cannot be placed there; leave the server out to let the group choose, or (administrators) pass placementOverride`,
    );
  }
}
