import { type FormEvent, useState } from 'react';
import { argumentAsField } from '../action-arguments';
import { ApiError } from '../api/client';
import type {
  ActionResult,
  ModuleAction,
  ModuleLogEntry,
  Operation,
  Page,
  Product,
  Server,
  Service,
  ViewModel,
} from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorNotice, Loading } from '../components/error-notice';
import { TextField } from '../components/form-field';
import { KeyValues } from '../components/key-values';
import { ModuleLogTable } from '../components/module-log-table';
import { isLive, OperationProgress } from '../components/operation-progress';
import { SettingsForm } from '../components/settings-form';
import { StatusBadge } from '../components/status-badge';
import { ViewFields } from '../components/view-fields';
import { formatAge, formatMb, formatTime } from '../format';
import { useApi } from '../hooks/use-api';
import { useModules } from '../hooks/use-modules';
import { Link } from '../router';
import { useSession } from '../session';
import {
  checkSettings,
  initialSettingValues,
  type SettingValues,
  settingsToSend,
} from '../settings-validation';

/** One service: its record, the module's admin view, actions, live progress, operations and module log. */
export function ServicePage({ id }: { id: number }) {
  const { api } = useSession();
  const service = useApi(() => api.get<Service>(`/v1/services/${id}`), [id]);
  const operations = useApi(
    () => api.get<Page<Operation>>('/v1/operations', { serviceId: id, limit: 20 }),
    [id],
  );
  const [logVersion, setLogVersion] = useState(0);
  // The operation an action just queued is followed by its id until it ends: a fast operation
  // may have ended before the operations list reloads, and the page must still see its end.
  const [followed, setFollowed] = useState<number>();
  if (service.error) return <ErrorNotice error={service.error} />;
  if (!service.data) return <Loading what="the service" />;
  const liveId = followed ?? operations.data?.items.find(isLive)?.id;
  const refresh = () => {
    service.reload();
    operations.reload();
    setLogVersion((v) => v + 1);
  };
  const onEnded = () => {
    setFollowed(undefined);
    refresh();
  };
  const onQueued = (answer?: unknown) => {
    setFollowed(queuedOperationId(answer));
    refresh();
  };
  return (
    <section>
      <h1>
        Service {service.data.id} {service.data.domain ?? service.data.username ?? ''}{' '}
        <span data-testid="service-status">
          <StatusBadge status={service.data.status} />
        </span>
      </h1>
      <ServiceSummary service={service.data} />
      {liveId ? <OperationProgress key={liveId} operationId={liveId} onEnded={onEnded} /> : null}
      <ServiceActions service={service.data} busy={!!liveId} onQueued={onQueued} />
      <AdminView service={service.data} version={logVersion} />
      <ServiceEditor service={service.data} onSaved={service.reload} />
      <section className="card">
        <h2>Operations</h2>
        <ErrorNotice error={operations.error} />
        <OperationList operations={operations.data?.items ?? []} />
      </section>
      <ServiceModuleLog serviceId={id} version={logVersion} />
    </section>
  );
}

function ServiceSummary({ service }: { service: Service }) {
  const { api } = useSession();
  const product = useApi(() => api.get<Product>(`/v1/products/${service.productId}`), [service.productId]);
  const server = useApi(
    () =>
      service.serverId ? api.get<Server>(`/v1/servers/${service.serverId}`) : Promise.resolve(undefined),
    [service.serverId],
  );
  const usage = service.usage;
  return (
    <div className="card">
      <KeyValues
        rows={[
          [
            'Client',
            <Link key="v1" to={`/clients/${service.clientId}`}>
              client {service.clientId}
            </Link>,
          ],
          [
            'Product',
            product.data ? (
              <Link key="v2" to={`/products/${service.productId}`}>
                {product.data.name}
              </Link>
            ) : (
              service.productId
            ),
          ],
          [
            'Server',
            server.data ? (
              <Link key="v3" to={`/servers/${server.data.id}`}>
                {server.data.name}
              </Link>
            ) : (
              'not placed yet'
            ),
          ],
          ['Username', service.username],
          ['Password', service.hasPassword ? <RevealPassword key="v4" serviceId={service.id} /> : 'none'],
          [
            'Remote ids',
            Object.entries(service.remoteIds)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', '),
          ],
          ['Dedicated IP', service.dedicatedIp],
          ['Suspend reason', service.suspendReason],
          [
            'Usage',
            service.usageUpdatedAt
              ? `disk ${formatMb(usage.diskUsedMb)} of ${formatMb(usage.diskLimitMb)}, bandwidth ${formatMb(usage.bandwidthUsedMb)}; synced ${formatAge(service.usageUpdatedAt)}`
              : 'not synced yet',
          ],
          ['Created', formatTime(service.createdAt)],
          [
            'Customer view',
            <Link key="v5" to={`/my/services/${service.id}`}>
              what the customer sees
            </Link>,
          ],
        ]}
      />
    </div>
  );
}

