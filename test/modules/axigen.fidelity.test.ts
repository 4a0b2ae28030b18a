// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterEach, describe, expect, it } from 'vitest';
import { closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { waitUntil } from '../support/wait-until.js';
import { type AxigenRig, startAxigenRig } from './axigen.support.js';

/**
 * Issue 12 (fidelity) and issue 17 (chaos) findings, each against an emulator that is as strict
 * as the sources say the real server is (docs/specs/axigen.md).
 */
let rig: AxigenRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function runOk(
  serviceId: number,
  action: string,
  opts: Parameters<AxigenRig['engine']['run']>[2] = {},
) {
  const op = await (rig as AxigenRig).engine.run(serviceId, action, opts);
  expect(op.errorMessage).toBeNull();
  expect(op.status).toBe('succeeded');
  return op;
}

function domainState(name: string): any {
  return ((rig as AxigenRig).emulator.snapshot() as any).domains[name];
}

describe('M1: "inherit" limits of a Domain product', () => {
  it('creates and re-packages a domain with default settings without RESET in adminLimits or accountDefaultQuotas', async () => {
    rig = await startAxigenRig();
    const defaults = await rig.newProduct('domain', {});
    const serviceId = await rig.newDomainService('plain.test', undefined, defaults);
    await runOk(serviceId, 'create');
    await runOk(serviceId, 'change-package', { args: { productId: defaults } });
    expect(rig.commands().filter((c) => c.startsWith('RESET'))).toEqual([]);
    expect(domainState('plain.test')).toMatchObject({
      adminLimits: {},
      accountDefaultQuotas: { totalMessageSize: '1048576' },
    });
  });
});

describe('M2: a domain’s enabled state comes from LIST Domains and LIST AllDomains', () => {
  it('unsuspends a domain that is disabled, sending ENABLE Domain, and the domain ends enabled', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newDomainService('paused.test');
    await runOk(serviceId, 'create');
    await runOk(serviceId, 'suspend');
    expect(domainState('paused.test').enabled).toBe(false);
    rig.clear();
    await runOk(serviceId, 'unsuspend');
    expect(rig.commands()).toContain('ENABLE Domain name paused.test');
    expect(domainState('paused.test').enabled).toBe(true);
  });
});

describe('M3: account suspension keeps what it replaced', () => {
  it('restores an explicit service list the account had before suspend', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newAccountService('picky');
    await runOk(serviceId, 'create');
    rig.emulator.seed('staffChange', {
      domain: 'example.com',
      account: 'picky',
      limits: { services: ['imap', 'smtpIn', 'smtpOut'] },
    });
    await runOk(serviceId, 'suspend');
    expect(domainState('example.com').accounts.picky.limits.services).toEqual([]);
    await runOk(serviceId, 'unsuspend');
    expect(domainState('example.com').accounts.picky.limits.services).toEqual(['imap', 'smtpIn', 'smtpOut']);
  });
});

describe('M6: pooled sessions end with EXIT', () => {
  it('sends EXIT on engine stop (module close) and when an idle session expires', async () => {
    rig = await startAxigenRig({ serverSettings: { sessionIdleSeconds: 1 } });
    const a = await rig.newAccountService('idle-a');
    await runOk(a, 'create');
    await waitUntil(() => (rig as AxigenRig).commands().includes('EXIT'), 10_000, 'EXIT of the idle session');
    await waitUntil(
      () => (rig as AxigenRig).emulator.openConnections === 0,
      10_000,
      'the server to close it',
    );
    const b = await rig.newAccountService('idle-b');
    await runOk(b, 'create');
    rig.clear();
    await closeAxigenSessionPools();
    expect(rig.commands()).toEqual(['EXIT']);
  });
});

