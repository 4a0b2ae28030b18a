/**
 * Exponential backoff with jitter for transient failures: attempt n waits base·2^(n−1), capped,
 * then scaled by a random factor in [0.5, 1) so that many operations failing together (a backend
 * restart) do not come back together. A backend's Retry-After wins when it asks for longer.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export function retryDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
  retryAfterSeconds?: number,
): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (0.5 + random() * 0.5));
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}
