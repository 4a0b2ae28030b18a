import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { EnqueueResult } from '../../engine/enqueue.js';
import { addRoute } from '../route.js';
import {
  ActionResult,
  AdoptBody,
  ChangePackageBody,
  ChangePasswordBody,
  CustomActionBody,
  EmptyBody,
  IdempotencyHeaders,
  IdParams,
  PathId,
  SuspendBody,
  WaitQuery,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Waits up to `wait` seconds (bounded by the server) for the operation to end. 200 when it ended,
 * 202 when it is still queued, running or waiting: the caller polls GET /v1/operations/{id}.
 */
export async function answerWithOperation(
  engine: Engine,
  result: EnqueueResult,
  waitSeconds: number,
  reply: FastifyReply,
) {
  const operation =
    waitSeconds > 0
      ? await engine.operations.waitFor(result.operation.id, { timeoutMs: waitSeconds * 1000 })
      : result.operation;
  const finished = TERMINAL.has(operation.status);
  reply.code(finished ? 200 : 202);
  return { operation, created: result.created, finished };
}

export function waitSecondsOf(request: FastifyRequest, max: number): number {
  return Math.min((request.query as WaitQuery).wait ?? 0, max);
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}

interface ActionDefinition {
  path: string;
  action: string;
  summary: string;
  body: TSchema;
  /** Splits the body into the engine's args and sealed secret args. */
  split(body: Record<string, unknown>): {
    args?: Record<string, unknown>;
    secretArgs?: Record<string, unknown>;
  };
}

const ACTIONS: readonly ActionDefinition[] = [
  {
    path: 'create',
    action: 'create',
    summary: 'Provision a pending service on a server of its product group',
    body: EmptyBody,
    split: () => ({}),
  },
  {
    path: 'suspend',
    action: 'suspend',
    summary: 'Suspend an active service',
    body: SuspendBody,
    split: (body) => ({ args: body }),
  },
  {
    path: 'unsuspend',
    action: 'unsuspend',
    summary: 'Unsuspend a suspended service',
    body: EmptyBody,
    split: () => ({}),
  },
  {
    path: 'terminate',
    action: 'terminate',
    summary: 'Remove the service from its backend',
    body: EmptyBody,
    split: () => ({}),
  },
  {
    path: 'change-package',
    action: 'change-package',
    summary: 'Move the service to another product of the same module',
    body: ChangePackageBody,
    split: (body) => ({ args: body }),
  },
  {
    path: 'adopt',
    action: 'adopt',
    summary:
      "Take over the backend object found under the service's name, which provisio did not create: writes this service's mark (audited)",
    body: AdoptBody,
    split: (body) => ({ args: body }),
  },
  {
    path: 'change-password',
    action: 'change-password',
    summary: 'Set a new password (sealed at rest, never returned)',
    body: ChangePasswordBody,
    split: (body) => ({ secretArgs: { password: body.password } }),
  },
];

export function registerActionRoutes(app: FastifyInstance, { engine, maxWaitSeconds }: ApiContext): void {
  const enqueue = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: string,
    parts: ReturnType<ActionDefinition['split']>,
  ) => {
    const { id } = request.params as IdParams;
    const key = idempotencyKeyOf(request);
    const result = await engine.operations.enqueue({
      serviceId: id,
      action,
      ...parts,
      ...(key ? { idempotencyKey: key } : {}),
    });
    return answerWithOperation(engine, result, waitSecondsOf(request, maxWaitSeconds), reply);
  };
  for (const definition of ACTIONS) {
    addRoute(app, {
      method: 'POST',
      url: `/v1/services/:id/${definition.path}`,
      scope: 'operator',
      tag: 'actions',
      summary: `${definition.summary}. Same Idempotency-Key and body: the same operation; another body: 409.`,
      params: IdParams,
      querystring: WaitQuery,
      headers: IdempotencyHeaders,
      body: definition.body,
      response: { 200: ActionResult, 202: ActionResult },
      handler: (request, reply) =>
        enqueue(request, reply, definition.action, definition.split(request.body as Record<string, unknown>)),
    });
  }
  addRoute(app, {
    method: 'POST',
    url: '/v1/services/:id/actions/:name',
    scope: 'operator',
    tag: 'actions',
    summary: "Run one of the module's custom actions (e.g. reboot)",
    params: Type.Object({
      id: PathId,
      name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
    }),
    querystring: WaitQuery,
    headers: IdempotencyHeaders,
    body: CustomActionBody,
    response: { 200: ActionResult, 202: ActionResult },
    handler: (request, reply) => {
      const { name } = request.params as { name: string };
      const { args } = request.body as { args?: Record<string, unknown> };
      return enqueue(request, reply, 'custom', { args: { ...args, name } });
    },
  });
}
