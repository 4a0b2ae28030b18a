/**
 * Fault injection. Each fault is armed with a count and fires on the next matching requests.
 *  - wingsCreateFailures: Wings refuses the create → 500 `internal server error`, nothing persisted (§5.2 step 4).
 *  - wingsDeleteFailures: Wings refuses the delete → 417 `failed to delete server: …` unless `force` (§5.7).
 *  - dropAfterCommit: the request is fully processed, then the connection is destroyed with no answer.
 *  - hang: the request is never answered (client timeouts).
 *  - failNext: the next matching request answers `status` with `errors` without touching state.
 */
export interface RequestMatcher {
  method?: string;
  /** Matches when the request path starts with this. */
  pathPrefix?: string;
}

export interface ArmedFault extends RequestMatcher {
  remaining: number;
}

export interface FailNextFault extends ArmedFault {
  status: number;
  errors: string[];
  headers?: Record<string, string>;
}

export interface Faults {
  latencyMs: number;
  wingsCreateFailures: number;
  wingsDeleteFailures: number;
  dropAfterCommit: ArmedFault[];
  hang: ArmedFault[];
  failNext: FailNextFault[];
  /** Per client IP, hits per window; null disables (benchmarks). Panel default 360 / 30 s. */
  rateLimit: { limit: number; windowSeconds: number } | null;
}

export function defaultFaults(latencyMs = 0): Faults {
  return {
    latencyMs,
    wingsCreateFailures: 0,
    wingsDeleteFailures: 0,
    dropAfterCommit: [],
    hang: [],
    failNext: [],
    rateLimit: { limit: 360, windowSeconds: 30 },
  };
}

function matches(fault: RequestMatcher, method: string, path: string): boolean {
  return (
    (fault.method === undefined || fault.method === method) &&
    (fault.pathPrefix === undefined || path.startsWith(fault.pathPrefix))
  );
}

/** Takes one shot of the first armed fault that matches, or undefined. */
export function takeFault<T extends ArmedFault>(list: T[], method: string, path: string): T | undefined {
  const index = list.findIndex((fault) => fault.remaining > 0 && matches(fault, method, path));
  if (index < 0) return undefined;
  const fault = list[index] as T;
  fault.remaining--;
  if (fault.remaining === 0) list.splice(index, 1);
  return fault;
}
