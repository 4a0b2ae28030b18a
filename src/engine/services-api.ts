import { fail } from '../core/error-catalogue.js';
import { checkTransition } from '../core/lifecycle.js';
import type { ViewModel } from '../modules/contract.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as servicesRepo from '../store/repositories/services.js';
import type { Actor } from './audit-api.js';
import { requireModule } from './operation-loader.js';
import { generatePassword } from './passwords.js';
import { type EngineScope, notFound } from './scope.js';
import { keepUntouchedSecrets, withMaskedFields } from './secret-fields.js';
import { checkChosenServer } from './server-choice.js';
import { withServiceContext } from './service-context.js';
import { checkNewService } from './validation.js';
import { renderWelcomeMessage, welcomeData } from './welcome-message.js';

/** What an operator may correct on a service. */
export interface ServiceEdit {
  domain?: string | null;
  username?: string | null;
  configOptions?: Record<string, string>;
  customFields?: Record<string, string>;
}

export function createServicesApi(scope: EngineScope) {
  const { deps, store, db, box, clock, events, audit, requireProduct, requireService, requireClient } = scope;

  /** The service with its module, refused while it has no server (nothing to talk to yet). */
  async function serviceOnServer(id: number) {
    const service = await requireService(id);
    const product = await requireProduct(service.productId);
    const module = requireModule(deps, product.module);
    if (service.serverId === null) throw fail('service.no_server', `service ${id} has no server yet`);
    return { service: { ...service, serverId: service.serverId }, module };
  }

  return {
    /**
     * A pending service (provision it with the create action, or place an order to do both at
     * once). A server named explicitly must be one placement could choose; `placementOverride`
     * (administrators) skips that and is written to the audit trail.
     */
    async create(input: servicesRepo.NewService & { placementOverride?: boolean }, actor?: Actor) {
      const { placementOverride = false, ...fields } = input;
      checkNewService(fields).throwIfAny('the service was not created');
      const registered = (fields.status ?? 'pending') !== 'pending';
      if (registered && fields.serverId == null) {
        throw fail(
          'input.invalid',
          `the service was not created: a service registered as ${fields.status} already lives on a backend, so give its serverId`,
          { details: [{ field: 'serverId', message: `serverId is required with status ${fields.status}` }] },
        );
      }
      if (
        fields.externalId &&
        (await servicesRepo.listServices(db, { externalId: fields.externalId })).length
      )
        throw fail('service.exists', `a service with external id ${fields.externalId} exists already`);
      await requireClient(fields.clientId);
      const product = await requireProduct(fields.productId);
      const service = await store.write(async (trx) => {
        if (fields.serverId != null)
          // A registered service already lives on its server: that is not a placement to check.
          await checkChosenServer(trx, product, fields.serverId, placementOverride || registered);
        return servicesRepo.insertService(
          trx,
          box,
          { ...fields, password: fields.password ?? generatePassword() },
          clock.now(),
        );
      });
      // An existing service taken over from billing changes provisio's books without any remote
      // work: who registered it, and as what, is on the audit trail.
      if (registered && actor)
        await audit.record(
          actor,
          'service.registered',
          { type: 'service', id: service.id },
          { status: fields.status ?? 'pending', serverId: fields.serverId ?? null },
        );
      if (placementOverride && actor)
        await audit.record(
          actor,
          'service.placement_override',
          { type: 'service', id: service.id },
          {
            serverId: fields.serverId ?? null,
          },
        );
      return withMaskedFields(service);
    },
    get: async (id: number) => withMaskedFields(await requireService(id)),
    list: async (filter: servicesRepo.ServiceFilter = {}) =>
      (await servicesRepo.listServices(db, filter)).map(withMaskedFields),
    /**
     * Corrects what billing or an operator got wrong (a domain, a username, the DCImanager server
     * pin, a slug): refused while an operation runs, since the module reads these fields; audited.
     */
    async update(id: number, patch: ServiceEdit, actor: Actor) {
      const result = await store.write(async (trx) => {
        const found = await servicesRepo.getServiceWithPassword(trx, box, id);
        if (!found) throw notFound('service', id);
        const active = await opsRepo.getActiveOperationForService(trx, id);
        if (active) {
          throw fail(
            'operation.already_active',
            `service ${id} has operation ${active.id} (${active.action}, ${active.status}) in progress: change it when that has ended`,
            { details: { operationId: active.id } },
          );
        }
        const stored = found.service;
        const customFields = patch.customFields
          ? { ...stored.customFields, ...keepUntouchedSecrets(patch.customFields, stored.customFields) }
          : undefined;
        const configOptions = patch.configOptions
          ? { ...stored.configOptions, ...patch.configOptions }
          : undefined;
        checkNewService(
          {
            ...stored,
            ...patch,
            ...(customFields ? { customFields } : {}),
            ...(configOptions ? { configOptions } : {}),
          },
          { clientKnown: true },
        ).throwIfAny('the service was not changed');
        await servicesRepo.updateService(
          trx,
          box,
          id,
          {
            ...(patch.domain !== undefined ? { domain: patch.domain } : {}),
            ...(patch.username !== undefined ? { username: patch.username } : {}),
            ...(configOptions ? { configOptions } : {}),
            ...(customFields ? { customFields } : {}),
          },
          clock.now(),
        );
        return (await servicesRepo.getService(trx, id))!;
      });
      await audit.record(actor, 'service.update', { type: 'service', id }, { fields: Object.keys(patch) });
      return withMaskedFields(result);
    },
    /** The service password in clear, once per password, for an operator who asked; audited. */
    async revealPassword(id: number, actor: Actor): Promise<{ password: string }> {
      const found = await servicesRepo.getServiceWithPassword(db, box, id);
      if (!found) throw notFound('service', id);
      if (found.password === null) throw fail('secret.none', `service ${id} has no password`);
      if (!(await servicesRepo.markPasswordRevealed(db, id, clock.now()))) {
        throw fail(
          'secret.already_revealed',
          `the password of service ${id} was revealed before: set a new one (\`provisio service change-password ${id}\`) to see it again`,
        );
      }
      await audit.record(actor, 'service.reveal_password', { type: 'service', id });
      return { password: found.password };
    },
    /** Pending → cancelled: an order withdrawn before it was provisioned; nothing remote to do. */
    async cancel(id: number) {
      await store.write(async (trx) => {
        const service = await servicesRepo.getService(trx, id);
        if (!service) throw notFound('service', id);
        const transition = checkTransition(service.status, 'cancel');
        if (!transition.allowed)
          throw fail('lifecycle.transition_forbidden', `service ${id}: ${transition.reason}`);
        const active = await opsRepo.getActiveOperationForService(trx, id);
        if (active)
          throw fail(
            'operation.already_active',
            `service ${id} has operation ${active.id} in progress: cancel that first`,
          );
        await servicesRepo.updateService(trx, box, id, { status: transition.next }, clock.now());
        await events.publish(trx, 'service.cancelled', { serviceId: id, clientId: service.clientId });
      });
      events.poke();
      return withMaskedFields(await requireService(id));
    },
    /**
     * The product's welcome message for this service, merge fields filled (the password and the
     * pass key included: delivering them is what the message is for); null without a template.
     * It shows secrets, so it is an operator's audited act.
     */
    async welcomeMessage(id: number, actor: Actor): Promise<string | null> {
      const found = await servicesRepo.getServiceWithPassword(db, box, id);
      if (!found) throw notFound('service', id);
      const product = await requireProduct(found.service.productId);
      if (!product.welcomeTemplate) return null;
      const client = await requireClient(found.service.clientId);
      const message = renderWelcomeMessage(
        product.welcomeTemplate,
        welcomeData({ service: found.service, password: found.password, client, product }),
      );
      await audit.record(actor, 'service.welcome_message', { type: 'service', id });
      return message;
    },
    /**
     * Client-area or admin view from the module, read live from the backend. Views only read;
     * sign-in links are `loginLink`.
     */
    async view(id: number, kind: 'client' | 'admin'): Promise<ViewModel> {
      const { service, module } = await serviceOnServer(id);
      const render = kind === 'client' ? module.clientArea : module.adminFields;
      if (!render) return { fields: [] };
      const view = await withServiceContext(deps, service, module, `view:${kind}`, (ctx) =>
        render.call(module, ctx),
      );
      return { fields: view.fields };
    },
    /**
     * A single sign-on link for the customer: it creates a credential on the backend, so it is an
     * operator's deliberate act, written to the audit trail (who asked, for which service).
     */
    async loginLink(id: number, actor: Actor): Promise<{ url: string }> {
      const { service, module } = await serviceOnServer(id);
      const mint = module.loginUrl;
      if (!mint)
        throw fail('login.unsupported', `module ${module.id} offers no login link for service ${id}`);
      const url = await withServiceContext(deps, service, module, 'login-link', (ctx) =>
        mint.call(module, ctx),
      );
      await audit.record(actor, 'service.login_link', { type: 'service', id }, { module: module.id });
      return { url };
    },
  };
}

/** The services part of the engine facade. */
export type ServicesApi = ReturnType<typeof createServicesApi>;
