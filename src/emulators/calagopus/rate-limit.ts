import { ApiError } from './validation.js';

/**
 * The panel's rate limit (docs/specs/calagopus.md §1.2, source `shared/src/cache.rs` @ 0e7ead4
 * `ratelimit`): every request counts (INCR), the window starts at the first hit, and the request
 * that brings the count to the limit is already refused (`limit_used >= limit`), so the first 429
 * is request number `limit`. The 429 carries `X-RateLimit-Limit`, `-Remaining` (limit − used),
 * `-Reset` (the window's end as a unix time) and `Retry-After` (seconds until then).
 */
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

/** Panel default: 360 hits per 30 s (`shared/src/settings/ratelimits.rs`). */
export const DEFAULT_RATE_LIMIT: RateLimitSetting = { limit: 360, windowSeconds: 30 };

/** `--set ratelimit=off` or `--set ratelimit=<hits>/<seconds>`. */
export function parseRateLimitOption(text: string | undefined): RateLimitSetting | null {
  if (text === undefined) return DEFAULT_RATE_LIMIT;
  if (text === 'off') return null;
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`ratelimit must be "off" or <hits>/<seconds>, e.g. 360/30 (got "${text}")`);
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
}

export class RateLimiter {
  private windows = new Map<string, { used: number; resetAt: number }>();

  constructor(public setting: RateLimitSetting | null) {}

  /** Counts one request from `client`; the 429 to answer, if it is over the limit. */
  hit(client: string, nowMs: number): ApiError | undefined {
    if (!this.setting) return undefined;
    const now = Math.floor(nowMs / 1000);
    let window = this.windows.get(client);
    if (!window || window.resetAt <= now) {
      window = { used: 0, resetAt: now + this.setting.windowSeconds };
      this.windows.set(client, window);
    }
    window.used++;
    const { limit } = this.setting;
    if (window.used < limit) return undefined;
    const retry = Math.max(0, window.resetAt - now);
    return new ApiError(429, [`you are ratelimited, retry in ${retry}s`], {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-reset': String(window.resetAt),
      'retry-after': String(retry),
    });
  }

  clear(): void {
    this.windows.clear();
  }
}
