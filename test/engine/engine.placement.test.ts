import { describe, expect, it } from 'vitest';
import { type PlacementCandidate, placeServiceOnServer } from '../../src/engine/placement.js';

const server = (
  serverId: number,
  used: number,
  extra: Partial<PlacementCandidate> = {},
): PlacementCandidate => ({
  serverId,
  name: `s${serverId}`,
  priority: serverId,
  enabled: true,
  maxAccounts: 10,
  used,
  ...extra,
});

describe('placeServiceOnServer', () => {
  it('least-full picks the lowest share of capacity', () => {
    const chosen = placeServiceOnServer(
      'least-full',
      [server(1, 5), server(2, 8, { maxAccounts: 100 }), server(3, 2)],
      null,
      'g',
    );
    expect(chosen.serverId).toBe(2);
  });

  it('fill-until-full keeps filling the first server by priority until it is full', () => {
    expect(placeServiceOnServer('fill-until-full', [server(1, 9), server(2, 0)], null, 'g').serverId).toBe(1);
    expect(placeServiceOnServer('fill-until-full', [server(1, 10), server(2, 0)], null, 'g').serverId).toBe(
      2,
    );
  });

  it('round-robin takes the next server after the last one, wrapping around', () => {
    const group = [server(1, 0), server(2, 0), server(3, 0)];
    expect(placeServiceOnServer('round-robin', group, null, 'g').serverId).toBe(1);
    expect(placeServiceOnServer('round-robin', group, 1, 'g').serverId).toBe(2);
    expect(placeServiceOnServer('round-robin', group, 3, 'g').serverId).toBe(1);
  });

  it('skips disabled and full servers in every mode', () => {
    const group = [server(1, 0, { enabled: false }), server(2, 10), server(3, 4)];
    for (const fill of ['least-full', 'fill-until-full', 'round-robin'] as const) {
      expect(placeServiceOnServer(fill, group, 1, 'g').serverId).toBe(3);
    }
  });

  it('servers without a maximum are never full', () => {
    expect(
      placeServiceOnServer('fill-until-full', [server(1, 10_000, { maxAccounts: null })], null, 'g').serverId,
    ).toBe(1);
  });

  it('says why nothing fits', () => {
    expect(() =>
      placeServiceOnServer('least-full', [server(1, 0, { enabled: false }), server(2, 10)], null, 'web'),
    ).toThrow(/no server in group "web" can take a new service \(s1: disabled; s2: full \(10\/10\)\)/);
    expect(() => placeServiceOnServer('least-full', [], null, 'web')).toThrow(/has no servers/);
  });
});
