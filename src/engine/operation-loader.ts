import { fail } from '../core/error-catalogue.js';
import { isSecretKeyName, Redactor } from '../core/redaction.js';
import type { AnyModule, ServerConnection } from '../modules/contract.js';
import type { ClientRecord } from '../store/repositories/clients.js';
import { getSecretArgs, type OperationRecord } from '../store/repositories/operations.js';
import { getProduct, type ProductRecord } from '../store/repositories/products.js';
import { getServerConnection } from '../store/repositories/servers.js';
import {
  getServiceWithClient,
  openServiceWithClient,
  type ServiceRecord,
  type ServiceWithClientRow,
} from '../store/repositories/services.js';
import type { EngineDeps } from './deps.js';

/** Everything an operation run needs, loaded and decrypted, with a redactor that knows the secrets. */
export interface LoadedOperation {
  module: AnyModule;
  service: ServiceRecord;
  client: ClientRecord;
  /** For change-package: the new product. */
  product: ProductRecord;
  server: ServerConnection;
  password: string | null;
  secretArgs: Record<string, unknown>;
  redactor: Redactor;
}

export function requireModule(deps: EngineDeps, id: string): AnyModule {
  const module = deps.modules.get(id);
  if (!module) {
    throw fail(
      'module.not_found',
      `module "${id}" is not installed in this engine (installed: ${[...deps.modules.keys()].join(', ') || 'none'})`,
    );
  }
  return module;
}

/** Cached records are shared by concurrent operations: no module may change them. */
function freezeSettings<T extends { settings: object } | undefined>(record: T): T {
  if (record) Object.freeze(record.settings);
  return record;
}

/**
 * The parts of an operation the loader reads. Outside an operation (views, login links) `id` is
 * null and there are no secret arguments.
 */
export type OperationTarget = Pick<
  OperationRecord,
  'serviceId' | 'serverId' | 'module' | 'args' | 'hasSecretArgs'
> & {
  id: number | null;
};

/** `subject`: the service's and client's row as the claim read them (else they are read here). */
export async function loadOperation(
  deps: EngineDeps,
  operation: OperationTarget,
  subject?: ServiceWithClientRow,
): Promise<LoadedOperation> {
  const { db } = deps.store;
  const module = requireModule(deps, operation.module);
  // A service's client cannot be deleted (foreign key), so a missing row is a missing service.
  const found = subject
    ? openServiceWithClient(deps.box, subject)
    : await getServiceWithClient(db, deps.box, operation.serviceId);
  if (!found) throw fail('service.not_found', `service ${operation.serviceId} no longer exists`);
  const { service, client } = found;
  const productId =
    typeof operation.args.productId === 'number' ? operation.args.productId : service.productId;
  const product = await deps.cache.products.get(productId, () =>
    getProduct(db, deps.box, productId).then(freezeSettings),
  );
  if (!product) throw fail('product.not_found', `product ${productId} no longer exists`);
  if (operation.serverId === null) {
    throw fail(
      'service.no_server',
      `service ${service.id} has no server: assign one or give its product a server group`,
    );
  }
  const serverId = operation.serverId;
  const server = await deps.cache.servers.get(serverId, () =>
    getServerConnection(db, deps.box, serverId).then(freezeSettings),
  );
  if (!server) throw fail('server.not_found', `server ${operation.serverId} no longer exists`);
  const secretArgs =
    operation.hasSecretArgs && operation.id !== null ? await getSecretArgs(db, deps.box, operation.id) : {};
  const storedPassword = found.password;
  const password = typeof secretArgs.password === 'string' ? secretArgs.password : storedPassword;

  const redactor = new Redactor([server.secret, storedPassword, password]);
  for (const value of Object.values(secretArgs)) if (typeof value === 'string') redactor.add(value);
  for (const name of product.secretSettingNames) redactor.add(String(product.settings[name] ?? ''));
  for (const [key, value] of Object.entries(client.customFields))
    if (isSecretKeyName(key)) redactor.add(value);
  return { module, service, client, product, server, password, secretArgs, redactor };
}
