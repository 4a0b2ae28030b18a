import type { CliUser } from './interpreter.js';
import { addDomain, newAccount, type ServerState } from './state.js';

/** Demo data: three domains (one with account classes), an admin and a delegated admin without rights. */
export const DEFAULT_ADMIN = { username: 'admin', password: 'axigen-admin' } as const;

export function defaultUsers(): Map<string, CliUser> {
  return new Map<string, CliUser>([
    [DEFAULT_ADMIN.username, { password: DEFAULT_ADMIN.password, permission: 'full' }],
    ['helpdesk', { password: 'helpdesk', permission: 'none' }],
  ]);
}

export function loadFixtures(state: ServerState): void {
  const example = addDomain(state, {
    name: 'example.com',
    location: '/var/opt/axigen/domains/example.com',
    postmasterPassword: 'postmaster-example',
    groupware: true,
  });
  example.accountClasses.set('basic', { name: 'basic', quotas: { totalMessageSize: '1048576' }, limits: {} });
  example.accountClasses.set('gold', {
    name: 'gold',
    quotas: { totalMessageSize: '10485760', totalMessageCount: '200000' },
    limits: {},
  });
  for (const name of ['info', 'sales']) {
    const account = newAccount(state, name, `${name}-password`, {});
    account.registry.mboxSizeKb = 2048;
    account.registry.messageCount = 42;
    example.accounts.set(name, account);
  }
  addDomain(state, {
    name: 'example.org',
    location: '/var/opt/axigen/domains/example.org',
    postmasterPassword: 'postmaster-org',
  });
  addDomain(state, {
    name: 'other.test',
    location: '/var/opt/axigen/domains/other.test',
    postmasterPassword: 'postmaster-other',
  });
}
