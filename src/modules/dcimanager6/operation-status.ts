import type { DciOperation, DciServer } from './routes.js';

/**
 * What a DCImanager operation status means (spec §5.2): only `ok` and `canceled`/`cancelled` are
 * documented; running and failure labels are unknown, so anything naming a failure or an error
 * is a failure and every other value is still running.
 */
export type OperationPhase = 'ok' | 'canceled' | 'failed' | 'running';

export function operationPhase(status: string | undefined | null): OperationPhase {
  const value = (status ?? '').toLowerCase();
  if (value === 'ok') return 'ok';
  if (value === 'canceled' || value === 'cancelled') return 'canceled';
  if (/fail|error/.test(value)) return 'failed';
  return 'running';
}

export function isOperationRunning(operation: DciOperation | null | undefined): boolean {
  return operation ? operationPhase(operation.status) === 'running' : false;
}

/** The operation's own message, for the person reading a failed operation. */
export function operationMessage(operation: DciOperation): string {
  const info = operation.status_info;
  const text = info && typeof info.msg === 'string' && info.msg !== '' ? info.msg : undefined;
  return text ?? `status ${operation.status}`;
}

/** A short "what is it doing" line from `progress_info` (shape unverified: any `name`/`percent`). */
export function operationProgress(operation: DciOperation): string {
  const last = operation.progress_info?.[operation.progress_info.length - 1];
  if (!last) return operation.status;
  const name = typeof last.name === 'string' ? last.name : operation.status;
  const percent = typeof last.percent === 'number' ? ` ${last.percent}%` : '';
  return `${name}${percent}`;
}

/** Free-server rules (spec §8) the `where` filter cannot express. */
export function isServerFree(server: DciServer): boolean {
  if (server.owner_email) return false;
  if (server.is_new) return false;
  if (server.maintenance_mode) return false;
  const phase = server.operation ? operationPhase(server.operation.status) : 'ok';
  return phase === 'ok' || phase === 'canceled';
}
