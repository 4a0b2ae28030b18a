import { fail } from '../core/error-catalogue.js';
import { checkTransition } from '../core/lifecycle.js';
import type { ViewModel } from '../modules/contract.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as servicesRepo from '../store/repositories/services.js';
import type { Actor } from './audit-api.js';
import { requireModule } from './operation-loader.js';
import { generatePassword } from './passwords.js';
import { type EngineScope, notFound } from './scope.js';
import { withServiceContext } from './service-context.js';
import { checkNewService } from './validation.js';
import { renderWelcomeMessage, welcomeData } from './welcome-message.js';

export function createServicesApi(scope: EngineScope) {
  const {
    deps,
    store,
    db,
    box,
    clock,
    events,
    audit,
    requireServer,
    requireProduct,
    requireService,
    requireClient,
  } = scope;

  /** The service with its module, refused while it has no server (nothing to talk to yet). */
  async function serviceOnServer(id: number) {
    const service = await requireService(id);
    const product = await requireProduct(service.productId);
    const module = requireModule(deps, product.module);
    if (service.serverId === null) throw fail('service.no_server', `service ${id} has no server yet`);
    return { service: { ...service, serverId: service.serverId }, module };
  }

  return {
    async create(input: servicesRepo.NewService) {
      checkNewService(input).throwIfAny('the service was not created');
      await requireClient(input.clientId);
      const product = await requireProduct(input.productId);
      if (input.serverId != null) {
        const server = await requireServer(input.serverId);
        if (server.module !== product.module)
          throw fail(
            'server.module_mismatch',
            `server ${server.id} is a ${server.module} server; product ${product.id} needs ${product.module}`,
          );
      }
      return servicesRepo.insertService(
        db,
        box,
        { ...input, password: input.password ?? generatePassword() },
        clock.now(),
      );
    },
    get: requireService,
    list: (filter: servicesRepo.ServiceFilter = {}) => servicesRepo.listServices(db, filter),
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
      return requireService(id);
    },
    /** The product's welcome message for this service, with merge fields filled; null without a template. */
    async welcomeMessage(id: number): Promise<string | null> {
      const service = await requireService(id);
      const product = await requireProduct(service.productId);
      if (!product.welcomeTemplate) return null;
      const client = await requireClient(service.clientId);
      return renderWelcomeMessage(product.welcomeTemplate, welcomeData({ service, client, product }));
    },
    /**
     * Client-area or admin view from the module, read live from the backend. Views only read:
     * whatever a module still puts in `loginUrl` is dropped (sign-in links are `loginLink`).
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
