import { useState } from 'react';
import type { ApiError } from '../api/client';
import type { ModuleLogEntry, Operation, OperationStatus, Page } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { SelectField } from '../components/form-field';
import { KeyValues } from '../components/key-values';
import { ModuleLogTable } from '../components/module-log-table';
import { OperationJournal } from '../components/operation-journal';
import { isLive, OperationProgress } from '../components/operation-progress';
import { StatusBadge } from '../components/status-badge';
import { formatDuration, formatTime } from '../format';
import { useApi } from '../hooks/use-api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { OperationList } from './service-detail';

const PAGE_SIZE = 50;
const STATUSES: OperationStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

/** The failed-actions queue first (what needs a person), then every operation, newest first. */
export function OperationsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const failed = useApi(
    () => api.get<Page<Operation>>('/v1/operations', { unresolved: true, limit: PAGE_SIZE }),
    [],
  );
  const status = query.get('status') ?? '';
  const [before, setBefore] = useState<number[]>([]);
  const beforeId = before[before.length - 1];
  const all = useApi(
    () => api.get<Page<Operation>>('/v1/operations', { status, limit: PAGE_SIZE + 1, beforeId }),
    [status, beforeId],
  );
  const items = all.data?.items ?? [];
  return (
    <section>
      <h1>Operations</h1>
      <section className="card" aria-labelledby="queue-title">
        <h2 id="queue-title">Failed actions queue</h2>
        <ErrorNotice error={failed.error} />
        {!failed.data ? (
          <Loading what="the failed-actions queue" />
        ) : failed.data.items.length === 0 ? (
          <p className="muted">Nothing waits for an operator.</p>
        ) : (
          <ul className="queue">
            {failed.data.items.map((op) => (
              <FailedOperation
                key={op.id}
                operation={op}
                onChanged={() => {
                  failed.reload();
                  all.reload();
                }}
              />
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>All operations</h2>
        <SelectField
          id="ops-status"
          label="Status"
          value={status}
          blank="any"
          onChange={(v) => {
            setBefore([]);
            navigate('/operations', { status: v });
          }}
          choices={STATUSES.map((s) => ({ value: s, label: s }))}
        />
        <ErrorNotice error={all.error} />
        <OperationList operations={items.slice(0, PAGE_SIZE)} />
        <nav className="pager" aria-label="Operations pages">
          <button
            type="button"
            disabled={before.length === 0}
            onClick={() => setBefore((b) => b.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            disabled={items.length <= PAGE_SIZE}
            onClick={() => setBefore((b) => [...b, items[PAGE_SIZE - 1]!.id])}
          >
            Older
          </button>
        </nav>
      </section>
    </section>
  );
}

function FailedOperation({ operation, onChanged }: { operation: Operation; onChanged(): void }) {
  return (
    <li className="queue-item" data-testid={`failed-operation-${operation.id}`}>
      <p>
        <Link to={`/operations/${operation.id}`}>
          Operation {operation.id}: {operation.action}
        </Link>{' '}
        of <Link to={`/services/${operation.serviceId}`}>service {operation.serviceId}</Link> (
        {operation.module}), {formatTime(operation.finishedAt)}, {operation.attempts} attempt(s)
      </p>
      <p className="field-error">
        {operation.errorMessage}{' '}
        {operation.errorCode ? <span className="muted">({operation.errorCode})</span> : null}
      </p>
      <details>
        <summary>Journal</summary>
        <OperationJournal operation={operation} />
      </details>
      <OperationButtons operation={operation} onChanged={onChanged} />
    </li>
  );
}

/** Retry, resolve (optionally as done by hand) or cancel, as the operation's status allows. */
function OperationButtons({ operation, onChanged }: { operation: Operation; onChanged(): void }) {
  const { api, can } = useSession();
  const [error, setError] = useState<ApiError>();
  if (!can('operator')) return null;
  const act = async (path: string, body: unknown = {}) => {
    setError(undefined);
    try {
      await api.post(`/v1/operations/${operation.id}/${path}`, body);
      onChanged();
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  const unresolvedFailure = operation.status === 'failed' && !operation.resolvedAt;
  return (
    <div className="actions">
      <ErrorNotice error={error} />
      {operation.status === 'failed' ? (
        <button type="button" className="primary" onClick={() => act('retry')}>
          Retry operation {operation.id}
        </button>
      ) : null}
      {unresolvedFailure ? (
        <>
          <button type="button" onClick={() => act('resolve', { note: 'resolved in the web UI' })}>
            Resolve
          </button>
          <button type="button" onClick={() => act('resolve', { markSucceeded: true, note: 'done by hand' })}>
            Mark as done by hand
          </button>
        </>
      ) : null}
      {operation.status === 'queued' || operation.status === 'waiting' ? (
        <button type="button" onClick={() => act('cancel')}>
          Cancel operation
        </button>
      ) : null}
    </div>
  );
}

export function OperationPage({ id }: { id: number }) {
  const { api } = useSession();
  const detail = useApi(
    () => api.get<{ operation: Operation; moduleLog: ModuleLogEntry[] }>(`/v1/operations/${id}`),
    [id],
    { everyMs: 2000, keepPolling: (d) => isLive(d.operation) },
  );
  if (detail.error) return <ErrorNotice error={detail.error} />;
  if (!detail.data) return <Loading what="the operation" />;
  const op = detail.data.operation;
  return (
    <section>
      <h1>
        Operation {op.id}: {op.action} <StatusBadge status={op.status} />
      </h1>
      {isLive(op) ? <OperationProgress operationId={op.id} onEnded={detail.reload} /> : null}
      <div className="card">
        <KeyValues
          rows={[
            [
              'Service',
              <Link key="v1" to={`/services/${op.serviceId}`}>
                service {op.serviceId}
              </Link>,
            ],
            ['Module', op.module],
            ['Attempts', `${op.attempts} of ${op.maxAttempts}`],
            ['Created', formatTime(op.createdAt)],
            ['Finished', formatTime(op.finishedAt)],
            ['Took', op.finishedAt ? formatDuration(op.finishedAt - op.createdAt) : '—'],
            ['Error', op.errorMessage ? `${op.errorMessage} (${op.errorKind}, ${op.errorCode})` : null],
            ['Resolution', op.resolution],
            ['Warnings', (op.warnings ?? []).map((w) => w.message).join('; ')],
          ]}
        />
        <OperationButtons operation={op} onChanged={detail.reload} />
      </div>
      <section className="card">
        <h2>Journal</h2>
        <OperationJournal operation={op} />
      </section>
      <section className="card">
        <h2>Module log</h2>
        <ModuleLogTable entries={[...detail.data.moduleLog].reverse()} />
      </section>
    </section>
  );
}
