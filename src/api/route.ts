import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../engine/audit-api.js';
import type { TokenScope } from '../store/repositories/api-tokens.js';
import { ErrorResponse } from './schemas.js';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** Lowest token scope allowed; null for the public health routes. */
  scope: TokenScope | null;
  summary: string;
  tag: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  headers?: TSchema;
  /** Success answers by status; error answers share one schema. */
  response: Record<number, TSchema>;
  handler(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: TokenScope | null;
  }
}

/** Who called, for the engine's audit trail (routes with a scope always have a caller). */
export function actorOf(request: FastifyRequest): Actor {
  const caller = request.caller;
  return caller ? { name: caller.name, tokenId: caller.tokenId } : { name: 'anonymous', tokenId: null };
}

export function addRoute(app: FastifyInstance, route: ApiRoute): void {
  app.route({
    method: route.method,
    url: route.url,
    config: { scope: route.scope },
    schema: {
      summary: route.summary,
      tags: [route.tag],
      ...(route.scope
        ? { security: [{ bearer: [] }], description: `Token scope: ${route.scope} or higher.` }
        : {}),
      ...(route.params ? { params: route.params } : {}),
      ...(route.querystring ? { querystring: route.querystring } : {}),
      ...(route.body ? { body: route.body } : {}),
      ...(route.headers ? { headers: route.headers } : {}),
      response: { ...route.response, '4xx': ErrorResponse, '5xx': ErrorResponse },
    },
    handler: route.handler,
  });
}
