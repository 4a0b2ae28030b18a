import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/error-catalogue.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../store/repositories/api-tokens.js';
import { addRoute } from '../route.js';
import { CreatedToken, IdParams, listOf, NewToken, TokenRecord } from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerTokenRoutes(app: FastifyInstance, { engine, forgetTokens }: ApiContext): void {
  const { db } = engine.store;
  addRoute(app, {
    method: 'POST',
    url: '/v1/tokens',
    scope: 'admin',
    tag: 'tokens',
    summary: 'Create an API token; the token is in this answer only (only its hash is stored)',
    body: NewToken,
    response: { 201: CreatedToken },
    async handler(request, reply) {
      reply.code(201);
      return createApiToken(db, request.body as NewToken, engine.clock.now());
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/tokens',
    scope: 'admin',
    tag: 'tokens',
    summary: 'List API tokens (names, prefixes, scopes; never the tokens)',
    response: { 200: listOf(TokenRecord) },
    handler: async () => ({ items: await listApiTokens(db) }),
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/tokens/:id',
    scope: 'admin',
    tag: 'tokens',
    summary: 'Revoke an API token',
    params: IdParams,
    response: { 200: TokenRecord },
    async handler(request) {
      const { id } = request.params as IdParams;
      await revokeApiToken(db, id, engine.clock.now());
      forgetTokens();
      const record = (await listApiTokens(db)).find((t) => t.id === id);
      if (!record) throw fail('token.not_found', `API token ${id} does not exist`);
      return record;
    },
  });
}
