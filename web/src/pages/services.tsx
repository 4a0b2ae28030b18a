import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { Page, Product, Server, Service, ServiceStatus } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { SelectField, TextField } from '../components/form-field';
import { Pager } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { useApi } from '../hooks/use-api';
import { useKeysetPages } from '../hooks/use-keyset-pages';
import { href, Link, navigate } from '../router';
import { useSession } from '../session';

export { ServicePage } from './service-detail';

const PAGE_SIZE = 50;
const STATUSES: ServiceStatus[] = ['pending', 'active', 'suspended', 'terminated', 'cancelled'];

/** Every filter lives in the address (`#/services?status=active&search=example`): links can share a view. */
export function ServicesPage({ query }: { query: URLSearchParams }) {
  const { api, can } = useSession();
  const filters = {
    status: query.get('status') ?? '',
    productId: query.get('productId') ?? '',
    serverId: query.get('serverId') ?? '',
    clientId: query.get('clientId') ?? '',
    search: query.get('search') ?? '',
  };
  const key = JSON.stringify(filters);
  const pages = useKeysetPages();
  const [lastKey, setLastKey] = useState(key);
  if (lastKey !== key) {
    setLastKey(key);
    pages.reset();
  }
  const products = useApi(() => api.get<Page<Product>>('/v1/products'), []);
  const servers = useApi(() => api.get<Page<Server>>('/v1/servers'), []);
  const services = useApi(
    () => api.get<Page<Service>>('/v1/services', { ...filters, limit: PAGE_SIZE + 1, afterId: pages.cursor }),
    [key, pages.cursor],
  );
  const items = services.data?.items ?? [];
  const productName = (id: number) => products.data?.items.find((p) => p.id === id)?.name ?? `product ${id}`;
  const serverName = (id: number | null) =>
    id ? (servers.data?.items.find((s) => s.id === id)?.name ?? `server ${id}`) : '—';
  const setFilter = (name: string, value: string) => navigate('/services', { ...filters, [name]: value });

  return (
    <section>
      <h1>Services</h1>
      {can('operator') ? (
        <p>
          <Link to="/services/new" className="button primary">
            Add a service
          </Link>
        </p>
      ) : null}
      <ServiceFilters
        filters={filters}
        products={products.data?.items ?? []}
        servers={servers.data?.items ?? []}
        onChange={setFilter}
      />
      <ErrorNotice error={services.error} />
      {!services.data ? (
        <Loading what="services" />
      ) : items.length === 0 ? (
        <p className="muted">No service matches.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Domain / username</th>
                <th scope="col">Status</th>
                <th scope="col">Product</th>
                <th scope="col">Server</th>
                <th scope="col">Client</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, PAGE_SIZE).map((service) => (
                <tr key={service.id}>
                  <td>{service.id}</td>
                  <td>
                    <Link to={`/services/${service.id}`}>
                      {service.domain ?? service.username ?? `service ${service.id}`}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={service.status} />
                  </td>
                  <td>{productName(service.productId)}</td>
                  <td>{serverName(service.serverId)}</td>
                  <td>
                    <Link to={`/clients/${service.clientId}`}>client {service.clientId}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Services pages"
        hasPrevious={pages.hasPrevious}
        hasNext={items.length > PAGE_SIZE}
        onPrevious={pages.previous}
        onNext={() => pages.next(items[PAGE_SIZE - 1]!.id)}
      />
    </section>
  );
}

function ServiceFilters(props: {
  filters: Record<string, string>;
  products: Product[];
  servers: Server[];
  onChange(name: string, value: string): void;
}) {
  const [search, setSearch] = useState(props.filters.search ?? '');
  return (
    <form
      className="filters"
      aria-label="Filter services"
      onSubmit={(event) => {
        event.preventDefault();
        props.onChange('search', search.trim());
      }}
    >
      <TextField
        id="filter-search"
        label="Search domain, username or id"
        type="search"
        value={search}
        onChange={setSearch}
      />
      <button type="submit">Search</button>
      <SelectField
        id="filter-status"
        label="Status"
        value={props.filters.status ?? ''}
        onChange={(v) => props.onChange('status', v)}
        blank="any"
        choices={STATUSES.map((s) => ({ value: s, label: s }))}
      />
      <SelectField
        id="filter-product"
        label="Product"
        value={props.filters.productId ?? ''}
        onChange={(v) => props.onChange('productId', v)}
        blank="any"
        choices={props.products.map((p) => ({ value: String(p.id), label: p.name }))}
      />
      <SelectField
        id="filter-server"
        label="Server"
        value={props.filters.serverId ?? ''}
        onChange={(v) => props.onChange('serverId', v)}
        blank="any"
        choices={props.servers.map((s) => ({ value: String(s.id), label: s.name }))}
      />
      <a href={href('/services')}>Clear filters</a>
    </form>
  );
}

/** A pending service for a client, then provisioned with "Create" (an order does both at once). */
export function NewServicePage({ clientId }: { clientId: number | null }) {
  const { api } = useSession();
  const products = useApi(() => api.get<Page<Product>>('/v1/products'), []);
  const [client, setClient] = useState(clientId ? String(clientId) : '');
  const [productId, setProductId] = useState('');
  const [domain, setDomain] = useState('');
  const [username, setUsername] = useState('');
  const [provision, setProvision] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!/^\d+$/.test(client)) problems.clientId = 'The id of an existing client';
    if (!productId) problems.productId = 'Choose the product sold';
    setErrors(problems);
    if (Object.keys(problems).length) return;
    try {
      const service = await api.post<Service>('/v1/services', {
        clientId: Number(client),
        productId: Number(productId),
        ...(domain ? { domain } : {}),
        ...(username ? { username } : {}),
      });
      if (provision) await api.post(`/v1/services/${service.id}/create`);
      navigate(`/services/${service.id}`);
    } catch (caught) {
      setErrors(caught instanceof ApiError ? caught.fieldProblems() : {});
      setError(caught as ApiError);
    }
  };
  return (
    <section>
      <h1>Add a service</h1>
      <form className="card" onSubmit={submit} aria-label="Add service" noValidate>
        <ErrorNotice error={error ?? products.error} />
        <TextField
          id="service-client"
          label="Client id"
          type="number"
          value={client}
          onChange={setClient}
          error={errors.clientId}
          required
        />
        <SelectField
          id="service-product"
          label="Product"
          value={productId}
          onChange={setProductId}
          blank="— choose a product —"
          error={errors.productId}
          choices={(products.data?.items ?? []).map((p) => ({
            value: String(p.id),
            label: `${p.name} (${p.module})`,
          }))}
          required
        />
        <TextField
          id="service-domain"
          label="Domain"
          value={domain}
          onChange={setDomain}
          error={errors.domain}
        />
        <TextField
          id="service-username"
          label="Username"
          value={username}
          onChange={setUsername}
          error={errors.username}
        />
        <div className="field field-checkbox">
          <input
            id="service-provision"
            type="checkbox"
            checked={provision}
            onChange={(e) => setProvision(e.target.checked)}
          />
          <label htmlFor="service-provision">Provision it now</label>
        </div>
        <button type="submit" className="primary">
          Add service
        </button>
      </form>
    </section>
  );
}
