/**
 * Fault injection: a rule matches requests by method and path and fires a number of times.
 * - `error`: answer with `status` and `body` without touching state;
 * - `drop-before`: close the connection before the request takes effect;
 * - `drop-after`: carry the request out, then close the connection instead of answering
 *   (the "tenant was created but the answer was lost" case);
 * - `hang`: never answer (until the emulator closes).
 */
export type FaultAction = 'error' | 'drop-before' | 'drop-after' | 'hang';

export interface FaultRule {
  action: FaultAction;
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Path to match exactly, or a prefix when it ends with `*`; any when absent. */
  path?: string;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests it affects (default 1; Infinity for every one). */
  times?: number;
  /** Matching requests to let through first, e.g. 2 to fail the third page of a list. */
  skip?: number;
}

export class FaultList {
  private rules: (FaultRule & { remaining: number; toSkip: number })[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1, toSkip: rule.skip ?? 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first matching rule past its `skip`, consumed once; every matching rule counts the request. */
  take(method: string, path: string): FaultRule | undefined {
    let fired: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule, method, path)) continue;
      if (rule.toSkip > 0) {
        rule.toSkip--;
        continue;
      }
      if (!fired) {
        fired = rule;
        rule.remaining--;
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return fired;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (!rule.path) return true;
  return rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
}
