import type { Operation } from '../api/types';
import { useApi } from '../hooks/use-api';
import { useSession } from '../session';
import { StatusBadge } from './status-badge';

const LIVE = new Set(['queued', 'running', 'waiting']);
export const isLive = (operation: Operation) => LIVE.has(operation.status);

/**
 * Live progress of one operation, polled once a second while it is queued, running or waiting
 * (a DCImanager install waits durably for many minutes; the page follows it). Calls `onEnded`
 * once it has ended, so the page can reload the service.
 */
export function OperationProgress({
  operationId,
  onEnded,
}: {
  operationId: number;
  onEnded?(op: Operation): void;
}) {
  const { api } = useSession();
  const { data } = useApi(
    async () => {
      const { operation } = await api.get<{ operation: Operation }>(`/v1/operations/${operationId}`);
      if (!isLive(operation)) onEnded?.(operation);
      return operation;
    },
    [operationId],
    { everyMs: 1000, keepPolling: isLive },
  );
  if (!data) return null;
  const percent = data.progressFraction === null ? null : Math.round(data.progressFraction * 100);
  return (
    <div className="progress" aria-live="polite" data-testid="operation-progress">
      <p>
        Operation {data.id} <strong>{data.action}</strong> <StatusBadge status={data.status} />
        {data.progressMessage ? ` — ${data.progressMessage}` : ''}
      </p>
      {isLive(data) ? (
        <progress
          max={100}
          {...(percent === null ? {} : { value: percent })}
          aria-label={`Progress of operation ${data.id}`}
        >
          {percent === null ? 'working' : `${percent}%`}
        </progress>
      ) : null}
      {data.status === 'failed' ? <p className="field-error">{data.errorMessage}</p> : null}
    </div>
  );
}
