import type { CliUser } from './interpreter.js';
import { seedEntity } from './seed.js';
import type { ServerState } from './state.js';

/**
 * Demo data, built through the seed entities so fixtures and seeds make objects the same way:
 * example.com with two account classes (one of them the "disabled accounts" class some admins
 * suspend with) and two mailboxes, example.org and other.test; an admin and a delegated admin
 * without rights.
 */
export const DEFAULT_ADMIN = { username: 'admin', password: 'axigen-admin' } as const;

export function defaultUsers(): Map<string, CliUser> {
  return new Map<string, CliUser>([
    [DEFAULT_ADMIN.username, { password: DEFAULT_ADMIN.password, permission: 'full' }],
    ['helpdesk', { password: 'helpdesk', permission: 'none' }],
  ]);
}

export function loadFixtures(state: ServerState): void {
  seedEntity(state, 'domain', {
    name: 'example.com',
    postmasterPassword: 'postmaster-example',
    groupware: true,
  });
  seedEntity(state, 'accountClass', {
    domain: 'example.com',
    name: 'basic',
    quotas: { totalMessageSize: '1048576' },
  });
  seedEntity(state, 'accountClass', {
    domain: 'example.com',
    name: 'gold',
    quotas: { totalMessageSize: '10485760', totalMessageCount: '200000' },
  });
  seedEntity(state, 'accountClass', {
    domain: 'example.com',
    name: 'disabled_accounts',
    limits: { services: [] },
  });
  for (const name of ['info', 'sales'])
    seedEntity(state, 'account', {
      domain: 'example.com',
      name,
      password: `${name}-password`,
      sizeKb: 2048,
      messages: 42,
    });
  seedEntity(state, 'domain', { name: 'example.org', postmasterPassword: 'postmaster-org' });
  seedEntity(state, 'domain', { name: 'other.test', postmasterPassword: 'postmaster-other' });
}
