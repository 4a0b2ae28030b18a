import type {
  ActionContext,
  ServerContext,
  ServiceRef,
  SettingChoice,
  UsageReport,
  ViewModel,
} from '../contract.js';
import { defineModule, ownershipMark } from '../contract.js';
import { accountProduct, accountUsage } from './account-product.js';
import { listAccountClasses, listDomains } from './client.js';
import { type AxigenSettings, poolSettingsOf } from './common.js';
import { domainProduct, domainUsage } from './domain-product.js';
import { axigenErrors } from './errors.js';
import { closeAxigenSessionPools, withAxigenSession } from './pool.js';
import { checkDomainName } from './quoting.js';
import { axigenPackageDrift, axigenRemoteKeyOf, listAxigenObjects } from './reconcile.js';
import { accountSettings, domainSettings, serverSettings } from './settings.js';
import { testAxigenConnection } from './test-connection.js';

export { axigenPoolStats, closeAxigenSessionPools } from './pool.js';

/**
 * Axigen X6 (10.6) / X7 (10.7) over the CLI protocol (docs/specs/axigen.md): Domain products
 * (one domain per service) and Account products (one mailbox in an existing domain).
 */
type Ctx = ActionContext<AxigenSettings>;

function productOf(ctx: Ctx): typeof domainProduct | typeof accountProduct {
  const type = ctx.product.productType;
  if (type === 'domain') return domainProduct;
  if (type === 'account') return accountProduct;
  throw axigenErrors.error(
    'axigen.product_type_missing',
    `the product "${ctx.product.name}" has no Axigen product type: edit it and choose Domain or Account`,
  );
}

async function loadDomains(ctx: ServerContext): Promise<SettingChoice[]> {
  const rows = await withAxigenSession(ctx, poolSettingsOf(ctx.server), (session) => listDomains(session));
  return rows.filter((row) => row.enabled).map((row) => ({ value: row.name, label: row.name }));
}

async function loadAccountClasses(
  ctx: ServerContext,
  values: Readonly<Record<string, unknown>>,
): Promise<SettingChoice[]> {
  const raw = String(values.targetDomain ?? '');
  if (!raw)
    throw axigenErrors.error(
      'axigen.domain_first',
      'pick the target domain first: account classes are loaded for that domain',
    );
  const domain = checkDomainName(raw);
  const classes = await withAxigenSession(ctx, poolSettingsOf(ctx.server), (session) =>
    listAccountClasses(session, domain),
  );
  return [
    { value: '', label: '(domain defaults)' },
    ...classes.map((name) => ({ value: name, label: name })),
  ];
}

/** What the client area and the admin see: names from the service's remote ids, no backend call. */
function view(ctx: Ctx): ViewModel {
  const domain = ctx.remote.get('domain') ?? ctx.service.domain ?? '';
  const server = { label: 'Mail server', value: ctx.server.hostname || ctx.server.host };
  if (ctx.product.productType === 'account') {
    const account = ctx.remote.get('account') ?? ctx.service.username ?? '';
    return { fields: [{ label: 'Mailbox', value: `${account}@${domain}` }, server] };
  }
  const postmaster = ctx.remote.get('postmaster') ?? 'postmaster';
  return {
    fields: [
      { label: 'Domain', value: domain },
      { label: 'Administrator', value: `${postmaster}@${domain}` },
      server,
    ],
  };
}

export const axigenModule = defineModule<AxigenSettings>({
  id: 'axigen',
  displayName: 'Axigen Mail Server',
  server: {
    credential: 'password',
    defaultPort: { plain: 7000, secure: 7001 },
    secureByDefault: false,
    settings: serverSettings,
  },
  productTypes: [
    { id: 'domain', displayName: 'Axigen Domain', settings: domainSettings },
    { id: 'account', displayName: 'Axigen Account', settings: accountSettings },
  ],
  errors: axigenErrors,
  testConnection: testAxigenConnection,
  close: closeAxigenSessionPools,
  create: (ctx) => productOf(ctx).create(ctx),
  suspend: (ctx) => productOf(ctx).suspend(ctx),
  unsuspend: (ctx) => productOf(ctx).unsuspend(ctx),
  terminate: (ctx) => productOf(ctx).terminate(ctx),
  changePackage: (ctx) => productOf(ctx).changePackage(ctx),
  changePassword: (ctx) => productOf(ctx).changePassword(ctx),
  lookup: (ctx) => productOf(ctx).lookup(ctx),
  adopt: (ctx) => productOf(ctx).adopt(ctx),
  listRemote: (ctx) => listAxigenObjects(ctx),
  remoteKeyOf: axigenRemoteKeyOf,
  packageDrift: axigenPackageDrift,
  async usage(ctx: ServerContext, services: readonly ServiceRef[]): Promise<UsageReport[]> {
    const domains = services.filter((service) => service.productType === 'domain');
    const accounts = services.filter((service) => service.productType === 'account');
    const [domainReports, accountReports] = await Promise.all([
      domainUsage(ctx, domains),
      accountUsage(ctx, accounts),
    ]);
    return [...domainReports, ...accountReports];
  },
  clientArea: async (ctx) => view(ctx),
  adminFields: async (ctx) => ({
    fields: [
      ...view(ctx).fields,
      { label: 'Ownership mark (customerReference)', value: ownershipMark(ctx.service.id) },
    ],
  }),
  loaders: {
    domains: (ctx) => loadDomains(ctx),
    accountClasses: (ctx, values) => loadAccountClasses(ctx, values),
  },
});
