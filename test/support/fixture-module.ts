import { defineErrors, type ErrorKind } from '../../src/core/errors.js';
import {
  type ActionContext,
  type AnyModule,
  defineModule,
  ownershipMark,
  type ServerContext,
  serviceIdOfMark,
} from '../../src/modules/contract.js';
import { createHttpClient, type HttpClient, statusKind } from '../../src/transport/http-client.js';

/** The fixture backend's codes, one per kind its HTTP answers map to. */
export const fixtureErrors = defineErrors('fixture', {
  'fixture.missing': { kind: 'not-found', meaning: 'The fixture object does not exist.' },
  'fixture.invalid': { kind: 'invalid-input', meaning: 'The fixture backend refused the request (400/422).' },
  'fixture.not_found': { kind: 'not-found', meaning: 'The fixture backend answered 404.' },
  'fixture.conflict': { kind: 'conflict', meaning: 'The fixture backend answered 409.' },
  'fixture.auth': { kind: 'auth', meaning: 'The fixture backend refused the credentials.' },
  'fixture.unavailable': { kind: 'unavailable', meaning: 'The fixture backend is busy (429/503).' },
  'fixture.remote': { kind: 'remote', meaning: 'The fixture backend failed with its own message.' },
});

const HTTP_CODE_OF: Record<ErrorKind, keyof typeof fixtureErrors.entries> = {
  'invalid-input': 'fixture.invalid',
  'not-found': 'fixture.not_found',
  conflict: 'fixture.conflict',
  auth: 'fixture.auth',
  unavailable: 'fixture.unavailable',
  remote: 'fixture.remote',
  unsupported: 'fixture.remote',
  'unknown-outcome': 'fixture.remote',
  internal: 'fixture.remote',
};

/**
 * A minimal module, loaded like a real one, that drives the fixture backend
 * (test/support/fixture-backend.ts). It follows the module duties: deterministic remote name
 * saved before the create, lookup first, target-state checks, journaled steps, a durable wait.
 *
 * Settings: `plan`, `steps` (journaled steps before the create), `waitForReady` and
 * `waitTimeoutMinutes` (a durable wait on the backend's install), `apiToken` (a secret setting).
 */
export interface FixtureSettings {
  plan: string;
  steps: number;
  waitForReady: boolean;
  waitTimeoutMinutes: number;
  waitEveryMs: number;
  apiToken: string;
}

function client(ctx: ServerContext): HttpClient {
  return createHttpClient({
    baseUrl: `http://${ctx.server.host}:${ctx.server.port}`,
    headers: { authorization: `Bearer ${ctx.server.secret}` },
    timeoutMs: Number(ctx.server.settings.timeoutMs ?? 2_000),
    moduleLog: ctx.moduleLog,
    signal: ctx.signal,
    backendName: `fixture backend ${ctx.server.name}`,
  });
}

interface RemoteObject {
  status: 'active' | 'suspended';
  plan: string;
  ready: boolean;
  mark: string | null;
}

async function call(
  ctx: ServerContext,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await client(ctx).request({ method, path, ...(body === undefined ? {} : { body }) });
  if (response.status < 300) return response.json;
  if (method === 'GET' && response.status === 404) return null;
  const message = (response.json as { error?: string } | undefined)?.error ?? response.body;
  throw fixtureErrors.error(HTTP_CODE_OF[statusKind(response.status)], `fixture backend: ${message}`);
}

const objectName = (ctx: ActionContext<FixtureSettings>) => `fx-${ctx.service.id}`;

async function fetchObject(ctx: ActionContext<FixtureSettings>): Promise<RemoteObject | null> {
  return (await call(ctx, 'GET', `/objects/${objectName(ctx)}?now=${ctx.now()}`)) as RemoteObject | null;
}

async function act(
  ctx: ActionContext<FixtureSettings>,
  action: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await call(ctx, 'POST', `/objects/${objectName(ctx)}`, { action, now: ctx.now(), ...extra });
}

