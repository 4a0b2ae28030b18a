import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/engine/backoff.js';
import { decideAfterError } from '../../src/engine/outcomes.js';

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

describe('decideAfterError', () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };
  const half = () => 0.5;
  it('retries a transient error with attempts left, after the backoff', () => {
    expect(
      decideAfterError(
        { kind: 'unavailable', message: 'down' },
        { attempts: 2, maxAttempts: 5 },
        policy,
        half,
      ),
    ).toEqual({
      kind: 'retry',
      delayMs: 1_500,
      lookupFirst: false,
      progressMessage: 'retrying in 2 s: down',
    });
  });
  it('looks up first after an unknown outcome', () => {
    const decision = decideAfterError(
      { kind: 'unknown-outcome', message: 'timed out' },
      { attempts: 1, maxAttempts: 5 },
      policy,
      half,
    );
    expect(decision).toMatchObject({ kind: 'retry', lookupFirst: true });
  });
  it('waits as long as the backend asks', () => {
    const decision = decideAfterError(
      { kind: 'unavailable', message: 'busy', retryAfterSeconds: 90 },
      { attempts: 1, maxAttempts: 5 },
      policy,
      half,
    );
    expect(decision).toMatchObject({ kind: 'retry', delayMs: 90_000 });
  });
  it('fails a transient error on the last attempt and says it gave up', () => {
    expect(
      decideAfterError(
        { kind: 'unavailable', message: 'down' },
        { attempts: 5, maxAttempts: 5 },
        policy,
        half,
      ),
    ).toEqual({ kind: 'fail', message: 'down (gave up after 5 attempts)' });
  });
  it('fails a permanent error at once, with its own message', () => {
    for (const kind of ['remote', 'auth', 'conflict', 'invalid-input', 'not-found', 'unsupported'] as const)
      expect(
        decideAfterError({ kind, message: 'refused' }, { attempts: 1, maxAttempts: 5 }, policy, half),
      ).toEqual({ kind: 'fail', message: 'refused' });
  });
});
