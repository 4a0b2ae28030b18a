import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server.js';
import { describeModule } from '../../src/engine/module-catalogue.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { createApiToken } from '../../src/store/repositories/api-tokens.js';
import { exportWhmcsModules } from '../../src/whmcs/export.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';

const run = promisify(execFile);
const STAND_IN = join(import.meta.dirname, 'stand-in', 'call.php');

// biome-ignore lint/suspicious/noExplicitAny: rows and module answers of many shapes
export type Row = Record<string, any>;

export interface CallAnswer {
  // biome-ignore lint/suspicious/noExplicitAny: what the PHP function returned, as JSON
  result: any;
  threw: string | null;
  usageStatements: number;
  missing?: boolean;
}

/**
 * A WHMCS stand-in (test/whmcs/stand-in/) on its own MariaDB database, the generated modules in a
 * temporary WHMCS root, and a real engine with every module behind the real API on a random port.
 * PHP runs as a child process (asynchronously: the engine answers it from this process).
 */
export interface WhmcsRig {
  url: string;
  test: TestEngine;
  engine: TestEngine['engine'];
  api: FastifyInstance;
  adminToken: string;
  tokenFile: string;
  root: string;
  database: string;
  sql(sql: string, bindings?: unknown[]): Promise<{ rows: Row[]; count: number; id: number }>;
  /** Calls `<module>_<fn>` as WHMCS would, with $params built from the stand-in's tables. */
  call(
    module: string,
    fn: string,
    target?: { service: number } | { server: number } | { product: number; server: number },
  ): Promise<CallAnswer>;
  addServer(input: {
    type: string;
    hostname: string;
    ip?: string;
    port?: number;
    secure?: boolean;
    username?: string;
    password?: string;
    accesshash?: string;
  }): Promise<number>;
  addProduct(type: string, configOptions: readonly string[]): Promise<number>;
  addClient(email?: string): Promise<number>;
  addService(input: {
    clientId: number;
    productId: number;
    serverId: number;
    domain?: string;
    username?: string;
    password?: string;
    status?: string;
  }): Promise<number>;
  /** The WHMCS service row (tblhosting). */
  hosting(serviceId: number): Promise<Row>;
  /** A service property (custom field) as the stand-in stores it. */
  property(serviceId: number, name: string): Promise<string | undefined>;
  moduleLog(): Promise<Row[]>;
  moduleQueue(serviceId: number): Promise<Row[]>;
  /** The provisio service registered for a WHMCS service. */
  // biome-ignore lint/suspicious/noExplicitAny: the engine's service record
  provisioService(serviceId: number): Promise<any>;
  stopApi(): Promise<void>;
  close(): Promise<void>;
}

async function php(args: string[], env: Record<string, string>, stdin?: string): Promise<string> {
  const child = run('php', [STAND_IN, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  const { stdout } = await child;
  return stdout;
}

async function mysqlAdmin(statement: string): Promise<void> {
  await run('php', [
    '-r',
    `$p = new PDO('mysql:host=127.0.0.1;port=3306', 'root', ''); $p->exec(${JSON.stringify(statement)});`,
  ]);
}

export async function startWhmcsRig(
  options: { waitSeconds?: number; maxWaitSeconds?: number; clock?: 'manual' } = {},
): Promise<WhmcsRig> {
  const database = `whmcs_${process.pid}_${randomBytes(4).toString('hex')}`;
  await mysqlAdmin(`CREATE DATABASE \`${database}\``);
  const env = { WHMCS_DB: database };
  await php(['setup'], env);

  const test = await createTestEngine({
    modules: [...BUILTIN_MODULES],
    runner: { operationTimeoutMs: 20_000 },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { engine } = test;
  const api = await buildApi({ engine, maxWaitSeconds: options.maxWaitSeconds ?? 60, webRoot: null });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  const adminToken = (
    await createApiToken(engine.store.db, { name: 'whmcs', scope: 'admin' }, engine.clock.now())
  ).token;
  const root = mkdtempSync(join(tmpdir(), 'provisio-whmcs-'));
  const tokenFile = join(root, 'token');
  writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
  exportWhmcsModules(BUILTIN_MODULES.map(describeModule), root, {
    engineUrl: url,
    tokenFile,
    waitSeconds: options.waitSeconds ?? 25,
  });

  const sql: WhmcsRig['sql'] = async (statement, bindings = []) =>
    JSON.parse(await php(['sql'], env, JSON.stringify({ sql: statement, bindings })));
  const insert = async (table: string, values: Record<string, unknown>) => {
    const columns = Object.keys(values);
    return (
      await sql(
        `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        Object.values(values),
      )
    ).id;
  };
  let serial = 0;
  let apiOpen = true;
  return {
    url,
    test,
    engine,
    api,
    adminToken,
    tokenFile,
    root,
    database,
    sql,
    async call(module, fn, target) {
      const args = ['call', join(root, 'modules', 'servers', module), fn];
      if (target && 'service' in target) args.push('service', String(target.service));
      else if (target && 'product' in target)
        args.push('product', String(target.product), String(target.server));
      else if (target && 'server' in target) args.push('server', String(target.server));
      return JSON.parse(await php(args, env)) as CallAnswer;
    },
    addServer: (input) =>
      insert('tblservers', {
        name: `${input.type} ${++serial}`,
        type: input.type,
        hostname: input.hostname,
        ipaddress: input.ip ?? '',
        port: input.port ?? null,
        secure: input.secure ? 'on' : '',
        username: input.username ?? '',
        password: input.password ?? '',
        accesshash: input.accesshash ?? '',
      }),
    addProduct: (type, configOptions) =>
      insert('tblproducts', {
        name: `${type} product ${++serial}`,
        servertype: type,
        ...Object.fromEntries(configOptions.map((value, i) => [`configoption${i + 1}`, value])),
      }),
    addClient: (email) =>
      insert('tblclients', {
        firstname: 'Ada',
        lastname: 'Lovelace',
        companyname: 'Acme Corporation',
        email: email ?? `client${++serial}@example.test`,
      }),
    addService: (input) =>
      insert('tblhosting', {
        userid: input.clientId,
        packageid: input.productId,
        server: input.serverId,
        domain: input.domain ?? '',
        username: input.username ?? '',
        password: input.password ?? `Pw${randomBytes(6).toString('hex')}`,
        domainstatus: input.status ?? 'Pending',
      }),
    async hosting(serviceId) {
      return (await sql('SELECT * FROM tblhosting WHERE id = ?', [serviceId])).rows[0] as Row;
    },
    async property(serviceId, name) {
      const rows = (
        await sql(
          'SELECT v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ? AND f.fieldname = ?',
          [serviceId, name],
        )
      ).rows;
      return rows[0]?.value;
    },
    async moduleLog() {
      return (await sql('SELECT * FROM tblmodulelog ORDER BY id')).rows;
    },
    async moduleQueue(serviceId) {
      return (await sql('SELECT * FROM tblmodulequeue WHERE service_id = ? ORDER BY id', [serviceId])).rows;
    },
    async provisioService(serviceId) {
      const [service] = await engine.services.list({ externalId: `whmcs-${serviceId}` });
      return service;
    },
    async stopApi() {
      if (apiOpen) await api.close();
      apiOpen = false;
    },
    async close() {
      if (apiOpen) await api.close();
      await test.close();
      await mysqlAdmin(`DROP DATABASE IF EXISTS \`${database}\``);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
