import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { ModuleInfo, Page, Product, Server, ServerGroup } from '../api/types';
import { ErrorNotice, Loading } from '../components/error-notice';
import { SelectField, TextAreaField, TextField } from '../components/form-field';
import { SettingsForm } from '../components/settings-form';
import { useApi } from '../hooks/use-api';
import { productTypeOf, useModules } from '../hooks/use-modules';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import {
  checkSettingField,
  checkSettings,
  initialSettingValues,
  type SettingValues,
  settingsToSend,
} from '../settings-validation';

export function ProductsPage() {
  const { api, can } = useSession();
  const products = useApi(() => api.get<Page<Product>>('/v1/products'), []);
  const groups = useApi(() => api.get<Page<ServerGroup>>('/v1/server-groups'), []);
  const groupName = (id: number | null) =>
    id ? (groups.data?.items.find((g) => g.id === id)?.name ?? `group ${id}`) : '—';
  return (
    <section>
      <h1>Products</h1>
      {can('admin') ? (
        <p>
          <Link to="/products/new" className="button primary">
            Add a product
          </Link>
        </p>
      ) : null}
      <ErrorNotice error={products.error} />
      {!products.data ? (
        <Loading what="products" />
      ) : products.data.items.length === 0 ? (
        <p className="muted">No products yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Module</th>
                <th scope="col">Type</th>
                <th scope="col">Server group</th>
              </tr>
            </thead>
            <tbody>
              {products.data.items.map((product) => (
                <tr key={product.id}>
                  <td>
                    <Link to={`/products/${product.id}`}>{product.name}</Link>
                  </td>
                  <td>{product.module}</td>
                  <td>{product.productType ?? '—'}</td>
                  <td>{groupName(product.serverGroupId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Add or edit a product: the settings form is generated from the module's schema. */
export function ProductEditPage({ id }: { id: number | null }) {
  const { api } = useSession();
  const modules = useModules();
  const product = useApi(
    () => (id ? api.get<Product>(`/v1/products/${id}`) : Promise.resolve(undefined)),
    [id],
  );
  const groups = useApi(() => api.get<Page<ServerGroup>>('/v1/server-groups'), []);
  const servers = useApi(() => api.get<Page<Server>>('/v1/servers'), []);
  const error = modules.error ?? product.error ?? groups.error ?? servers.error;
  if (error) return <ErrorNotice error={error} />;
  if (!modules.data || !groups.data || !servers.data || (id && !product.data))
    return <Loading what="the product form" />;
  return (
    <ProductEditor
      key={id ?? 'new'}
      product={product.data}
      modules={modules.data}
      groups={groups.data.items}
      servers={servers.data.items}
      onSaved={product.reload}
    />
  );
}

function ProductEditor(props: {
  product: Product | undefined;
  modules: ModuleInfo[];
  groups: ServerGroup[];
  servers: Server[];
  onSaved(): void;
}) {
  const { api, can } = useSession();
  const { product } = props;
  const [name, setName] = useState(product?.name ?? '');
  const [moduleId, setModuleId] = useState(product?.module ?? '');
  const [productType, setProductType] = useState<string | null>(product?.productType ?? null);
  const [groupId, setGroupId] = useState(product?.serverGroupId ? String(product.serverGroupId) : '');
  const [welcome, setWelcome] = useState(product?.welcomeTemplate ?? '');
  const module = props.modules.find((m) => m.id === moduleId);
  const type = productTypeOf(module, productType);
  const fields = type?.settings ?? [];
  const [settings, setSettings] = useState<SettingValues>(() =>
    initialSettingValues(fields, product?.settings),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState<string>();
  const moduleServers = props.servers.filter((s) => s.module === moduleId);
  const group = props.groups.find((g) => String(g.id) === groupId);
  const [askServer, setAskServer] = useState('');
  const loaderServerId =
    Number(askServer) ||
    group?.members.find((m) => moduleServers.some((s) => s.id === m.serverId))?.serverId ||
    moduleServers[0]?.id ||
    null;
  const keptSecrets = product?.secretSettingNames ?? [];

  const chooseModule = (id: string) => {
    const chosen = props.modules.find((m) => m.id === id);
    const firstType = chosen?.productTypes[0]?.id ?? null;
    setModuleId(id);
    setProductType(firstType);
    setSettings(initialSettingValues(productTypeOf(chosen, firstType)?.settings ?? []));
    setErrors({});
  };
  const chooseType = (id: string) => {
    setProductType(id);
    setSettings(initialSettingValues(productTypeOf(module, id)?.settings ?? []));
  };
  const checkOne = (fieldName: string) => {
    const field = fields.find((f) => f.name === fieldName);
    if (!field) return;
    const problem =
      keptSecrets.includes(field.name) && !settings[field.name]
        ? undefined
        : checkSettingField(field, settings[field.name]);
    setErrors(({ [fieldName]: _old, ...rest }) => (problem ? { ...rest, [fieldName]: problem } : rest));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    const problems: Record<string, string> = checkSettings(fields, settings, { keptSecrets });
    if (!name.trim()) problems.name = 'Give the product a name';
    if (!product && !moduleId) problems.module = 'Choose the module that provisions this product';
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body = {
      name: name.trim(),
      serverGroupId: groupId ? Number(groupId) : null,
      settings: settingsToSend(fields, settings, { keptSecrets }),
      welcomeTemplate: welcome || null,
    };
    try {
      if (product) {
        await api.patch(`/v1/products/${product.id}`, body);
        setSaved('Saved.');
        props.onSaved();
      } else {
        const created = await api.post<Product>('/v1/products', {
          ...body,
          module: moduleId,
          ...(productType ? { productType } : {}),
        });
        navigate(`/products/${created.id}`);
      }
      setError(undefined);
    } catch (caught) {
      setErrors(caught instanceof ApiError ? caught.fieldProblems() : {});
      setError(caught as ApiError);
    }
  };

  return (
    <section>
      <h1>{product ? `Product ${product.name}` : 'Add a product'}</h1>
      <form
        onSubmit={submit}
        aria-label={product ? 'Edit product' : 'Add product'}
        noValidate
        className="card"
      >
        <ErrorNotice error={error} />
        <TextField
          id="product-name"
          label="Name"
          value={name}
          onChange={setName}
          error={errors.name}
          required
        />
        <SelectField
          id="product-module"
          label="Module"
          value={moduleId}
          onChange={chooseModule}
          blank="— choose a module —"
          error={errors.module}
          choices={props.modules.map((m) => ({ value: m.id, label: m.displayName }))}
          required
        />
        {module && module.productTypes.length > 1 ? (
          <SelectField
            id="product-type"
            label="Product type"
            value={productType ?? ''}
            onChange={chooseType}
            error={errors.productType}
            choices={module.productTypes.map((t) => ({ value: t.id ?? '', label: t.displayName }))}
          />
        ) : null}
        <SelectField
          id="product-group"
          label="Server group"
          value={groupId}
          onChange={setGroupId}
          blank="— none yet —"
          error={errors.serverGroupId}
          choices={props.groups.map((g) => ({ value: String(g.id), label: g.name }))}
        />
        {fields.some((f) => f.loader) ? (
          <SelectField
            id="product-loader-server"
            label="Server to ask for choices"
            value={askServer || String(loaderServerId ?? '')}
            onChange={setAskServer}
            blank="— no server of this module —"
            choices={moduleServers.map((s) => ({ value: String(s.id), label: s.name }))}
          />
        ) : null}
        {module ? (
          <fieldset>
            <legend>{module.displayName} settings</legend>
            <SettingsForm
              idPrefix="product-setting"
              fields={fields}
              values={settings}
              onChange={setSettings}
              onFieldBlur={checkOne}
              errors={errors}
              keptSecrets={keptSecrets}
              loaderTarget={{ module: module.id, productType, serverId: loaderServerId }}
            />
          </fieldset>
        ) : null}
        <TextAreaField
          id="product-welcome"
          label="Welcome message template"
          value={welcome}
          onChange={setWelcome}
          error={errors.welcomeTemplate}
          description="Handlebars merge fields such as {{service.domain}}; never the password."
        />
        {can('admin') ? (
          <button type="submit" className="primary">
            {product ? 'Save product' : 'Add product'}
          </button>
        ) : null}
        {saved ? <p role="status">{saved}</p> : null}
      </form>
    </section>
  );
}
