import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overflowsSideways, see, signIn, startWebRig, unlabelledControls, type WebRig } from './support.js';

/**
 * The admin UI end to end, in a real browser against a real engine and emulated backends: one
 * operator's day, step by step (each step builds on the one before). Every wait is on a
 * condition (Playwright's auto-waiting, expect.poll), never a fixed sleep.
 */
describe('admin web UI over a real engine', () => {
  let rig: WebRig;
  let page: Page;
  const ids = { emaServer: 0, product: 0, client: 0, service: 0 };

  beforeAll(async () => {
    rig = await startWebRig();
    page = await rig.newPage();
  }, 120_000);
  afterAll(async () => rig?.close());

  it('refuses an unknown token beside the field, then signs in with an admin token', async () => {
    await page.getByLabel('API token').fill('pvo_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await see(page.getByText('This token is unknown or was revoked')).toBeVisible();
    await signIn(page, rig.tokens.admin);
    await see(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await see(page.getByRole('heading', { name: 'Services by status' })).toBeVisible();
    expect(await unlabelledControls(page)).toEqual([]);
    await rig.screenshot(page, '01-dashboard-empty');
  });

  it('adds an Easy Mail Archive server and tests it: a wrong key is diagnosed, the right one works', async () => {
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('link', { name: 'Add a server' }).click();
    await page.getByLabel('Module').selectOption('easymailarchive');
    await page.getByLabel('Name', { exact: true }).fill('ema-1');
    await page.getByLabel('Hostname or IP').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(rig.ema.port));
    await page.getByLabel('Use TLS (secure)').uncheck();
    await page.getByLabel('API key').fill('ema_live_wrong_key_000000000000000');
    await page.getByLabel('Reseller base domain').fill(rig.ema.baseDomain);
    expect(await unlabelledControls(page)).toEqual([]);
    await rig.screenshot(page, '02-server-form');
    await page.getByRole('button', { name: 'Add server' }).click();
    await see(page.getByRole('heading', { name: 'Server ema-1' })).toBeVisible();
    ids.emaServer = Number(/#\/servers\/(\d+)/.exec(page.url())?.[1]);

    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await see(result).toContainText('Connection failed');
    await see(result).toContainText('What to check');
    await see(result).toContainText('auth');
    await rig.screenshot(page, '03-server-test-failed');
    // The wrong key was typed by the operator; the page never echoes a stored secret.
    expect(await page.content()).not.toContain('ema_live_wrong_key');

    await page.getByLabel('New secret (password or API key)').fill(rig.ema.apiKey);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await see(page.getByText('Secret replaced')).toBeVisible();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await see(result).toContainText('Connection works');
    expect(await page.content()).not.toContain(rig.ema.apiKey);
    await rig.screenshot(page, '04-server-test-ok');
  });

  it('puts the server in a group with a fill type and shows its fill', async () => {
    await page.getByRole('link', { name: 'Servers' }).click();
    const form = page.getByRole('form', { name: 'Add a server group' });
    await form.getByLabel('Group name').fill('mail');
    await form.getByLabel('Fill type').selectOption('least-full');
    await form.getByLabel('ema-1').check();
    await form.getByRole('button', { name: 'Add group' }).click();
    await see(page.getByRole('heading', { name: 'mail (least-full)' }).first()).toBeVisible();
    await see(page.getByLabel('ema-1 fill').first()).toBeVisible();
    await rig.screenshot(page, '05-servers-and-groups');
  });

  it('creates a product from the generated form, showing a validation error beside its field first', async () => {
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('link', { name: 'Add a product' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Archive S');
    await page.getByLabel('Module').selectOption('easymailarchive');
    await page.getByLabel('Server group').selectOption({ label: 'mail' });
    // Show-when: "Derive slug from" is there only while slugs are generated.
    await see(page.getByLabel('Derive slug from')).toBeVisible();
    await page.getByLabel('Auto-generate slug').uncheck();
    await see(page.getByLabel('Derive slug from')).toBeHidden();
    await page.getByLabel('Auto-generate slug').check();

    const prefix = page.getByLabel('Slug prefix');
    await prefix.fill('Bad Prefix!');
    await prefix.blur();
    const error = page.locator('#product-setting-slugPrefix-error');
    await see(error).toContainText('lowercase letters');
    await see(prefix).toHaveAttribute('aria-invalid', 'true');
    await page.getByRole('button', { name: 'Add product' }).click();
    await see(page.getByRole('heading', { name: 'Add a product' })).toBeVisible();
    await rig.screenshot(page, '06-product-validation-error');
    expect((await rig.call('GET', '/v1/products', rig.tokens.admin)).body.items).toHaveLength(0);

    await prefix.fill('demo-');
    await prefix.blur();
    await see(error).toBeHidden();
    await page.getByRole('button', { name: 'Add product' }).click();
    await see(page.getByRole('heading', { name: 'Product Archive S' })).toBeVisible();
    ids.product = Number(/#\/products\/(\d+)/.exec(page.url())?.[1]);
    expect(ids.product).toBeGreaterThan(0);
  });

  it('adds a client and a service, and follows it until it is active', async () => {
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByText('Add a client').click();
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Company').fill('Analytical Engines');
    await page.getByRole('button', { name: 'Add client' }).click();
    await see(page.getByRole('heading', { name: 'Client Ada' })).toBeVisible();
    ids.client = Number(/#\/clients\/(\d+)/.exec(page.url())?.[1]);

    await page.getByRole('link', { name: 'Add a service for this client' }).click();
    await page.getByLabel('Product').selectOption({ label: 'Archive S (easymailarchive)' });
    await page.getByLabel('Domain').fill('example.com');
    await page.getByRole('button', { name: 'Add service' }).click();
    await see(page.getByTestId('service-status')).toHaveText('active');
    ids.service = Number(/#\/services\/(\d+)/.exec(page.url())?.[1]);
    await see(page.getByRole('heading', { name: 'On the backend' })).toBeVisible();
    await see(page.locator('.card', { hasText: 'On the backend' }).locator('dd').first()).notToBeEmpty();
    expect(await unlabelledControls(page)).toEqual([]);
    await rig.screenshot(page, '07-service-active');
  });

  it('suspends the service and shows its module log, redacted', async () => {
    await page.getByLabel('Suspend reason').fill('overdue invoice');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await see(page.getByTestId('service-status')).toHaveText('suspended');
    const log = page.locator('.module-log');
    await see(log).toContainText('suspend');
    await log.locator('summary').first().click();
    expect(await page.content()).not.toContain(rig.ema.apiKey);
    await rig.screenshot(page, '08-service-suspended-module-log');
  });

  it('fails an unsuspend on the backend, then retries it from the failed-actions queue', async () => {
    rig.ema.injectFault({
      kind: 'error',
      method: 'PUT',
      match: '/api/reseller/tenants/*',
      status: 500,
      times: 1,
    });
    await page.getByRole('button', { name: 'Unsuspend' }).click();
    await expect
      .poll(
        async () => {
          const ops = (await rig.call('GET', `/v1/operations?serviceId=${ids.service}`, rig.tokens.admin))
            .body.items;
          return ops.find((op: { action: string }) => op.action === 'unsuspend')?.status;
        },
        { timeout: 20_000 },
      )
      .toBe('failed');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await see(page.getByTestId('unresolved-count')).toHaveText('1');
    await see(page.locator('.failures')).toContainText('HTTP 500');
    await rig.screenshot(page, '09-dashboard-with-failure');

    await page.getByRole('link', { name: 'Operations' }).click();
    const queue = page.locator('.queue');
    await see(queue).toContainText('HTTP 500');
    await queue.getByText('Journal').first().click();
    await rig.screenshot(page, '10-failed-actions-queue');
    rig.ema.clearFaults(); // the backend is fixed: the operator retries
    await queue.getByRole('button', { name: /Retry operation/ }).click();
    await see(page.getByText('Nothing waits for an operator.')).toBeVisible();
    await expect
      .poll(
        async () => (await rig.call('GET', `/v1/services/${ids.service}`, rig.tokens.admin)).body.status,
        {
          timeout: 20_000,
        },
      )
      .toBe('active');
  });

  it("opens the customer page: the module's client view of the archive", async () => {
    await page.goto(`${rig.url}/#/services/${ids.service}`);
    await see(page.getByTestId('service-status')).toHaveText('active');
    await page.getByRole('link', { name: 'what the customer sees' }).click();
    await see(page.getByRole('heading', { name: 'Your service' })).toBeVisible();
    await see(page.locator('.card', { hasText: 'Your service' }).locator('dd').first()).notToBeEmpty();
    await rig.screenshot(page, '11-customer-view-as-operator');
  });

  it('asks before terminating, and does nothing when the operator keeps the service', async () => {
    await page.goto(`${rig.url}/#/services/${ids.service}`);
    await page.getByRole('button', { name: 'Terminate' }).click();
    const dialog = page.getByRole('dialog');
    await see(dialog).toContainText(`Terminate service ${ids.service}?`);
    await rig.screenshot(page, '12-terminate-confirmation');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await see(dialog).toBeHidden();
    await see(page.getByTestId('service-status')).toHaveText('active');
    const ops = (await rig.call('GET', `/v1/operations?serviceId=${ids.service}`, rig.tokens.admin)).body
      .items;
    expect(ops.map((op: { action: string }) => op.action)).not.toContain('terminate');
  });

  it('follows a DCImanager install that waits on the backend for virtual minutes', async () => {
    const server = await rig.call('POST', '/v1/servers', rig.tokens.admin, {
      name: 'dci-1',
      module: 'dcimanager6',
      hostname: '127.0.0.1',
      port: rig.dci.port,
      secure: false,
      username: 'admin@example.com',
      secret: 'secret',
    });
    const group = await rig.call('POST', '/v1/server-groups', rig.tokens.admin, {
      name: 'dedicated',
      fillType: 'least-full',
      serverIds: [server.body.id],
    });
    const product = await rig.call('POST', '/v1/products', rig.tokens.admin, {
      name: 'Dedicated E-2146G',
      module: 'dcimanager6',
      serverGroupId: group.body.id,
      settings: {
        configuration: 'E-2146G-64Gb-1920SSD',
        osTemplate: 'Ubuntu 22.04',
        ipv4Pool: '1',
        locationId: '1',
      },
    });
    expect(product.status).toBe(201);
    const service = await rig.call('POST', '/v1/services', rig.tokens.admin, {
      clientId: ids.client,
      productId: product.body.id,
      domain: 'host1.example.net',
    });
    await page.goto(`${rig.url}/#/services/${service.body.id}`);
    await page.getByRole('button', { name: 'Create' }).click();
    const progress = page.getByTestId('operation-progress');
    await see(progress).toContainText('waiting');
    await rig.screenshot(page, '13-dcimanager-install-waiting');
    // Virtual time moves only while the install waits, a minute per check, as the engine would live.
    await expect
      .poll(
        async () => {
          const ops = (await rig.call('GET', `/v1/operations?serviceId=${service.body.id}`, rig.tokens.admin))
            .body.items;
          if (ops[0]?.status === 'waiting') rig.clock.advance(60_000);
          return ops[0]?.status;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe('succeeded');
    await see(page.getByTestId('service-status')).toHaveText('active');
    await rig.screenshot(page, '14-dcimanager-active');
  });

  it('shows the dashboard with figures and the chart, usable on a phone', async () => {
    await page.goto(`${rig.url}/#/`);
    await see(page.getByText('Operations per hour (last 24 h)')).toBeVisible();
    await see(page.locator('.chart canvas')).toBeVisible();
    await rig.screenshot(page, '15-dashboard');
    // A failure whose message is one long word (a backend's URL path) must wrap on a phone too.
    rig.ema.injectFault({
      kind: 'error',
      method: 'PUT',
      match: '/api/reseller/tenants/*',
      status: 500,
      body: `maintenance-window-${'x'.repeat(120)}`,
      times: 1,
    });
    const suspend = await rig.call('POST', `/v1/services/${ids.service}/suspend`, rig.tokens.admin, {
      reason: 'phone check',
    });
    await expect
      .poll(
        async () =>
          (await rig.call('GET', `/v1/operations/${suspend.body.operation.id}`, rig.tokens.admin)).body
            .operation.status,
        { timeout: 20_000 },
      )
      .toBe('failed');
    const phone = await rig.newPage({ width: 390, height: 844 });
    await signIn(phone, rig.tokens.admin);
    await see(phone.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await see(phone.locator('.failures')).toContainText('maintenance-window-');
    expect(await overflowsSideways(phone)).toEqual([]);
    await rig.screenshot(phone, '16-dashboard-phone');
    await phone.goto(`${rig.url}/#/services/${ids.service}`);
    await see(phone.getByTestId('service-status')).toHaveText('active');
    expect(await overflowsSideways(phone)).toEqual([]);
    await rig.screenshot(phone, '17-service-phone');
  });

  it('is usable with the keyboard alone: tab to a link, press Enter, land on the page', async () => {
    await page.goto(`${rig.url}/#/`);
    await page.reload(); // a fresh document: the tab order starts at the top, the session is kept
    await see(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await page.keyboard.press('Tab');
    await see(page.getByRole('button', { name: 'Skip to content' })).toBeFocused();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await see(page.getByRole('link', { name: 'Services', exact: true })).toBeFocused();
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { name: 'Services' })).toBeVisible();
    await rig.screenshot(page, '18-services-list');
  });
});
