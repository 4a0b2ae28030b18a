import { parseList, parseShow } from './parse.js';
import type { AxigenCliSession } from './session.js';

/**
 * How a single account is suspended — THE ONE PLACE to change when a real capture confirms it.
 *
 * The 10.5/10.6 help has no account enable/disable command (spec §7.8, open questions Q5/Q6).
 * The candidate used here: in the account's `CONFIG Limits`, `SET services ()` switches every
 * service off (login blocked on every protocol); `RESET services` inherits them again from the
 * class or domain. Suspended means the explicit service list is empty.
 *
 * Both run inside `<domain-account#>` and return there; the caller COMMITs.
 */
export const ACCOUNT_SUSPENSION = {
  async apply(session: AxigenCliSession, suspended: boolean, what: string): Promise<void> {
    await session.ok('CONFIG Limits', { mutating: false, expect: 'domain-account-*', what });
    await session.ok(suspended ? 'SET services ()' : 'RESET services', {
      mutating: false,
      expect: session.context,
      what,
    });
    await session.ok('DONE', { mutating: false, expect: 'domain-account', what });
  },

  async read(session: AxigenCliSession, what: string): Promise<boolean> {
    await session.ok('CONFIG Limits', { mutating: false, expect: 'domain-account-*', what });
    const reply = await session.ok('SHOW ATTR services', { mutating: false, expect: session.context, what });
    await session.ok('BACK', { mutating: false, expect: 'domain-account', what });
    const services = parseShow(reply.data).get('services');
    return services !== undefined && parseList(services).length === 0;
  },
} as const;