describe('issue 17: work that belongs to a step runs on adoption too', () => {
  it('re-runs a create whose marking COMMIT landed unanswered, and saves the configuration exactly once after it', async () => {
    rig = await startAxigenRig();
    // The create's COMMITs: CREATE Domain, adminLimits, then the domain's (which writes the mark).
    rig.emulator.injectFault({ match: 'COMMIT', kind: 'drop-after', skip: 2 });
    const serviceId = await rig.newDomainService('halfway.test');
    const op = await rig.engine.run(serviceId, 'create');
    expect(op.status).toBe('succeeded');
    expect(op.attempts).toBe(2);
    const commands = rig.commands();
    const dropped = rig.emulator.requests().findIndex((request) => request.fault === 'drop-after');
    expect(commands[dropped]).toBe('COMMIT');
    expect(commands.slice(dropped).filter((c) => c === 'SAVE CONFIG')).toHaveLength(1);
    expect(commands.filter((c) => c.startsWith('CREATE Domain'))).toHaveLength(1);
    expect(domainState('halfway.test').attrs.customerReference).toBe(`provisio-service-${serviceId}`);
    expect((await rig.engine.services.get(serviceId)).remoteIds).not.toHaveProperty('createPending');
  });

  it('finishes a create that died after CREATE Domain was answered and before the marking COMMIT (kill test finding)', async () => {
    rig = await startAxigenRig();
    // CREATE's COMMIT is answered; the next COMMIT (adminLimits, before the mark) never lands.
    rig.emulator.injectFault({ match: 'COMMIT', kind: 'drop-before', skip: 1 });
    const serviceId = await rig.newDomainService('answered.test');
    const op = await rig.engine.run(serviceId, 'create');
    expect([op.status, op.errorMessage]).toEqual(['succeeded', null]);
    expect(op.attempts).toBe(2);
    const commands = rig.commands();
    expect(commands.filter((c) => c.startsWith('CREATE Domain'))).toHaveLength(1);
    expect(commands.filter((c) => c === 'SAVE CONFIG')).toHaveLength(1);
    expect(domainState('answered.test').attrs.customerReference).toBe(`provisio-service-${serviceId}`);
    const { remoteIds } = await rig.engine.services.get(serviceId);
    expect(remoteIds).not.toHaveProperty('createPending');
    expect(remoteIds).not.toHaveProperty('createAnswered');
  });

  it('saves the configuration after a terminate that died between DELETE Domain and SAVE CONFIG (kill test finding)', async () => {
    rig = await startAxigenRig();
    const serviceId = await rig.newDomainService('deleted.test');
    await runOk(serviceId, 'create');
    rig.clear();
    rig.emulator.injectFault({ match: 'SAVE CONFIG', kind: 'drop-before' });
    const op = await runOk(serviceId, 'terminate');
    expect(op.attempts).toBe(2);
    const commands = rig.commands();
    const deleted = commands.indexOf('DELETE Domain name deleted.test');
    expect(deleted).toBeGreaterThan(-1);
    expect(commands.filter((c) => c.startsWith('DELETE Domain'))).toHaveLength(1);
    // The dropped save, then the re-run's: the deletion is saved once it is known to be done.
    const saves = rig.emulator
      .requests()
      .filter((r) => r.path === 'SAVE CONFIG')
      .map((r) => r.ok);
    expect(saves).toEqual([null, true]);
    expect(domainState('deleted.test')).toBeUndefined();
    expect((await rig.engine.services.get(serviceId)).remoteIds).not.toHaveProperty('deletePending');
  });

  it('refuses a domain whose CREATE COMMIT landed unanswered (it carries no mark yet); adopting it finishes the create with one SAVE CONFIG', async () => {
    rig = await startAxigenRig();
    rig.emulator.injectFault({ match: 'COMMIT', kind: 'drop-after' });
    const serviceId = await rig.newDomainService('halfway.test');
    const create = await rig.engine.run(serviceId, 'create');
    expect([create.status, create.errorCode]).toEqual(['failed', 'ownership.foreign']);
    expect(create.errorMessage).toContain(`provisio service adopt ${serviceId}`);
    expect(domainState('halfway.test').attrs).toEqual({});
    const adopt = await rig.engine.run(serviceId, 'adopt', { args: { confirm: true } });
    expect(adopt.errorMessage).toBeNull();
    expect((await rig.engine.services.get(serviceId)).status).toBe('active');
    const commands = rig.commands();
    const commit = commands.indexOf('COMMIT');
    expect(commands[commit - 1]).toMatch(/^ADD MessagesLocation/);
    expect(commands.slice(commit).filter((c) => c === 'SAVE CONFIG')).toHaveLength(1);
    expect(commands.filter((c) => c.startsWith('CREATE Domain'))).toHaveLength(1);
    expect(domainState('halfway.test')).toMatchObject({
      attrs: { customerReference: `provisio-service-${serviceId}` },
      adminLimits: { maxAccounts: '50' },
    });
    expect((await rig.engine.services.get(serviceId)).remoteIds).not.toHaveProperty('createPending');
  });
});
