import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator, DEFAULT_ADMIN } from '../../src/emulators/axigen/index.js';
import { axigenModule, closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { quoteValue } from '../../src/modules/axigen/quoting.js';
import { parseReply, replyLength } from '../../src/modules/axigen/session.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type AxigenRig, startAxigenRig } from './axigen.support.js';

let rig: AxigenRig | undefined;
let test: TestEngine | undefined;
const extra: Array<{ close(): Promise<void> | void }> = [];

afterEach(async () => {
  await rig?.close();
  await test?.close();
  await closeAxigenSessionPools();
  for (const each of extra.splice(0)) await each.close();
  rig = undefined;
  test = undefined;
});

async function engineWithServer(input: {
  port: number;
  secure?: boolean;
  secret?: string;
  username?: string;
  tlsVerify?: boolean;
  tlsFingerprint?: string;
}) {
  test = await createTestEngine({ modules: [axigenModule] });
  const server = await test.engine.servers.create({
    name: 'axigen-check',
    module: 'axigen',
    hostname: '127.0.0.1',
    port: input.port,
    secure: input.secure ?? false,
    username: input.username ?? DEFAULT_ADMIN.username,
    secret: input.secret ?? DEFAULT_ADMIN.password,
    ...(input.tlsVerify === undefined ? {} : { tlsVerify: input.tlsVerify }),
    ...(input.tlsFingerprint ? { tlsFingerprint: input.tlsFingerprint } : {}),
    settings: { connectTimeoutSeconds: 1, commandTimeoutSeconds: 1 },
  });
  return { engine: test.engine, serverId: server.id };
}

async function startEmulator(options: ConstructorParameters<typeof Object>[0] = {}) {
  const emulator = await AxigenEmulator.start(options as never);
  extra.push(emulator);
  return emulator;
}

describe('axigen test connection', () => {
  it('reads the version before login, logs in, lists domains and exits (X6 and X7)', async () => {
    for (const [version, label] of [
      ['X6', '10.6.30 (X6)'],
      ['X7', '10.7.2 (X7)'],
    ]) {
      const emulator = await startEmulator({ version });
      const { engine, serverId } = await engineWithServer({ port: emulator.port });
      const result = await engine.servers.testConnection(serverId);
      expect(result.summary).toBe(`Axigen ${label} on Linux x86_64, 3 active domains`);
      expect(emulator.commands()).toEqual(['GET VERSION', 'USER admin', '***', 'LIST Domains', 'EXIT']);
      await test?.close();
      test = undefined;
    }
  });

  it('tells a refused connection apart', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { engine, serverId } = await engineWithServer({ port });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/refused the connection/),
    });
  });

  it('tells wrong credentials apart', async () => {
    const emulator = await startEmulator();
    const { engine, serverId } = await engineWithServer({ port: emulator.port, secret: 'wrong-password' });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/refused the login of "admin".*check the username and password/),
    });
  });

  it('tells a missing permission apart', async () => {
    const emulator = await startEmulator();
    const { engine, serverId } = await engineWithServer({
      port: emulator.port,
      username: 'helpdesk',
      secret: 'helpdesk',
    });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/refused to list domains.*lacks permission/),
    });
  });

  it('tells Secure on against a plain listener apart and suggests 7000', async () => {
    const emulator = await startEmulator();
    const { engine, serverId } = await engineWithServer({
      port: emulator.port,
      secure: true,
      tlsVerify: false,
    });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringMatching(
        /plain text, but Secure \(TLS\) is on.*plain listener.*port 7000.*port 7001/,
      ),
    });
  });

  it('tells Secure off against a TLS listener apart and suggests 7001', async () => {
    const emulator = await startEmulator({ tls: true });
    const { engine, serverId } = await engineWithServer({ port: emulator.port, secure: false });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringMatching(/expects TLS, but Secure is off.*TLS listener.*port 7001.*port 7000/),
    });
  });

  it('tells a silent service (no greeting: network timeout) apart', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    extra.push({
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    });
    const { engine, serverId } = await engineWithServer({
      port: (silent.address() as { port: number }).port,
    });
    await expect(engine.servers.testConnection(serverId)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/sent no greeting in time/),
    });
  });

  it('verifies TLS certificates by default, accepts a pinned fingerprint or verify off, refuses a wrong pin', async () => {
    const emulator = await startEmulator({ tls: true });
    const verified = await engineWithServer({ port: emulator.port, secure: true });
    await expect(verified.engine.servers.testConnection(verified.serverId)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/not trusted.*pin its SHA-256 fingerprint/),
    });
    await test?.close();
    const pinned = await engineWithServer({
      port: emulator.port,
      secure: true,
      tlsFingerprint: emulator.fingerprint256 as string,
    });
    expect((await pinned.engine.servers.testConnection(pinned.serverId)).details?.transport).toBe(
      'implicit TLS',
    );
    await test?.close();
    const relaxed = await engineWithServer({ port: emulator.port, secure: true, tlsVerify: false });
    expect((await relaxed.engine.servers.testConnection(relaxed.serverId)).summary).toMatch(/^Axigen 10\.7/);
    await test?.close();
    const wrong = await engineWithServer({
      port: emulator.port,
      secure: true,
      tlsFingerprint: 'AB:'.repeat(31) + 'AB',
    });
    await expect(wrong.engine.servers.testConnection(wrong.serverId)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/fingerprint/),
    });
  });
});

