import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProvisioningError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redaction.js';
import { type StoreGridEmulator, startStoreGridEmulator } from '../../src/emulators/storegrid/index.js';
import { StoreGridClient } from '../../src/modules/storegrid/client.js';
import type { AccountSignup } from '../../src/modules/storegrid/wire-adapter.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { createMemoryModuleLog } from '../../src/transport/module-log.js';

let emulator: StoreGridEmulator;

function connect(
  overrides: { password?: string; port?: number; timeoutMs?: number; secrets?: string[] } = {},
) {
  const password = overrides.password ?? emulator.credentials.password;
  const log = createMemoryModuleLog(new Redactor([password, ...(overrides.secrets ?? [])]));
  const client = new StoreGridClient({
    server: {
      host: '127.0.0.1',
      port: overrides.port ?? emulator.port,
      secure: false,
      username: emulator.credentials.username,
      secret: password,
      tls: { verify: true },
    },
    moduleLog: log,
    ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs } : {}),
  });
  return { client, log };
}

function signup(overrides: Partial<AccountSignup> = {}): AccountSignup {
  return {
    type: 'reseller',
    name: 'acme',
    email: 'ops@acme.example',
    company: 'Acme',
    activate: true,
    autoAuthorization: false,
    storageAllottedBytes: 100 * 1024 ** 3,
    storageLocation: '',
    consolidatedReportEmails: null,
    mcal: 'auto',
    throttling: { mode: 'global' },
    sendMail: false,
    notes: 'provisio-service-1',
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ProvisioningError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProvisioningError);
  return error as ProvisioningError;
}

beforeAll(async () => {
  emulator = await startStoreGridEmulator({ fixtures: false });
});
afterEach(() => emulator.reset({ fixtures: false }));
afterAll(async () => {
  await emulator.close();
  await closeHttpAgents();
});