/** The password stays hidden unless an operator asks for it; the engine records who did. */
function RevealPassword({ serviceId }: { serviceId: number }) {
  const { api, can } = useSession();
  const [password, setPassword] = useState<string>();
  const [error, setError] = useState<string>();
  if (password) return <code data-testid="revealed-password">{password}</code>;
  return (
    <>
      <span>set (hidden)</span>{' '}
      {can('operator') ? (
        <button
          type="button"
          onClick={async () => {
            try {
              setPassword(
                (await api.post<{ password: string }>(`/v1/services/${serviceId}/password/reveal`)).password,
              );
            } catch (caught) {
              setError((caught as Error).message);
            }
          }}
        >
          Reveal password
        </button>
      ) : null}
      {error ? <span className="field-error"> {error}</span> : null}
    </>
  );
}

/** The operation id in an action's answer (`{ operation: { id } }`), if it carries one. */
function queuedOperationId(answer: unknown): number | undefined {
  const id = (answer as Partial<ActionResult> | undefined)?.operation?.id;
  return typeof id === 'number' ? id : undefined;
}

type OnQueued = (answer?: unknown) => void;

function ServiceActions({
  service,
  busy,
  onQueued,
}: {
  service: Service;
  busy: boolean;
  onQueued: OnQueued;
}) {
  const { api, can } = useSession();
  const modules = useModules();
  const product = useApi(() => api.get<Product>(`/v1/products/${service.productId}`), [service.productId]);
  const module = modules.data?.find((m) => m.id === product.data?.module);
  const [error, setError] = useState<ApiError>();
  const [confirming, setConfirming] = useState<null | { label: string; run(): Promise<unknown> }>(null);
  const [reason, setReason] = useState('');
  if (!can('operator')) return null;

  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      onQueued(await fn());
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  const action = (path: string, body: unknown = {}) =>
    run(() => api.post<ActionResult>(`/v1/services/${service.id}/${path}`, body));
  const { status } = service;
  const live = status === 'active' || status === 'suspended';
  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      {busy ? <p className="muted">An operation is in progress; actions wait until it ends.</p> : null}
      <ErrorNotice error={error} />
      <div className="actions">
        {status === 'pending' ? (
          <>
            <button type="button" className="primary" disabled={busy} onClick={() => action('create')}>
              Create
            </button>
            <button type="button" disabled={busy} onClick={() => action('cancel')}>
              Cancel service
            </button>
          </>
        ) : null}
        {status === 'suspended' ? (
          <button type="button" disabled={busy} onClick={() => action('unsuspend')}>
            Unsuspend
          </button>
        ) : null}
        {live ? (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              setConfirming({
                label: 'Terminate',
                run: () => api.post(`/v1/services/${service.id}/terminate`),
              })
            }
          >
            Terminate
          </button>
        ) : null}
        {live && module?.loginLink ? (
          <button
            type="button"
            onClick={() =>
              run(async () => {
                const { url } = await api.post<{ url: string }>(`/v1/services/${service.id}/login-link`);
                window.open(url, '_blank', 'noopener');
              })
            }
          >
            Log in to the panel
          </button>
        ) : null}
      </div>
      {status === 'active' ? (
        <form
          className="inline-form"
          aria-label="Suspend"
          onSubmit={(event) => {
            event.preventDefault();
            void action('suspend', reason ? { reason } : {});
          }}
        >
          <TextField id="suspend-reason" label="Suspend reason" value={reason} onChange={setReason} />
          <button type="submit" disabled={busy}>
            Suspend
          </button>
        </form>
      ) : null}
      {live ? <ChangePasswordForm serviceId={service.id} busy={busy} onQueued={onQueued} /> : null}
      {live
        ? (module?.actions ?? []).map((custom) => (
            <CustomActionForm
              key={custom.name}
              serviceId={service.id}
              action={custom}
              busy={busy}
              onQueued={onQueued}
              confirm={(label, fn) => setConfirming({ label, run: fn })}
            />
          ))
        : null}
      <ConfirmDialog
        open={!!confirming}
        title={`${confirming?.label ?? ''} service ${service.id}?`}
        confirmLabel={`Yes, ${confirming?.label.toLowerCase() ?? ''}`}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          const chosen = confirming;
          setConfirming(null);
          if (chosen) void run(chosen.run);
        }}
      >
        <p>This changes the service on its backend and cannot be undone from here.</p>
      </ConfirmDialog>
    </section>
  );
}

function ChangePasswordForm({
  serviceId,
  busy,
  onQueued,
}: {
  serviceId: number;
  busy: boolean;
  onQueued: OnQueued;
}) {
  const { api } = useSession();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 8) return setError('At least 8 characters');
    setError(undefined);
    try {
      const answer = await api.post(`/v1/services/${serviceId}/change-password`, { password });
      setPassword('');
      onQueued(answer);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Change password" noValidate>
      <TextField
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={error}
      />
      <button type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}

