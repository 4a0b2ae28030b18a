import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import type { ApiContext } from '../server.js';

const Session = Type.Object({
  name: Type.String(),
  scope: Type.String(),
  clientId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'For a customer token: the client whose services it may see.',
  }),
});

/**
 * Who the caller is: the web UI signs in by asking this, then shows only what the token's scope
 * allows (a read token sees no action buttons; a customer token sees its client's area).
 */
export function registerSessionRoutes(app: FastifyInstance, _context: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/session',
    scope: 'read',
    tag: 'tokens',
    summary: "The calling token's name, scope and (customer tokens) client",
    response: { 200: Session },
    handler: async (request) => {
      const caller = request.caller as { name: string; scope: string; clientId?: number | null };
      return { name: caller.name, scope: caller.scope, clientId: caller.clientId ?? null };
    },
  });
}
