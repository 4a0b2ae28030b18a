import { legacyModuleError, ProvisioningError } from '../../core/errors.js';
import { type ActionContext, defineModule, type RemoteState, type ViewModel } from '../contract.js';
import { CalagopusClient, type PanelServer } from './client.js';
import {
  baseCreateBody,
  changePackageBody,
  chooseImage,
  chooseStartup,
  deployAllocationRules,
  parseEggVariables,
  splitLocationUuids,
} from './payload.js';
import { type CalagopusSettings, calagopusServerSettings, calagopusSettings } from './settings.js';
import { findOrCreatePanelUser } from './users.js';
import { adminView, clientAreaView, errorView } from './views.js';

/**
 * Calagopus game servers through the panel's admin API, following the reference WHMCS module
 * (specs/calagopus.md §7) with its faults fixed (docs/modules/calagopus.md, "Fixes").
 *
 * Idempotency: the server's external id is the service id. Create looks it up first and adopts
 * what it finds, so a retried or replayed create never makes a second server; the panel itself
 * accepts duplicate external ids.
 */
type Ctx = ActionContext<CalagopusSettings>;

/** Remote id keys: the reference module's custom field names. */
export const REMOTE_UUID = 'Server UUID';
export const REMOTE_SHORT_ID = 'Server ID';
export const REMOTE_EXTERNAL_ID = 'External ID';

function externalIdOf(ctx: Ctx): string {
  return String(ctx.service.id);
}

async function rememberServer(ctx: Ctx, server: PanelServer): Promise<void> {
  await ctx.remote.set(REMOTE_UUID, server.uuid);
  await ctx.remote.set(REMOTE_SHORT_ID, server.uuid_short);
}

/** Saved uuid first (a 404 there falls back), then the external id (spec §7.5). */
async function locateServer(panel: CalagopusClient, ctx: Ctx): Promise<PanelServer | undefined> {
  const uuid = ctx.remote.get(REMOTE_UUID);
  if (uuid) {
    const byUuid = await panel.server(uuid);
    if (byUuid) return byUuid;
  }
  return panel.serverByExternalId(externalIdOf(ctx));
}

function notFound(ctx: Ctx, panel: CalagopusClient): ProvisioningError {
  return legacyModuleError(
    'not-found',
    `Server not found. The Calagopus panel at ${new URL(panel.panelUrl).host} has no server with external id ${externalIdOf(ctx)} for service #${ctx.service.id}; it may have been deleted in the panel.`,
    { code: 'calagopus.server_not_found' },
  );
}

/** PATCH by the saved uuid; when that is gone (404), find the server again by external id. */
async function patchServer(panel: CalagopusClient, ctx: Ctx, body: Record<string, unknown>): Promise<string> {
  const saved = ctx.remote.get(REMOTE_UUID);
  if (saved) {
    try {
      await panel.updateServer(saved, body);
      return saved;
    } catch (error) {
      if (!(error instanceof ProvisioningError) || error.kind !== 'not-found') throw error;
    }
  }
  const server = await panel.serverByExternalId(externalIdOf(ctx));
  if (!server) throw notFound(ctx, panel);
  await rememberServer(ctx, server);
  await panel.updateServer(server.uuid, body);
  return server.uuid;
}

function adoptable(ctx: Ctx, panel: CalagopusClient, server: PanelServer): PanelServer {
  const ownerExternal = server.owner?.external_id;
  if (ownerExternal != null && ownerExternal !== String(ctx.client.id)) {
    throw legacyModuleError(
      'conflict',
      `The Calagopus panel at ${new URL(panel.panelUrl).host} already has server ${server.uuid} with external id ${externalIdOf(ctx)}, owned by another billing client (external id ${ownerExternal}); refusing to adopt it. Another billing system may share this panel.`,
      { code: 'calagopus.server_owned_elsewhere' },
    );
  }
  return server;
}

async function create(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forServer(ctx);
  const { settings } = ctx;
  await ctx.remote.set(REMOTE_EXTERNAL_ID, externalIdOf(ctx));
  const existing = await panel.serverByExternalId(externalIdOf(ctx));
  if (existing) {
    await rememberServer(ctx, adoptable(ctx, panel, existing));
    return;
  }
  // The egg before the user: a wrong egg must not leave a panel account behind.
  const egg = await panel.egg(settings.nestUuid.trim(), settings.eggUuid.trim());
  const image = chooseImage(settings, egg);
  const startup = chooseStartup(settings, egg);
  if (!image || !startup) {
    throw legacyModuleError(
      'invalid-input',
      `Egg ${egg.name} has no ${image ? 'startup command' : 'Docker image'}: set one on the egg in the panel or in the product's ${image ? 'Startup Command' : 'Docker Image'} setting.`,
      { code: 'calagopus.egg_incomplete' },
    );
  }
  const owner = await findOrCreatePanelUser(panel, ctx.client);
  const body = baseCreateBody({ settings, ownerUuid: owner.uuid, serviceId: ctx.service.id, image, startup });
  const server =
    settings.nodeUuid.trim() !== '' ? await createOnNode(panel, ctx, body) : await deploy(panel, ctx, body);
  await rememberServer(ctx, server);
  if (!server.allocation) {
    ctx.logger.warn(
      'the panel deployed the server without a port: set a deploy port range on the server or an egg configuration',
      {
        server: server.uuid,
      },
    );
  }
}