/** A module's own button (reboot, reinstall…) with a form generated from its declared arguments. */
function CustomActionForm(props: {
  serviceId: number;
  action: ModuleAction;
  busy: boolean;
  onQueued: OnQueued;
  confirm(label: string, run: () => Promise<unknown>): void;
}) {
  const { api } = useSession();
  const fields = (props.action.arguments ?? []).map(argumentAsField);
  const [values, setValues] = useState<SettingValues>(() => initialSettingValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const send = () =>
    api.post(`/v1/services/${props.serviceId}/actions/${props.action.name}`, {
      args: settingsToSend(fields, values),
    });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = checkSettings(fields, values);
    setErrors(problems);
    if (Object.keys(problems).length) return;
    if (props.action.destructive) return props.confirm(props.action.label, send);
    try {
      const answer = await send();
      setError(undefined);
      props.onQueued(answer);
    } catch (caught) {
      setErrors(caught instanceof ApiError ? caught.fieldProblems() : {});
      setError(caught as ApiError);
    }
  };
  return (
    <form className="custom-action" onSubmit={submit} aria-label={props.action.label} noValidate>
      {fields.length ? (
        <fieldset>
          <legend>{props.action.label}</legend>
          {props.action.description ? <p className="field-help">{props.action.description}</p> : null}
          <SettingsForm
            idPrefix={`action-${props.action.name}`}
            fields={fields}
            values={values}
            onChange={setValues}
            errors={errors}
          />
        </fieldset>
      ) : null}
      <ErrorNotice error={error} />
      <button type="submit" className={props.action.destructive ? 'danger' : undefined} disabled={props.busy}>
        {props.action.label}
      </button>
    </form>
  );
}

function AdminView({ service, version }: { service: Service; version: number }) {
  const { api } = useSession();
  const placed = service.serverId !== null && service.status !== 'pending' && service.status !== 'cancelled';
  const view = useApi(
    () =>
      placed
        ? api.post<ViewModel>(`/v1/services/${service.id}/view`, { kind: 'admin' })
        : Promise.resolve(null),
    [service.id, service.status, version],
  );
  return (
    <section className="card">
      <h2>On the backend</h2>
      {!placed ? <p className="muted">Not provisioned yet.</p> : null}
      <ErrorNotice error={view.error} />
      {view.data ? (
        <ViewFields view={view.data} />
      ) : placed && !view.error ? (
        <Loading what="the module's view" />
      ) : null}
    </section>
  );
}

/** Fields an operator may correct by hand (PATCH): refused while an operation runs. */
function ServiceEditor({ service, onSaved }: { service: Service; onSaved(): void }) {
  const { api, can } = useSession();
  const [domain, setDomain] = useState(service.domain ?? '');
  const [username, setUsername] = useState(service.username ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  if (!can('operator')) return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    try {
      await api.patch(`/v1/services/${service.id}`, { domain: domain || null, username: username || null });
      setErrors({});
      setError(undefined);
      setSaved(true);
      onSaved();
    } catch (caught) {
      setErrors(caught instanceof ApiError ? caught.fieldProblems() : {});
      setError(caught as ApiError);
    }
  };
  return (
    <details className="card">
      <summary>Edit fields</summary>
      <form onSubmit={submit} aria-label="Edit service fields" noValidate>
        <ErrorNotice error={error} />
        <TextField
          id="edit-domain"
          label="Domain"
          value={domain}
          onChange={setDomain}
          error={errors.domain}
        />
        <TextField
          id="edit-username"
          label="Username"
          value={username}
          onChange={setUsername}
          error={errors.username}
        />
        <button type="submit">Save fields</button>
        {saved ? <p role="status">Saved.</p> : null}
      </form>
    </details>
  );
}

export function OperationList({ operations }: { operations: readonly Operation[] }) {
  if (operations.length === 0) return <p className="muted">No operations.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Action</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {operations.map((op) => (
            <tr key={op.id}>
              <td>
                <Link to={`/operations/${op.id}`}>{op.id}</Link>
              </td>
              <td>{op.action === 'custom' ? `custom: ${String(op.args.name ?? '')}` : op.action}</td>
              <td>
                <StatusBadge status={op.status} />
                {op.resolvedAt ? <span className="muted"> resolved</span> : null}
              </td>
              <td>{formatTime(op.startedAt ?? op.createdAt)}</td>
              <td className="field-error">{op.errorMessage}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ServiceModuleLog({ serviceId, version }: { serviceId: number; version: number }) {
  const { api } = useSession();
  const log = useApi(
    () => api.get<Page<ModuleLogEntry>>('/v1/module-log', { serviceId, limit: 50 }),
    [serviceId, version],
  );
  return (
    <section className="card" aria-labelledby="module-log-title">
      <h2 id="module-log-title">Module log</h2>
      <p className="muted">
        Every remote call for this service, newest first; secrets are masked before they are stored.
      </p>
      <ErrorNotice error={log.error} />
      {log.data ? <ModuleLogTable entries={log.data.items} /> : <Loading what="the module log" />}
    </section>
  );
}
