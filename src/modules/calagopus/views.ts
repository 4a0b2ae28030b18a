import type { ViewField, ViewModel } from '../contract.js';
import type { PanelServer } from './client.js';

/**
 * Client area and admin tab (spec §7.7) as plain values: renderers escape them. The panel route
 * `/server/<uuid>` is the "Go to Server Panel" link; there is no single sign-on.
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

export function clientAreaView(panelUrl: string, server: PanelServer | undefined): ViewModel {
  if (!server) return { fields: [{ label: 'Server', value: 'Server information not available.' }] };
  const link = panelLink(panelUrl, server.uuid);
  const fields: ViewField[] = [
    { label: 'Server Name', value: server.name },
    { label: 'Status', value: serverStatus(server) },
    { label: 'Address', value: serverAddress(server) },
    { label: 'Memory', value: `${server.limits.memory} MB` },
    { label: 'Disk', value: `${server.limits.disk} MB` },
    { label: 'CPU', value: `${server.limits.cpu}%` },
    { label: 'Panel', value: 'Go to Server Panel →', href: link },
  ];
  return { fields, loginUrl: link };
}

export function adminView(panelUrl: string, server: PanelServer | undefined): ViewModel {
  if (!server) return { fields: [{ label: 'Server UUID', value: 'Not found' }] };
  const link = panelLink(panelUrl, server.uuid);
  const owner = server.owner ? `${server.owner.name_first} ${server.owner.name_last}`.trim() : 'Unknown';
  return {
    fields: [
      { label: 'Server UUID', value: server.uuid },
      { label: 'Server Name', value: server.name },
      { label: 'Node', value: server.node?.name ?? 'Unknown' },
      { label: 'Owner', value: owner },
      { label: 'Suspended', value: server.is_suspended ? 'Yes' : 'No' },
      { label: 'Panel Link', value: 'Open in Panel', href: link },
    ],
    loginUrl: link,
  };
}

export function errorView(message: string): ViewModel {
  return { fields: [{ label: 'Error', value: `Error loading server info: ${message}` }] };
}
