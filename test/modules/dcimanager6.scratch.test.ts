import { afterEach, beforeEach, it } from 'vitest';
import { type Dci6Harness, order, run, startHarness, wire } from './dcimanager6.support.js';

let h: Dci6Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

it('prints', async () => {
  const { service } = await order(h, { domain: 'web1.example.net', settings: { dontWaitOsInstall: true, ownerAfterTerminate: 'pool@example.com', diagIpPool: '2', shutdownAfterTerminate: true, disablePortsAfterTerminate: true } });
  const out: string[] = [];
  const step = async (name: string, action: string, args?: Record<string, unknown>, secret?: Record<string, unknown>) => {
    h.emulator.clearRequests();
    const op = await run(h, service.id, action, args, secret);
    out.push(`== ${name}: ${op.status} ${op.errorMessage ?? ''}`, ...wire(h.emulator));
  };
  await step('create', 'create');
  await step('suspend', 'suspend');
  await step('unsuspend', 'unsuspend');
  await step('change-password', 'change-password', undefined, { password: 'New-Pass-2024' });
  await step('reboot', 'custom', { name: 'reboot' });
  await step('reinstall', 'custom', { name: 'reinstall-os', os: 'Debian 12' });
  await step('terminate', 'terminate');
  console.log(out.join('\n'));
});
