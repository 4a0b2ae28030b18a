import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/error-catalogue.js';
import type { ServiceFilter } from '../../store/repositories/services.js';
import { actorOf, addRoute } from '../route.js';
import {
  IdParams,
  LoginLink,
  listOf,
  NewService,
  RevealedPassword,
  ServicePatch,
  ServiceQuery,
  ServiceRecord,
  ViewBody,
  ViewModel,
  WelcomeMessage,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerServiceRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/services',
    scope: 'operator',
    tag: 'services',
    summary: 'Add a pending service (provision it with POST /v1/services/{id}/create, or use an order)',
    body: NewService,
    response: { 201: ServiceRecord },
    async handler(request, reply) {
      const body = request.body as NewService;
      if (body.placementOverride && request.caller?.scope !== 'admin') {
        throw fail('auth.insufficient_scope', 'placementOverride needs a token with scope admin');
      }
      reply.code(201);
      return engine.services.create(body, actorOf(request));
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/services',
    scope: 'read',
    tag: 'services',
    summary: 'List services by client, product, server or status',
    querystring: ServiceQuery,
    response: { 200: listOf(ServiceRecord) },
    async handler(request) {
      const query = request.query as ServiceQuery;
      return { items: await engine.services.list({ ...query, limit: query.limit ?? 100 } as ServiceFilter) };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/services/:id',
    scope: 'read',
    tag: 'services',
    summary: 'Show a service (the password is never returned)',
    params: IdParams,
    response: { 200: ServiceRecord },
    handler: async (request) => engine.services.get((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/services/:id',
    scope: 'operator',
    tag: 'services',
    summary:
      'Correct a service: domain, username, configurable options, custom fields (refused while an operation runs; audited)',
    params: IdParams,
    body: ServicePatch,
    response: { 200: ServiceRecord },
    handler: async (request) =>
      engine.services.update((request.params as IdParams).id, request.body as ServicePatch, actorOf(request)),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/services/:id/password/reveal',
    scope: 'operator',
    tag: 'services',
    summary: 'Show the service password once (a generated one, for the welcome e-mail); audited',
    params: IdParams,
    response: { 200: RevealedPassword },
    handler: async (request) =>
      engine.services.revealPassword((request.params as IdParams).id, actorOf(request)),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/services/:id/view',
    scope: 'read',
    tag: 'services',
    summary:
      "The module's client-area or admin view, read live from the backend (a POST because it calls the backend; it changes nothing)",
    params: IdParams,
    body: ViewBody,
    response: { 200: ViewModel },
    handler: async (request) =>
      engine.services.view((request.params as IdParams).id, (request.body as ViewBody).kind ?? 'client'),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/services/:id/login-link',
    scope: 'operator',
    tag: 'services',
    summary:
      'A single sign-on link into the backend for this service; it creates a backend credential and is written to the audit trail',
    params: IdParams,
    response: { 200: LoginLink },
    handler: async (request) => engine.services.loginLink((request.params as IdParams).id, actorOf(request)),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/services/:id/welcome-message',
    scope: 'read',
    tag: 'services',
    summary: "The product's welcome message for this service (merge fields escaped; never the password)",
    params: IdParams,
    response: { 200: WelcomeMessage },
    handler: async (request) => ({
      message: await engine.services.welcomeMessage((request.params as IdParams).id),
    }),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/services/:id/cancel',
    scope: 'operator',
    tag: 'services',
    summary: 'Cancel a pending service (an order withdrawn before provisioning; nothing remote happens)',
    params: IdParams,
    response: { 200: ServiceRecord },
    handler: async (request) => engine.services.cancel((request.params as IdParams).id),
  });
}
