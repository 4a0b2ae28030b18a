/**
 * `npm run chaos` (issue 17): the five emulators with 5% faults on their wire (connection reset,
 * timeout after the backend acted, 5xx, hang), lifecycle operations across every module and
 * product type, and the engine process SIGKILLed at random moments and restarted on the same
 * database. Loopback only, bounded in count and time. At the end it prints what went wrong and
 * exits 1 if anything did:
 *
 *   npm run chaos -- [--dialect sqlite|postgres] [--ops 1000] [--kills 10] [--seed 1]
 *
 * The checks: operations terminal / total; services whose billing status differs from the
 * backend (the service's mark present or absent); duplicate remote objects (a mark shown more
 * often than by its siblings); creates run twice (accepted create requests beyond one per
 * service); secrets found in clear in the database files, the engine's log and the module log.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_ADMIN } from '../src/emulators/axigen/index.js';
import { FIXTURE as CALAGOPUS } from '../src/emulators/calagopus/index.js';
import { seededRandom } from '../src/emulators/kit/faults.js';
import type { LoggedRequest } from '../src/emulators/kit/request-log.js';
import { PRODUCTS, type ProductKey, startWorld, type World } from '../test/chaos/world.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    ops: { type: 'string', default: '1000' },
    kills: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'fault-rate': { type: 'string', default: '0.05' },
  },
});
const dialect = values.dialect === 'postgres' ? 'postgres' : 'sqlite';
if (values.dialect !== dialect) throw new Error('--dialect is sqlite or postgres');
const OPS = Number(values.ops);
const KILLS = Number(values.kills);
const random = seededRandom(Number(values.seed));
const FAULT_RATE = Number(values['fault-rate']);
/** The whole run stops after this long, whatever is left (bounded in time). */
const DEADLINE_MS = 20 * 60_000;

/**
 * Services per product, in proportion, within what the emulators' fixtures hold (the DCImanager
 * fixture has few free servers, Calagopus's node few allocations). Each service runs create,
 * suspend, unsuspend, terminate: four operations.
 */
const WEIGHTS: Record<ProductKey, number> = {
  'axigen-domain': 10,
  'axigen-account': 10,
  easymailarchive: 10,
  'storegrid-reseller': 10,
  'storegrid-customer': 10,
  calagopus: 1,
  dcimanager6: 0.2,
};
const CAPS: Partial<Record<ProductKey, number>> = { calagopus: 4, dcimanager6: 1 };
const WAVES = ['create', 'suspend', 'unsuspend', 'terminate'] as const;
const FINAL = ['succeeded', 'failed', 'cancelled'];

/** Accepted requests that make a backend object: more than one per service is a create run twice. */
const CREATES: Record<string, (r: LoggedRequest) => boolean> = {
  axigen: (r) => r.method === 'CLI' && /^COMMIT$/i.test(r.path) && (r.context ?? '').includes('create'),
  calagopus: (r) => r.method === 'POST' && r.path === '/api/admin/servers',
  dcimanager6: (r) => r.method === 'POST' && /\/os_install$/.test(r.path),
  easymailarchive: (r) => r.method === 'POST' && r.path === '/api/reseller/tenants',
  storegrid: (r) => r.method === 'POST' && /\/Signup(Reseller|Customer)$/.test(r.path),
};

function plan(): ProductKey[] {
  const services = Math.max(1, Math.floor(OPS / WAVES.length));
  const keys = Object.keys(WEIGHTS) as ProductKey[];
  const total = keys.reduce((sum, key) => sum + WEIGHTS[key], 0);
  const out: ProductKey[] = [];
  for (const key of keys) {
    const wanted = Math.max(1, Math.round((services * WEIGHTS[key]) / total));
    for (let i = 0; i < Math.min(wanted, CAPS[key] ?? wanted); i++) out.push(key);
  }
  while (out.length > services)
    out.splice(
      out.findIndex((k) => !CAPS[k]),
      1,
    );
  return out;
}

