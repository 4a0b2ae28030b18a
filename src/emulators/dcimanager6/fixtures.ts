import type { Dci6State, EmuPool } from './state.js';

/**
 * Demo fixtures (`provisio emulate dcimanager6`; `--no-fixtures` starts empty): two administrators,
 * two locations, two configurations of free servers plus one still new and one in maintenance,
 * pools, OS and diagnostics templates, and a leftover address from a previous client.
 */
export const FIXTURE_ADMIN = { email: 'admin@example.com', password: 'secret' } as const;

export function loadFixtures(state: Dci6State): void {
  state.addUser({ id: 1, ...FIXTURE_ADMIN, roles: ['@admin'], full_name: 'Admin' });
  state.addUser({
    id: 2,
    email: 'ops@example.com',
    password: 'ops-secret',
    roles: ['@admin'],
    full_name: 'Operations',
  });
  state.locations.set(1, { id: 1, name: 'Amsterdam' });
  state.locations.set(2, { id: 2, name: 'Frankfurt' });
  state.useId('location', 2);
  state.pools.set(1, {
    id: 1,
    name: 'public',
    ipv4: { prefix: '192.0.2.', first: 10, last: 250, gateway: '192.0.2.1', network: '192.0.2.0/24' },
  });
  state.pools.set(2, {
    id: 2,
    name: 'diagnostics',
    ipv4: {
      prefix: '198.51.100.',
      first: 10,
      last: 250,
      gateway: '198.51.100.1',
      network: '198.51.100.0/24',
    },
  });
  state.pools.set(3, { id: 3, name: 'public-v6', ipv6: { base: '2001:db8:100' } });
  state.useId('pool', 3);
  for (const [id, name, type] of [
    [1, 'Ubuntu 22.04', 'os'],
    [2, 'Debian 12', 'os'],
    [3, 'AlmaLinux 9', 'os'],
    [4, 'Diag6', 'diag'],
  ] as const) {
    state.templates.set(id, { id, name, type });
  }
  state.useId('template', 4);
  for (const id of [101, 102, 103])
    state.addServer({ id, configuration: 'E-2146G-64Gb-1920SSD', location_id: 1 });
  state.addServer({ id: 104, configuration: 'E-2146G-64Gb-1920SSD', location_id: 2 });
  for (const id of [201, 202])
    state.addServer({ id, configuration: 'i9-9900K-64Gb-2x1024NVMe', location_id: 1 });
  state.addServer({ id: 301, configuration: 'E-2146G-64Gb-1920SSD', location_id: 1, is_new: true });
  state.addServer({ id: 302, configuration: 'E-2146G-64Gb-1920SSD', location_id: 1, maintenance_mode: true });
  // A leftover address from a previous client, which activation removes.
  state.allocate(state.pools.get(1) as EmuPool, 'ipv4', 101);
}
