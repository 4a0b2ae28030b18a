import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { OrderBody, OrderResult, WaitQuery } from '../schemas.js';
import type { ApiContext } from '../server.js';
import { waitSecondsOf } from './actions.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function registerOrderRoutes(app: FastifyInstance, { engine, maxWaitSeconds }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/orders',
    scope: 'operator',
    tag: 'orders',
    summary:
      'Accept an order in one call: client, services, a create operation each. The orderId makes it idempotent.',
    querystring: WaitQuery,
    body: OrderBody,
    response: { 200: OrderResult, 201: OrderResult },
    async handler(request, reply) {
      const accepted = await engine.orders.accept(request.body as OrderBody);
      const wait = waitSecondsOf(request, maxWaitSeconds);
      const deadline = Date.now() + wait * 1000;
      const services = [];
      for (const { service, enqueued } of accepted.services) {
        const left = deadline - Date.now();
        const operation =
          left > 0 && !TERMINAL.has(enqueued.operation.status)
            ? await engine.operations.waitFor(enqueued.operation.id, { timeoutMs: left })
            : enqueued.operation;
        services.push({ service: wait > 0 ? await engine.services.get(service.id) : service, operation });
      }
      reply.code(accepted.created ? 201 : 200);
      return {
        orderId: accepted.orderId,
        client: accepted.client,
        clientCreated: accepted.clientCreated,
        services,
        created: accepted.created,
      };
    },
  });
}
