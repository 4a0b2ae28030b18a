import { isProvisioningError } from '../../core/errors.js';
import type { ActionContext, ViewField, ViewModel } from '../contract.js';
import { CalagopusClient, type PanelServer } from './client.js';
import { type FoundServer, findServer } from './locate.js';
import { describeExternalId, describeServer } from './ownership.js';
import type { CalagopusSettings } from './settings.js';

/**
 * Client area and admin tab (§7.7) as plain values: renderers escape them. Views only read: the
 * "Go to Server Panel" link is the panel's own `/server/<uuid>` page, where the customer signs in
 * with their panel password; the panel offers integrations no single sign-on (§7.7), so the
 * module has no `loginUrl`.
 */
export function panelLink(panelUrl: string, uuid: string): string {
  return `${panelUrl}/server/${encodeURIComponent(uuid)}`;
}

export function serverAddress(server: PanelServer): string {
  const allocation = server.allocation;
  return allocation ? `${allocation.ip_alias ?? allocation.ip}:${allocation.port}` : 'N/A';
}

export function serverStatus(server: PanelServer): string {
  if (server.status) return server.status;
  return server.is_suspended ? 'Suspended' : 'Active';
}

function clientAreaView(panelUrl: string, server: PanelServer): ViewModel {
  const fields: ViewField[] = [
    { label: 'Server Name', value: server.name },
    { label: 'Status', value: serverStatus(server) },
    { label: 'Address', value: serverAddress(server) },
    { label: 'Memory', value: `${server.limits.memory} MB` },
    { label: 'Disk', value: `${server.limits.disk} MB` },
    { label: 'CPU', value: `${server.limits.cpu}%` },
    { label: 'Panel', value: 'Go to Server Panel →', href: panelLink(panelUrl, server.uuid) },
  ];
  return { fields };
}

function adminView(panelUrl: string, server: PanelServer): ViewModel {
  const owner = server.owner ? `${server.owner.name_first} ${server.owner.name_last}`.trim() : 'Unknown';
  return {
    fields: [
      { label: 'Server UUID', value: server.uuid },
      { label: 'Server Name', value: server.name },
      { label: 'Node', value: server.node?.name ?? 'Unknown' },
      { label: 'Owner', value: owner },
      { label: 'Suspended', value: server.is_suspended ? 'Yes' : 'No' },
      { label: 'Panel Link', value: 'Open in Panel', href: panelLink(panelUrl, server.uuid) },
    ],
  };
}

function foreignView(found: FoundServer): ViewModel {
  return {
    fields: [
      {
        label: 'Server',
        value: `Not linked: the panel's ${describeServer(found.server)} carries ${describeExternalId(found.server)}, not this service's mark. An operator can adopt it.`,
      },
    ],
  };
}

async function view(
  ctx: ActionContext<CalagopusSettings>,
  render: (panelUrl: string, server: PanelServer) => ViewModel,
  missing: ViewField,
): Promise<ViewModel> {
  const panel = CalagopusClient.forServer(ctx, 'final', 10_000);
  try {
    const found = await findServer(panel, ctx);
    if (!found) return { fields: [missing] };
    return found.owner === 'ours' ? render(panel.panelUrl, found.server) : foreignView(found);
  } catch (error) {
    if (isProvisioningError(error))
      return { fields: [{ label: 'Error', value: `Error loading server info: ${error.message}` }] };
    throw error;
  }
}

export const clientArea = (ctx: ActionContext<CalagopusSettings>) =>
  view(ctx, clientAreaView, { label: 'Server', value: 'Server information not available.' });

export const adminFields = (ctx: ActionContext<CalagopusSettings>) =>
  view(ctx, adminView, { label: 'Server UUID', value: 'Not found' });
