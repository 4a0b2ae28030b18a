// biome-ignore-all lint/suspicious/noExplicitAny: tests read the emulator's JSON snapshot by path
import { afterEach, describe, expect, it } from 'vitest';
import { AxigenEmulator } from '../../src/emulators/axigen/index.js';
import { axigenModule, closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { axigenActionContext } from '../support/axigen-context.js';

/**
 * Issue 11, found by a user: an Account-product service in example.com was changed to a Domain
 * product. Its remote ids still named example.com (the account's domain), and the Domain product
 * took "the name this service claimed, no mark on the backend" for unfinished work of its own:
 * change password set the password of example.com's postmaster, terminate deleted the domain with
 * mailboxes provisio never created. Only an object carrying this service's mark is ours.
 */
let emulator: AxigenEmulator;

afterEach(async () => {
  await closeAxigenSessionPools();
  await emulator?.close();
});

function domainServiceLeftByAnAccountProduct(action: string) {
  return axigenActionContext({
    emulator,
    productType: 'domain',
    settings: { groupware: true, maxAccounts: 50 },
    action,
    service: { id: 7, domain: 'example.com', username: 'john', password: 'taken over!' },
    remote: { domain: 'example.com', account: 'john', quotaKb: '2097152' },
  });
}

describe('axigen domain product: a name claimed without a mark is not ours', () => {
  it('refuses change password and terminate on example.com, whose postmaster and mailboxes it never made', async () => {
    emulator = await AxigenEmulator.start();
    const before = JSON.stringify((emulator.snapshot() as any).domains['example.com']);

    const password = domainServiceLeftByAnAccountProduct('change-password');
    await expect(axigenModule.changePassword?.(password)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('domain example.com'),
    });
    const terminate = domainServiceLeftByAnAccountProduct('terminate');
    await expect(axigenModule.terminate?.(terminate)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('domain example.com'),
    });

    const commands = emulator.commands();
    expect(commands.filter((c) => /^(DELETE|SET password|DISABLE)/i.test(c))).toEqual([]);
    const after = (emulator.snapshot() as any).domains['example.com'];
    expect(Object.keys(after.accounts).sort()).toEqual(['info', 'postmaster', 'sales']);
    expect(JSON.stringify(after)).toBe(before);
  });
});
