import { fail } from '../core/error-catalogue.js';
import { isSecretKeyName } from '../core/redaction.js';
import * as clientsRepo from '../store/repositories/clients.js';
import type { Actor } from './audit-api.js';
import type { EngineScope } from './scope.js';
import { keepUntouchedSecrets, withMaskedFields } from './secret-fields.js';
import { checkNewClient } from './validation.js';

/**
 * Clients as callers see them: secret-named custom fields (a StoreGrid "Pass Key") are write-only
 * in every answer; `revealCustomField` shows one to an operator and writes that to the audit trail.
 */
export function createClientsApi(scope: EngineScope) {
  const { db, store, box, clock, events, audit, requireClient, refuseIfReferenced } = scope;
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
          return withMaskedFields(client);
        })
        .finally(() => events.poke());
    },
    get: async (id: number) => withMaskedFields(await requireClient(id)),
    async findByExternalId(externalId: string) {
      const client = await clientsRepo.findClientByExternalId(db, box, externalId);
      return client && withMaskedFields(client);
    },
    list: async (page: { limit?: number; afterId?: number } = {}) =>
      (
        await clientsRepo.listClients(db, box, {
          limit: page.limit ?? 100,
          ...(page.afterId === undefined ? {} : { afterId: page.afterId }),
        })
      ).map(withMaskedFields),
    /** One secret custom field in clear, for an operator who asked; audited. */
    async revealCustomField(
      id: number,
      name: string,
      actor: Actor,
    ): Promise<{ name: string; value: string }> {
      const client = await requireClient(id);
      if (!isSecretKeyName(name))
        throw fail('secret.not_secret', `${name} is not a secret field: it is shown in every answer already`);
      const value = client.customFields[name];
      if (value === undefined) throw fail('secret.none', `client ${id} has no custom field "${name}"`);
      await audit.record(actor, 'client.reveal_custom_field', { type: 'client', id }, { field: name });
      return { name, value };
    },
    /** Only a client without services (their history refers to the client). */
    async delete(id: number) {
      await requireClient(id);
      await refuseIfReferenced('client', id, 'client_id');
      await db.deleteFrom('clients').where('id', '=', id).execute();
    },
    async update(id: number, patch: Partial<clientsRepo.NewClient>) {
      const current = await requireClient(id);
      if (patch.customFields)
        patch = { ...patch, customFields: keepUntouchedSecrets(patch.customFields, current.customFields) };
      checkNewClient({ ...current, ...patch }).throwIfAny('the client was not changed');
      await clientsRepo.updateClient(db, box, id, patch, clock.now());
      return withMaskedFields(await requireClient(id));
    },
  };
}

/** The clients part of the engine facade. */
export type ClientsApi = ReturnType<typeof createClientsApi>;
