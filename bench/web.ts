/**
 * `npm run bench -- web [--services N] [--operations N]`
 *
 * The admin web UI at a real shop's size. Two figures:
 * - the bundle: JavaScript and CSS the first load fetches, raw and gzipped (aim: under 300 KB
 *   of JavaScript gzipped);
 * - the API calls each page makes, timed over HTTP against a seeded SQLite database with
 *   100,000 services, 1,000,000 operations and 300,000 module-log rows (aim: every call under
 *   100 ms). Each page's calls are made as the page makes them, 40 rounds; p50 and p99 per call.
 * The runner is not started: this measures reads, not reads racing the queue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { build } from 'vite';
import { buildApi } from '../src/api/server.js';
import { SecretBox } from '../src/core/secret-box.js';
import { createEngine } from '../src/engine/engine.js';
import { BUILTIN_MODULES } from '../src/modules/registry.js';
import type { Db } from '../src/store/database.js';
import { createApiToken } from '../src/store/repositories/api-tokens.js';
import { openTestStore } from '../test/support/databases.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
}

/** A small deterministic generator, so every run seeds the same shop. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function measureBundle(): Promise<{ files: { name: string; raw: number; gzip: number }[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'provisio-web-bench-'));
  await build({
    configFile: join(process.cwd(), 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
  });
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const assets = readdirSync(join(outDir, 'assets'));
  const files = assets
    .filter((name) => html.includes(name))
    .map((name) => {
      const body = readFileSync(join(outDir, 'assets', name));
      return { name, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
    });
  rmSync(outDir, { recursive: true, force: true });
  return { files };
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 400) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

interface Seeded {
  clients: number;
  services: number;
  operations: number;
  busyServiceId: number;
  clientWithServices: number;
}

/** The shop: 10 servers in 3 groups, 20 products, clients with 5 services each, a month of operations. */
export async function seed(
  db: Db,
  now: number,
  counts: { services: number; operations: number },
): Promise<Seeded> {
  const rand = random(42);
  const servers = Array.from({ length: 10 }, (_, i) => ({
    name: `mail-${i + 1}`,
    module: 'easymailarchive',
    hostname: `mail${i + 1}.example.net`,
    ip: null,
    port: 443,
    secure: 1,
    username: '',
    secret_sealed: null,
    max_accounts: 15_000,
    max_concurrency: 8,
    enabled: 1,
    tls_verify: 1,
    tls_fingerprint: null,
    settings: '{}',
    created_at: now - 400 * DAY,
    updated_at: now - 400 * DAY,
  }));
  await db.insertInto('servers').values(servers).execute();
  for (let g = 0; g < 3; g++) {
    const group = await db
      .insertInto('server_groups')
      .values({ name: `group-${g + 1}`, fill_type: 'least-full', last_server_id: null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const members = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((id) => id % 3 === g);
    await db
      .insertInto('server_group_members')
      .values(members.map((server_id, priority) => ({ group_id: group.id, server_id, priority })))
      .execute();
  }
  await db
    .insertInto('products')
    .values(
      Array.from({ length: 20 }, (_, i) => ({
        name: `Archive ${i + 1}`,
        module: 'easymailarchive',
        product_type: null,
        server_group_id: (i % 3) + 1,
        settings: '{}',
        secret_settings_sealed: null,
        config_options: '[]',
        welcome_template: null,
        created_at: now - 300 * DAY,
        updated_at: now - 300 * DAY,
      })),
    )
    .execute();
  const clients = Math.ceil(counts.services / 5);
  await insertChunked(
    Array.from({ length: clients }, (_, i) => ({
      external_id: `whmcs-${i + 1}`,
      email: `client${i + 1}@example.com`,
      first_name: 'Client',
      last_name: String(i + 1),
      company: `Company ${i + 1}`,
      email_verified: 1,
      custom_fields: '{}',
      created_at: now - 300 * DAY,
      updated_at: now - 300 * DAY,
    })),
    (chunk) => db.insertInto('clients').values(chunk).execute(),
  );
  const statuses = [
    'active',
    'active',
    'active',
    'active',
    'active',
    'active',
    'active',
    'active',
    'suspended',
    'terminated',
    'pending',
    'cancelled',
  ];
  const services = Array.from({ length: counts.services }, (_, i) => {
    const status = statuses[Math.floor(rand() * statuses.length)]!;
    const live = status === 'active' || status === 'suspended';
    return {
      client_id: Math.floor(i / 5) + 1,
      product_id: (i % 20) + 1,
      server_id: status === 'pending' || status === 'cancelled' ? null : (i % 10) + 1,
      status,
      domain: `example-${i + 1}.com`,
      username: `user${i + 1}`,
      password_sealed: null,
      config_options: '{}',
      custom_fields: '{}',
      remote_ids: JSON.stringify({ slug: `example-${i + 1}` }),
      dedicated_ip: null,
      assigned_ips: '[]',
      usage: live
        ? JSON.stringify({
            diskUsedMb: Math.round(rand() * 5000),
            diskLimitMb: 10_000,
            bandwidthUsedMb: Math.round(rand() * 900),
          })
        : '{}',
      usage_updated_at: live ? now - Math.round(rand() * 2 * HOUR) : null,
      suspend_reason: status === 'suspended' ? 'overdue' : null,
      created_at: now - 200 * DAY,
      updated_at: now - DAY,
    };
  });
  await insertChunked(services, (chunk) => db.insertInto('services').values(chunk).execute(), 500);

  // A month of operations, newest ids last; a few hundred still active, on distinct services.
  const actions = ['create', 'suspend', 'unsuspend', 'usage', 'change-password', 'terminate'];
  const batch: Record<string, unknown>[] = [];
  let inserted = 0;
  const flush = async () => {
    await db
      .insertInto('operations')
      .values(batch as never)
      .execute();
    inserted += batch.length;
    batch.length = 0;
  };
  for (let i = 0; i < counts.operations; i++) {
    const created = now - 30 * DAY + Math.floor((i / counts.operations) * 30 * DAY);
    const activeTail = i >= counts.operations - 300;
    const r = rand();
    const status = activeTail
      ? (['queued', 'waiting', 'running'] as const)[i % 3]
      : r < 0.955
        ? 'succeeded'
        : r < 0.985
          ? 'failed'
          : 'cancelled';
    const duration = Math.round(200 + rand() * rand() * 8_000);
    const finished = status === 'succeeded' || status === 'failed' || status === 'cancelled';
    batch.push({
      service_id: activeTail ? i - (counts.operations - 300) + 1 : (i % counts.services) + 1,
      server_id: (i % 10) + 1,
      module: 'easymailarchive',
      action: actions[i % actions.length],
      args: '{}',
      args_sealed: null,
      status,
      claimed_from: null,
      attempts: 1,
      max_attempts: 5,
      run_at: created,
      lease_owner: null,
      lease_expires_at: null,
      idempotency_key: null,
      request_hash: null,
      journal: '{"steps":{},"waits":{}}',
      progress_message: null,
      progress_fraction: null,
      error_kind: status === 'failed' ? 'remote' : null,
      error_code: status === 'failed' ? 'easymailarchive.remote' : null,
      error_message:
        status === 'failed' ? 'Easy Mail Archive refused the change (HTTP 422: quota exceeded)' : null,
      // Most failures were dealt with long ago; the last few hundred wait for an operator.
      resolved_at: status === 'failed' && i < counts.operations - 20_000 ? created + DAY : null,
      resolution: status === 'failed' && i < counts.operations - 20_000 ? 'resolved' : null,
      created_at: created,
      updated_at: finished ? created + duration : created,
      started_at: created,
      finished_at: finished ? created + duration : null,
      warnings: '[]',
    });
    if (batch.length >= 400) await flush();
  }
  if (batch.length) await flush();

  const logRows = Math.min(300_000, inserted);
  await insertChunked(
    Array.from({ length: logRows }, (_, i) => ({
      operation_id: counts.operations - logRows + i + 1,
      server_id: (i % 10) + 1,
      module: 'easymailarchive',
      action: 'create',
      request: `POST /api/reseller/tenants {"slug":"example-${i}"}`,
      response: '201 {"data":{"status":"active"}}',
      duration_ms: 12,
      outcome: 'ok',
      error: null,
      created_at: now - logRows + i,
    })),
    (chunk) => db.insertInto('module_log').values(chunk).execute(),
    500,
  );
  return {
    clients,
    services: counts.services,
    operations: inserted,
    busyServiceId: counts.services - 7,
    clientWithServices: 1234,
  };
}

interface PageCalls {
  page: string;
  calls: string[];
}

function pagesOf(seeded: Seeded): PageCalls[] {
  const service = seeded.busyServiceId;
  const lastOp = seeded.operations;
  return [
    { page: 'sign-in', calls: ['/v1/session'] },
    { page: 'dashboard', calls: ['/v1/dashboard', '/v1/dashboard/server-fill'] },
    { page: 'servers', calls: ['/v1/servers', '/v1/server-groups', '/v1/dashboard/server-fill'] },
    { page: 'products', calls: ['/v1/products', '/v1/server-groups'] },
    { page: 'clients', calls: ['/v1/clients?limit=51', '/v1/clients?limit=51&afterId=15000'] },
    {
      page: 'services',
      calls: [
        '/v1/services?limit=51',
        '/v1/services?limit=51&afterId=90000',
        '/v1/services?limit=51&status=pending',
        '/v1/services?limit=51&status=suspended&afterId=50000',
        '/v1/services?limit=51&serverId=3',
        '/v1/services?limit=51&search=example-7777',
        '/v1/services?limit=51&search=99001',
      ],
    },
    {
      page: 'service',
      calls: [
        `/v1/services/${service}`,
        `/v1/operations?serviceId=${service}&limit=20`,
        `/v1/module-log?serviceId=${service}&limit=50`,
        '/v1/products/3',
        '/v1/servers/3',
      ],
    },
    {
      page: 'operations',
      calls: [
        '/v1/operations?unresolved=true&limit=50',
        '/v1/operations?limit=51',
        '/v1/operations?limit=51&status=failed',
        `/v1/operations?limit=51&beforeId=${Math.floor(lastOp / 2)}`,
      ],
    },
    { page: 'operation', calls: [`/v1/operations/${lastOp - 400}`] },
    { page: 'customer', calls: [`/v1/services?clientId=${seeded.clientWithServices}&limit=100`] },
  ];
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? Number.NaN;

export async function run(args: string[]): Promise<void> {
  const counts = {
    services: option(args, 'services', 100_000),
    operations: option(args, 'operations', 1_000_000),
  };
  const rounds = option(args, 'rounds', 40);

  const bundle = await measureBundle();
  const js = bundle.files.filter((f) => f.name.endsWith('.js'));
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log('bundle (first load):');
  for (const file of bundle.files)
    console.log(`  ${file.name}: ${kb(file.raw)} KB, ${kb(file.gzip)} KB gzipped`);
  const jsGzip = js.reduce((sum, f) => sum + f.gzip, 0);
  console.log(`  JavaScript: ${kb(jsGzip)} KB gzipped (aim: under 300 KB)`);

  const testStore = await openTestStore('sqlite');
  const engine = createEngine({
    store: testStore.store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: BUILTIN_MODULES,
    logger: pino({ level: 'silent' }),
  });
  const now = Date.now();
  const started = performance.now();
  const seeded = await seed(testStore.store.db, now, counts);
  console.log(
    `seeded ${seeded.services} services, ${seeded.operations} operations, ${seeded.clients} clients in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const { token } = await createApiToken(testStore.store.db, { name: 'bench', scope: 'admin' }, now);
  const api = await buildApi({ engine, webRoot: null });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  const headers = { authorization: `Bearer ${token}` };
  const timeCall = async (path: string) => {
    const at = performance.now();
    const response = await fetch(`${url}${path}`, { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return performance.now() - at;
  };

  let worst = 0;
  console.log(`API calls per page (${rounds} rounds; p50 / p99 in ms):`);
  for (const { page, calls } of pagesOf(seeded)) {
    for (const call of calls) await timeCall(call); // warm caches and prepared statements
    const timings = new Map<string, number[]>(calls.map((c) => [c, []]));
    for (let round = 0; round < rounds; round++)
      for (const call of calls) timings.get(call)!.push(await timeCall(call));
    console.log(`  ${page}`);
    for (const [call, times] of timings) {
      const sorted = times.sort((a, b) => a - b);
      const p99 = percentile(sorted, 99);
      worst = Math.max(worst, p99);
      console.log(
        `    ${call.padEnd(58)} ${percentile(sorted, 50).toFixed(1).padStart(7)} / ${p99.toFixed(1).padStart(7)}`,
      );
    }
  }
  console.log(`slowest call p99: ${worst.toFixed(1)} ms (aim: under 100 ms)`);
  await api.close();
  await engine.stop();
  await testStore.cleanup();
}
