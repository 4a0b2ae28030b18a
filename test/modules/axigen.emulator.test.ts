import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator } from '../../src/emulators/axigen/index.js';

/** The emulator's protocol behaviour over a raw socket (spec §2–§9), independent of the module. */
let emulator: AxigenEmulator;

afterEach(async () => {
  await emulator?.close();
});

class RawCli {
  private buffer = '';
  private closed = false;
  private constructor(private readonly socket: Socket) {
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
    for (let i = 0; i < 200 && !/<[^<>]*> $/.test(this.buffer) && !this.closed; i++)
      await new Promise((r) => setTimeout(r, 5));
    const out = this.buffer;
    this.buffer = '';
    return out;
  }
  async send(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
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
  expect(await cli.send('axigen-admin')).toMatch(/^\+OK.*\r\n<#> $/);
  return cli;
}

describe('axigen emulator protocol', () => {
  it('greets with a banner and <login>, answers GET VERSION before login, and says goodbye on EXIT', async () => {
    emulator = await AxigenEmulator.start({ version: 'X6' });
    const cli = await RawCli.open(emulator.port);
    expect(await cli.send('GET VERSION')).toBe('10.6.30|Linux|x86_64\r\n+OK: command successful\r\n<login> ');
    expect(await cli.send('LIST Domains')).toMatch(/^-ERR.*\r\n<login> $/);
    await cli.send('USER admin');
    await cli.send('axigen-admin');
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

  it('keeps drafts until COMMIT, drops them on BACK, and refuses DONE/COMMIT where they do not apply', async () => {
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
    expect(await cli.send('COMMIT')).toMatch(/<domain#> $/);
    expect(await cli.send('ADD Account name kept password "a \\"b\\""')).toMatch(/<domain-account#> $/);
    expect(await cli.send('CONFIG Quotas')).toMatch(/<domain-account-quotas#> $/);
    expect(await cli.send('SET totalMessageSize 1024')).toMatch(/^\+OK/);
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
    expect(await cli.send('SET services (imap pop3)')).toMatch(/^\+OK/);
    expect(await cli.send('SHOW ATTR services')).toMatch(/^services = \(imap pop3\)\r\n/);
    cli.close();
  });

  it('prints LIST tables with the 5-line header and a blank line before the status', async () => {
    emulator = await AxigenEmulator.start();
    const cli = await loggedIn();
    await cli.send('DISABLE Domain name example.org');
    const lines = (await cli.send('LIST AllDomains')).split('\r\n');
    expect(lines.slice(0, 3)).toEqual(['', 'The list of all domains:', '']);
    expect(lines[3]).toMatch(/^name\s+total\s+used\s+status$/);
    expect(lines[4]).toMatch(/^-{60,}$/);
    expect(lines.slice(5, 8).map((l) => l.split(/\s+/)[0])).toEqual([
      'example.com',
      'example.org',
      'other.test',
    ]);
    expect(lines[6]).toMatch(/disabled$/);
    expect(lines.slice(8)).toEqual(['', '+OK: command successful', '<#> ']);
    expect(await cli.send('UPDATE Domain name example.org')).toMatch(/^-ERR.*\r\n<#> $/);
    cli.close();
  });

  it('drops, hangs and fails chosen commands, and is driven over its HTTP control interface too', async () => {
    emulator = await AxigenEmulator.start();
    const control = emulator.controlUrl as string;
    await fetch(`${control}/faults`, {
      method: 'POST',
      body: JSON.stringify({ match: 'LIST', kind: 'error', status: '-ERR: busy' }),
    });
    const cli = await loggedIn();
    expect(await cli.send('LIST Domains')).toBe('-ERR: busy\r\n<#> ');
    expect(await cli.send('LIST Domains')).toMatch(/^\r\nThe list of domains:/);
    emulator.addFault({ match: /^DELETE/i, kind: 'drop-after' });
    await cli.send('DELETE Domain name other.test');
    expect(cli.isClosed).toBe(true);
    expect(emulator.state.domains.has('other.test')).toBe(false);
    const requests = (await (await fetch(`${control}/requests`)).json()) as Array<{
      command: string;
      fault?: string;
    }>;
    expect(requests.filter((r) => r.fault).map((r) => `${r.command} ${r.fault}`)).toEqual([
      'LIST Domains error',
      'DELETE Domain name other.test drop-after',
    ]);
    expect(requests.some((r) => r.command === 'axigen-admin')).toBe(false);
    await fetch(`${control}/reset`, { method: 'POST', body: '{}' });
    expect(
      ((await (await fetch(`${control}/state`)).json()) as { domains: Record<string, unknown> }).domains,
    ).toHaveProperty('other.test');
  });
});
