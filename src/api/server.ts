import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { fail } from '../core/error-catalogue.js';
import type { ProvisioningError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { type Authenticate, allows, authorize, tokenAuthenticator } from './auth.js';
import { checkCustomerAccess } from './customer-access.js';
import { internalErrorBody, toErrorAnswer } from './errors.js';
import type { Metrics } from './metrics.js';
import { registerActionRoutes } from './routes/actions.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerClientRoutes } from './routes/clients.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerModuleRoutes } from './routes/modules.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerOrderRoutes } from './routes/orders.js';
import { registerProductRoutes } from './routes/products.js';
import { registerReconcileRoutes } from './routes/reconcile.js';
import { registerServerRoutes } from './routes/servers.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerUsageRoutes } from './routes/usage.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { productSettingsSchemas } from './settings-schemas.js';
import { defaultWebRoot, registerWebApp } from './static.js';

export interface ApiOptions {
  engine: Engine;
  metrics?: Metrics;
  /** Default: API tokens in the engine's store. The local CLI passes `localAdmin`. */
  authenticate?: Authenticate;
  /** Upper bound of `?wait=` on actions and orders. */
  maxWaitSeconds?: number;
  bodyLimitBytes?: number;
  version?: string;
  /** The built admin web UI served at `/`; default `dist/web`, null for none. */
  webRoot?: string | null;
}

/** What route files get. */
export interface ApiContext {
  engine: Engine;
  metrics: Metrics | undefined;
  maxWaitSeconds: number;
  /** Called after a token is revoked, so this process stops accepting it at once. */
  forgetTokens(): void;
}

/**
 * Bodies are validated strictly (no type coercion: `"port": "80"` is an error, not 80);
 * path and query strings are coerced, since they arrive as text. Every error is reported at once.
 */
