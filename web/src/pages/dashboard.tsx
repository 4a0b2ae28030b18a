import type { DashboardSummary, GroupFill, ServiceStatus } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { FillBars } from '../components/fill-bars';
import { HourlyChart } from '../components/hourly-chart';
import { StatusBadge } from '../components/status-badge';
import { formatAge, formatDuration, formatHour, formatMb, formatTime } from '../format';
import { useApi } from '../hooks/use-api';
import { Link } from '../router';
import { useSession } from '../session';

const STATUSES: ServiceStatus[] = ['pending', 'active', 'suspended', 'terminated', 'cancelled'];

/** The shop at a glance; refreshed every 15 seconds. */
export function DashboardPage() {
  const { api } = useSession();
  const summary = useApi(() => api.get<DashboardSummary>('/v1/dashboard'), [], { everyMs: 15_000 });
  const fill = useApi(() => api.get<{ items: GroupFill[] }>('/v1/dashboard/server-fill'), [], {
    everyMs: 15_000,
  });
  return (
    <section>
      <h1>Dashboard</h1>
      <ErrorNotice error={summary.error} />
      {summary.data ? <Summary data={summary.data} /> : <Loading what="the dashboard" />}
      <section className="card">
        <h2>Server fill</h2>
        <ErrorNotice error={fill.error} />
        {fill.data ? <FillBars groups={fill.data.items} /> : <Loading what="server fill" />}
      </section>
    </section>
  );
}

function Summary({ data }: { data: DashboardSummary }) {
  const lastHours = data.operationsPerHour
    .filter((h) => h.finished > 0)
    .slice(-6)
    .reverse();
  return (
    <>
      <div className="cards">
        <section className="card" aria-labelledby="services-by-status">
          <h2 id="services-by-status">Services by status</h2>
          <ul className="counts">
            {STATUSES.map((status) => (
              <li key={status}>
                <Link to="/services" query={{ status }}>
                  <StatusBadge status={status} /> <strong>{data.servicesByStatus[status] ?? 0}</strong>
                </Link>
              </li>
            ))}
          </ul>
          <p className="muted">
            Queue: {data.queue.queued} queued, {data.queue.running} running, {data.queue.waiting} waiting
          </p>
        </section>
        <section className="card" aria-labelledby="usage-totals">
          <h2 id="usage-totals">Usage</h2>
          <p>
            Disk {formatMb(data.usage.diskUsedMb)} of {formatMb(data.usage.diskLimitMb)} · bandwidth{' '}
            {formatMb(data.usage.bandwidthUsedMb)} of {formatMb(data.usage.bandwidthLimitMb)}
          </p>
          <p>
            Synced: {data.usage.withUsage} of {data.usage.services} live services · newest{' '}
            {formatAge(data.usage.newestSyncAt, data.generatedAt)} · oldest{' '}
            {formatAge(data.usage.oldestSyncAt, data.generatedAt)}
          </p>
        </section>
        <section className="card" aria-labelledby="drift">
          <h2 id="drift">Drift found by reconcile</h2>
          {data.openFindings.length === 0 ? (
            <p className="muted">No open findings: billing and the backends agree.</p>
          ) : (
            <ul className="findings" data-testid="open-findings">
              {data.openFindings.map((server) => (
                <li key={server.serverId}>
                  <Link to={`/servers/${server.serverId}`}>{server.name}</Link>:{' '}
                  <strong>{server.open}</strong> open (
                  {Object.entries(server.byKind)
                    .map(([kind, count]) => `${count} ${kind}`)
                    .join(', ')}
                  )
                </li>
              ))}
            </ul>
          )}
          <p className="muted">
            <code>provisio reconcile findings</code> lists them with the repair provisio proposes.
          </p>
        </section>
      </div>
      <section className="card" aria-labelledby="needs-attention">
        <h2 id="needs-attention">
          Failed operations needing attention:{' '}
          <span data-testid="unresolved-count">{data.failedOperations.unresolved}</span>
        </h2>
        {data.failedOperations.latest.length === 0 ? (
          <p className="muted">Nothing failed. </p>
        ) : (
          <ul className="failures">
            {data.failedOperations.latest.map((op) => (
              <li key={op.id}>
                <Link to={`/operations/${op.id}`}>
                  Operation {op.id}: {op.action} of service {op.serviceId} ({op.module})
                </Link>{' '}
                <span className="muted">{formatTime(op.finishedAt)}</span>
                <p className="field-error">{op.errorMessage}</p>
              </li>
            ))}
          </ul>
        )}
        {data.failedOperations.unresolved > 0 ? (
          <Link to="/operations">Open the failed-actions queue</Link>
        ) : null}
      </section>
      <section className="card" aria-labelledby="per-hour">
        <h2 id="per-hour">Operations per hour (last 24 h)</h2>
        <HourlyChart hours={data.operationsPerHour} />
        <div className="table-wrap">
          <table>
            <caption>The latest hours with operations</caption>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                <th scope="col">Finished</th>
                <th scope="col">Failed</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
                <th scope="col">p99</th>
              </tr>
            </thead>
            <tbody>
              {lastHours.map((hour) => (
                <tr key={hour.hourStart}>
                  <td>{formatHour(hour.hourStart)}</td>
                  <td>{hour.finished}</td>
                  <td>{hour.failed}</td>
                  <td>{formatDuration(hour.p50Ms)}</td>
                  <td>{formatDuration(hour.p95Ms)}</td>
                  <td>{formatDuration(hour.p99Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
