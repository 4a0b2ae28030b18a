import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/engine/backoff.js';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };
  it('doubles per attempt within the jitter band [0.5, 1)', () => {
    expect(retryDelayMs(policy, 1, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, () => 1 - Number.EPSILON)).toBe(1_000);
    expect(retryDelayMs(policy, 4, () => 0)).toBe(4_000);
  });
  it('is capped', () => {
    expect(retryDelayMs(policy, 30, () => 1 - Number.EPSILON)).toBe(60_000);
  });
  it('honours a longer Retry-After', () => {
    expect(retryDelayMs(policy, 1, () => 0, 30)).toBe(30_000);
    expect(retryDelayMs(policy, 5, () => 1 - Number.EPSILON, 1)).toBe(16_000);
  });
});
