import { legacyModuleError, ProvisioningError } from '../../core/errors.js';
import type { ClientView } from '../contract.js';
import type { CalagopusClient, PanelUser } from './client.js';
import { panelUsername } from './payload.js';

/**
 * The panel account for a billing client (spec §7.4 steps 1–5): by external id, else created,
 * else — on a 409 — the account with the same email, linked by setting its external id.
 *
 * Two fixes over the reference: an account matched by username alone is never linked (it may be
 * someone else's: refused with a message), and an account already linked to another billing
 * client is not silently re-linked. Empty names are refused before the panel would 400.
 */
export async function findOrCreatePanelUser(panel: CalagopusClient, client: ClientView): Promise<PanelUser> {
  const externalId = String(client.id);
  const linked = await panel.userByExternalId(externalId);
  if (linked) return linked;

  const firstName = client.firstName.trim();
  const lastName = client.lastName.trim();
  const missing = [firstName === '' ? 'first name' : '', lastName === '' ? 'last name' : ''].filter(Boolean);
  if (missing.length) {
    throw legacyModuleError(
      'invalid-input',
      `Client #${client.id} has no ${missing.join(' and no ')}; Calagopus requires both a first and a last name for panel accounts. Add the ${missing.join(' and ')} to the client and retry the create.`,
      { code: 'calagopus.client_name_missing' },
    );
  }
  const username = panelUsername(firstName, lastName, externalId);
  try {
    return await panel.createUser({
      external_id: externalId,
      username,
      email: client.email,
      name_first: firstName,
      name_last: lastName,
      admin: false,
      send_email: true,
      language: 'en',
    });
  } catch (error) {
    if (!(error instanceof ProvisioningError) || error.kind !== 'conflict') throw error;
  }
  return linkExistingUser(panel, client, externalId, username);
}

async function linkExistingUser(
  panel: CalagopusClient,
  client: ClientView,
  externalId: string,
  username: string,
): Promise<PanelUser> {
  const email = client.email.toLowerCase();
  const byEmail = (await panel.searchUsers(client.email)).find((u) => u.email.toLowerCase() === email);
  if (byEmail) {
    if (byEmail.external_id !== null && byEmail.external_id !== externalId) {
      throw legacyModuleError(
        'conflict',
        `The panel account ${byEmail.username} has the email of client #${client.id} but is already linked to another billing client (external id ${byEmail.external_id}); refusing to re-link it. Fix the account's external id in the panel and retry.`,
        { code: 'calagopus.user_linked_elsewhere' },
      );
    }
    await panel.updateUser(byEmail.uuid, { external_id: externalId });
    return { ...byEmail, external_id: externalId };
  }
  const byUsername = (await panel.searchUsers(username)).find(
    (u) => u.username.toLowerCase() === username.toLowerCase(),
  );
  if (byUsername) {
    throw legacyModuleError(
      'conflict',
      `A panel account named ${byUsername.username} exists but its email differs from client #${client.id}'s, so it may belong to someone else; refusing to link it. If it is this client's account, set its external id to ${externalId} in the panel (or make the emails match) and retry.`,
      { code: 'calagopus.username_only_match' },
    );
  }
  throw legacyModuleError(
    'conflict',
    `User with this email/username already exists on the panel but could not be found via search (client #${client.id}, ${client.email}). Check the panel's users and link the account by setting its external id to ${externalId}.`,
    { code: 'calagopus.user_not_found_after_conflict' },
  );
}
