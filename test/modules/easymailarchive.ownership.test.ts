import { describe, expect, it } from 'vitest';
import { ownershipOf } from '../../src/modules/easymailarchive/ownership.js';

/** The claim rule of spec §10, alone: which remote ids make a tenant this service's. */
const tenant = { slug: 'acme', createdAt: '2025-06-15T10:30:00Z' };
const confirmed = {
  slug: 'acme',
  claim: 'provisio-service-7',
  claimState: 'confirmed',
  tenantCreatedAt: '2025-06-15T10:30:00Z',
};

describe('easymailarchive ownership', () => {
  it.each([
    ['a confirmed claim on the same tenant', confirmed, tenant, { owner: 'ours', confirmed: true }],
    [
      'a posted claim (the create’s answer was lost)',
      { slug: 'acme', claim: 'provisio-service-7', claimState: 'posted' },
      tenant,
      { owner: 'ours', confirmed: false },
    ],
    [
      'a confirmed claim where the API dates no tenant (S3)',
      { ...confirmed, tenantCreatedAt: '' },
      { slug: 'acme' },
      { owner: 'ours', confirmed: true },
    ],
    ['a slug without a claim (imported)', { slug: 'acme' }, tenant, { owner: 'foreign', why: 'unclaimed' }],
    [
      'a claim for another slug',
      { ...confirmed, slug: 'acme-2' },
      tenant,
      { owner: 'foreign', why: 'unclaimed' },
    ],
    [
      'a claim naming another service',
      { ...confirmed, claim: 'provisio-service-8' },
      tenant,
      { owner: 'foreign', why: 'other-service', otherServiceId: 8 },
    ],
    [
      'a claim that is no provisio mark',
      { ...confirmed, claim: 'whmcs-7' },
      tenant,
      { owner: 'foreign', why: 'unclaimed' },
    ],
    [
      'a claim of unknown state',
      { ...confirmed, claimState: 'maybe' },
      tenant,
      { owner: 'foreign', why: 'unclaimed' },
    ],
    [
      'a tenant made again since (another created_at)',
      confirmed,
      { slug: 'acme', createdAt: '2030-01-01T00:00:00Z' },
      { owner: 'foreign', why: 'replaced' },
    ],
  ])('%s', (_case, remote, seen, expected) => {
    expect(ownershipOf(7, remote, seen)).toEqual(expected);
  });
});
