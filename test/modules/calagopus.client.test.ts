import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvisioningError } from '../../src/core/errors.js';
import {
  type CalagopusEmulator,
  FIXTURE,
  startCalagopusEmulator,
} from '../../src/emulators/calagopus/index.js';
import { CalagopusClient, panelErrorMessages } from '../../src/modules/calagopus/client.js';
import {
  featureLimits,
  panelUsername,
  parseEggVariables,
  serverName,
  splitLocationUuids,
} from '../../src/modules/calagopus/payload.js';
import { contextFor } from './calagopus.support.js';

let emulator: CalagopusEmulator;

beforeAll(async () => {
  emulator = await startCalagopusEmulator({});
});
afterAll(async () => {
  await emulator.close();
});

async function failure(promise: Promise<unknown>): Promise<ProvisioningError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProvisioningError);
  return error as ProvisioningError;
}

describe('calagopus client: error envelope', () => {
  it('unwraps double-encoded model-level errors and keeps route-level ones', () => {
    expect(
      panelErrorMessages({
        errors: [
          '{"errors":["username: length is lower than 3","email: not a valid email: value is missing `@`"]}',
        ],
      }),
    ).toEqual(['username: length is lower than 3', 'email: not a valid email: value is missing `@`']);
    expect(panelErrorMessages({ errors: ['name: length is lower than 3'] })).toEqual([
      'name: length is lower than 3',
    ]);
    expect(panelErrorMessages({ errors: ['{"errors" broken'] })).toEqual(['{"errors" broken']);
    expect(panelErrorMessages('not json')).toEqual([]);
  });

  it('maps a double-encoded 400 to invalid-input with the readable text, and never logs the key', async () => {
    const { ctx, moduleLog } = contextFor(emulator.port);
    const client = CalagopusClient.forServer(ctx);
    const error = await failure(
      client.createUser({
        username: 'ab',
        email: 'x@example.com',
        name_first: 'A',
        name_last: 'B',
        admin: false,
        language: 'en',
      }),
    );
    expect(error.kind).toBe('invalid-input');
    expect(error.message).toContain('(HTTP 400): username: length is lower than 3');
    expect(JSON.stringify(moduleLog.rows)).not.toContain(FIXTURE.apiKey);
  });

  it('treats 429 as unavailable with Retry-After, and 403 permission as auth with the permission to tick', async () => {
    const { ctx } = contextFor(emulator.port);
    const limit = {
      kind: 'error' as const,
      status: 429,
      body: { errors: ['you are ratelimited, retry in 7s'] },
      headers: { 'retry-after': '7' },
    };
    emulator.injectFault(limit);
    const retried = await failure(CalagopusClient.forServer(ctx, 'first-attempt').listLocations());
    expect([retried.kind, retried.code, retried.retryAfterSeconds]).toEqual([
      'unavailable',
      'calagopus.rate_limited',
      7,
    ]);
    expect(retried.message).toContain('the operation will be retried in 7 s');
    // Outside an operation (server test) nothing retries: the message must not promise it.
    emulator.injectFault(limit);
    const once = await failure(CalagopusClient.forServer(ctx).listLocations());
    expect(once.message).toContain('try again in 7 s');
    expect(once.message).not.toContain('retried');
    const key = emulator.createApiKey({ permissions: ['servers.read'] });
    const denied = await failure(
      CalagopusClient.forServer(contextFor(emulator.port, key).ctx).listLocations(),
    );
    expect(denied.kind).toBe('auth');
    expect(denied.message).toContain('tick the admin permission locations.read');
  });

  it('reports a redirect (http to https) as a failure naming the likely cause', async () => {
    const { createServer } = await import('node:http');
    const redirecting = createServer((_req, res) => {
      res.writeHead(301, { location: 'https://panel.example/api/admin/locations' });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const port = (redirecting.address() as { port: number }).port;
    const error = await failure(CalagopusClient.forServer(contextFor(port).ctx).listLocations());
    expect(error.kind).toBe('invalid-input');
    expect(error.message).toMatch(/redirect \(HTTP 301 to https:\/\/panel\.example.*http vs https/);
    await new Promise<void>((resolve) => redirecting.close(() => resolve()));
  });

  it('maps a refused connection to unavailable and a hung POST to unknown-outcome', async () => {
    const closed = await startCalagopusEmulator({});
    const port = closed.port;
    await closed.close();
    expect((await failure(CalagopusClient.forServer(contextFor(port).ctx).listLocations())).kind).toBe(
      'unavailable',
    );
    emulator.injectFault({ kind: 'hang', method: 'POST' });
    const client = CalagopusClient.forServer(contextFor(emulator.port).ctx, 'create', 200);
    expect((await failure(client.createServer({}))).kind).toBe('unknown-outcome');
  });
});

describe('calagopus client: a panel 500 is retried at most once outside create', () => {
  it('reads a 500 as transient on a create and on the first attempt, as the panel failure after that', async () => {
    const { ctx } = contextFor(emulator.port);
    const stances = ['create', 'first-attempt', 'final'] as const;
    const answers = [];
    for (const stance of stances) {
      emulator.injectFault({ kind: 'error', method: 'GET', match: '/api/admin/locations', status: 500 });
      answers.push(await failure(CalagopusClient.forServer(ctx, stance).listLocations()));
    }
    expect(answers.map((e) => [e.kind, e.code])).toEqual([
      ['unavailable', 'calagopus.panel_unavailable'],
      ['unavailable', 'calagopus.panel_unavailable'],
      ['remote', 'calagopus.panel_failed'],
    ]);
    expect(answers[2]?.message).toContain('(HTTP 500): internal server error');
    expect(answers[2]?.message).not.toContain('will be retried');
  });
});

describe('calagopus payload rules', () => {
  it('derives the panel username as the reference does', () => {
    expect(panelUsername('Jean-Luc', 'Picard', '42')).toBe('jeanlucpicar_42');
    expect(panelUsername('Al', '', '7')).toBe('user_7');
    expect(panelUsername('Zoë', 'Ö', '12345678901234')).toBe(
      'user_12345678901234'.slice(0, 0) + '_12345678901234',
    );
    expect(panelUsername('Ann', 'Lee', '5').length).toBeLessThanOrEqual(15);
  });

  it('parses feature limits, variables, locations and names', () => {
    const settings = {
      allocationLimit: '2',
      databaseLimit: '',
      backupLimit: '1',
      scheduleLimit: '0',
      customFeatureLimits: 'plugins:5, modded:true,tier:gold,backups:9',
    };
    expect(featureLimits(settings as never)).toEqual({
      allocations: 2,
      databases: 0,
      backups: 9,
      schedules: 0,
      plugins: 5,
      modded: true,
      tier: 'gold',
    });
    expect(parseEggVariables('A=1\n\n B = x=y \nnovalue').ok).toBe(false);
    expect(parseEggVariables('A=1\n\n B = x=y ').variables).toEqual([
      { env_variable: 'A', value: '1' },
      { env_variable: 'B', value: 'x=y' },
    ]);
    expect(splitLocationUuids(' a , b,')).toEqual(['a', 'b']);
    expect(serverName('', 12)).toBe('Server-12');
    expect(serverName(' MC- ', 12)).toBe('MC-12');
  });
});