describe('storegrid client against the emulator', () => {
  it('signs up a reseller and a customer under it, toggles activation, in the order called', async () => {
    const { client } = connect();
    await client.signup(signup());
    await client.signup(
      signup({ type: 'customer', name: 'acme-c1', resellerName: 'acme', storageAllottedBytes: 1024 ** 3 }),
    );
    await client.setActive('customer', 'acme-c1', false);
    expect(emulator.account('customer', 'acme-c1')?.active).toBe(false);
    await client.setActive('customer', 'acme-c1', true);
    await client.setActive('reseller', 'acme', false);
    expect(emulator.account('customer', 'acme-c1')).toMatchObject({ active: true, clientsMayBackUp: false });
    const customer = await client.getAccount('customer', 'acme-c1');
    expect(customer).toMatchObject({
      type: 'customer',
      name: 'acme-c1',
      resellerName: 'acme',
      active: true,
      notes: 'provisio-service-1',
    });
    expect(emulator.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /sgwebapi/SignupReseller',
      'POST /sgwebapi/SignupCustomer',
      'POST /sgwebapi/DeactivateAccount',
      'POST /sgwebapi/ActivateAccount',
      'POST /sgwebapi/DeactivateAccount',
      'GET /sgwebapi/GetAccountDetails',
    ]);
  });

  it('reports the server version and counts', async () => {
    const { client } = connect();
    await client.signup(signup());
    expect(await client.serverInfo()).toMatchObject({ product: 'StoreGrid SP', resellers: 1, customers: 0 });
  });

  it('returns null for an unknown account and maps refusals to codes with the console message', async () => {
    const { client } = connect();
    expect(await client.getAccount('reseller', 'nobody')).toBeNull();
    await client.signup(signup());
    const duplicate = await failureOf(client.signup(signup()));
    expect([duplicate.code, duplicate.kind]).toEqual(['storegrid.name_taken', 'conflict']);
    expect(duplicate.message).toContain('already exists');
    const orphan = await failureOf(
      client.signup(signup({ type: 'customer', name: 'cust2', resellerName: 'ghost' })),
    );
    expect([orphan.code, orphan.kind]).toEqual(['storegrid.reseller_not_found', 'not-found']);
    expect(orphan.message).toContain('Reseller ghost does not exist');
    const tooBig = await failureOf(
      client.signup(
        signup({ type: 'customer', name: 'cust3', resellerName: 'acme', storageAllottedBytes: 1024 ** 4 }),
      ),
    );
    expect(tooBig.code).toBe('storegrid.limit_exceeded');
    expect(tooBig.message).toMatch(/space left/);
    const missing = await failureOf(client.setActive('customer', 'ghost', true));
    expect([missing.code, missing.kind]).toEqual(['storegrid.account_missing', 'not-found']);
  });

  it('has the emulator refuse out-of-range values with every message', async () => {
    const { client } = connect();
    const error = await failureOf(
      client.signup(
        signup({
          name: 'x',
          consolidatedReportEmails: ['nope'],
          mcal: 0,
          throttling: { mode: 'new', enabled: true, window: { from: '2400', till: '0900' }, rateBytes: 1024 },
        }),
      ),
    );
    expect(error.kind).toBe('invalid-input');
    for (const part of [
      'Name "x"',
      'AllotMCAL',
      'ThrottleFrom "2400"',
      'RestrictedRate should be greater than 1024 bytes',
    ]) {
      expect(error.message).toContain(part);
    }
    expect(emulator.snapshot().resellers).toEqual([]);
  });

  it('refuses wrong admin credentials as auth, without the password in the message or the log', async () => {
    const { client, log } = connect({ password: 'wrong-secret-42' });
    const error = await failureOf(client.serverInfo());
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/admin user name and password/);
    expect(JSON.stringify(log.rows)).not.toContain('wrong-secret-42');
  });

  it('serves the customer pass key, masked in the module log, and sends the password in a form the redactor knows', async () => {
    const { client, log } = connect({ secrets: ['Service Pass 1'] });
    await client.signup(signup({ password: 'Service Pass 1' }));
    await client.signup(
      signup({ type: 'customer', name: 'acme-c1', resellerName: 'acme', storageAllottedBytes: 1024 }),
    );
    const key = await client.customerPassKey('acme-c1');
    expect(key).toBe(emulator.account('customer', 'acme-c1')?.passKey);
    const logged = JSON.stringify(log.rows);
    expect(logged).not.toContain(key);
    expect(logged).toContain('<PassKey>***</PassKey>');
    expect(logged).toContain('Password=***');
    expect(logged).not.toMatch(/Service(%20|\+| )Pass/);
    expect(emulator.account('reseller', 'acme')?.passwordSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('storegrid client: changes and listings', () => {
  it('edits allotments and notes, refusing what the reseller cannot cover', async () => {
    const { client } = connect();
    await client.signup(signup({ storageAllottedBytes: 10 * 1024 ** 3 }));
    await client.signup(
      signup({ type: 'customer', name: 'acme-c1', resellerName: 'acme', storageAllottedBytes: 1024 }),
    );
    const pkg = {
      storageAllottedBytes: 2 * 1024 ** 3,
      autoAuthorization: true,
      mcal: 3,
      throttling: { mode: 'new', enabled: true, window: 'always', rateBytes: 4096 },
    } as const;
    await client.setPackage('customer', 'acme-c1', pkg);
    expect(await client.getAccount('customer', 'acme-c1')).toMatchObject(pkg);
    await client.setNotes('customer', 'acme-c1', 'line one\nprovisio-service-1');
    expect((await client.getAccount('customer', 'acme-c1'))?.notes).toBe('line one\nprovisio-service-1');
    const tooBig = await failureOf(
      client.setPackage('customer', 'acme-c1', { ...pkg, storageAllottedBytes: 11 * 1024 ** 3 }),
    );
    expect([tooBig.code, tooBig.kind]).toEqual(['storegrid.limit_exceeded', 'conflict']);
    expect(tooBig.message).toMatch(/space left/);
  });

  it('changes the web-portal password, sending it only in the body, masked in the module log', async () => {
    const { client, log } = connect({ secrets: ['Fresh pass 7'] });
    await client.signup(signup());
    const before = emulator.account('reseller', 'acme')?.passwordSha256;
    await client.changePassword('reseller', 'acme', 'Fresh pass 7');
    expect(emulator.account('reseller', 'acme')?.passwordSha256).not.toBe(before);
    expect(emulator.requests().at(-1)?.query).toBe('');
    expect(JSON.stringify(log.rows)).not.toMatch(/Fresh(%20|\+| )pass/);
  });

  it('reads the account list page by page', async () => {
    const { client } = connect();
    for (let i = 0; i < 101; i++) emulator.seed('reseller', { name: `r-${String(i).padStart(3, '0')}` });
    const first = await client.listAccounts('reseller', 1);
    const second = await client.listAccounts('reseller', 2);
    expect([first.accounts.length, first.pageCount, second.accounts.map((a) => a.name)]).toEqual([
      100,
      2,
      ['r-100'],
    ]);
  });

  it('calls an answer it cannot read unexpected, naming where', async () => {
    const { client } = connect();
    emulator.injectFault({ kind: 'error', status: 200, match: '/sgwebapi/ServerInfo', body: { not: 'xml' } });
    const error = await failureOf(client.serverInfo());
    expect(error.code).toBe('storegrid.unexpected_answer');
    expect(error.message).toMatch(/StoreGrid web console at 127\.0\.0\.1:\d+/);
  });
});

describe('storegrid client: transport faults', () => {
  it('maps a busy server to unavailable', async () => {
    const { client } = connect();
    emulator.injectFault({ kind: 'error', status: 503, match: '/sgwebapi/ServerInfo' });
    expect((await failureOf(client.serverInfo())).kind).toBe('unavailable');
    await expect(client.serverInfo()).resolves.toBeDefined();
  });

  it('maps a refused connection to unavailable', async () => {
    const other = await startStoreGridEmulator({ fixtures: false });
    const port = other.port;
    await other.close();
    const { client } = connect({ port });
    const error = await failureOf(client.serverInfo());
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/refused the connection/);
  });

  it('reports a signup whose answer was lost as unknown-outcome, while the account exists', async () => {
    const { client } = connect();
    emulator.injectFault({ kind: 'drop-after', match: '/sgwebapi/SignupReseller' });
    expect((await failureOf(client.signup(signup()))).kind).toBe('unknown-outcome');
    expect(emulator.account('reseller', 'acme')).toBeDefined();
  });

  it('times out a hanging server: a read is retryable, a write is an unknown outcome', async () => {
    const { client } = connect({ timeoutMs: 200 });
    emulator.injectFault({ kind: 'hang', times: 2 });
    expect((await failureOf(client.getAccount('reseller', 'acme'))).kind).toBe('unavailable');
    expect((await failureOf(client.setActive('reseller', 'acme', false))).kind).toBe('unknown-outcome');
  });

  it('accepts faults and exposes the request log through the control routes', async () => {
    const { client } = connect();
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', status: 401, match: '/sgwebapi/ServerInfo' }),
    });
    expect((await failureOf(client.serverInfo())).kind).toBe('auth');
    const log = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as {
      requests: Array<{ path: string; status: number }>;
    };
    expect(log.requests).toEqual([expect.objectContaining({ path: '/sgwebapi/ServerInfo', status: 401 })]);
  });
});
