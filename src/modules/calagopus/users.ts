import type { ClientView, Logger } from '../contract.js';
import { type CalagopusClient, isPanelConflict, type PanelUser } from './client.js';
import { calagopusErrors } from './errors.js';
import { clientMark } from './ownership.js';
import { panelUsername } from './payload.js';

/**
 * The panel account that will own a client's servers (§7.4 steps 1–5, with the ownership rule):
 * the account provisio made for the client (external id `provisio-client-<id>`), else a new one
 * with that mark, else — on a 409 — the account with the client's email, used as it is.
 *
 * An account provisio did not create is never changed (the reference module overwrote its
 * external id): it is only named as the owner of our server, and only when its email is the
 * client's. An account matched by username alone may be someone else's and is refused, as is one
 * another provisio client already claims. Empty names are refused before the panel would 400.
 */
export interface ServerOwner {
  user: PanelUser;
  /** `ours`: provisio created it for this client; `email-match`: an existing account, untouched. */
  kind: 'ours' | 'email-match';
}

export async function findOrCreatePanelUser(
  panel: CalagopusClient,
  client: ClientView,
  logger: Logger,
): Promise<ServerOwner> {
  const mark = clientMark(client.id);
  const linked = await panel.userByExternalId(mark);
  if (linked) return { user: linked, kind: 'ours' };

  const firstName = client.firstName.trim();
  const lastName = client.lastName.trim();
  const missing = [firstName === '' ? 'first name' : '', lastName === '' ? 'last name' : ''].filter(Boolean);
  if (missing.length) {
    throw calagopusErrors.error(
      'calagopus.client_name_missing',
      `Client #${client.id} has no ${missing.join(' and no ')}; Calagopus requires both a first and a last name for panel accounts. Add the ${missing.join(' and ')} to the client and retry the create.`,
    );
  }
  const username = panelUsername(firstName, lastName, String(client.id));
  try {
    const user = await panel.createUser({
      external_id: mark,
      username,
      email: client.email,
      name_first: firstName,
      name_last: lastName,
      admin: false,
      send_email: true,
      language: 'en',
    });
    return { user, kind: 'ours' };
  } catch (error) {
    if (!isPanelConflict(error)) throw error;
  }
  // A create of another service of this client may have made the account a moment ago.
  const raced = await panel.userByExternalId(mark);
  if (raced) return { user: raced, kind: 'ours' };
  const existing = await existingAccount(panel, client, username);
  logger.info('using the existing panel account with the client email; provisio leaves it unchanged', {
    account: existing.username,
  });
  return { user: existing, kind: 'email-match' };
}

async function existingAccount(
  panel: CalagopusClient,
  client: ClientView,
  username: string,
): Promise<PanelUser> {
  const email = client.email.toLowerCase();
  const byEmail = (await panel.searchUsers(client.email)).find((u) => u.email.toLowerCase() === email);
  if (byEmail) {
    const claimedBy = /^provisio-client-(\d+)$/.exec(byEmail.external_id ?? '')?.[1];
    if (claimedBy !== undefined && claimedBy !== String(client.id)) {
      throw calagopusErrors.error(
        'calagopus.user_linked_elsewhere',
        `The panel account ${byEmail.username} has the email of client #${client.id} but belongs to provisio client #${claimedBy} (external id ${byEmail.external_id}); it is not used for another client. Give client #${client.id} its own email, or merge the two clients, and retry.`,
      );
    }
    return byEmail;
  }
  const byUsername = (await panel.searchUsers(username)).find(
    (u) => u.username.toLowerCase() === username.toLowerCase(),
  );
  if (byUsername) {
    throw calagopusErrors.error(
      'calagopus.username_only_match',
      `A panel account named ${byUsername.username} exists but its email differs from client #${client.id}'s, so it may belong to someone else; refusing to use it. If it is this client's account, make the emails match (or rename that account in the panel) and retry.`,
    );
  }
  throw calagopusErrors.error(
    'calagopus.user_not_found_after_conflict',
    `User with this email/username already exists on the panel but could not be found via search (client #${client.id}, ${client.email}). Check the panel's users, then retry.`,
  );
}
