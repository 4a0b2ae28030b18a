// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterEach, describe, expect, it } from 'vitest';
import type { AxigenEmulator } from '../../src/emulators/axigen/index.js';
import { axigenPoolStats } from '../../src/modules/axigen/index.js';
import { waitUntil } from '../support/wait-until.js';
import { type AxigenRig, startAxigenRig } from './axigen.support.js';

let rig: AxigenRig;

afterEach(async () => {
  await rig?.close();
});

function accounts(index = 0): Record<string, any> {
  return ((rig.emulators[index] as AxigenEmulator).snapshot() as any).domains['example.com'].accounts;
}

describe('axigen: a dropped connection during create', () => {
  it('adopts the account when the COMMIT landed but its answer was lost (one account, marked ours)', async () => {
    rig = await startAxigenRig();
    rig.emulator.injectFault({ match: 'COMMIT', kind: 'drop-after' });
    const serviceId = await rig.newAccountService('drop1');
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    expect(op.attempts).toBe(2);
    expect(Object.keys(accounts()).filter((name) => name === 'drop1')).toHaveLength(1);
    expect(accounts().drop1.attrs.customerReference).toBe(`provisio-service-${serviceId}`);
    // Second attempt: the engine's lookup sees our mark; the re-run's ADD is refused (the mailbox
    // exists) and the create reads the mark and finishes instead of making a second mailbox.
    expect(rig.commands().filter((c) => c.startsWith('ADD Account'))).toHaveLength(2);
    expect(
      rig.emulator
        .requests()
        .filter((r) => r.path.startsWith('ADD Account'))
        .map((r) => r.ok),
    ).toEqual([true, false]);
    expect(rig.commands()).toContain("SHOW Account name 'drop1' ATTR customerReference");
    expect((await rig.engine.services.get(serviceId)).status).toBe('active');
  });

  it('creates the account cleanly on retry when the connection dropped before the COMMIT ran', async () => {
    rig = await startAxigenRig();
    rig.emulator.injectFault({ match: 'COMMIT', kind: 'drop-before' });
    const serviceId = await rig.newAccountService('drop2');
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    expect(rig.commands().filter((c) => c.startsWith('ADD Account'))).toHaveLength(2);
    expect(accounts().drop2.attrs.customerReference).toBe(`provisio-service-${serviceId}`);
    expect(rig.emulator.connectionsAccepted).toBe(2);
  });

  it('refuses a domain that existed before and carries no mark of this service, and says how to adopt it', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newDomainService('example.org');
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('failed');
    expect(op.errorKind).toBe('conflict');
    expect(op.errorCode).toBe('ownership.foreign');
    expect(op.errorMessage).toMatch(
      /domain example\.org on .* does not carry the mark.*provisio service adopt \d+/,
    );
    expect(rig.commands().some((c) => c.startsWith('CREATE'))).toBe(false);
  });
});

describe('axigen: backend errors, hangs and the session pool', () => {
  it('reports -ERR with the status text, BACKs out dropping the draft, and creates nothing', async () => {
    rig = await startAxigenRig();
    rig.emulator.injectFault({ match: 'INHERIT', kind: 'error', body: '-ERR: license limit reached' });
    const serviceId = await rig.newAccountService('refused');
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('failed');
    expect(op.errorKind).toBe('remote');
    expect(op.errorMessage).toContain('license limit reached');
    expect(op.errorMessage).toContain(`127.0.0.1:${rig.emulator.port}`);
    expect(rig.commands().slice(-4)).toEqual([
      "INHERIT SETTINGS FROM accountClass 'gold'",
      'BACK',
      'BACK',
      'EXIT',
    ]);
    expect(accounts().refused).toBeUndefined();
  });

  it('times a hung command out, discards that session, and succeeds on the retry with a new one', async () => {
    rig = await startAxigenRig({ serverSettings: { commandTimeoutSeconds: 1 } });
    const serviceId = await rig.newAccountService('slowpoke');
    await rig.engine.run(serviceId, 'create');
    rig.emulator.injectFault({ match: 'SET services', kind: 'hang' });
    const op = await rig.engine.run(serviceId, 'suspend');
    expect(op.status).toBe('succeeded');
    expect(op.attempts).toBe(2);
    expect(accounts().slowpoke.limits).toEqual({ services: [] });
    expect(rig.emulator.connectionsAccepted).toBe(2);
  });

  it('reuses one logged-in session across operations and reconnects after the server dropped it', async () => {
    rig = await startAxigenRig();
    const a = await rig.newAccountService('pool-a');
    const b = await rig.newAccountService('pool-b');
    for (const [id, action] of [
      [a, 'create'],
      [b, 'create'],
      [a, 'suspend'],
      [b, 'suspend'],
    ] as const) {
      expect((await rig.engine.run(id, action)).status).toBe('succeeded');
    }
    expect(rig.emulator.connectionsAccepted).toBe(1);
    expect(rig.emulator.logins).toBe(1);
    rig.emulator.dropConnections();
    // Once the client has seen its connection close, the pool must not hand that session out.
    await waitUntil(
      () => axigenPoolStats().every((pool) => pool.idleOpen === 0),
      10_000,
      'the dropped session seen closed',
    );
    const op = await rig.engine.run(a, 'unsuspend');
    expect(op.status).toBe('succeeded');
    expect(op.attempts).toBe(1);
    expect(rig.emulator.connectionsAccepted).toBe(2);
  });
});

