import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.js';
import { see, signIn, startWebRig, type WebRig } from './support.js';

/**
 * What each kind of token may do in the browser, checked against the API too: a `read` token
 * sees the pages without a single action, and a customer token reaches only its own client's
 * services (another client's service is refused by the engine with `auth.client_mismatch`, not only hidden by the UI).
 */
describe('web UI access by token scope', () => {
  let rig: WebRig;
  const ids = { mine: 0, theirs: 0, client: 0 };
  let customerToken = '';

  beforeAll(async () => {
    rig = await startWebRig();
    const admin = rig.tokens.admin;
    const server = await rig.call('POST', '/v1/servers', admin, {
      name: 'ema-1',
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      port: rig.ema.port,
      secure: false,
      secret: rig.ema.apiKey,
      settings: { baseDomain: rig.ema.baseDomain },
    });
    expect(server.status).toBe(201);
    const group = await rig.call('POST', '/v1/server-groups', admin, {
      name: 'archive',
      fillType: 'least-full',
      serverIds: [server.body.id],
    });
    const product = await rig.call('POST', '/v1/products', admin, {
      name: 'Archive S',
      module: 'easymailarchive',
      serverGroupId: group.body.id,
      settings: {},
    });
    expect(product.status).toBe(201);
    const serviceFor = async (email: string, domain: string) => {
      const client = await rig.call('POST', '/v1/clients', admin, { email, company: domain });
      const service = await rig.call('POST', '/v1/services', admin, {
        clientId: client.body.id,
        productId: product.body.id,
        domain,
      });
      await rig.call('POST', `/v1/services/${service.body.id}/create`, admin, {});
      return { clientId: client.body.id as number, serviceId: service.body.id as number };
    };
    const mine = await serviceFor('ada@example.com', 'ada.example');
    const theirs = await serviceFor('bob@example.com', 'bob.example');
    ids.client = mine.clientId;
    ids.mine = mine.serviceId;
    ids.theirs = theirs.serviceId;
    for (const id of [ids.mine, ids.theirs])
      await waitUntil(
        async () => (await rig.call('GET', `/v1/services/${id}`, admin)).body.status === 'active',
        30_000,
        `service ${id} active`,
      );
    const token = await rig.call('POST', '/v1/tokens', admin, {
      name: 'ada area',
      scope: 'customer',
      clientId: ids.client,
    });
    expect(token.status).toBe(201);
    customerToken = token.body.token;
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('shows a read token every page and no action button', async () => {
    const page = await rig.newPage();
    await signIn(page, rig.tokens.read);
    await page.goto(`${rig.url}/#/services/${ids.mine}`);
    await see(page.getByTestId('service-status')).toHaveText('active');
    await see(page.getByRole('heading', { name: 'Operations' })).toBeVisible();
    expect(await actionButtons(page)).toEqual([]);
    for (const path of ['/servers', '/products', '/clients', '/services', '/operations']) {
      await page.goto(`${rig.url}/#${path}`);
      await see(page.locator('main h1')).notToBeEmpty();
      expect(await actionButtons(page), path).toEqual([]);
    }
    // The API refuses what the UI does not offer.
    const refused = await rig.call('POST', `/v1/services/${ids.mine}/suspend`, rig.tokens.read, {});
    expect(refused.status).toBe(403);
    await rig.screenshot(page, '20-read-token-service');
  });

  it("keeps a customer token to its own client's services, in the browser and at the API", async () => {
    const page = await rig.newPage();
    await signIn(page, customerToken);
    await see(page.getByRole('heading', { name: 'My services' })).toBeVisible();
    await see(page.locator('.cards')).toContainText('ada.example');
    expect(await page.locator('.cards').textContent()).not.toContain('bob.example');
    await page.getByRole('link', { name: 'ada.example' }).click();
    await see(page.getByRole('heading', { name: 'Your service' })).toBeVisible();
    await rig.screenshot(page, '21-customer-own-service');

    await page.goto(`${rig.url}/#/my/services/${ids.theirs}`);
    await see(page.getByRole('alert')).toBeVisible();
    expect(await page.content()).not.toContain('bob.example');
    await rig.screenshot(page, '22-customer-other-service-refused');
    // Admin pages are not theirs either: the app sends a customer to its own area.
    await page.goto(`${rig.url}/#/services/${ids.theirs}`);
    await see(page.getByRole('heading', { name: 'My services' })).toBeVisible();

    const other = await rig.call('GET', `/v1/services/${ids.theirs}`, customerToken);
    expect([other.status, other.body.error.code]).toEqual([403, 'auth.client_mismatch']);
    expect(JSON.stringify(other.body)).not.toContain('bob.example');
    const view = await rig.call('POST', `/v1/services/${ids.theirs}/view`, customerToken, { kind: 'client' });
    expect([view.status, view.body.error.code]).toEqual([403, 'auth.client_mismatch']);
    const own = await rig.call('GET', `/v1/services/${ids.mine}`, customerToken);
    expect(own.status).toBe(200);
    const listed = await rig.call('GET', '/v1/services', customerToken);
    expect(listed.body.items.map((s: { id: number }) => s.id)).toEqual([ids.mine]);
  });
});

/** Buttons that would change something (sign-out and navigation helpers excepted). */
function actionButtons(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main button, main input[type=submit]')]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => (el.textContent ?? (el as HTMLInputElement).value ?? '').trim())
      .filter((label) => !/^(Search|Filter|Next|Previous|Newer|Older|Show|Refresh|Apply)/i.test(label)),
  );
}
