import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { FillType, GroupFill, Page, Server, ServerGroup, TestConnectionResult } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { FillBars } from '../components/fill-bars';
import { CheckboxField, SelectField, TextField } from '../components/form-field';
import { KeyValues } from '../components/key-values';
import { SettingsForm } from '../components/settings-form';
import { StatusBadge } from '../components/status-badge';
import { useApi } from '../hooks/use-api';
import { useModules } from '../hooks/use-modules';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import {
  checkSettings,
  initialSettingValues,
  type SettingValues,
  settingsToSend,
} from '../settings-validation';

const FILL_TYPES: { value: FillType; label: string }[] = [
  { value: 'least-full', label: 'Least full first' },
  { value: 'fill-until-full', label: 'Fill one server until full' },
  { value: 'round-robin', label: 'Round robin' },
];

/** Servers and server groups, with each server's fill. */
export function ServersPage() {
  const { api, can } = useSession();
  const servers = useApi(() => api.get<Page<Server>>('/v1/servers'), []);
  const groups = useApi(() => api.get<Page<ServerGroup>>('/v1/server-groups'), []);
  const fill = useApi(() => api.get<Page<GroupFill>>('/v1/dashboard/server-fill'), []);
  const reloadAll = () => {
    servers.reload();
    groups.reload();
    fill.reload();
  };
  return (
    <section>
      <h1>Servers</h1>
      {can('admin') ? (
        <p>
          <Link to="/servers/new" className="button primary">
            Add a server
          </Link>
        </p>
      ) : null}
      <ErrorNotice error={servers.error} />
      {servers.data ? <ServerTable servers={servers.data.items} /> : <Loading what="servers" />}
      <h2>Server groups</h2>
      <p className="muted">
        A product places new services on a server of its group, by the group's fill type.
      </p>
      <ErrorNotice error={groups.error} />
      {groups.data && servers.data ? (
        <GroupList groups={groups.data.items} servers={servers.data.items} onChanged={reloadAll} />
      ) : null}
      {can('admin') && servers.data ? (
        <NewGroupForm servers={servers.data.items} onAdded={reloadAll} />
      ) : null}
      <h2>Fill</h2>
      {fill.data ? <FillBars groups={fill.data.items} /> : null}
    </section>
  );
}

