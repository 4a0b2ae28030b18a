import { fail } from '../../core/error-catalogue.js';
import type { RemoteState } from '../contract.js';
import { storegridErrors } from './errors.js';
import { stateOf } from './lifecycle.js';
import { isMarkedFor, marksIn, notesWithMark } from './ownership.js';
import { accountOf, type Ctx, clientFor, objectName } from './service-account.js';

/**
 * The operator's deliberate adopt (docs/specs/storegrid.md §5), which the engine runs after its
 * lookup found a foreign account under the service's name: writes this service's mark by
 * appending it to the account's notes (staff text stays), and refuses an account another
 * service's mark claims. Nothing else on the account changes: its package and state stay as staff
 * left them. The engine saves the returned remote ids and takes the account's state.
 */
export async function adopt(ctx: Ctx): Promise<RemoteState> {
  const id = ctx.service.id;
  const { type, name } = accountOf(ctx);
  const object = objectName(type, name);
  const client = clientFor(ctx);
  const found = await client.getAccount(type, name);
  if (!found) {
    throw fail(
      'ownership.nothing_to_adopt',
      `${client.where} has no ${type} named ${name} to adopt for service ${id}: check the service's username, or create the service instead`,
    );
  }
  const others = marksIn(found.notes).filter((other) => other !== id);
  if (others.length) {
    throw storegridErrors.error(
      'storegrid.marked_by_other_service',
      `cannot adopt StoreGrid ${object} for service ${id}: it carries the mark of service ${others.join(', ')} and belongs to that service`,
    );
  }
  let account = found;
  if (!isMarkedFor(found.notes, id)) {
    await client.setNotes(type, name, notesWithMark(found.notes, id));
    const after = await client.getAccount(type, name);
    if (!after || !isMarkedFor(after.notes, id)) {
      throw storegridErrors.error(
        'storegrid.mark_not_kept',
        `${client.where} accepted the new notes of ${object} but does not show provisio's mark afterwards: check the account in the console`,
      );
    }
    account = after;
  }
  if (!ctx.service.username) await ctx.updateService({ username: name });
  return {
    status: stateOf(account),
    owner: 'ours',
    object,
    remoteIds: { accountName: account.name, accountType: account.type },
  };
}
