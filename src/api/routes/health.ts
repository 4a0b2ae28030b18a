import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/error-catalogue.js';
import { addRoute } from '../route.js';
import type { ApiContext } from '../server.js';

const Status = Type.Object({ status: Type.String() });

export function registerHealthRoutes(app: FastifyInstance, { engine, metrics }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/healthz',
    scope: null,
    tag: 'health',
    summary: 'Liveness: the process answers',
    response: { 200: Status },
    handler: async () => ({ status: 'ok' }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/readyz',
    scope: null,
    tag: 'health',
    summary: 'Readiness: the database answers',
    response: { 200: Status },
    async handler() {
      if (!(await engine.ready())) throw fail('store.unreachable', 'the database does not answer');
      return { status: 'ready' };
    },
  });
  if (metrics) {
    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics', tags: ['health'] } },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  }
}
