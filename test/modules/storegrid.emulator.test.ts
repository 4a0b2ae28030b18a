import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulator as definition, type StoreGridEmulator } from '../../src/emulators/storegrid/index.js';

/**
 * The emulator on its own, over real sockets and the raw wire: what it accepts and what it
 * refuses, its two listeners, its seed and by-hand routes. No module code is involved.
 */
let emu: StoreGridEmulator;

beforeAll(async () => {
  emu = (await definition.start({ port: 0, fixtures: false })) as StoreGridEmulator;
});
beforeEach(() => emu.reset({ fixtures: false }));
afterAll(async () => {
  await emu.close();
});

const basic = () =>
  `Basic ${Buffer.from(`${emu.credentials.username}:${emu.credentials.password}`).toString('base64')}`;

async function call(
  method: 'GET' | 'POST',
  path: string,
  params: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = method === 'GET' && params ? `${emu.url}${path}?${params}` : `${emu.url}${path}`;
  const response = await fetch(url, {
    method,
    headers: {
      authorization: basic(),
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    ...(method === 'POST' ? { body: params } : {}),
  });
  return { status: response.status, body: await response.text() };
}

async function control(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emu.url}/__emulator${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const RESELLER_SIGNUP =
  'Name=acme&Email=ops%40acme.example&ActivationStatus=1&AutoAuthorization=0&StorageAllotted=1073741824' +
  '&IsAutoMCAL=1&BandwidthThrottling=Global&SendMail=0&Notes=hello%20world';

describe('storegrid emulator: the console API on the raw wire', () => {
  it('signs up and describes an account in the XML envelope', async () => {
    expect(await call('POST', '/sgwebapi/SignupReseller', RESELLER_SIGNUP)).toEqual({
      status: 200,
      body: '<SGResponse><Status>Success</Status><Data><Name>acme</Name></Data></SGResponse>',
    });
    const details = await call('GET', '/sgwebapi/GetAccountDetails', 'AccountType=Reseller&Name=acme');
    expect(details.body).toBe(
      '<SGResponse><Status>Success</Status><Data><AccountType>Reseller</AccountType><Name>acme</Name>' +
        '<Email>ops@acme.example</Email><Company></Company><Active>1</Active><AutoAuthorization>0</AutoAuthorization>' +
        '<StorageAllotted>1073741824</StorageAllotted><StorageUsed>0</StorageUsed>' +
        '<StorageLocation>/backup/resellers/acme</StorageLocation><IsAutoMCAL>1</IsAutoMCAL><MCALUsed>0</MCALUsed>' +
        '<BandwidthThrottling>Global</BandwidthThrottling><Clients>0</Clients><Notes>hello world</Notes></Data></SGResponse>',
    );
  });

  it('refuses unknown, repeated and ill-formed parameters, changing nothing', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['POST', `${RESELLER_SIGNUP}&Colour=red`, /Unknown parameter Colour/],
      ['POST', `${RESELLER_SIGNUP}&Name=again`, /Name was given more than once/],
      ['POST', RESELLER_SIGNUP.replace('SendMail=0', 'SendMail=true'), /SendMail must be 1 or 0/],
      ['POST', RESELLER_SIGNUP.replace('1073741824', '1GB'), /StorageAllotted must be a whole number/],
      ['POST', RESELLER_SIGNUP.replace('IsAutoMCAL=1', 'IsAutoMCAL=0'), /AllotMCAL is required/],
      ['POST', `${RESELLER_SIGNUP}&ResellerName=x`, /Unknown parameter ResellerName/],
      ['POST', `${RESELLER_SIGNUP}&EnableThrottle=1`, /EnableThrottle does not apply/],
    ];
    for (const [, body, message] of cases) {
      const answer = await call('POST', '/sgwebapi/SignupReseller', body);
      expect(answer.status, body).toBe(400);
      expect(answer.body).toContain('<Code>INVALID_VALUE</Code>');
      expect(answer.body).toMatch(message);
    }
    expect(emu.snapshot().resellers).toEqual([]);
  });

  it('refuses a POST that is not a form, a GET with a body, and an unknown call', async () => {
    const json = await call('POST', '/sgwebapi/SignupReseller', RESELLER_SIGNUP, {
      'content-type': 'application/json',
    });
    expect(json.status).toBe(400);
    expect(json.body).toMatch(/must be application\/x-www-form-urlencoded/);
    expect((await call('POST', '/sgwebapi/ServerInfo', '')).status).toBe(404);
    expect((await call('GET', '/sgwebapi/SignupReseller', RESELLER_SIGNUP)).body).toContain(
      '<Code>INVALID_CALL</Code>',
    );
    expect(emu.snapshot().resellers).toEqual([]);
  });

  it('refuses wrong admin credentials', async () => {
    const answer = await call('GET', '/sgwebapi/ServerInfo', '', {
      authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}`,
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('<Code>AUTH_FAILED</Code>');
  });

  it('pages ListAccounts and reports PageCount and TotalCount', async () => {
    await control('/seed/reseller', { items: [1, 2, 3].map((n) => ({ name: `r-${n}` })) });
    const page2 = await call('GET', '/sgwebapi/ListAccounts', 'AccountType=Reseller&Page=2&PageSize=2');
    expect(page2.body).toMatch(
      /^<SGResponse><Status>Success<\/Status><Data><Page>2<\/Page><PageSize>2<\/PageSize><PageCount>2<\/PageCount><TotalCount>3<\/TotalCount><Accounts><Account><AccountType>Reseller<\/AccountType><Name>r-3<\/Name>/,
    );
    expect(page2.body.match(/<Account>/g)).toHaveLength(1);
    expect((await call('GET', '/sgwebapi/ListAccounts', 'AccountType=Reseller&PageSize=101')).status).toBe(
      400,
    );
  });

  it('shares a reseller’s space among its customers and counts machines as usage', async () => {
    await control('/seed/reseller', { name: 'small', storageAllottedBytes: 1000 });
    await control('/seed/customer', { name: 'c-1', resellerName: 'small', storageAllottedBytes: 600 });
    const tooBig = await call(
      'POST',
      '/sgwebapi/SignupCustomer',
      'Name=c-2&ResellerName=small&ActivationStatus=1&AutoAuthorization=0&StorageAllotted=500&IsAutoMCAL=1' +
        '&BandwidthThrottling=Global&SendMail=0&EnableConsolidatedReport=0',
    );
    expect(tooBig.status).toBe(409);
    expect(tooBig.body).toContain('Reseller small has 400 bytes of space left');
    await control('/seed/machine', { customer: 'c-1', usedBytes: 250 });
    expect(emu.account('customer', 'c-1')).toMatchObject({ storageUsedBytes: 250, mcalUsed: 1, machines: 1 });
    expect(emu.account('reseller', 'small')).toMatchObject({ storageUsedBytes: 250, machines: 1 });
  });

  it('changes accounts by hand through the by-hand routes, and refuses bad seeds with 422', async () => {
    await control('/seed/reseller', { name: 'r-1' });
    expect((await control('/by-hand/deactivate', { type: 'reseller', name: 'r-1' })).status).toBe(200);
    await control('/by-hand/edit', { type: 'reseller', name: 'r-1', storageAllottedBytes: 5, mcal: 7 });
    expect(emu.account('reseller', 'r-1')).toMatchObject({ active: false, storageAllottedBytes: 5, mcal: 7 });
    await control('/by-hand/delete', { type: 'reseller', name: 'r-1' });
    expect(emu.account('reseller', 'r-1')).toBeUndefined();
    expect(await control('/seed/customer', { name: 'orphan', resellerName: 'ghost' })).toEqual({
      status: 422,
      json: { error: 'Reseller ghost does not exist' },
    });
    expect((await control('/seed/planet', { name: 'x' })).status).toBe(422);
  });
});

describe('storegrid emulator: listeners', () => {
  it('serves HTTPS beside HTTP, naming its fingerprint', () => {
    expect(emu.tlsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.tlsPort).not.toBe(emu.port);
    expect(emu.describe().join('\n')).toContain(emu.fingerprint256);
  });

  it('answers plain HTTP on the HTTPS port with nginx’s 400 page', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(emu.tlsPort, '127.0.0.1', () => {
        socket.write('GET /sgwebapi/ServerInfo HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).toContain('The plain HTTP request was sent to HTTPS port');
  });
});
