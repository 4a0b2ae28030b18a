import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenScope } from '../core/scopes.js';
import type { Actor } from '../engine/audit-api.js';
import { ErrorResponse } from './schemas.js';

/**
 * What a customer token may reach through a route, and how its ownership is checked
 * (customer-access.ts): the client in the path, the service in the path, the operation in the
 * path, a service list narrowed to its client, an operation list of one of its services, or
 * nothing to check (its own session).
 */
export type CustomerAccess = 'client' | 'service' | 'operation' | 'service-list' | 'operation-list' | 'self';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** Lowest token scope allowed; null for the public health routes. */
  scope: TokenScope | null;
  /** Customer tokens may call it too, for their own client's records only. */
  customer?: CustomerAccess;
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
    customer?: CustomerAccess;
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
    config: { scope: route.scope, ...(route.customer ? { customer: route.customer } : {}) },
    schema: {
      summary: route.summary,
      tags: [route.tag],
      ...(route.scope
        ? {
            security: [{ bearer: [] }],
            description: `Token scope: ${route.scope} or higher${route.customer ? '; customer tokens for their own records' : ''}.`,
          }
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