function validatorCompiler() {
  const options = { allErrors: true, strict: false, useDefaults: true, removeAdditional: false } as const;
  const strict = addFormats.default(new Ajv.default({ ...options, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv.default({ ...options, coerceTypes: 'array' }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema);
}

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing =
    (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
    (error.params as { additionalProperty?: string }).additionalProperty;
  return [path, missing].filter(Boolean).join('.') || '(body)';
}

function validationDetails(errors: readonly ErrorObject[]): { field: string; message: string }[] {
  const seen = new Set<string>();
  const out: { field: string; message: string }[] = [];
  for (const error of errors) {
    const field = fieldOf(error);
    const message =
      error.keyword === 'additionalProperties'
        ? `${field} is not a known field`
        : `${field} ${error.message ?? 'is invalid'}`;
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ field, message });
  }
  return out;
}

/** Fastify's own request errors (parsing, size, media type) in catalogue terms. */
function frameworkError(error: FastifyError): ProvisioningError | null {
  if (error.validation) {
    const where =
      error.validationContext === 'body'
        ? 'body'
        : error.validationContext === 'querystring'
          ? 'query string'
          : (error.validationContext ?? 'request');
    const details = validationDetails(error.validation as ErrorObject[]);
    return fail(
      'request.invalid',
      `the request ${where} is invalid: ${details.map((d) => d.message).join('; ')}`,
      { details: details },
    );
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return fail('request.too_large', 'the request body is too large');
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return fail('request.unsupported_media_type', 'send the body as application/json');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return fail('request.malformed', `the request could not be read: ${error.message}`);
  }
  return null;
}

/** `/v1/services/:id/suspend` with id 7 → service 7; the first path segment names the record. */
function auditTargetOf(route: string, params: Record<string, unknown>): { type: string; id: string } | null {
  const [, , collection] = route.split('/');
  if (!collection || params.id === undefined) return null;
  const type = collection.replace(/-/g, '_').replace(/s$/, '');
  return { type, id: String(params.id) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the record a POST created (from its 201 answer), for the audit trail. */
    createdId?: number;
  }
}

/** `{ id }`, or `{ record: { id } }` as token creation answers; undefined otherwise. */
function createdIdOf(payload: string): number | undefined {
  try {
    const body = JSON.parse(payload) as { id?: unknown; record?: { id?: unknown } };
    const id = body.id ?? body.record?.id;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const app = Fastify({
    loggerInstance: engine.logger.child({ component: 'api' }),
    // A log line per request costs more than the request itself at 200 requests/s; metrics count them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler());
  // JSON only: without this Fastify reads text/plain as a string and answers 422 instead of 415.
  app.removeContentTypeParser('text/plain');
  const tokens = options.authenticate
    ? undefined
    : tokenAuthenticator(engine.tokens, () => engine.clock.now());
  const authenticate = options.authenticate ?? tokens!.authenticate;
  const context: ApiContext = {
    engine,
    metrics: options.metrics,
    maxWaitSeconds: options.maxWaitSeconds ?? 60,
    forgetTokens: () => tokens?.forget(),
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'provisio API',
        version: options.version ?? '0.1.0',
        description:
          'Provisioning engine: clients, servers, products, services, lifecycle actions as durable operations. Errors: `{ error: { code, message, details? } }`, codes in docs/errors.md.',
      },
      components: {
        schemas: productSettingsSchemas(engine) as never,
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (`provisio token create`)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (request) => {
    const { scope, customer } = request.routeOptions.config ?? {};
    if (!scope) return;
    // A route open to customers admits their tokens (checked per record below); others need the scope.
    const caller = await authorize(
      authenticate,
      request.headers.authorization,
      customer ? 'customer' : scope,
    );
    if (!allows(caller.scope, scope) && caller.scope !== 'customer') {
      throw fail(
        'auth.insufficient_scope',
        `this route needs a token with scope ${scope} or higher; token "${caller.name}" has scope ${caller.scope}`,
      );
    }
    request.caller = caller;
  });
  // A record made by a POST is the target of its audit entry (`provisio audit --target client:7`
  // finds the creation too). Its id is only in the answer, so it is read on the way out.
  app.addHook('onSend', async (request, reply, payload) => {
    if (
      request.method === 'POST' &&
      reply.statusCode === 201 &&
      request.caller &&
      typeof payload === 'string'
    )
      request.createdId = createdIdOf(payload);
    return payload;
  });
  // The audit trail: every write through the API that was carried out (token, route, target,
  // status); a refused request changed nothing and writes nothing. Never the body: it may hold secrets.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.caller) return;
    if (reply.statusCode >= 400) return;
    await tokens?.recordWrite(request.caller);
    const route = request.routeOptions.url ?? request.url.split('?')[0];
    const params = (request.params ?? {}) as Record<string, unknown>;
    const made = params.id === undefined && request.createdId !== undefined;
    const target = auditTargetOf(route ?? '', made ? { id: request.createdId } : params);
    await engine.audit
      .record(
        { name: request.caller.name, tokenId: request.caller.tokenId },
        `${request.method} ${route}`,
        target,
        { status: reply.statusCode, ...(Object.keys(params).length ? { params } : {}) },
      )
      .catch((error: unknown) =>
        request.log.error({ err: (error as Error).message }, 'could not write the audit trail'),
      );
  });
  // Path ids are validated as canonical digit strings (schemas.ts PathId), then used as numbers.
  app.addHook('preHandler', async (request) => {
    const params = request.params as Record<string, unknown> | undefined;
    if (!params) return;
    for (const [key, value] of Object.entries(params))
      if (typeof value === 'string' && /^[1-9][0-9]{0,9}$/.test(value)) params[key] = Number(value);
  });
  // A customer token: only its own client's records (after params are numbers, before handlers).
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config?.customer;
    if (access && request.caller?.scope === 'customer') {
      await checkCustomerAccess(engine, request.caller, access, {
        params: (request.params ?? {}) as Record<string, unknown>,
        query: (request.query ?? {}) as Record<string, unknown>,
        body: request.body,
      });
    }
  });
  // Actions without a body are common (`curl -X POST …/suspend`): treat a missing body as `{}`.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method === 'POST') request.body = {};
  });
  if (options.metrics) {
    const metrics = options.metrics;
    metrics.watchQueue(() => engine.countOperations());
    metrics.watchFindings(() => engine.reconcile.countOpen());
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(
        request.method,
        request.routeOptions.url ?? 'unknown',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toErrorAnswer(frameworkError(error) ?? error);
    if (answer) return reply.code(answer.status).send(answer.body);
    request.log.error(
      { err: error, url: request.url, requestId: request.id },
      'unexpected error in an API route',
    );
    return reply.code(500).send(internalErrorBody(String(request.id)));
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = toErrorAnswer(
      fail(
        'route.not_found',
        `no route ${request.method} ${request.url.split('?')[0]}: the API reference is at /docs`,
      ),
    );
    reply.code(404).send(answer?.body);
  });

  registerHealthRoutes(app, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerClientRoutes(app, context);
  registerServerRoutes(app, context);
  registerProductRoutes(app, context);
  registerServiceRoutes(app, context);
  registerActionRoutes(app, context);
  registerOrderRoutes(app, context);
  registerOperationRoutes(app, context);
  registerUsageRoutes(app, context);
  registerTokenRoutes(app, context);
  registerSessionRoutes(app, context);
  registerModuleRoutes(app, context);
  registerDashboardRoutes(app, context);
  registerWebhookRoutes(app, context);
  registerAuditRoutes(app, context);
  registerReconcileRoutes(app, context);
  registerWebApp(app, options.webRoot === undefined ? defaultWebRoot() : options.webRoot);
  await app.ready();
  return app;
}
