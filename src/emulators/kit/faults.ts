/**
 * Fault injection, one vocabulary for every emulator:
 * - `error`: answer with an error (HTTP `status` and `body`; line protocols a `-ERR` line)
 *   without touching state;
 * - `drop-before`: close the connection before the request takes effect;
 * - `drop-after`: carry the request out, then close the connection instead of answering (the
 *   "created, but the answer was lost" case);
 * - `hang`: never answer (until the emulator closes or the client gives up);
 * - `hang-after`: carry the request out, then never answer (the "timeout after the backend
 *   acted" case: the client waits, gives up, and must look before it tries again);
 * - `delay`: answer normally after `delayMs`.
 *
 * A rule matches by `method` (HTTP only) and `match`: an HTTP path (exact, or a prefix when it
 * ends with `*`) or the start of a command line (line protocols, case-insensitive). It fires
 * `times` times (default 1; `Infinity` for every match) after letting `skip` matches through, and
 * with `probability` below 1 only on that share of matches (seeded: chaos runs repeat).
 */
export const FAULT_KINDS = ['error', 'drop-before', 'drop-after', 'hang', 'hang-after', 'delay'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  method?: string;
  match?: string;
  /** `error`: HTTP status (default 500). */
  status?: number;
  /** `error`: HTTP body (text is sent as it is, anything else as JSON), or the status line of a line protocol. */
  body?: unknown;
  headers?: Record<string, string>;
  /** `delay`: how long, in ms. */
  delayMs?: number;
  times?: number;
  skip?: number;
  /** Share of matching requests it fires on, 0 to 1 (default 1). */
  probability?: number;
}

/**
 * A fault chosen by code rather than by a rule (in-process only): consulted before the rules for
 * every request, it sees the request and may return a rule to apply to it once. The kill test
 * uses it to stop an engine at the n-th state-changing request of an action, whatever its path.
 */
export type FaultInterceptor = (request: { method: string; target: string }) => FaultRule | undefined;

interface ActiveRule extends FaultRule {
  remaining: number;
  toSkip: number;
}

/** A small deterministic generator (mulberry32), so a seeded chaos run makes the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Checks a rule given over the wire (control routes) and returns it, or a message. */
export function parseFaultRule(input: unknown): FaultRule | string {
  if (typeof input !== 'object' || input === null) return 'a fault is a JSON object';
  const rule = input as Record<string, unknown>;
  if (!(FAULT_KINDS as readonly unknown[]).includes(rule.kind))
    return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  for (const key of ['method', 'match'] as const)
    if (rule[key] !== undefined && typeof rule[key] !== 'string') return `${key} must be text`;
  for (const key of ['status', 'delayMs', 'times', 'skip', 'probability'] as const)
    if (rule[key] !== undefined && (typeof rule[key] !== 'number' || Number.isNaN(rule[key])))
      return `${key} must be a number`;
  if (
    rule.probability !== undefined &&
    ((rule.probability as number) < 0 || (rule.probability as number) > 1)
  )
    return 'probability must be between 0 and 1';
  return rule as unknown as FaultRule;
}

export class FaultList {
  private rules: ActiveRule[] = [];
  private random: () => number;
  private interceptor: FaultInterceptor | undefined;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1, toSkip: rule.skip ?? 0 });
  }

  /** Sets (or, with `undefined`, removes) the interceptor; `clear()` removes it too. */
  intercept(interceptor: FaultInterceptor | undefined): void {
    this.interceptor = interceptor;
  }

  clear(seed?: number): void {
    this.rules = [];
    this.interceptor = undefined;
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  list(): FaultRule[] {
    return this.rules.map(({ remaining, toSkip, ...rule }) => ({ ...rule, times: remaining, skip: toSkip }));
  }

  /** The first rule that fires for this request, consumed once. */
  take(method: string, target: string): FaultRule | undefined {
    const chosen = this.interceptor?.({ method, target });
    if (chosen) return chosen;
    let fired: ActiveRule | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule, method, target)) continue;
      if (rule.toSkip > 0) {
        rule.toSkip--;
        continue;
      }
      if (rule.probability !== undefined && rule.probability < 1 && this.random() >= rule.probability)
        continue;
      fired = rule;
      rule.remaining--;
      break;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return fired;
  }
}

function matches(rule: FaultRule, method: string, target: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (!rule.match) return true;
  if (method === 'CLI') return target.toLowerCase().startsWith(rule.match.toLowerCase());
  return rule.match.endsWith('*') ? target.startsWith(rule.match.slice(0, -1)) : target === rule.match;
}
