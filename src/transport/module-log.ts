import type { Redactor } from '../core/redaction.js';
import type { ModuleLogRow, RemoteCallRecord } from '../core/values.js';

export type { ModuleLogRow, RemoteCallRecord };

export interface ModuleLog {
  record(call: RemoteCallRecord): void;
  /** The redactor the sink uses; transports add derived secrets (e.g. a session token) to it. */
  readonly redactor: Redactor;
}

/** Longest text stored for one request or response; the rest is cut with a marker. */
export const MODULE_LOG_MAX_TEXT = 16_384;

function truncate(text: string): string {
  return text.length <= MODULE_LOG_MAX_TEXT
    ? text
    : `${text.slice(0, MODULE_LOG_MAX_TEXT)}… [${text.length - MODULE_LOG_MAX_TEXT} more characters]`;
}

/**
 * The only way into the module log: redaction is applied here, at the sink, so neither a module
 * nor a transport can store a secret in clear.
 */
export function createModuleLogSink(options: {
  redactor: Redactor;
  scope: Omit<ModuleLogRow, keyof RemoteCallRecord | 'createdAt'>;
  now: () => number;
  write: (row: ModuleLogRow) => void;
  /** Observes latency per call (metrics). */
  observe?: (call: RemoteCallRecord) => void;
}): ModuleLog {
  const { redactor } = options;
  return {
    redactor,
    record(call) {
      options.observe?.(call);
      options.write({
        ...options.scope,
        request: truncate(redactor.redactText(call.request)),
        response: truncate(redactor.redactText(call.response)),
        durationMs: Math.round(call.durationMs * 1000) / 1000,
        outcome: call.outcome,
        ...(call.error === undefined ? {} : { error: redactor.redactText(call.error) }),
        createdAt: options.now(),
      });
    },
  };
}

/** A module log that keeps rows in memory: for tests and for emulator-side checks. */
export function createMemoryModuleLog(redactor: Redactor): ModuleLog & { rows: RemoteCallRecord[] } {
  const rows: RemoteCallRecord[] = [];
  return {
    redactor,
    rows,
    record(call) {
      rows.push({
        ...call,
        request: redactor.redactText(call.request),
        response: redactor.redactText(call.response),
        ...(call.error === undefined ? {} : { error: redactor.redactText(call.error) }),
      });
    },
  };
}
