import { fail } from '../core/error-catalogue.js';
import type { ProvisioningError } from '../core/errors.js';
import {
  type ActionContext,
  type AnyModule,
  ownershipMark,
  type RemoteState,
  type SettingValue,
} from '../modules/contract.js';
import type { LoadedOperation } from './operation-loader.js';

/** The refusal of an action on an object provisio did not create, with what an operator can do. */
export function foreignObjectError(
  object: string,
  loaded: LoadedOperation,
  action: string,
): ProvisioningError {
  const id = loaded.service.id;
  return fail(
    'ownership.foreign',
    `${object} on ${loaded.server.name} exists but does not carry the mark of service ${id} (${ownershipMark(id)}): ` +
      `provisio did not create it, so it will not ${action} it. If it belongs to this service, adopt it ` +
      `deliberately: \`provisio service adopt ${id}\` (POST /v1/services/${id}/adopt with {"confirm": true}); ` +
      `otherwise give the service another name (\`provisio service update ${id} --domain …\`).`,
  );
}

/**
 * The `adopt` action: an operator confirmed that the object found under the service's name is
 * this service's. An object already carrying our mark needs nothing; a foreign one gets the mark
 * from the module, which refuses an object marked by another service.
 */
export async function adoptRemoteObject(
  module: AnyModule,
  ctx: ActionContext<Record<string, SettingValue>>,
): Promise<RemoteState> {
  const state = await module.lookup(ctx);
  if (!state) {
    throw fail(
      'ownership.nothing_to_adopt',
      `nothing exists on ${ctx.server.name} under the name service ${ctx.service.id} would use: there is nothing to adopt (create the service instead, or correct its domain or username with \`provisio service update ${ctx.service.id}\`)`,
    );
  }
  if (state.owner !== 'foreign') return state;
  if (!module.adopt) {
    throw fail('action.unsupported', `module ${module.id} cannot adopt ${state.object ?? 'backend objects'}`);
  }
  return module.adopt(ctx);
}