function ServerTable({ servers }: { servers: Server[] }) {
  if (servers.length === 0) return <p className="muted">No servers yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Module</th>
            <th scope="col">Address</th>
            <th scope="col">Max accounts</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => (
            <tr key={server.id}>
              <td>
                <Link to={`/servers/${server.id}`}>{server.name}</Link>
              </td>
              <td>{server.module}</td>
              <td className="mono">
                {server.secure ? 'https/tls' : 'plain'} {server.hostname}:{server.port}
              </td>
              <td>{server.maxAccounts ?? 'no limit'}</td>
              <td>
                <StatusBadge status={server.enabled ? 'enabled' : 'disabled'} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GroupList(props: { groups: ServerGroup[]; servers: Server[]; onChanged(): void }) {
  const { api, can } = useSession();
  const [error, setError] = useState<ApiError>();
  const nameOf = (id: number) => props.servers.find((s) => s.id === id)?.name ?? `server ${id}`;
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      props.onChanged();
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  if (props.groups.length === 0) return <p className="muted">No server groups yet.</p>;
  return (
    <>
      <ErrorNotice error={error} />
      <ul className="groups">
        {props.groups.map((group) => {
          const outside = props.servers.filter((s) => !group.members.some((m) => m.serverId === s.id));
          return (
            <li key={group.id} className="card">
              <h3>
                {group.name} <span className="muted">({group.fillType})</span>
              </h3>
              <ul>
                {group.members.map((member) => (
                  <li key={member.serverId}>
                    {nameOf(member.serverId)} <span className="muted">priority {member.priority}</span>{' '}
                    {can('admin') ? (
                      <button
                        type="button"
                        onClick={() =>
                          act(() => api.delete(`/v1/server-groups/${group.id}/members/${member.serverId}`))
                        }
                        aria-label={`Remove ${nameOf(member.serverId)} from ${group.name}`}
                      >
                        Remove
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
              {can('admin') && outside.length ? (
                <AddMemberForm
                  group={group}
                  candidates={outside}
                  onAdd={(serverId) =>
                    act(() => api.post(`/v1/server-groups/${group.id}/members`, { serverId }))
                  }
                />
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function AddMemberForm(props: { group: ServerGroup; candidates: Server[]; onAdd(serverId: number): void }) {
  const [serverId, setServerId] = useState(String(props.candidates[0]?.id ?? ''));
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (serverId) props.onAdd(Number(serverId));
      }}
    >
      <SelectField
        id={`group-${props.group.id}-add`}
        label={`Add a server to ${props.group.name}`}
        value={serverId}
        onChange={setServerId}
        choices={props.candidates.map((s) => ({ value: String(s.id), label: s.name }))}
      />
      <button type="submit">Add to group</button>
    </form>
  );
}

function NewGroupForm({ servers, onAdded }: { servers: Server[]; onAdded(): void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [fillType, setFillType] = useState<FillType>('least-full');
  const [members, setMembers] = useState<number[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setErrors({ name: 'Give the group a name' });
    setErrors({});
    setError(undefined);
    try {
      await api.post('/v1/server-groups', { name: name.trim(), fillType, serverIds: members });
      setName('');
      setMembers([]);
      onAdded();
    } catch (caught) {
      const apiError = caught as ApiError;
      setErrors(apiError.fieldProblems?.() ?? {});
      setError(apiError);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Add a server group" noValidate>
      <h3>Add a server group</h3>
      <ErrorNotice error={error} />
      <TextField
        id="group-name"
        label="Group name"
        value={name}
        onChange={setName}
        error={errors.name}
        required
      />
      <SelectField
        id="group-fill-type"
        label="Fill type"
        value={fillType}
        onChange={(v) => setFillType(v as FillType)}
        choices={FILL_TYPES}
      />
      <fieldset>
        <legend>Servers in the group</legend>
        {servers.map((server) => (
          <CheckboxField
            key={server.id}
            id={`group-member-${server.id}`}
            label={server.name}
            checked={members.includes(server.id)}
            onChange={(on) =>
              setMembers(on ? [...members, server.id] : members.filter((m) => m !== server.id))
            }
          />
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Add group
      </button>
    </form>
  );
}

interface ServerDraft {
  name: string;
  module: string;
  hostname: string;
  port: string;
  secure: boolean;
  username: string;
  secret: string;
  maxAccounts: string;
  maxConcurrency: string;
  tlsVerify: boolean;
  tlsFingerprint: string;
  settings: SettingValues;
}

function draftOf(server: Server | undefined): ServerDraft {
  return {
    name: server?.name ?? '',
    module: server?.module ?? '',
    hostname: server?.hostname ?? '',
    port: server ? String(server.port) : '',
    secure: server?.secure ?? true,
    username: server?.username ?? '',
    secret: '',
    maxAccounts: server?.maxAccounts === null || !server ? '' : String(server.maxAccounts),
    maxConcurrency: server ? String(server.maxConcurrency) : '',
    tlsVerify: server?.tlsVerify ?? true,
    tlsFingerprint: server?.tlsFingerprint ?? '',
    settings: server?.settings ?? {},
  };
}

/** Add or edit a server; test its connection; rotate its secret; enable or disable it. */
export function ServerEditPage({ id }: { id: number | null }) {
  const { api } = useSession();
  const server = useApi(() => (id ? api.get<Server>(`/v1/servers/${id}`) : Promise.resolve(undefined)), [id]);
  if (id && !server.data)
    return server.error ? <ErrorNotice error={server.error} /> : <Loading what="the server" />;
  return <ServerEditor key={id ?? 'new'} server={server.data} onSaved={server.reload} />;
}

function ServerEditor({ server, onSaved }: { server: Server | undefined; onSaved(): void }) {
  const { api, can } = useSession();
  const modules = useModules();
  const [draft, setDraft] = useState(() => draftOf(server));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState<string>();
  const module = modules.data?.find((m) => m.id === draft.module);
  const serverFields = module?.server.settings ?? [];
  const editable = can('admin');
  const set = <K extends keyof ServerDraft>(key: K, value: ServerDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const chooseModule = (moduleId: string) => {
    const chosen = modules.data?.find((m) => m.id === moduleId);
    const secure = chosen?.server.secureByDefault ?? true;
    setDraft((d) => ({
      ...d,
      module: moduleId,
      secure,
      port: chosen
        ? String(secure ? chosen.server.defaultPort.secure : chosen.server.defaultPort.plain)
        : d.port,
      settings: initialSettingValues(chosen?.server.settings ?? [], d.settings),
    }));
  };

  const check = (): Record<string, string> => {
    const problems: Record<string, string> = {};
    if (!draft.name.trim()) problems.name = 'Give the server a name';
    if (!server && !draft.module) problems.module = 'Choose the module that talks to this backend';
    if (!/^[A-Za-z0-9.:[\]-]+$/.test(draft.hostname))
      problems.hostname = 'A host name or IP address, without scheme or path';
    const port = Number(draft.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.port = 'A port between 1 and 65535';
    if (draft.maxAccounts && !/^\d+$/.test(draft.maxAccounts))
      problems.maxAccounts = 'A whole number, or empty for no limit';
    if (draft.maxConcurrency && !/^\d+$/.test(draft.maxConcurrency))
      problems.maxConcurrency = 'A whole number from 1 to 1000';
    if (!server && module && module.server.credential !== 'none' && !draft.secret)
      problems.secret = `A ${module.server.credential} is required for ${module.displayName} servers`;
    Object.assign(problems, checkSettings(serverFields, draft.settings));
    return problems;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    const problems = check();
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body: Record<string, unknown> = {
      name: draft.name.trim(),
      hostname: draft.hostname.trim(),
      port: Number(draft.port),
      secure: draft.secure,
      username: draft.username,
      maxAccounts: draft.maxAccounts ? Number(draft.maxAccounts) : null,
      tlsVerify: draft.tlsVerify,
      tlsFingerprint: draft.tlsFingerprint || null,
      settings: settingsToSend(serverFields, draft.settings),
      ...(draft.maxConcurrency ? { maxConcurrency: Number(draft.maxConcurrency) } : {}),
    };
    try {
      if (server) {
        await api.patch(`/v1/servers/${server.id}`, body);
        setSaved('Saved.');
        onSaved();
      } else {
        const created = await api.post<Server>('/v1/servers', {
          ...body,
          module: draft.module,
          secret: draft.secret,
        });
        navigate(`/servers/${created.id}`);
      }
      setError(undefined);
    } catch (caught) {
      const apiError = caught as ApiError;
      setErrors(apiError instanceof ApiError ? apiError.fieldProblems() : {});
      setError(apiError);
    }
  };

  return (
    <section>
      <h1>{server ? `Server ${server.name}` : 'Add a server'}</h1>
      {server ? <ServerTools server={server} onChanged={onSaved} /> : null}
      <form onSubmit={submit} aria-label={server ? 'Edit server' : 'Add server'} noValidate className="card">
        <ErrorNotice error={error} />
        {server ? (
          <KeyValues
            rows={[
              ['Module', server.module],
              ['Secret', server.hasSecret ? 'set (never shown)' : 'none'],
            ]}
          />
        ) : (
          <SelectField
            id="server-module"
            label="Module"
            value={draft.module}
            onChange={chooseModule}
            error={errors.module}
            blank="— choose a module —"
            choices={(modules.data ?? []).map((m) => ({ value: m.id, label: m.displayName }))}
            required
          />
        )}
        <ErrorNotice error={modules.error} title="Modules" />
        <TextField
          id="server-name"
          label="Name"
          value={draft.name}
          onChange={(v) => set('name', v)}
          error={errors.name}
          required
        />
        <TextField
          id="server-hostname"
          label="Hostname or IP"
          value={draft.hostname}
          onChange={(v) => set('hostname', v)}
          error={errors.hostname}
          required
        />
        <TextField
          id="server-port"
          label="Port"
          type="number"
          value={draft.port}
          onChange={(v) => set('port', v)}
          error={errors.port}
          required
        />
        <CheckboxField
          id="server-secure"
          label="Use TLS (secure)"
          checked={draft.secure}
          onChange={(v) => set('secure', v)}
        />
        <TextField
          id="server-username"
          label="Username"
          value={draft.username}
          onChange={(v) => set('username', v)}
          error={errors.username}
        />
        {server ? null : (
          <TextField
            id="server-secret"
            label={module?.server.credential === 'api-key' ? 'API key' : 'Password'}
            type="password"
            autoComplete="new-password"
            value={draft.secret}
            onChange={(v) => set('secret', v)}
            error={errors.secret}
            description="Sealed at rest and never shown again."
          />
        )}
        <TextField
          id="server-max-accounts"
          label="Max accounts (capacity)"
          type="number"
          value={draft.maxAccounts}
          onChange={(v) => set('maxAccounts', v)}
          error={errors.maxAccounts}
          description="Empty: no limit. Placement skips a full server."
        />
        <TextField
          id="server-max-concurrency"
          label="Operations at once on this server"
          type="number"
          value={draft.maxConcurrency}
          onChange={(v) => set('maxConcurrency', v)}
          error={errors.maxConcurrency}
        />
        <CheckboxField
          id="server-tls-verify"
          label="Verify the TLS certificate"
          checked={draft.tlsVerify}
          onChange={(v) => set('tlsVerify', v)}
        />
        <TextField
          id="server-tls-fingerprint"
          label="Pinned certificate fingerprint (SHA-256)"
          value={draft.tlsFingerprint}
          onChange={(v) => set('tlsFingerprint', v)}
          error={errors.tlsFingerprint}
        />
        {serverFields.length ? (
          <fieldset>
            <legend>{module?.displayName} settings</legend>
            <SettingsForm
              idPrefix="server-setting"
              fields={serverFields}
              values={draft.settings}
              onChange={(settings) => set('settings', settings)}
              errors={errors}
            />
          </fieldset>
        ) : null}
        {editable ? (
          <button type="submit" className="primary">
            {server ? 'Save server' : 'Add server'}
          </button>
        ) : null}
        {saved ? <p role="status">{saved}</p> : null}
      </form>
    </section>
  );
}

/** What the engine's test tells, turned into what to check next, by the error's kind. */
const ADVICE: Readonly<Record<string, string>> = {
  auth: 'The backend refused the credentials: check the username and rotate the secret below to the right one.',
  unavailable:
    'The backend could not be reached: check the hostname, the port, the TLS setting and that a firewall lets this engine through.',
  'unknown-outcome': 'The backend did not answer in time: check that it is not overloaded, then test again.',
  remote: 'The backend answered with a refusal: its message above says why.',
  'invalid-input':
    'The server settings are not what the backend expects: check them against the module guide.',
  conflict: 'The backend reports a conflict: see its message above.',
  unsupported: 'The backend does not support what the module needs: check its version and licence.',
};

function ServerTools({ server, onChanged }: { server: Server; onChanged(): void }) {
  const { api, can } = useSession();
  const [result, setResult] = useState<TestConnectionResult>();
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [secret, setSecret] = useState('');
  const [secretError, setSecretError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const test = async () => {
    setTesting(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await api.post<TestConnectionResult>(`/v1/servers/${server.id}/test`));
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setTesting(false);
    }
  };
  const toggle = async () => {
    try {
      await api.patch(`/v1/servers/${server.id}`, { enabled: !server.enabled });
      setNotice(server.enabled ? 'Disabled: no new service is placed on it.' : 'Enabled.');
      onChanged();
    } catch (caught) {
      setError(caught as ApiError);
    }
  };
  const rotate = async (event: FormEvent) => {
    event.preventDefault();
    if (!secret) return setSecretError('Type the new secret');
    setSecretError(undefined);
    try {
      await api.patch(`/v1/servers/${server.id}`, { secret });
      setSecret('');
      setNotice('Secret replaced. Test the connection to check it.');
      onChanged();
    } catch (caught) {
      setSecretError((caught as Error).message);
    }
  };

  return (
    <div className="card">
      <p>
        <StatusBadge status={server.enabled ? 'enabled' : 'disabled'} />{' '}
        {can('operator') ? (
          <button type="button" onClick={test} disabled={testing}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
        ) : null}{' '}
        {can('admin') ? (
          <button type="button" onClick={toggle}>
            {server.enabled ? 'Disable server' : 'Enable server'}
          </button>
        ) : null}
      </p>
      {notice ? <p role="status">{notice}</p> : null}
      <ErrorNotice error={error} />
      {result ? <TestResult result={result} /> : null}
      {can('admin') ? (
        <form className="inline-form" onSubmit={rotate} aria-label="Rotate secret" noValidate>
          <TextField
            id="rotate-secret"
            label="New secret (password or API key)"
            type="password"
            autoComplete="new-password"
            value={secret}
            onChange={setSecret}
            error={secretError}
          />
          <button type="submit">Rotate secret</button>
        </form>
      ) : null}
    </div>
  );
}

function TestResult({ result }: { result: TestConnectionResult }) {
  if (result.ok)
    return (
      <div className="notice notice-ok" role="status" data-testid="test-result">
        <strong>Connection works.</strong> {result.summary}
        {result.details ? <KeyValues rows={Object.entries(result.details)} /> : null}
      </div>
    );
  const kind = result.error?.kind ?? 'remote';
  return (
    <div className="notice notice-error" role="alert" data-testid="test-result">
      <strong>Connection failed</strong> ({kind}
      {result.error?.code ? `, ${result.error.code}` : ''}): {result.summary}
      <p>
        <strong>What to check: </strong>
        {ADVICE[kind] ?? ADVICE.remote}
      </p>
    </div>
  );
}
