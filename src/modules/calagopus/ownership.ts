import { ownershipMark } from '../contract.js';
import type { PanelServer } from './client.js';

/**
 * The marks (docs/specs/calagopus.md §11): a panel server is ours when its `external_id` is this
 * service's mark (`provisio-service-<id>`); a panel account is ours when its `external_id` is
 * `provisio-client-<id>`, which provisio writes only on accounts it creates. Anything else is
 * foreign: provisio neither changes nor deletes it.
 */
export function serverMark(serviceId: number): string {
  return ownershipMark(serviceId);
}

export function clientMark(clientId: number): string {
  return `provisio-client-${clientId}`;
}

export function isOurServer(server: PanelServer, serviceId: number): boolean {
  return server.external_id === serverMark(serviceId);
}

/** How a person names a panel server in a message: `server 3f2b9c1e "MC-12"`. */
export function describeServer(server: Pick<PanelServer, 'uuid_short' | 'name'>): string {
  return `server ${server.uuid_short} "${server.name}"`;
}

/** `external id provisio-service-7`, `no external id`. */
export function describeExternalId(server: Pick<PanelServer, 'external_id'>): string {
  return server.external_id === null ? 'no external id' : `external id ${server.external_id}`;
}
