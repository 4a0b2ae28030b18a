import { fail } from '../core/error-catalogue.js';
import { checkTransition } from '../core/lifecycle.js';
import type { ViewModel } from '../modules/contract.js';
import * as logRepo from '../store/repositories/module-log.js';
import * as opsRepo from '../store/repositories/operations.js';
import * as servicesRepo from '../store/repositories/services.js';
import type { ModuleLogRow } from '../transport/module-log.js';
import { buildActionContext, buildServerContext } from './action-context.js';
import { loadOperation, requireModule } from './operation-loader.js';
import { generatePassword } from './passwords.js';
import { type EngineScope, notFound } from './scope.js';
import { checkNewService } from './validation.js';
import { renderWelcomeMessage, welcomeData } from './welcome-message.js';

export function createServicesApi(scope: EngineScope) {
  const {
    deps,
    store,
    db,
    box,
    clock,
    logger,
    events,
    requireServer,
    requireProduct,
    requireService,
    requireClient,
  } = scope;

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
    /** Client-area or admin view from the module, read live from the backend. */
    async view(id: number, kind: 'client' | 'admin'): Promise<ViewModel> {
      const service = await requireService(id);
      const product = await requireProduct(service.productId);
      const module = requireModule(deps, product.module);
      const render = kind === 'client' ? module.clientArea : module.adminFields;
      if (!render) return { fields: [] };
      if (service.serverId === null) throw fail('service.no_server', `service ${id} has no server yet`);
      // A view runs outside any operation: the loader gets only what it reads.
      const target = {
        id: 0,
        serviceId: service.id,
        serverId: service.serverId,
        module: product.module,
        args: {},
        hasSecretArgs: false,
      };
      const loaded = await loadOperation(deps, target);
      const rows: ModuleLogRow[] = [];
      const server = buildServerContext({
        module,
        server: loaded.server,
        action: `view:${kind}`,
        operationId: null,
        redactor: loaded.redactor,
        signal: AbortSignal.timeout(30_000),
        clock,
        appLogger: logger,
        writeLog: (row) => rows.push(row),
      });
      const ctx = buildActionContext({
        server,
        db,
        box,
        clock,
        operationId: 0,
        action: `view:${kind}`,
        attempt: 0,
        service: loaded.service,
        password: loaded.password,
        client: loaded.client,
        product: loaded.product,
        module,
        args: {},
        journal: opsRepo.emptyJournal(),
        persistence: null,
      });
      try {
        return await render.call(module, ctx);
      } finally {
        await logRepo.insertModuleLogRows(db, rows);
      }
    },
  };
}
