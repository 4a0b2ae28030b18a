/**
 * Redaction happens at the sinks (module log, application log, error messages), never at call
 * sites, so no module can forget it. Two rules:
 *  1. every secret value the operation knows is masked wherever it appears, also in the encoded
 *     forms a transport may put on the wire (JSON string escapes, URL encoding, Basic auth);
 *  2. every value under a key that names a secret is masked, whatever it is.
 */
export const MASK = '***';

const SECRET_KEY_PATTERN =
  /pass(word|wd|key|phrase)?$|^pass|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|ses6|session/i;

export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | null = null;

  constructor(initial: Iterable<string | null | undefined> = []) {
    for (const value of initial) this.add(value);
  }

  /** Registers a secret and the encoded forms under which it may travel. */
  add(value: string | null | undefined): this {
    if (value === null || value === undefined || value === '') return this;
    const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
    for (const form of forms) if (form !== '') this.values.add(form);
    this.sorted = null;
    return this;
  }

  /** A child that knows this redactor's secrets plus its own. */
  extend(values: Iterable<string | null | undefined> = []): Redactor {
    const child = new Redactor(this.values);
    for (const value of values) child.add(value);
    return child;
  }

  get size(): number {
    return this.values.size;
  }

  redactText(text: string): string {
    if (this.values.size === 0 || text === '') return text;
    // Longest first, so a secret containing another secret is masked whole.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let result = text;
    for (const secret of this.sorted) {
      if (result.includes(secret)) result = result.split(secret).join(MASK);
    }
    return result;
  }

  /** Deep copy with secret-named keys masked and every string passed through redactText. */
  redactValue<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        isSecretKeyName(key) && inner !== null && inner !== undefined && inner !== ''
          ? MASK
          : this.walk(inner, depth + 1);
    }
    return out;
  }
}
