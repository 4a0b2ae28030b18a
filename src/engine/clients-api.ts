import { fail } from '../core/error-catalogue.js';
import * as clientsRepo from '../store/repositories/clients.js';
import type { EngineScope } from './scope.js';
import { checkNewClient, FieldErrors } from './validation.js';

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
      await requireClient(id);
      const errors = new FieldErrors();
      if (patch.email !== undefined) errors.email('email', patch.email);
      errors.text('firstName', patch.firstName, { max: 100 });
      errors.text('lastName', patch.lastName, { max: 100 });
      errors.text('company', patch.company, { max: 200 });
      errors.stringMap('customFields', patch.customFields);
      errors.throwIfAny('the client was not changed');
      await clientsRepo.updateClient(db, box, id, patch, clock.now());
      return requireClient(id);
    },
  };
}
