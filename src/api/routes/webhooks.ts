import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { NewWebhook } from '../../engine/records.js';
import { EVENT_TYPES } from '../../engine/webhooks.js';
import { addRoute } from '../route.js';
import { Deleted, IdParams, listOf } from '../schemas.js';
import type { ApiContext } from '../server.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Timestamp = Type.Integer({ description: 'Milliseconds since the Unix epoch' });
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const EventType = Type.String({ maxLength: 100, description: `One of ${EVENT_TYPES.join(', ')}, or "*"` });

const WebhookRecord = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Type.String(),
  enabled: Type.Boolean(),
  hasSecret: Type.Boolean({ description: 'The signing secret is write-only and never returned.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const webhookFields = {
  url: Type.String({ maxLength: 2000, description: 'http:// or https://, without credentials' }),
  eventTypes: Type.Array(EventType, { minItems: 1, maxItems: 50 }),
  secret: Type.String({
    minLength: 16,
    maxLength: 200,
    description: 'Signing secret (HMAC-SHA256, header Provisio-Signature); write-only',
  }),
  description: Type.Optional(Type.String({ maxLength: 200 })),
  enabled: Type.Optional(Type.Boolean()),
};
const NewWebhookBody = Type.Object(webhookFields, { additionalProperties: false });
const WebhookPatchBody = Type.Partial(Type.Object(webhookFields), {
  additionalProperties: false,
  minProperties: 1,
});
type WebhookPatchBody = Static<typeof WebhookPatchBody>;

const Attempt = Type.Object({
  at: Timestamp,
  status: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Type.Number(),
});
const DeliveryRecord = Type.Object({
  id: Type.Integer(),
  webhookId: Type.Integer(),
  eventId: Type.Integer(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.Integer()),
  responseStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  history: Type.Array(Attempt),
  replayOf: Nullable(Type.Integer()),
  createdAt: Timestamp,
  deliveredAt: Nullable(Type.Integer()),
});
const DeliveryQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  ),
  eventId: Type.Optional(Id),
  beforeId: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
type DeliveryQuery = Static<typeof DeliveryQuery>;
const DeliveryParams = Type.Object({ id: Id, deliveryId: Id });
type DeliveryParams = Static<typeof DeliveryParams>;

export function registerWebhookRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  const tag = 'webhooks';
  addRoute(app, {
    method: 'POST',
    url: '/v1/webhooks',
    scope: 'admin',
    tag,
    summary:
      'Register a webhook: the events of the given types are POSTed to the URL, signed with the secret',
    body: NewWebhookBody,
    response: { 201: WebhookRecord },
    async handler(request, reply) {
      reply.code(201);
      return engine.webhooks.create(request.body as NewWebhook);
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/webhooks',
    scope: 'admin',
    tag,
    summary: 'List webhooks (never their secrets)',
    response: { 200: listOf(WebhookRecord) },
    handler: async () => ({ items: await engine.webhooks.list() }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/webhooks/:id',
    scope: 'admin',
    tag,
    summary: 'Show a webhook',
    params: IdParams,
    response: { 200: WebhookRecord },
    handler: async (request) => engine.webhooks.get((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/webhooks/:id',
    scope: 'admin',
    tag,
    summary: 'Change a webhook (send `secret` to replace it; `enabled: false` pauses new deliveries)',
    params: IdParams,
    body: WebhookPatchBody,
    response: { 200: WebhookRecord },
    handler: async (request) =>
      engine.webhooks.update((request.params as IdParams).id, request.body as WebhookPatchBody),
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/webhooks/:id',
    scope: 'admin',
    tag,
    summary: 'Delete a webhook and its delivery log',
    params: IdParams,
    response: { 200: Deleted },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.webhooks.delete(id);
      return { deleted: true as const, id };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/webhooks/:id/deliveries',
    scope: 'admin',
    tag,
    summary: "A webhook's delivery log, newest first: every attempt with its answer or error",
    params: IdParams,
    querystring: DeliveryQuery,
    response: { 200: listOf(DeliveryRecord) },
    handler: async (request) => ({
      items: await engine.webhooks.deliveries({
        webhookId: (request.params as IdParams).id,
        ...(request.query as DeliveryQuery),
      }),
    }),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/webhooks/:id/deliveries/:deliveryId/replay',
    scope: 'admin',
    tag,
    summary: "Send a delivery's event again, as a new delivery with fresh attempts",
    params: DeliveryParams,
    response: { 202: DeliveryRecord },
    async handler(request, reply) {
      const { id, deliveryId } = request.params as DeliveryParams;
      reply.code(202);
      return engine.webhooks.replay(id, deliveryId);
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/webhooks/:id/replay-failed',
    scope: 'admin',
    tag,
    summary:
      'Replay every failed delivery of the webhook (after the receiver was down for longer than the retries)',
    params: IdParams,
    response: { 202: listOf(DeliveryRecord) },
    async handler(request, reply) {
      reply.code(202);
      return { items: await engine.webhooks.replayFailed((request.params as IdParams).id) };
    },
  });
}
