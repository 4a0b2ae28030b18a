import type { ModuleLogEntry } from '../api/types';
import { formatDuration, formatTime } from '../format';

/** Remote calls as the module log stored them: already redacted at the sink, never a secret. */
export function ModuleLogTable({ entries }: { entries: readonly ModuleLogEntry[] }) {
  if (entries.length === 0) return <p className="muted">No remote calls logged.</p>;
  return (
    <ul className="module-log">
      {entries.map((entry) => (
        <li key={entry.id} className={entry.outcome === 'error' ? 'log-error' : undefined}>
          <details>
            <summary>
              <span className="mono">{formatTime(entry.createdAt)}</span> · {entry.action} ·{' '}
              <span className="mono">{entry.request.split('\n')[0]?.slice(0, 80)}</span> ·{' '}
              <strong>{entry.outcome}</strong> · {formatDuration(entry.durationMs)}
              {entry.operationId ? ` · operation ${entry.operationId}` : ''}
              {entry.error ? ` · ${entry.error}` : ''}
            </summary>
            <h4>Request</h4>
            <pre>{entry.request}</pre>
            <h4>Response</h4>
            <pre>{entry.response}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}
