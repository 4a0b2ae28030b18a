import pino from 'pino';
import type { Redactor } from '../core/redaction.js';
import type { Logger } from '../modules/contract.js';

export type AppLogger = pino.Logger;

/**
 * The application log. Secret-named keys are masked by pino's own redaction, configured once
 * here; secret values known to an operation are masked by `scopedLogger`, which wraps this one.
 */
export function createAppLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): AppLogger {
  return pino(
    {
      level: options.level ?? process.env.PROVISIO_LOG_LEVEL ?? 'info',
      base: { app: 'provisio' },
      redact: {
        paths: [
          '*.password',
          '*.secret',
          '*.apiKey',
          '*.token',
          '*.authorization',
          'password',
          'secret',
          'apiKey',
          'token',
        ],
        censor: '***',
      },
    },
    options.destination,
  );
}

/** The contract's Logger for one operation: every message and field passes the redactor. */
export function scopedLogger(app: AppLogger, redactor: Redactor, bindings: Record<string, unknown>): Logger {
  // Made on first use: most actions log nothing, and a pino child per operation is not free.
  let child: AppLogger | undefined;
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
      if (!app.isLevelEnabled(level)) return;
      child ??= app.child(bindings);
      child[level](fields ? redactor.redactValue(fields) : {}, redactor.redactText(message));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
