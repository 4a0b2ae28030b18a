import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator, emulator as definition } from '../../src/emulators/axigen/index.js';
import { waitUntil } from '../support/wait-until.js';

/** The emulator's protocol behaviour over a raw socket (docs/specs/axigen.md §2–§9), independent of the module. */
let emulator: AxigenEmulator;

afterEach(async () => {
  await emulator?.close();
});

class RawCli {
  private buffer = '';
  private closed = false;
  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }
  static async open(port: number): Promise<RawCli> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const cli = new RawCli(socket);
    await cli.read();
    return cli;
  }
  async read(): Promise<string> {
    await waitUntil(() => /<[^<>]*> $/.test(this.buffer) || this.closed, 5_000, 'a prompt');
    const out = this.buffer;
    this.buffer = '';
    return out;
  }
  write(line: string): void {
    this.socket.write(`${line}\r\n`);
  }
  async send(line: string): Promise<string> {
    this.write(line);
    return this.read();
  }
  get isClosed(): boolean {
    return this.closed;
  }
  close(): void {
    this.socket.destroy();
  }
}

async function loggedIn(): Promise<RawCli> {
  const cli = await RawCli.open(emulator.port);
  await cli.send('user admin');
  expect(await cli.send('axigen-admin')).toBe('+OK: Authentication successful\r\n<#> ');
  return cli;
}

describe('axigen emulator: session', () => {
  it('greets with the banner and <login>, answers GET VERSION before login only, and says goodbye on EXIT', async () => {
    emulator = await AxigenEmulator.start({ version: 'X6' });
    const socket = connect({ host: '127.0.0.1', port: emulator.port });
    const cli = new RawCli(socket);
    expect(await cli.read()).toBe("Welcome to AXIGEN's Command Line Interface\r\n<login> ");
    expect(await cli.send('GET VERSION')).toBe('10.6.30|Linux|x86_64\r\n+OK: command successful\r\n<login> ');
    expect(await cli.send('LIST Domains')).toMatch(/^-ERR.*\r\n<login> $/);
    await cli.send('USER admin');
    await cli.send('axigen-admin');
    // The 10.6.30 help lists GET VERSION in the login context only.
    expect(await cli.send('GET VERSION')).toMatch(/^-ERR.*\r\n<#> $/);
    expect(await cli.send('EXIT')).toBe('+OK: have a nice day\r\n');
    expect(cli.isClosed).toBe(true);
  });

  it('closes after five failed logins', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await RawCli.open(emulator.port);
    for (let i = 0; i < 5; i++) {
      expect(await cli.send('USER admin')).toMatch(/<password> $/);
      await cli.send('nope');
    }
    expect(cli.isClosed).toBe(true);
  });

  it('serves implicit TLS with a certificate whose fingerprint describe() prints; a plain client that writes is closed', async () => {
    emulator = await AxigenEmulator.start({ tls: true });
    expect(emulator.describe().join('\n')).toContain(
      `certificate SHA-256 fingerprint: ${emulator.fingerprint256}`,
    );
    const secure = connectTls({ host: '127.0.0.1', port: emulator.port, rejectUnauthorized: false });
    const cli = new RawCli(secure as unknown as Socket);
    expect(await cli.read()).toMatch(/<login> $/);
    cli.close();
    const plain = await new Promise<Socket>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: emulator.port }, () => resolve(socket));
    });
    const raw = new RawCli(plain);
    plain.write('USER admin\r\n');
    await waitUntil(() => raw.isClosed, 5_000, 'the TLS port to close a plain client');
  });
});

