import { ownershipMark, serviceIdOfMark } from '../contract.js';
import type { DciServer } from './routes.js';

/**
 * The per-service mark on a DCImanager server (docs/specs/dcimanager6.md §13): one line of the
 * server's comment reading `provisio-service-<id>`, written before the owner is set and removed at
 * the end of termination. A line, not the whole comment, so staff notes on the server stay. The
 * owner alone cannot be the mark: DCImanager users are per client email, so two services of one
 * client share an owner, and only the mark tells this service's server from its sibling's.
 */

function lines(comment: string | null | undefined): string[] {
  return (comment ?? '').split(/\r?\n/);
}

/** The service id the server's mark names, or null when its comment carries no provisio mark. */
export function markedServiceId(server: Pick<DciServer, 'comment'>): number | null {
  for (const line of lines(server.comment)) {
    const id = serviceIdOfMark(line.trim());
    if (id !== null) return id;
  }
  return null;
}

export function carriesMarkOf(server: Pick<DciServer, 'comment'>, serviceId: number): boolean {
  return markedServiceId(server) === serviceId;
}

/** The comment with this service's mark added (staff text kept). */
export function commentWithMark(comment: string | null | undefined, serviceId: number): string {
  const kept = lines(comment).filter((line) => line.trim() !== '' && serviceIdOfMark(line.trim()) === null);
  return [...kept, ownershipMark(serviceId)].join('\n');
}

/** The comment without this service's mark. */
export function commentWithoutMark(comment: string | null | undefined, serviceId: number): string {
  return lines(comment)
    .filter((line) => serviceIdOfMark(line.trim()) !== serviceId)
    .join('\n')
    .trim();
}

/** A server as people name it in messages: `server 102 (srv102.example.net)`. */
export function serverLabel(server: Pick<DciServer, 'id' | 'domain'>): string {
  return `DCImanager server ${server.id}${server.domain ? ` (${server.domain})` : ''}`;
}

/** Who holds the server, for messages: its owner and, if another service's, that service. */
export function holderOf(server: Pick<DciServer, 'owner_email' | 'comment'>): string {
  const marked = markedServiceId(server);
  const owner = server.owner_email ? `owned by ${server.owner_email}` : 'without an owner';
  return marked === null ? owner : `${owner}, marked by service ${marked}`;
}
