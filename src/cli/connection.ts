import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { OpenedEngine } from '../app.js';
import type { Config } from '../config.js';

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * What every CLI command talks to: the HTTP API, either of a remote engine (`--url`, `--token`)
 * or of the local database served in-process (no socket, no token: opening the database and its
 * key already makes you an administrator). One code path, so the CLI behaves the same on both.
 */
export interface Connection {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Local only: run queued operations in this process while the command waits for them. */
  startRunner(): void;
  readonly remote: boolean;
  close(): Promise<void>;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function remoteConnection(url: string, token: string | undefined): Connection {
  const base = url.replace(/\/+$/, '');
  return {
    remote: true,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          ...headers,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      };
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, init);
      } catch (error) {
        throw new CliError(
          `cannot reach ${base}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
        );
      }
      const text = await response.text();
      try {
        return { status: response.status, body: JSON.parse(text) };
      } catch {
        return { status: response.status, body: text };
      }
    },
    startRunner() {},
    async close() {},
  };
}

/** The engine, its modules and the API load only here: a remote command starts in a fraction of the time. */
export async function localConnection(config: Config): Promise<Connection> {
  // Run from another folder, the default ./data/provisio.db is a different, empty database:
  // say which file would be used instead of creating it silently.
  if (!config.databaseUrl && config.sqlitePath !== ':memory:' && !existsSync(config.sqlitePath)) {
    throw new CliError(
      `no provisio database at ${resolve(config.sqlitePath)}: run this where the engine runs, point at its database (--db FILE, PROVISIO_SQLITE_PATH, --config FILE, or DATABASE_URL for PostgreSQL), or create a new one with \`provisio migrate\``,
      2,
    );
  }
  const [{ default: pino }, { localAdmin }, { buildApi }, { openEngine }, { createAppLogger }] =
    await Promise.all([
      import('pino'),
      import('../api/auth.js'),
      import('../api/server.js'),
      import('../app.js'),
      import('../engine/logger.js'),
    ]);
  // Warnings and errors only, on stderr: stdout belongs to the command's output.
  const logger = createAppLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: pino.destination(2),
  });
  const opened: OpenedEngine = await openEngine(config, { logger });
  let api: FastifyInstance;
  try {
    api = await buildApi({
      engine: opened.engine,
      authenticate: localAdmin,
      maxWaitSeconds: 3600,
      bodyLimitBytes: config.bodyLimitBytes,
    });
  } catch (error) {
    await opened.close();
    throw error;
  }
  return {
    remote: false,
    async request(method, path, body, headers = {}) {
      const response = await api.inject({
        method: method as 'GET',
        url: path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      try {
        return { status: response.statusCode, body: response.json() };
      } catch {
        return { status: response.statusCode, body: response.body };
      }
    },
    startRunner() {
      opened.engine.start();
    },
    async close() {
      await api.close();
      await opened.close();
    },
  };
}