async function createOnNode(
  panel: CalagopusClient,
  ctx: Ctx,
  body: Record<string, unknown>,
): Promise<PanelServer> {
  const node = ctx.settings.nodeUuid.trim();
  const [first] = await panel.availableAllocations(node);
  if (!first) {
    throw legacyModuleError(
      'remote',
      `No available allocations on the selected node. Add allocations to node ${node} in the panel, or switch the product to deploy mode (clear Node UUID, set Location UUIDs).`,
      { code: 'calagopus.no_allocations' },
    );
  }
  return panel.createServer({ ...body, node_uuid: node, allocation_uuid: first.uuid, allocation_uuids: [] });
}

async function deploy(panel: CalagopusClient, ctx: Ctx, body: Record<string, unknown>): Promise<PanelServer> {
  const rules = deployAllocationRules(String(ctx.server.settings.deployPortRange ?? ''));
  const deployment: Record<string, unknown> = {
    location_uuids: splitLocationUuids(ctx.settings.locationUuids),
    allow_overallocation: false,
  };
  if (rules) deployment.allocations = rules;
  return panel.deployServer({ ...body, deployment });
}

async function setSuspended(ctx: Ctx, suspended: boolean): Promise<void> {
  const panel = CalagopusClient.forServer(ctx);
  await patchServer(panel, ctx, { suspended });
}

async function terminate(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forServer(ctx);
  const deleteBackups = ctx.server.settings.deleteBackupsOnTerminate !== false;
  const server = await locateServer(panel, ctx);
  // Already gone is the target state.
  if (!server) return;
  try {
    await panel.deleteServer(server.uuid, deleteBackups);
  } catch (error) {
    if (error instanceof ProvisioningError && error.kind === 'not-found') return;
    throw error;
  }
}

async function changePackage(ctx: Ctx): Promise<void> {
  const panel = CalagopusClient.forServer(ctx);
  const uuid = await patchServer(panel, ctx, changePackageBody(ctx.settings));
  const { variables } = parseEggVariables(ctx.settings.variables);
  if (variables.length > 0) await panel.putVariables(uuid, variables);
}

async function lookup(ctx: Ctx): Promise<RemoteState | null> {
  const panel = CalagopusClient.forServer(ctx);
  const server = await locateServer(panel, ctx);
  if (!server) return null;
  return {
    status: server.is_suspended ? 'suspended' : 'active',
    remoteIds: {
      [REMOTE_UUID]: server.uuid,
      [REMOTE_SHORT_ID]: server.uuid_short,
      [REMOTE_EXTERNAL_ID]: externalIdOf(ctx),
    },
  };
}

async function view(
  ctx: Ctx,
  render: (panelUrl: string, server: PanelServer | undefined) => ViewModel,
): Promise<ViewModel> {
  const panel = CalagopusClient.forServer(ctx, 10_000);
  try {
    return render(panel.panelUrl, await locateServer(panel, ctx));
  } catch (error) {
    if (error instanceof ProvisioningError) return errorView(error.message);
    throw error;
  }
}

export const calagopusModule = defineModule<CalagopusSettings>({
  id: 'calagopus',
  displayName: 'Calagopus',
  server: {
    credential: 'api-key',
    defaultPort: { plain: 80, secure: 443 },
    secureByDefault: true,
    settings: calagopusServerSettings,
  },
  settings: calagopusSettings,
  async testConnection(ctx) {
    const panel = CalagopusClient.forServer(ctx);
    const { locations } = await panel.listLocations(100);
    const names = locations.data.map((l) => l.name);
    return {
      summary: `Calagopus panel at ${new URL(panel.panelUrl).host}: API key accepted, ${locations.total} location${locations.total === 1 ? '' : 's'}`,
      details: { locations: names.join(', ') || '(none)' },
    };
  },
  create,
  suspend: (ctx) => setSuspended(ctx, true),
  unsuspend: (ctx) => setSuspended(ctx, false),
  terminate,
  changePackage,
  lookup,
  clientArea: (ctx) => view(ctx, clientAreaView),
  adminFields: (ctx) => view(ctx, adminView),
});