describe('axigen: injection', () => {
  it('quotes passwords with quotes, spaces, backslashes and parentheses so the server stores them verbatim', async () => {
    rig = await startAxigenRig();
    const tricky = `it's a "quote" \\back\\ (paren) $x`;
    const serviceId = await rig.newAccountService('quoted', tricky);
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    expect(rig.commands()).toContain(
      `ADD Account name 'quoted' password "it's a \\"quote\\" \\\\back\\\\ (paren) $x"`,
    );
    expect(accounts().quoted.password).toBe(tricky);
    const single = `no single quote: "x" \\y (z) ; DELETE Domain other.test`;
    expect(
      (await rig.engine.run(serviceId, 'change-password', { secretArgs: { password: single } })).status,
    ).toBe('succeeded');
    expect(accounts().quoted.password).toBe(single);
    expect((rig.emulator.snapshot() as any).domains['other.test']).toBeDefined();
    const log = JSON.stringify(await rig.engine.moduleLog.forOperation(op.id));
    expect(log).not.toContain('(paren)');
  });

  it('never sends a new password with a line break', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newAccountService('victim');
    expect((await rig.engine.run(serviceId, 'create')).status).toBe('succeeded');
    rig.clear();
    // The engine refuses it before queueing; the module's own check (quoting.test) is the second line.
    await expect(
      rig.engine.run(serviceId, 'change-password', {
        secretArgs: { password: "x'\r\nDELETE Domain other.test" },
      }),
    ).rejects.toMatchObject({
      kind: 'invalid-input',
    });
    expect(rig.commands().some((c) => /DELETE|SET password/i.test(c))).toBe(false);
    expect((rig.emulator.snapshot() as any).domains['other.test']).toBeDefined();
    expect(accounts().victim.password).toBe('S3cret!pass');
  });

  it('refuses account and domain names with spaces, quotes, backslashes, parentheses or line breaks', async () => {
    rig = await startAxigenRig();
    // Line breaks are already refused by the engine when the service is saved; the module refuses the rest.
    const refused = async (create: () => Promise<number>, pattern: RegExp) => {
      let id: number;
      try {
        id = await create();
      } catch (error) {
        expect((error as { kind?: string }).kind).toBe('invalid-input');
        return;
      }
      const op = await rig.engine.run(id, 'create');
      expect(op.errorKind).toBe('invalid-input');
      expect(op.errorMessage).toMatch(pattern);
    };
    for (const username of [
      'bad name',
      "o'brien",
      'back\\slash',
      'par(en)',
      'x\r\nDELETE Domain other.test',
    ]) {
      await refused(() => rig.newAccountService(username), /not a valid mailbox name/);
    }
    for (const domain of [
      'evil.test\r\nDELETE Domain other.test',
      "qu'ote.test",
      'sp ace.test',
      'par(en).test',
    ]) {
      await refused(() => rig.newDomainService(domain), /not a valid domain name/);
    }
    expect(rig.commands()).toEqual([]);
    expect(Object.keys((rig.emulator.snapshot() as any).domains).sort()).toEqual([
      'example.com',
      'example.org',
      'other.test',
    ]);
  });

  it('quotes storage paths with quotes from the product settings', async () => {
    rig = await startAxigenRig();
    const productId = await rig.newProduct('domain', { domainLocation: `/srv/it's "mail"/{domain}` });
    const client = await rig.engine.clients.create({ email: 'q@example.net' });
    const service = await rig.engine.services.create({
      clientId: client.id,
      productId,
      domain: 'paths.test',
      password: 'pw-paths',
    });
    expect((await rig.engine.run(service.id, 'create')).status).toBe('succeeded');
    expect(rig.commands()).toContain(
      `CREATE Domain name paths.test domainLocation "/srv/it's \\"mail\\"/paths.test" postmasterPassword 'pw-paths'`,
    );
    expect((rig.emulator.snapshot() as any).domains['paths.test'].location).toBe(
      `/srv/it's "mail"/paths.test`,
    );
  });
});

describe('axigen: several servers', () => {
  it('puts new domains alternately on two servers of a round-robin group; later actions follow each service', async () => {
    rig = await startAxigenRig({ servers: 2, fillType: 'round-robin' });
    const ids: number[] = [];
    for (const name of ['one.test', 'two.test', 'three.test', 'four.test']) {
      const id = await rig.newDomainService(name);
      expect((await rig.engine.run(id, 'create')).status).toBe('succeeded');
      ids.push(id);
    }
    const servers = await Promise.all(ids.map(async (id) => (await rig.engine.services.get(id)).serverId));
    expect(servers[0]).not.toBe(servers[1]);
    expect(servers[0]).toBe(servers[2]);
    expect(servers[1]).toBe(servers[3]);
    const first = rig.serverIds.indexOf(servers[0] as number);
    const second = 1 - first;
    const names = (i: number) =>
      Object.keys(((rig.emulators[i] as AxigenEmulator).snapshot() as any).domains)
        .filter((d: string) => d.endsWith('.test') && d !== 'other.test')
        .sort();
    expect(names(first)).toEqual(['one.test', 'three.test']);
    expect(names(second)).toEqual(['four.test', 'two.test']);

    rig.clear();
    expect((await rig.engine.run(ids[1] as number, 'suspend')).status).toBe('succeeded');
    expect((await rig.engine.run(ids[2] as number, 'terminate')).status).toBe('succeeded');
    expect(rig.commands(second)).toContain('DISABLE Domain name two.test');
    expect(rig.commands(second).some((c) => c.includes('three.test'))).toBe(false);
    expect(rig.commands(first)).toContain('DELETE Domain name three.test');
    expect(rig.commands(first).some((c) => c.includes('two.test'))).toBe(false);
  });
});
