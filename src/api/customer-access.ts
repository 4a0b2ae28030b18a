import { fail } from '../core/error-catalogue.js';
import type { Engine } from '../engine/engine.js';
import type { Caller } from './auth.js';
import type { CustomerAccess } from './route.js';

interface RequestParts {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

function mismatch(what: string): never {
  throw fail('auth.client_mismatch', `this customer token may not see ${what}: it belongs to another client`);
}

/**
 * A customer token sees only its own client's records: checks the record a request names (and
 * narrows a list to the client) before the handler runs. Other scopes are not affected.
 */
export async function checkCustomerAccess(
  engine: Engine,
  caller: Caller,
  access: CustomerAccess,
  request: RequestParts,
): Promise<void> {
  const own = caller.clientId;
  const id = Number(request.params.id);
  switch (access) {
    case 'self':
      return;
    case 'client':
      if (id !== own) mismatch(`client ${id}`);
      return;
    case 'service':
      if ((await engine.services.get(id)).clientId !== own) mismatch(`service ${id}`);
      if ((request.body as { kind?: string } | undefined)?.kind === 'admin')
        throw fail('auth.insufficient_scope', 'a customer token sees the client view only');
      return;
    case 'operation': {
      const operation = await engine.operations.get(id);
      if ((await engine.services.get(operation.serviceId)).clientId !== own) mismatch(`operation ${id}`);
      return;
    }
    case 'service-list':
      if (request.query.clientId !== undefined && Number(request.query.clientId) !== own)
        mismatch(`the services of client ${String(request.query.clientId)}`);
      request.query.clientId = own;
      return;
    case 'operation-list': {
      const serviceId = Number(request.query.serviceId);
      if (!Number.isInteger(serviceId) || serviceId < 1)
        throw fail(
          'auth.insufficient_scope',
          'a customer token lists the operations of one of its services: give serviceId',
        );
      if ((await engine.services.get(serviceId)).clientId !== own) mismatch(`service ${serviceId}`);
      return;
    }
  }
}
