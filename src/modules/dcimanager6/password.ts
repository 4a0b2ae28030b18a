import { dcimanager6Errors as errors } from './errors.js';
import type { UserPasswordBody } from './routes.js';
import { type Dci6Context, hasAdminRole, ownedServer, withClient } from './server-ops.js';

/** DCImanager's auth service refuses shorter passwords (`minLength: 8`, docs/specs/dcimanager6.md §3). */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Change password: the client's DCImanager user gets the service's new password (auth v4
 * `POST user/{email}/password`, spec §3). The server's root password is set by an OS install
 * only (the `reinstall-os` action). Only for a server carrying this service's mark, never for an
 * administrator account (DCImanager refuses that too).
 */
export async function changePassword(ctx: Dci6Context): Promise<void> {
  const password = ctx.service.password ?? '';
  if (password.length < MIN_PASSWORD_LENGTH)
    throw errors.error(
      'dcimanager6.password_too_short',
      `DCImanager accepts passwords of at least ${MIN_PASSWORD_LENGTH} characters; nothing was changed. Choose a longer one (\`provisio service change-password ${ctx.service.id}\`)`,
    );
  await withClient(ctx, async (client) => {
    await ownedServer(ctx, client);
    await ctx.step('set-user-password', async () => {
      const user = await client.findUserByEmail(ctx.client.email);
      if (!user)
        throw errors.error(
          'dcimanager6.user_missing',
          `${client.where} has no user ${ctx.client.email}, so its password cannot change: it was deleted in DCImanager`,
        );
      if (hasAdminRole(user))
        throw errors.error(
          'dcimanager6.user_is_admin',
          `${client.where}: ${user.email} is an administrator; the module never changes an administrator's password`,
        );
      const body: UserPasswordBody = { password };
      await client.call('userPassword', { params: { email: user.email }, body });
    });
  });
}
