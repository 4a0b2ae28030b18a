import type { Page, Product, Service, ViewModel } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { KeyValues } from '../components/key-values';
import { StatusBadge } from '../components/status-badge';
import { ViewFields } from '../components/view-fields';
import { formatAge, formatMb } from '../format';
import { useApi } from '../hooks/use-api';
import { Link } from '../router';
import { useSession } from '../session';

/**
 * The customer area: what a client sees of their services. A customer token is answered only
 * with its own client's services (the engine enforces it); an operator opening these pages sees
 * exactly what the customer would.
 */
export function CustomerServicesPage() {
  const { api, session } = useSession();
  const services = useApi(
    () =>
      api.get<Page<Service>>(
        '/v1/services',
        session.clientId ? { clientId: session.clientId, limit: 100 } : { limit: 100 },
      ),
    [session.clientId],
  );
  return (
    <section>
      <h1>My services</h1>
      <ErrorNotice error={services.error} />
      {!services.data ? (
        <Loading what="your services" />
      ) : services.data.items.length === 0 ? (
        <p className="muted">No services.</p>
      ) : (
        <ul className="cards">
          {services.data.items.map((service) => (
            <li key={service.id} className="card">
              <Link to={`/my/services/${service.id}`}>
                {service.domain ?? service.username ?? `Service ${service.id}`}
              </Link>{' '}
              <StatusBadge status={service.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CustomerServicePage({ id }: { id: number }) {
  const { api, session } = useSession();
  const service = useApi(() => api.get<Service>(`/v1/services/${id}`), [id]);
  const provisioned =
    service.data && service.data.serverId !== null && ['active', 'suspended'].includes(service.data.status);
  const view = useApi(
    () =>
      provisioned
        ? api.post<ViewModel>(`/v1/services/${id}/view`, { kind: 'client' })
        : Promise.resolve(null),
    [id, provisioned],
  );
  const product = useApi(
    () =>
      service.data && session.scope !== 'customer'
        ? api.get<Product>(`/v1/products/${service.data.productId}`)
        : Promise.resolve(null),
    [service.data?.productId],
  );
  if (service.error) return <ErrorNotice error={service.error} />;
  if (!service.data) return <Loading what="the service" />;
  const s = service.data;
  return (
    <section>
      {session.scope !== 'customer' ? (
        <p className="notice">
          You are seeing what the customer sees. <Link to={`/services/${s.id}`}>Back to the admin page</Link>
        </p>
      ) : null}
      <h1>
        {product.data?.name ?? 'Service'} {s.domain ?? ''} <StatusBadge status={s.status} />
      </h1>
      {s.status === 'suspended' ? (
        <p className="notice notice-error">
          This service is suspended{s.suspendReason ? `: ${s.suspendReason}` : ''}.
        </p>
      ) : null}
      <section className="card" aria-labelledby="customer-view">
        <h2 id="customer-view">Your service</h2>
        <ErrorNotice error={view.error} />
        {view.data ? (
          <ViewFields view={view.data} />
        ) : provisioned ? (
          <Loading what="the details" />
        ) : (
          <p>Being set up.</p>
        )}
        {view.data?.loginUrl ? (
          <p>
            <a className="button primary" href={view.data.loginUrl} target="_blank" rel="noreferrer noopener">
              Open the control panel
            </a>
          </p>
        ) : null}
      </section>
      <section className="card">
        <h2>Usage</h2>
        <KeyValues
          rows={[
            [
              'Disk',
              s.usageUpdatedAt
                ? `${formatMb(s.usage.diskUsedMb)} of ${formatMb(s.usage.diskLimitMb)}`
                : 'not measured yet',
            ],
            ['Bandwidth', s.usageUpdatedAt ? formatMb(s.usage.bandwidthUsedMb) : '—'],
            ['Measured', formatAge(s.usageUpdatedAt)],
          ]}
        />
      </section>
    </section>
  );
}
