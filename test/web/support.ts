/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { buildApi } from '../../src/api/server.js';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { type Dci6Emulator, startDci6Emulator } from '../../src/emulators/dcimanager6/index.js';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { createApiToken } from '../../src/store/repositories/api-tokens.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { openTestStore } from '../support/databases.js';

/**
 * Assertions that wait for their condition (Playwright's auto-waiting through `waitFor`, and
 * `expect.poll` for text and state), so a busy machine only makes them slower, never wrong.
 */
export function see(locator: Locator, timeout = 20_000) {
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout, interval: 50 });
  return {
    toBeVisible: () => locator.first().waitFor({ state: 'visible', timeout }),
    toBeHidden: () => locator.first().waitFor({ state: 'hidden', timeout }),
    toContainText: (text: string) =>
      poll(() =>
        locator
          .first()
          .textContent()
          .catch(() => ''),
      ).toContain(text),
    toHaveText: (text: string) =>
      poll(() =>
        locator
          .first()
          .textContent()
          .then(
            (t) => (t ?? '').trim(),
            () => '',
          ),
      ).toBe(text),
    toHaveAttribute: (name: string, value: string) =>
      poll(() => locator.first().getAttribute(name)).toBe(value),
    toBeFocused: () => poll(() => locator.first().evaluate((el) => el === document.activeElement)).toBe(true),
    notToBeEmpty: () =>
      poll(() =>
        locator
          .first()
          .textContent()
          .then(
            (t) => (t ?? '').trim().length,
            () => 0,
          ),
      ).toBeGreaterThan(0),
  };
}

/** Screenshots of every page, kept as test artefacts (git-ignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web');

/**
 * Debian's chromium, headless. The network here is closed: without these flags chromium tries
 * to reach Google's services and hangs on the connections.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WebRig {
  url: string;
  engine: Engine;
  /** Engine and DCImanager emulator time: an hour-long OS install passes when the test says so. */
  clock: ManualClock;
  ema: EasyMailArchiveEmulator;
  dci: Dci6Emulator;
  tokens: { admin: string; operator: string; read: string };
  /** A fresh browser profile (its own session storage) at desktop width. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  /** A real HTTP call to the API with a token. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers of many shapes
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Builds the UI from the sources into a temporary folder, so the test runs the code it sits beside. */
async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'provisio-web-'));
  await build({
    configFile: join(process.cwd(), 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** A real engine with every module, the API serving the built UI, and two emulators on port 0. */
export async function startWebRig(): Promise<WebRig> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const webRoot = await buildWebApp();
  const testStore = await openTestStore('sqlite');
  const clock = new ManualClock(Date.now());
  const engine = createEngine({
    store: testStore.store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: BUILTIN_MODULES,
    clock,
    logger: pino({ level: 'silent' }),
    maxAttempts: 3,
    eventPollMs: 20,
    eventTriggers: false,
    runner: {
      concurrency: 4,
      leaseMs: 600_000,
      pollMs: 10,
      operationTimeoutMs: 20_000,
      shutdownGraceMs: 2_000,
      retry: { baseMs: 20, capMs: 200 },
    },
  });
  engine.start();
  const ema = await startEasyMailArchiveEmulator({});
  const dci = await startDci6Emulator({ now: () => clock.now() });
  const api: FastifyInstance = await buildApi({ engine, webRoot, maxWaitSeconds: 10 });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  const now = clock.now();
  const tokens = {
    admin: (await createApiToken(engine.store.db, { name: 'admin', scope: 'admin' }, now)).token,
    operator: (await createApiToken(engine.store.db, { name: 'operator', scope: 'operator' }, now)).token,
    read: (await createApiToken(engine.store.db, { name: 'auditor', scope: 'read' }, now)).token,
  };
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];

  return {
    url,
    engine,
    clock,
    ema,
    dci,
    tokens,
    async newPage(options = {}) {
      const profile = mkdtempSync(join(tmpdir(), 'provisio-chromium-'));
      profiles.push(profile);
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      });
      contexts.push(context);
      context.setDefaultTimeout(20_000);
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async call(method, path, token, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await api.close();
      await engine.stop();
      await closeHttpAgents();
      await ema.close();
      await dci.close();
      await testStore.cleanup();
      for (const dir of [...profiles, webRoot]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await see(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Every visible form control has a label a screen reader reads (label element or aria-label). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .filter((el) => {
        const control = el as HTMLInputElement;
        return (control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label');
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** The page fits the viewport: nothing makes the whole document scroll sideways. */
/**
 * The elements that stick out past the right edge of the viewport (tag, class and the start of
 * their text), empty when the page does not scroll sideways: a failing test names the culprit.
 */
export async function overflowsSideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .filter((el) => !el.closest('.table-wrap') || el.classList.contains('table-wrap'))
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent ?? '').slice(0, 40)}"`);
  });
}