function injectFaults(world: World): void {
  for (const emulator of Object.values(world.emulators)) {
    // The Axigen CLI has no 5xx: an `-ERR` to a valid command is a refusal, not a fault of the
    // wire, so its share goes to the other three.
    const kinds =
      emulator.id === 'axigen'
        ? (['drop-before', 'hang-after', 'hang'] as const)
        : (['drop-before', 'hang-after', 'error', 'hang'] as const);
    for (const kind of kinds)
      emulator.injectFault({
        kind,
        times: Number.POSITIVE_INFINITY,
        probability: FAULT_RATE / kinds.length,
        status: 503,
      });
  }
}

function clearFaults(world: World): void {
  for (const emulator of Object.values(world.emulators)) emulator.clearFaults();
}

async function main(): Promise<number> {
  const started = Date.now();
  const world = await startWorld({ dialect, seed: Number(values.seed), maxAttempts: 12 });
  const { engine } = world.setup;
  const logPath = join(tmpdir(), `provisio-chaos-${process.pid}.log`);
  const log = openSync(logPath, 'a');
  let child: ChildProcess = await world.spawnEngine({
    leaseMs: 1_500,
    logFd: log,
    operationTimeoutMs: 4_000,
  });
  const respawn = async () => {
    child = await world.spawnEngine({ leaseMs: 1_500, logFd: log, operationTimeoutMs: 4_000 });
  };
  const products = plan();
  const services: { id: number; product: ProductKey }[] = [];
  for (const product of products) services.push({ id: await world.newService(product), product });
  injectFaults(world);

  let kills = 0;
  let stopKilling = false;
  const killer = (async () => {
    while (kills < KILLS && !stopKilling) {
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 2_500));
      if (stopKilling) break;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      kills++;
      await respawn();
    }
  })();

  const operationIds: number[] = [];
  // A live line on a terminal; in a log (CI, npm test) one line per wave.
  const progress = (wave: string, done: number, total: number) => {
    if (process.stdout.isTTY)
      process.stdout.write(`\r${wave.padEnd(10)} ${done}/${total} operations ended, ${kills} kills`);
    else if (done === total) process.stdout.write(`${wave.padEnd(10)} ${done}/${total} operations ended`);
  };
  for (const wave of WAVES) {
    const ids: number[] = [];
    for (const service of services) {
      const current = await engine.services.get(service.id);
      const wanted = { create: 'pending', suspend: 'active', unsuspend: 'suspended', terminate: 'active' }[
        wave
      ];
      if (current.status !== wanted) continue;
      ids.push((await engine.operations.enqueue({ serviceId: service.id, action: wave })).operation.id);
    }
    operationIds.push(...ids);
    for (;;) {
      const ops = await Promise.all(ids.map((id) => engine.operations.get(id)));
      const ended = ops.filter((op) => FINAL.includes(op.status)).length;
      progress(wave, ended, ids.length);
      if (ended === ids.length || Date.now() - started > DEADLINE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    process.stdout.write('\n');
  }
  // Every kill happens while work remains: when the waves end first, the rest come now, on an
  // idle engine, which still tests restarts.
  await killer.catch(() => undefined);
  stopKilling = true;
  clearFaults(world);

  const operations = await Promise.all(operationIds.map((id) => engine.operations.get(id)));
  const terminal = operations.filter((op) => FINAL.includes(op.status)).length;
  const failed = operations.filter((op) => op.status === 'failed');

  // Billing against the backend: a live service's mark is on its backend, a terminated one's gone.
  // Easy Mail Archive keeps its claim on provisio's side: its tenants are counted by slug instead.
  let drift = 0;
  const marks = new Map<ProductKey, Set<number>>();
  const driftLines: string[] = [];
  for (const service of services) {
    const module = PRODUCTS[service.product].module;
    const record = await engine.services.get(service.id);
    const snapshot = JSON.stringify(world.emulators[module].snapshot());
    const shown =
      module === 'easymailarchive'
        ? Number(Boolean(record.remoteIds.slug && snapshot.includes(`"${record.remoteIds.slug}"`)))
        : snapshot.split(`provisio-service-${service.id}"`).length - 1;
    const live = ['active', 'suspended'].includes(record.status);
    // StoreGrid's and Easy Mail Archive's terminate deactivates (the object stays, spec'd so).
    const keeps = module === 'storegrid' || module === 'easymailarchive';
    const agrees = live ? shown > 0 : record.status === 'terminated' && keeps ? shown <= 1 : shown === 0;
    if (!agrees && record.status !== 'pending') {
      drift++;
      driftLines.push(
        `  service ${service.id} (${service.product}) is ${record.status}, backend shows ${shown}`,
      );
    }
    if (live) marks.set(service.product, (marks.get(service.product) ?? new Set()).add(shown));
  }
  const duplicates = [...marks.values()].filter((counts) => counts.size > 1).length;

  let createsTwice = 0;
  for (const [module, isCreate] of Object.entries(CREATES)) {
    const accepted = world.emulators[module as keyof World['emulators']]
      .requests()
      .filter((r) => r.ok === true && isCreate(r)).length;
    const count = services.filter((s) => PRODUCTS[s.product].module === module).length;
    if (accepted > count) createsTwice += accepted - count;
  }

  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  closeSync(log);
  const secrets = [
    DEFAULT_ADMIN.password,
    CALAGOPUS.apiKey,
    'ema_live_demo_reseller_key_0123456789',
    ...services.map((s) => `Pw-${s.id}-secret!`),
  ];
  const leaks = await findSecrets(world, secrets, logPath);

  const lines = [
    `operations terminal / total:         ${terminal} / ${operations.length} (${failed.length} failed)`,
    `engine kills:                        ${kills}`,
    `services billing ≠ backend:          ${drift}`,
    `duplicate remote objects:            ${duplicates}`,
    `creates run twice:                   ${createsTwice}`,
    `secrets in clear (db, log, module log): ${leaks.length}`,
  ];
  console.log(
    `\nchaos run (${dialect}, seed ${values.seed}, ${Math.round((Date.now() - started) / 1000)} s)`,
  );
  for (const line of lines) console.log(`  ${line}`);
  for (const line of driftLines.slice(0, 10)) console.log(line);
  for (const leak of leaks.slice(0, 10)) console.log(`  leak: ${leak}`);
  for (const op of failed.slice(0, 10))
    console.log(`  failed: operation ${op.id} ${op.action}: ${op.errorCode} ${op.errorMessage}`);
  await world.close();
  const bad = terminal !== operations.length || drift || duplicates || createsTwice || leaks.length;
  return bad ? 1 : 0;
}

/** Where each secret shows in clear: the database (files or tables), the engine log, the module log. */
async function findSecrets(world: World, secrets: string[], logPath: string): Promise<string[]> {
  const found: string[] = [];
  const texts: [string, string][] = [['engine log', readFileSync(logPath, 'latin1')]];
  const { testStore } = world.setup;
  if (testStore.dialect === 'sqlite') {
    const dir = dirname(testStore.location);
    for (const file of readdirSync(dir))
      if (existsSync(join(dir, file)))
        texts.push([`database file ${file}`, readFileSync(join(dir, file), 'latin1')]);
  } else {
    const client = new pg.Client({ connectionString: testStore.databaseUrl });
    await client.connect();
    const tables = await client.query(
      'select table_name from information_schema.tables where table_schema = $1',
      [testStore.location],
    );
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query(`select * from "${testStore.location}"."${table}"`);
      texts.push([`table ${table}`, JSON.stringify(rows.rows)]);
    }
    await client.end();
  }
  const moduleLog = await world.setup.engine.moduleLog.query({ limit: 100_000 });
  texts.push(['module log', JSON.stringify(moduleLog)]);
  for (const [where, text] of texts)
    for (const secret of secrets)
      if (text.includes(secret)) found.push(`${where} holds ${secret.slice(0, 3)}…`);
  return found;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
