import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { CreatedToken, IdParams, listOf, NewToken, TokenRecord } from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerTokenRoutes(app: FastifyInstance, { engine, forgetTokens }: ApiContext): void {
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
      return engine.tokens.create(request.body as NewToken);
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/tokens',
    scope: 'admin',
    tag: 'tokens',
    summary: 'List API tokens (names, prefixes, scopes; never the tokens)',
    response: { 200: listOf(TokenRecord) },
    handler: async () => ({ items: await engine.tokens.list() }),
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
      const record = await engine.tokens.revoke(id);
      forgetTokens();
      return record;
    },
  });
}
