import type { ActionContext } from '../contract.js';
import { CalagopusClient, isPanelConflict, type PanelServer } from './client.js';
import { calagopusErrors } from './errors.js';
import { findServer, foreignServerError, REMOTE_EXTERNAL_ID, rememberServer, takeLookup } from './locate.js';
import { serverMark } from './ownership.js';
import {
  baseCreateBody,
  chooseImage,
  chooseStartup,
  deployAllocationRules,
  splitLocationUuids,
} from './payload.js';
import type { CalagopusSettings } from './settings.js';
import { findOrCreatePanelUser } from './users.js';

/**
 * Create (§7.4 with the ownership rule): the mark is saved on the service before the panel call;
 * a server already carrying it is ours and adopted (a replayed create never makes a second one;
 * the panel accepts duplicate external ids, §5.1); a foreign server under this service's name
 * stops the create.
 */
type Ctx = ActionContext<CalagopusSettings>;

/** How often a create picks another allocation after losing one to a parallel create (409). */
const ALLOCATION_ROUNDS = 5;
/** How often a deploy is sent again after the panel's own allocation pick lost a race (409). */
const DEPLOY_ROUNDS = 3;

export async function create(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forAction(ctx);
  const { settings } = ctx;
  const mark = serverMark(ctx.service.id);
  await ctx.remote.set(REMOTE_EXTERNAL_ID, mark);
  const looked = takeLookup(ctx);
  const found = looked === undefined ? await findServer(panel, ctx) : (looked ?? undefined);
  if (found?.owner === 'foreign') throw foreignServerError(panel, ctx, found.server);
  if (found) return rememberServer(ctx, found.server);

  // The egg before the user: a wrong egg must not leave a panel account behind.
  const egg = await panel.egg(settings.nestUuid.trim(), settings.eggUuid.trim());
  const image = chooseImage(settings, egg);
  const startup = chooseStartup(settings, egg);
  if (!image || !startup) {
    throw calagopusErrors.error(
      'calagopus.egg_incomplete',
      `Egg ${egg.name} has no ${image ? 'startup command' : 'Docker image'}: set one on the egg in the panel or in the product's ${image ? 'Startup Command' : 'Docker Image'} setting.`,
    );
  }
  const owner = await findOrCreatePanelUser(panel, ctx.client, ctx.logger);
  const body = baseCreateBody({
    settings,
    ownerUuid: owner.user.uuid,
    externalId: mark,
    serviceId: ctx.service.id,
    image,
    startup,
  });
  const server =
    settings.nodeUuid.trim() !== '' ? await createOnNode(panel, ctx, body) : await deploy(panel, ctx, body);
  await rememberServer(ctx, server);
  if (!server.allocation) {
    await ctx.warn(
      `the panel deployed server ${server.uuid} without a port: set a deploy port range on the server or an egg configuration`,
    );
  }
}

/**
 * Allocations this process is offering to a create right now, per panel and node, so parallel
 * creates here never pick the same one; creates in other processes can still race, and the 409
 * that follows is answered by picking again.
 */
const claimed = new Map<string, Set<string>>();

function claimsOn(panel: CalagopusClient, node: string): Set<string> {
  const key = `${panel.panelUrl} ${node}`;
  const set = claimed.get(key) ?? new Set<string>();
  claimed.set(key, set);
  return set;
}

/**
 * Node mode: a free allocation of the node. The panel answers 409 when a parallel create took it
 * first; that is a transient clash, never a permanent failure: our server may exist after all (a
 * lost answer), else another allocation is tried.
 */
async function createOnNode(
  panel: CalagopusClient,
  ctx: Ctx,
  body: Record<string, unknown>,
): Promise<PanelServer> {
  const node = ctx.settings.nodeUuid.trim();
  const claims = claimsOn(panel, node);
  const lost = new Set<string>();
  for (let round = 0; round < ALLOCATION_ROUNDS; round++) {
    const free = await panel.availableAllocations(node);
    if (free.length === 0) {
      throw calagopusErrors.error(
        'calagopus.no_allocations',
        `No available allocations on the selected node. Add allocations to node ${node} in the panel, or switch the product to deploy mode (clear Node UUID, set Location UUIDs).`,
      );
    }
    const pick = free.find((a) => !claims.has(a.uuid) && !lost.has(a.uuid));
    if (!pick) break;
    claims.add(pick.uuid);
    try {
      return await panel.createServer({
        ...body,
        node_uuid: node,
        allocation_uuid: pick.uuid,
        allocation_uuids: [],
      });
    } catch (error) {
      if (!isPanelConflict(error)) throw error;
      lost.add(pick.uuid);
      const ours = await panel.serverByExternalId(serverMark(ctx.service.id));
      if (ours) return ours;
    } finally {
      claims.delete(pick.uuid);
    }
  }
  throw contended(panel, node);
}

async function deploy(panel: CalagopusClient, ctx: Ctx, body: Record<string, unknown>): Promise<PanelServer> {
  const rules = deployAllocationRules(String(ctx.server.settings.deployPortRange ?? ''));
  const deployment: Record<string, unknown> = {
    location_uuids: splitLocationUuids(ctx.settings.locationUuids),
    allow_overallocation: false,
  };
  if (rules) deployment.allocations = rules;
  for (let round = 0; round < DEPLOY_ROUNDS; round++) {
    try {
      return await panel.deployServer({ ...body, deployment });
    } catch (error) {
      if (!isPanelConflict(error)) throw error;
      const ours = await panel.serverByExternalId(serverMark(ctx.service.id));
      if (ours) return ours;
    }
  }
  throw contended(panel, 'the deploy locations');
}

function contended(panel: CalagopusClient, where: string) {
  return calagopusErrors.error(
    'calagopus.allocations_contended',
    `${panel.panelName}: every free allocation tried on ${where} was taken by a create running at the same time; the create will pick again`,
  );
}
