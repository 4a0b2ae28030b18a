import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { Client, Page, Service } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { TextField } from '../components/form-field';
import { KeyValues } from '../components/key-values';
import { Pager } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { useApi } from '../hooks/use-api';
import { useKeysetPages } from '../hooks/use-keyset-pages';
import { Link, navigate } from '../router';
import { useSession } from '../session';

const PAGE_SIZE = 50;

export function ClientsPage() {
  const { api, can } = useSession();
  const pages = useKeysetPages();
  const clients = useApi(
    () => api.get<Page<Client>>('/v1/clients', { limit: PAGE_SIZE + 1, afterId: pages.cursor }),
    [pages.cursor],
  );
  const items = clients.data?.items ?? [];
  return (
    <section>
      <h1>Clients</h1>
      {can('operator') ? <NewClientForm /> : null}
      <ErrorNotice error={clients.error} />
      {!clients.data ? (
        <Loading what="clients" />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Company</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, PAGE_SIZE).map((client) => (
                <tr key={client.id}>
                  <td>{client.id}</td>
                  <td>
                    <Link to={`/clients/${client.id}`}>{nameOf(client)}</Link>
                  </td>
                  <td>{client.email}</td>
                  <td>{client.company || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Clients pages"
        hasPrevious={pages.hasPrevious}
        hasNext={items.length > PAGE_SIZE}
        onPrevious={pages.previous}
        onNext={() => pages.next(items[PAGE_SIZE - 1]!.id)}
      />
    </section>
  );
}

export const nameOf = (client: Client) =>
  [client.firstName, client.lastName].filter(Boolean).join(' ') || client.email;

function NewClientForm() {
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [company, setCompany] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email))
      return setErrors({ email: 'An e-mail address like name@example.com' });
    setErrors({});
    try {
      const client = await api.post<Client>('/v1/clients', { email, firstName, lastName, company });
      navigate(`/clients/${client.id}`);
    } catch (caught) {
      setErrors(caught instanceof ApiError ? caught.fieldProblems() : {});
      setError(caught as ApiError);
    }
  };
  return (
    <details className="card">
      <summary>Add a client</summary>
      <form onSubmit={submit} aria-label="Add client" noValidate>
        <ErrorNotice error={error} />
        <TextField
          id="client-email"
          label="E-mail"
          type="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
          required
        />
        <TextField
          id="client-first-name"
          label="First name"
          value={firstName}
          onChange={setFirstName}
          error={errors.firstName}
        />
        <TextField
          id="client-last-name"
          label="Last name"
          value={lastName}
          onChange={setLastName}
          error={errors.lastName}
        />
        <TextField
          id="client-company"
          label="Company"
          value={company}
          onChange={setCompany}
          error={errors.company}
        />
        <button type="submit" className="primary">
          Add client
        </button>
      </form>
    </details>
  );
}

/** A client, its services, its secret custom fields (masked; an operator may reveal one), and customer access. */
export function ClientPage({ id }: { id: number }) {
  const { api, can } = useSession();
  const client = useApi(() => api.get<Client>(`/v1/clients/${id}`), [id]);
  const services = useApi(() => api.get<Page<Service>>('/v1/services', { clientId: id, limit: 100 }), [id]);
  if (client.error) return <ErrorNotice error={client.error} />;
  if (!client.data) return <Loading what="the client" />;
  const c = client.data;
  return (
    <section>
      <h1>Client {nameOf(c)}</h1>
      <div className="card">
        <KeyValues
          rows={[
            ['Id', c.id],
            ['E-mail', c.email],
            ['Company', c.company],
            ['External id', c.externalId],
          ]}
        />
        <CustomFields client={c} />
      </div>
      <h2>Services</h2>
      {can('operator') ? (
        <p>
          <Link to="/services/new" query={{ clientId: id }} className="button primary">
            Add a service for this client
          </Link>
        </p>
      ) : null}
      <ErrorNotice error={services.error} />
      <ul>
        {(services.data?.items ?? []).map((service) => (
          <li key={service.id}>
            <Link to={`/services/${service.id}`}>
              Service {service.id} {service.domain ?? ''}
            </Link>{' '}
            <StatusBadge status={service.status} />
          </li>
        ))}
      </ul>
      {can('admin') ? <CustomerAccess client={c} /> : null}
    </section>
  );
}

function CustomFields({ client }: { client: Client }) {
  const { api, can } = useSession();
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const entries = Object.entries(client.customFields);
  if (entries.length === 0) return null;
  const reveal = async (name: string) => {
    try {
      const answer = await api.post<{ value: string }>(
        `/v1/clients/${client.id}/custom-fields/${encodeURIComponent(name)}/reveal`,
      );
      setRevealed((r) => ({ ...r, [name]: answer.value }));
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  return (
    <>
      <h2>Custom fields</h2>
      <ErrorNotice error={error} />
      <KeyValues
        rows={entries.map(([name, value]) => [
          name,
          value === '********' && !(name in revealed) ? (
            <>
              <span>******** (hidden)</span>{' '}
              {can('operator') ? (
                <button type="button" onClick={() => reveal(name)}>
                  Reveal {name}
                </button>
              ) : null}
            </>
          ) : (
            (revealed[name] ?? value)
          ),
        ])}
      />
    </>
  );
}

/** A customer token sees only this client's services; it is shown once, with the customer area's link. */
function CustomerAccess({ client }: { client: Client }) {
  const { api } = useSession();
  const [token, setToken] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const create = async () => {
    try {
      const answer = await api.post<{ token: string }>('/v1/tokens', {
        name: `customer ${client.id} (${client.email})`,
        scope: 'customer',
        clientId: client.id,
      });
      setToken(answer.token);
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  const link = `${window.location.origin}/#/my`;
  return (
    <section className="card">
      <h2>Customer area</h2>
      <p>
        The client signs in at <code>{link}</code> with a customer token, and sees only their own services.
      </p>
      <ErrorNotice error={error} />
      {token ? (
        <div className="notice notice-ok" role="status">
          <p>Customer token (shown once; hand it to the client securely):</p>
          <pre data-testid="customer-token">{token}</pre>
        </div>
      ) : (
        <button type="button" onClick={create}>
          Create a customer token
        </button>
      )}
    </section>
  );
}