describe('axigen emulator: contexts and transactions', () => {
  it('keeps drafts until COMMIT, drops them on BACK, and refuses DONE/COMMIT where the help does not list them', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    expect(await cli.send('BACK')).toMatch(/^-ERR.*\r\n<#> $/);
    expect(await cli.send('UPDATE Domain name example.com')).toMatch(/<domain#> $/);
    expect(await cli.send("ADD Account name 'draft' password 'x'")).toMatch(/<domain-account#> $/);
    expect(await cli.send('BACK')).toMatch(/<domain#> $/);
    expect(emulator.state.domains.get('example.com')?.accounts.has('draft')).toBe(false);
    expect(await cli.send('CONFIG adminLimits')).toMatch(/<domain-adminLimits#> $/);
    expect(await cli.send('DONE')).toMatch(/^-ERR.*\r\n<domain-adminLimits#> $/);
    expect(await cli.send('SET maxAccounts many')).toMatch(/^-ERR/);
    expect(await cli.send('COMMIT')).toBe(
      '+OK: committing changes and switching back to previous context\r\n<domain#> ',
    );
    expect(await cli.send('CONFIG accountDefaultQuotas')).toMatch(/<domain-accountDefaultQuotas#> $/);
    expect(await cli.send('COMMIT')).toMatch(/^-ERR.*\r\n<domain-accountDefaultQuotas#> $/);
    expect(await cli.send('DONE')).toMatch(/^\+OK.*\r\n<domain#> $/);
    expect(await cli.send('ADD Account name kept password "a \\"b\\""')).toMatch(/<domain-account#> $/);
    expect(await cli.send('CONFIG Quotas')).toMatch(/<domain-account-quotas#> $/);
    expect(await cli.send('SET totalMessageSize 1024')).toBe(
      '+OK: command successful\r\n<domain-account-quotas#> ',
    );
    expect(await cli.send('DONE')).toMatch(/<domain-account#> $/);
    expect(await cli.send('COMMIT')).toMatch(/<domain#> $/);
    expect(emulator.state.domains.get('example.com')?.accounts.get('kept')).toMatchObject({
      password: 'a "b"',
      quotas: { totalMessageSize: '1024' },
    });
    expect(await cli.send('SHOW Account name kept ATTR name')).toBe(
      'name = "kept"\r\n\r\n+OK: command successful\r\n<domain#> ',
    );
    cli.close();
  });

  it('accepts RESET <attr> only in the contexts whose help lists it (account Quotas and Limits)', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('UPDATE Domain name example.com');
    for (const [context, attribute] of [
      ['adminLimits', 'maxAccounts'],
      ['accountDefaultQuotas', 'totalMessageCount'],
      ['MIGRATIONDATA', 'enable'],
    ]) {
      await cli.send(`CONFIG ${context}`);
      expect(await cli.send(`RESET ${attribute}`), context).toMatch(/^-ERR/);
      await cli.send('BACK');
    }
    await cli.send("UPDATE Account name 'info'");
    for (const [context, attribute, ok] of [
      ['Quotas', 'totalMessageSize', true],
      ['Limits', 'services', true],
      ['WebmailData', 'language', false],
      ['ContactInfo', 'firstName', false],
    ] as const) {
      expect(await cli.send(`CONFIG ${context}`)).toMatch(/^\+OK/);
      expect(await cli.send(`RESET ${attribute}`), context).toMatch(ok ? /^\+OK/ : /^-ERR/);
      await cli.send('BACK');
    }
    cli.close();
  });

  it('accepts what the 10.6.30 help lists: SHOW Domain, domain customerReference, rename, WebmailData, webmail and IMAP limits', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    expect(await cli.send('SHOW Domain name example.com ATTR customerReference')).toBe(
      'customerReference = ""\r\n\r\n+OK: command successful\r\n<#> ',
    );
    expect(await cli.send('SHOW Domain example.com')).toMatch(/^\r\n.*\r\nname = "example.com"\r\n/);
    await cli.send('UPDATE Domain name example.com');
    expect(await cli.send("SET customerReference 'billing-42'")).toMatch(/^\+OK/);
    await cli.send('COMMIT');
    expect(emulator.state.domains.get('example.com')?.attrs.customerReference).toBe('billing-42');
    await cli.send('UPDATE Domain name example.com');
    expect(await cli.send("ADD Account name 'fresh' password 'x'")).toMatch(/<domain-account#> $/);
    expect(await cli.send("SET name 'other'")).toMatch(/^-ERR/);
    await cli.send('BACK');
    await cli.send("UPDATE Account name 'sales'");
    expect(await cli.send("SET name 'sales2'")).toMatch(/^\+OK/);
    expect(await cli.send('CONFIG WebmailData')).toMatch(/<domain-account-webmaildata#> $/);
    expect(await cli.send('SET language en')).toMatch(/^\+OK/);
    await cli.send('DONE');
    await cli.send('CONFIG Limits');
    expect(await cli.send('SET webmailAttSize 10240')).toMatch(/^\+OK/);
    expect(await cli.send('SET imapConnectionCount 5')).toMatch(/^\+OK/);
    expect(await cli.send('SHOW ATTR enableActiveSync')).toMatch(/^enableActiveSync = no\r\n/);
    await cli.send('DONE');
    await cli.send('COMMIT');
    const accounts = emulator.state.domains.get('example.com')?.accounts;
    expect(accounts?.has('sales')).toBe(false);
    expect(accounts?.get('sales2')).toMatchObject({
      webmailData: { language: 'en' },
      limits: { webmailAttSize: '10240', imapConnectionCount: '5' },
    });
    cli.close();
  });

  it('checks the verb first, refuses UPDATE and SHOW of a disabled domain but allows EDIT', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    expect(await cli.send('ADD Domain name nowhere.test')).toBe('-ERR: invalid command\r\n<#> ');
    await cli.send('DISABLE Domain name example.org');
    expect(await cli.send('UPDATE Domain name example.org')).toMatch(/^-ERR.*\r\n<#> $/);
    expect(await cli.send('SHOW Domain name example.org ATTR customerReference')).toMatch(/^-ERR/);
    expect(await cli.send('EDIT Domain name example.org')).toMatch(/<domain-edit#> $/);
    expect(await cli.send('SET groupwareSupport yes')).toMatch(/^\+OK/);
    expect(await cli.send('COMMIT')).toMatch(/<#> $/);
    expect(emulator.state.domains.get('example.org')).toMatchObject({ enabled: false, groupware: true });
    cli.close();
  });

  it('prints the registry keys S2 reads, with dates it can parse', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('UPDATE Domain name example.com');
    await cli.send("UPDATE Account name 'info'");
    const lines = (await cli.send('SHOW RegistryInformation')).split('\r\n');
    const keys = lines.filter((line) => line.includes(' = ')).map((line) => line.split(' = ')[0]);
    for (const key of [
      'Internal ID',
      'Creation Date',
      'POP3 Last Login Date',
      'IMAP Last Login IP',
      'WebMail Last Login Date',
      'Active Sync Last Login Date',
      'OLK Last Login IP',
      'Internal Mbox Container ID',
      'Configuration Version',
      'Mbox Storage Version',
      'Associated LDAP ID',
      'Associated LDAP DN',
      'Mbox size',
      'Mbox message count',
    ])
      expect(keys).toContain(key);
    const created = lines.find((line) => line.startsWith('Creation Date = '))?.slice(16) ?? '';
    expect(Number.isNaN(Date.parse(created.split(' ').slice(0, -1).join(' ')))).toBe(false);
    cli.close();
  });

  it('reads the three quoting styles and lists alike', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('UPDATE Domain name example.com');
    for (const [raw, stored] of [
      ['ADD Account name a1 password it\\\'s\\ a\\ \\"test\\"', `it's a "test"`],
      ["ADD Account name a2 password 'it\"s (literal) \\n'", 'it"s (literal) \\n'],
      [`ADD Account name a3 password "it's \\"x\\" \\\\ (y)"`, `it's "x" \\ (y)`],
    ] as const) {
      expect(await cli.send(raw)).toMatch(/<domain-account#> $/);
      await cli.send('COMMIT');
      const name = raw.split(' ')[3] as string;
      expect(emulator.state.domains.get('example.com')?.accounts.get(name)?.password).toBe(stored);
    }
    await cli.send('UPDATE Account name a1');
    await cli.send('CONFIG Limits');
    expect(await cli.send('SHOW ATTR services')).toMatch(
      /^services = \(smtpIn smtpOut pop3 imap rpop webmail\)\r\n/,
    );
    expect(await cli.send('SET services (imap pop3)')).toMatch(/^\+OK/);
    expect(await cli.send('SHOW ATTR services')).toMatch(/^services = \(imap pop3\)\r\n/);
    expect(await cli.send('RESET services')).toMatch(/^\+OK/);
    expect(await cli.send('SHOW ATTR services')).toMatch(
      /^services = \(smtpIn smtpOut pop3 imap rpop webmail\)\r\n/,
    );
    cli.close();
  });

  it('lets an account inherit its class: INHERIT sets the membership, explicit values stay', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('UPDATE Domain name example.com');
    await cli.send("UPDATE Account name 'info'");
    expect(await cli.send("INHERIT SETTINGS FROM accountClass 'disabled_accounts'")).toMatch(/^\+OK/);
    expect(await cli.send('SHOW ATTR accountClassName')).toMatch(
      /^accountClassName = "disabled_accounts"\r\n/,
    );
    await cli.send('CONFIG Limits');
    expect(await cli.send('SHOW ATTR services')).toMatch(/^services = \(\)\r\n/);
    await cli.send('DONE');
    expect(await cli.send('INHERIT SETTINGS FROM domainDefaults')).toMatch(/^\+OK/);
    await cli.send('CONFIG Limits');
    expect(await cli.send('SHOW ATTR services')).toMatch(/^services = \(smtpIn /);
    cli.close();
  });
});

describe('axigen emulator: listings', () => {
  it('prints LIST tables with the 5-line header, no status column, and honours wildcards', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('DISABLE Domain name example.org');
    const all = (await cli.send('LIST AllDomains')).split('\r\n');
    expect(all.slice(0, 3)).toEqual(['', 'The list of all domains:', '']);
    expect(all[3]).toMatch(/^name\s+total\s+used$/);
    expect(all[4]).toMatch(/^-{60,}$/);
    expect(all.slice(5, 8).map((l) => l.split(/\s+/)[0])).toEqual([
      'example.com',
      'example.org',
      'other.test',
    ]);
    expect(all.slice(8)).toEqual(['', '+OK: command successful', '<#> ']);
    const active = (await cli.send('LIST Domains')).split('\r\n');
    expect(active.slice(5, -3).map((l) => l.split(/\s+/)[0])).toEqual(['example.com', 'other.test']);
    const wildcard = (await cli.send('LIST Domains ex*')).split('\r\n');
    expect(wildcard.slice(5, -3).map((l) => l.split(/\s+/)[0])).toEqual(['example.com']);
    await cli.send('UPDATE Domain name example.com');
    const accounts = (await cli.send('LIST Accounts i*')).split('\r\n');
    expect(accounts.slice(5, -3)).toEqual(['info']);
    cli.close();
  });
});

describe('axigen emulator: the common control handle', () => {
  it('logs every command (password lines as ***) with its answer, and takes faults by command prefix', async () => {
    emulator = await AxigenEmulator.start();
    const control = emulator.controlUrl as string;
    const added = await fetch(`${control}/faults`, {
      method: 'POST',
      body: JSON.stringify({ match: 'LIST', kind: 'error', body: '-ERR: busy' }),
    });
    expect(added.status).toBe(201);
    const cli = await loggedIn();
    expect(await cli.send('LIST Domains')).toBe('-ERR: busy\r\n<#> ');
    expect(await cli.send('LIST Domains')).toMatch(/^\r\nThe list of domains:/);
    emulator.injectFault({ match: 'DELETE', kind: 'drop-after' });
    cli.write('DELETE Domain name other.test');
    await waitUntil(() => cli.isClosed, 5_000, 'the dropped connection');
    expect(emulator.state.domains.has('other.test')).toBe(false);
    const { requests } = (await (await fetch(`${control}/requests?method=CLI`)).json()) as {
      requests: Array<{
        path: string;
        fault?: string;
        ok: boolean | null;
        response: string | null;
        context: string;
      }>;
    };
    expect(requests.map((r) => r.path)).toEqual([
      'user admin',
      '***',
      'LIST Domains',
      'LIST Domains',
      'DELETE Domain name other.test',
    ]);
    expect(requests.map((r) => r.fault ?? '')).toEqual(['', '', 'error', '', 'drop-after']);
    expect(requests[1]).toMatchObject({
      context: 'password',
      ok: true,
      response: '+OK: Authentication successful\r\n<#> ',
    });
    expect(requests[4]).toMatchObject({ response: null });
    expect(JSON.stringify(requests)).not.toContain('axigen-admin');
    await fetch(`${control}/reset`, { method: 'POST', body: '{}' });
    const snapshot = (await (await fetch(`${control}/snapshot`)).json()) as {
      domains: Record<string, unknown>;
    };
    expect(snapshot.domains).toHaveProperty('other.test');
  });

  it('seeds every entity over HTTP, also without fixtures, and refuses bad seeds with 422', async () => {
    emulator = await AxigenEmulator.start({ fixtures: false });
    const control = emulator.controlUrl as string;
    const seed = (entity: string, body: unknown) =>
      fetch(`${control}/seed/${entity}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await seed('domain', { name: 'seeded.test', accounts: ['info', 'sales'] })).status).toBe(201);
    expect(
      (await seed('accountClass', { domain: 'seeded.test', name: 'off', limits: { services: [] } })).status,
    ).toBe(201);
    expect(
      (
        await seed('account', {
          domain: 'seeded.test',
          name: 'bob',
          customerReference: 'provisio-service-999',
        })
      ).status,
    ).toBe(201);
    expect((await seed('maillist', { domain: 'seeded.test', name: 'news' })).status).toBe(201);
    expect((await seed('alias', { domain: 'seeded.test', alias: 'seeded.example' })).status).toBe(201);
    expect(
      (await seed('staffChange', { domain: 'seeded.test', account: 'bob', limits: { services: [] } })).status,
    ).toBe(201);
    expect((await seed('staffChange', { domain: 'seeded.test', enabled: false })).status).toBe(201);
    expect((await seed('account', { domain: 'seeded.test', name: 'bob' })).status).toBe(422);
    expect((await seed('planet', {})).status).toBe(422);
    const domain = emulator.state.domains.get('seeded.test');
    expect(domain).toMatchObject({ enabled: false, aliases: ['seeded.example'] });
    expect([...(domain?.accounts.keys() ?? [])].sort()).toEqual(['bob', 'info', 'postmaster', 'sales']);
    expect(domain?.accounts.get('bob')).toMatchObject({
      limits: { services: [] },
      attrs: { customerReference: 'provisio-service-999' },
    });
    const info = (await (await fetch(control)).json()) as { seedEntities: string[] };
    expect(info.seedEntities).toContain('maillist');
  });

  it('starts through its definition with the common options', async () => {
    emulator = (await definition.start({
      port: 0,
      fixtures: false,
      options: { version: 'X6' },
    })) as AxigenEmulator;
    expect(emulator.version).toBe('10.6.30|Linux|x86_64');
    expect(emulator.state.domains.size).toBe(0);
    expect(emulator.describe()[0]).toContain(emulator.url);
  });
});