describe('axigen loaders and usage', () => {
  it('loads target domains from the server and account classes for the chosen domain', async () => {
    rig = await startAxigenRig();
    const domains = await rig.engine.products.loadChoices({
      module: 'axigen',
      productType: 'account',
      field: 'targetDomain',
      serverId: rig.serverIds[0] as number,
    });
    expect(domains.map((c) => c.value)).toEqual(['example.com', 'example.org', 'other.test']);
    const classes = await rig.engine.products.loadChoices({
      module: 'axigen',
      productType: 'account',
      field: 'accountClass',
      serverId: rig.serverIds[0] as number,
      values: { targetDomain: 'example.com' },
    });
    expect(classes.map((c) => c.value)).toEqual(['', 'basic', 'disabled_accounts', 'gold']);
  });

  it('reads mailbox size, messages and quota per account, and size and account count per domain', async () => {
    rig = await startAxigenRig();
    const account = await rig.newAccountService('usage');
    const domain = await rig.newDomainService('usage.test');
    for (const id of [account, domain]) expect((await rig.engine.run(id, 'create')).status).toBe('succeeded');
    rig.emulator.setMailboxUsage('example.com', 'usage', { sizeKb: 5120, messages: 321 });
    rig.emulator.setMailboxUsage('usage.test', 'postmaster', { sizeKb: 1024, messages: 3 });
    await rig.engine.usage.sync({});
    const accountUsage = (await rig.engine.services.get(account)).usage as Record<string, unknown>;
    expect(accountUsage).toMatchObject({ diskUsedMb: 5, diskLimitMb: 2048 });
    expect(JSON.stringify(accountUsage)).toContain('321');
    const domainUsage = (await rig.engine.services.get(domain)).usage as Record<string, unknown>;
    expect(domainUsage).toMatchObject({ diskUsedMb: 1 });
    expect(JSON.stringify(domainUsage)).toMatch(/"accounts":1/);
  });
});

describe('axigen quoting and reply framing', () => {
  it('quotes as the spec recommends: single quotes when possible, escaped double quotes otherwise, CR/LF/NUL refused', () => {
    expect(quoteValue('plain value', 'x')).toBe("'plain value'");
    expect(quoteValue('a "b" \\c', 'x')).toBe(`'a "b" \\c'`);
    expect(quoteValue(`it's "x" \\y`, 'x')).toBe(`"it's \\"x\\" \\\\y"`);
    for (const bad of ['a\rb', 'a\nb', 'a\0b', "x'\r\nDELETE Domain other.test"])
      expect(() => quoteValue(bad, 'the password')).toThrow(/line break or NUL/);
  });

  it('ends a reply only at a prompt that follows a status line, and reads the context from it', () => {
    expect(replyLength('data <x#> ')).toBe(-1);
    expect(replyLength('line\r\n<domain#> ')).toBe(-1);
    const reply = '\r\nThe list:\r\n\r\nname\r\n------\r\na.test\r\n\r\n+OK: fine\r\n<Domain-Account#> ';
    expect(replyLength(`${reply}`)).toBe(reply.length);
    expect(parseReply(reply)).toMatchObject({ ok: true, text: 'fine', context: 'domain-account' });
    expect(parseReply('-ERR\r\n<#> ')).toMatchObject({ ok: false, text: '', context: '' });
    expect(replyLength('Banner\r\n<login> ')).toBe(16);
  });
});