export function createFixtureModule(id = 'fixture'): AnyModule {
  return defineModule<FixtureSettings>({
    id,
    displayName: 'Fixture',
    server: { credential: 'api-key', defaultPort: { plain: 80, secure: 443 } },
    settings: {
      fields: [
        { name: 'plan', label: 'Plan', type: 'text', default: 'basic', required: false, maxLength: 40 },
        { name: 'steps', label: 'Steps before create', type: 'number', default: 0, min: 0, max: 20 },
        { name: 'waitForReady', label: 'Wait for install', type: 'yesno', default: false },
        {
          name: 'waitTimeoutMinutes',
          label: 'Install timeout (minutes)',
          type: 'number',
          default: 60,
          min: 1,
        },
        {
          name: 'waitEveryMs',
          label: 'Install check interval (ms)',
          type: 'number',
          default: 60_000,
          min: 10,
        },
        { name: 'apiToken', label: 'API token', type: 'password', default: '' },
      ],
    },
    async testConnection(ctx) {
      const list = (await call(ctx, 'GET', '/objects')) as { objects: unknown[] };
      return { summary: `fixture backend with ${list.objects.length} objects` };
    },
    async create(ctx) {
      const name = objectName(ctx);
      if (ctx.remote.get('name') !== name) await ctx.remote.set('name', name);
      // Modules log freely; the logger must mask what they should not have written.
      ctx.logger.info(`creating ${name} with password ${ctx.service.password}`, {
        password: ctx.service.password,
        plan: ctx.settings.plan,
      });
      for (let i = 0; i < ctx.settings.steps; i++) {
        await ctx.step(`provision-${i}`, () =>
          call(ctx, 'POST', '/steps', {
            name,
            step: `provision-${i}`,
            attempt: ctx.attempt,
            operationId: ctx.operationId,
          }),
        );
      }
      if (!(await fetchObject(ctx)))
        await act(ctx, 'create', {
          plan: ctx.settings.plan,
          token: ctx.settings.apiToken,
          password: ctx.service.password,
          mark: ownershipMark(ctx.service.id),
        });
      if (ctx.settings.waitForReady) {
        await ctx.wait('install', async () => ((await fetchObject(ctx))?.ready ? true : undefined), {
          every: ctx.settings.waitEveryMs,
          timeout: ctx.settings.waitTimeoutMinutes * 60_000,
          message: 'waiting for the install',
        });
      }
    },
    async suspend(ctx) {
      const object = await fetchObject(ctx);
      if (!object)
        throw fixtureErrors.error(
          'fixture.missing',
          `${objectName(ctx)} does not exist on ${ctx.server.name}`,
        );
      if (object.status !== 'suspended') await act(ctx, 'suspend');
    },
    async unsuspend(ctx) {
      const object = await fetchObject(ctx);
      if (!object)
        throw fixtureErrors.error(
          'fixture.missing',
          `${objectName(ctx)} does not exist on ${ctx.server.name}`,
        );
      if (object.status !== 'active') await act(ctx, 'unsuspend');
    },
    async terminate(ctx) {
      if (await fetchObject(ctx)) await act(ctx, 'terminate');
      else await ctx.warn(`${objectName(ctx)} was already gone from ${ctx.server.name}; nothing to remove`);
    },
    async changePackage(ctx) {
      await act(ctx, 'change-plan', { plan: ctx.settings.plan });
    },
    async changePassword(ctx) {
      await act(ctx, 'change-password', { password: ctx.service.password });
    },
    async lookup(ctx) {
      const object = await fetchObject(ctx);
      if (!object) return null;
      const owner = object.mark === ownershipMark(ctx.service.id) ? 'ours' : 'foreign';
      const found = { owner, object: `object ${objectName(ctx)}` } as const;
      if (ctx.settings.waitForReady && !object.ready) return { status: 'pending', ...found };
      return { status: object.status, ...found, remoteIds: { name: objectName(ctx) } };
    },
    async adopt(ctx) {
      const object = await fetchObject(ctx);
      if (!object) throw fixtureErrors.error('fixture.missing', `${objectName(ctx)} does not exist`);
      if (serviceIdOfMark(object.mark) !== null)
        throw fixtureErrors.error('fixture.conflict', `${objectName(ctx)} carries another service's mark`);
      await act(ctx, 'mark', { mark: ownershipMark(ctx.service.id) });
      return {
        status: object.status,
        owner: 'ours',
        object: `object ${objectName(ctx)}`,
        remoteIds: { name: objectName(ctx) },
      };
    },
    async usage(ctx, services) {
      const { objects } = (await call(ctx, 'GET', '/objects')) as {
        objects: { name: string; plan: string }[];
      };
      const byName = new Map(objects.map((o) => [o.name, o]));
      return services
        .filter((s) => byName.has(`fx-${s.serviceId}`))
        .map((s) => ({ serviceId: s.serviceId, diskUsedMb: 10, diskLimitMb: 100, figures: { copies: 1 } }));
    },
    async clientArea(ctx) {
      const object = await fetchObject(ctx);
      return {
        fields: [
          { label: 'Name', value: objectName(ctx) },
          { label: 'Status', value: object?.status ?? 'missing' },
        ],
      };
    },
    actions: {
      reboot: {
        label: 'Reboot',
        arguments: [
          { name: 'mode', label: 'Mode', type: 'choice', choices: ['soft', 'hard'] },
          { name: 'delaySeconds', label: 'Delay (s)', type: 'number', min: 0, max: 600 },
        ],
        async run(ctx) {
          await act(ctx, 'change-password', { mode: ctx.args.mode ?? 'soft' });
        },
      },
    },
  });
}
