import { fail } from '../core/error-catalogue.js';
import * as clientsRepo from '../store/repositories/clients.js';
import type { EngineScope } from './scope.js';
import { checkNewClient } from './validation.js';

export function createClientsApi(scope: EngineScope) {
  const { db, store, box, clock, events, requireClient, refuseIfReferenced } = scope;
  return {
    async create(input: clientsRepo.NewClient) {
      checkNewClient(input).throwIfAny('the client was not created');
      if (input.externalId && (await clientsRepo.findClientByExternalId(db, box, input.externalId))) {
        throw fail('client.exists', `a client with external id ${input.externalId} exists already`);
      }
      return store
        .write(async (trx) => {
          const client = await clientsRepo.insertClient(trx, box, input, clock.now());
          await events.publish(trx, 'client.created', { clientId: client.id, email: client.email });
          return client;
        })
        .finally(() => events.poke());
    },
    get: requireClient,
    findByExternalId: (externalId: string) => clientsRepo.findClientByExternalId(db, box, externalId),
    list: (page: { limit?: number; afterId?: number } = {}) =>
      clientsRepo.listClients(db, box, {
        limit: page.limit ?? 100,
        ...(page.afterId === undefined ? {} : { afterId: page.afterId }),
      }),
    /** Only a client without services (their history refers to the client). */
    async delete(id: number) {
      await requireClient(id);
      await refuseIfReferenced('client', id, 'client_id');
      await db.deleteFrom('clients').where('id', '=', id).execute();
    },
    async update(id: number, patch: Partial<clientsRepo.NewClient>) {
      const current = await requireClient(id);
      checkNewClient({ ...current, ...patch }).throwIfAny('the client was not changed');
      await clientsRepo.updateClient(db, box, id, patch, clock.now());
      return requireClient(id);
    },
  };
}
