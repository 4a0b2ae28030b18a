import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * provisio's configuration: every setting has an environment variable, a key in the optional
 * JSON config file, a default and a description (docs/configuration.md is written from this
 * table). Precedence: environment > config file > default, so a container can override one value
 * of a shared file.
 */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string | undefined;
  sqlitePath: string;
  pgPoolSize: number;
  secretKey: string | undefined;
  keyFile: string;
  logLevel: string;
  concurrency: number;
  maxAttempts: number;
  operationTimeoutSeconds: number;
  shutdownGraceSeconds: number;
  usageIntervalMinutes: number;
  reconcileIntervalMinutes: number;
  maxWaitSeconds: number;
  bodyLimitBytes: number;
  bootstrapToken: boolean;
  previousSecretKeys: string | undefined;
  publicUrl: string | undefined;
  webhookTimeoutSeconds: number;
  webhookMaxAttempts: number;
  smtpHost: string | undefined;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string | undefined;
  smtpPassword: string | undefined;
  smtpFrom: string | undefined;
  smtpTo: string | undefined;
  notifyWebhookUrl: string | undefined;
  notifyWebhookSecret: string | undefined;
  retainOperationsDays: number;
  retainModuleLogDays: number;
  retainEventsDays: number;
  retentionIntervalMinutes: number;
}

type Kind = 'string' | 'integer' | 'boolean';

export interface SettingDefinition {
  key: keyof Config;
  env: string;
  kind: Kind;
  default: string | number | boolean | undefined;
  description: string;
  min?: number;
}

export const SETTINGS: readonly SettingDefinition[] = Object.freeze([
  {
    key: 'host',
    env: 'PROVISIO_HOST',
    kind: 'string',
    default: '127.0.0.1',
    description: 'Address the HTTP API listens on; `0.0.0.0` to accept connections from other machines.',
  },
  {
    key: 'port',
    env: 'PROVISIO_PORT',
    kind: 'integer',
    default: 8080,
    min: 0,
    description: 'HTTP API port (0 picks a free port).',
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    kind: 'string',
    default: undefined,
    description:
      'A `postgres://…` URL selects PostgreSQL (many nodes); unset, the embedded SQLite database is used.',
  },
  {
    key: 'sqlitePath',
    env: 'PROVISIO_SQLITE_PATH',
    kind: 'string',
    default: './data/provisio.db',
    description: 'SQLite database file (WAL mode), created with its folder on first start.',
  },
  {
    key: 'pgPoolSize',
    env: 'PROVISIO_PG_POOL_SIZE',
    kind: 'integer',
    default: 10,
    min: 1,
    description: 'PostgreSQL connections per process.',
  },
  {
    key: 'secretKey',
    env: 'PROVISIO_SECRET_KEY',
    kind: 'string',
    default: undefined,
    description:
      'The 32-byte AES key that seals stored secrets, as 64 hex characters or base64. Unset: read from (or created in) the key file.',
  },
  {
    key: 'keyFile',
    env: 'PROVISIO_KEY_FILE',
    kind: 'string',
    default: './data/secret.key',
    description:
      'Key file used when PROVISIO_SECRET_KEY is unset; created with mode 0600 on first start. Back it up: without it stored secrets are unreadable.',
  },
  {
    key: 'logLevel',
    env: 'PROVISIO_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    description: 'Application log level: fatal, error, warn, info, debug or trace.',
  },
  {
    key: 'concurrency',
    env: 'PROVISIO_CONCURRENCY',
    kind: 'integer',
    default: 8,
    min: 1,
    description: 'Operations this process runs at once (waiting operations do not count).',
  },
  {
    key: 'maxAttempts',
    env: 'PROVISIO_MAX_ATTEMPTS',
    kind: 'integer',
    default: 5,
    min: 1,
    description: 'Attempts an operation gets before transient failures end it as failed.',
  },
  {
    key: 'operationTimeoutSeconds',
    env: 'PROVISIO_OPERATION_TIMEOUT_SECONDS',
    kind: 'integer',
    default: 300,
    min: 1,
    description: 'Time limit of one run of an action (durable waits do not count).',
  },
  {
    key: 'shutdownGraceSeconds',
    env: 'PROVISIO_SHUTDOWN_GRACE_SECONDS',
    kind: 'integer',
    default: 10,
    min: 0,
    description:
      'On SIGTERM/SIGINT: how long running actions may finish before they are released to another node.',
  },
  {
    key: 'usageIntervalMinutes',
    env: 'PROVISIO_USAGE_INTERVAL_MINUTES',
    kind: 'integer',
    default: 60,
    min: 0,
    description: 'Scheduled usage sync interval; 0 syncs only on demand.',
  },
  {
    key: 'reconcileIntervalMinutes',
    env: 'PROVISIO_RECONCILE_INTERVAL_MINUTES',
    kind: 'integer',
    default: 1440,
    min: 0,
    description:
      'Scheduled reconcile interval (compares every server with billing, stores findings, repairs nothing); 0 reconciles only on demand.',
  },
  {
    key: 'maxWaitSeconds',
    env: 'PROVISIO_MAX_WAIT_SECONDS',
    kind: 'integer',
    default: 60,
    min: 0,
    description: 'Upper bound of the `wait` parameter of action and order requests.',
  },
  {
    key: 'bodyLimitBytes',
    env: 'PROVISIO_BODY_LIMIT_BYTES',
    kind: 'integer',
    default: 1_048_576,
    min: 1024,
    description: 'Largest request body the API accepts.',
  },
  {
    key: 'bootstrapToken',
    env: 'PROVISIO_BOOTSTRAP_TOKEN',
    kind: 'boolean',
    default: true,
    description: '`serve` creates and prints an admin token when the database has no token yet.',
  },
  {
    key: 'previousSecretKeys',
    env: 'PROVISIO_PREVIOUS_SECRET_KEYS',
    kind: 'string',
    default: undefined,
    description:
      'Older keys, comma-separated (hex or base64), accepted for decrypting only: set during a key rotation (docs/operations.md), removed after `provisio secrets rotate-key`.',
  },
  {
    key: 'publicUrl',
    env: 'PROVISIO_PUBLIC_URL',
    kind: 'string',
    default: undefined,
    description:
      'The address people reach the engine at (`https://provisio.example.com`); links in notifications point there. Unset: `http://<host>:<port>`.',
  },
  {
    key: 'webhookTimeoutSeconds',
    env: 'PROVISIO_WEBHOOK_TIMEOUT_SECONDS',
    kind: 'integer',
    default: 10,
    min: 1,
    description: 'How long a webhook receiver may take to answer before the delivery counts as failed.',
  },
  {
    key: 'webhookMaxAttempts',
    env: 'PROVISIO_WEBHOOK_MAX_ATTEMPTS',
    kind: 'integer',
    default: 12,
    min: 1,
    description:
      'Attempts per webhook delivery (backoff from 10 s doubling up to 1 h: 2 to 3½ hours with the default) before it is marked failed; replay it later.',
  },
  {
    key: 'smtpHost',
    env: 'PROVISIO_SMTP_HOST',
    kind: 'string',
    default: undefined,
    description:
      'SMTP server for failure notifications by email; unset: no email. Needs PROVISIO_SMTP_FROM and PROVISIO_SMTP_TO.',
  },
  {
    key: 'smtpPort',
    env: 'PROVISIO_SMTP_PORT',
    kind: 'integer',
    default: 587,
    min: 1,
    description:
      'SMTP port: 587 (submission, STARTTLS), 465 (implicit TLS, with PROVISIO_SMTP_SECURE) or 25.',
  },
  {
    key: 'smtpSecure',
    env: 'PROVISIO_SMTP_SECURE',
    kind: 'boolean',
    default: false,
    description:
      '`true`: TLS from the first byte (port 465). `false`: plain, upgraded with STARTTLS when the server offers it.',
  },
  {
    key: 'smtpUser',
    env: 'PROVISIO_SMTP_USER',
    kind: 'string',
    default: undefined,
    description: 'SMTP login; unset: send without authenticating.',
  },
  {
    key: 'smtpPassword',
    env: 'PROVISIO_SMTP_PASSWORD',
    kind: 'string',
    default: undefined,
    description: 'SMTP password (a secret: never logged; prefer the environment to the config file).',
  },
  {
    key: 'smtpFrom',
    env: 'PROVISIO_SMTP_FROM',
    kind: 'string',
    default: undefined,
    description: 'Sender of notification emails, e.g. `provisio <provisio@example.com>`.',
  },
  {
    key: 'smtpTo',
    env: 'PROVISIO_SMTP_TO',
    kind: 'string',
    default: undefined,
    description: 'Recipients of notification emails, comma-separated.',
  },
  {
    key: 'notifyWebhookUrl',
    env: 'PROVISIO_NOTIFY_WEBHOOK_URL',
    kind: 'string',
    default: undefined,
    description:
      'URL that gets one signed JSON message per failed operation (a chat or paging hook); unset: none. Needs PROVISIO_NOTIFY_WEBHOOK_SECRET.',
  },
  {
    key: 'notifyWebhookSecret',
    env: 'PROVISIO_NOTIFY_WEBHOOK_SECRET',
    kind: 'string',
    default: undefined,
    description: 'Signing secret of the notification webhook (`Provisio-Signature`, as for /v1/webhooks).',
  },
  {
    key: 'retainOperationsDays',
    env: 'PROVISIO_RETAIN_OPERATIONS_DAYS',
    kind: 'integer',
    default: 0,
    min: 0,
    description:
      'Finished operations (succeeded, cancelled, failed and resolved) older than this are deleted; 0 keeps them forever. Unresolved failures are always kept.',
  },
  {
    key: 'retainModuleLogDays',
    env: 'PROVISIO_RETAIN_MODULE_LOG_DAYS',
    kind: 'integer',
    default: 90,
    min: 0,
    description: 'Module-log rows older than this are deleted; 0 keeps them forever.',
  },
  {
    key: 'retainEventsDays',
    env: 'PROVISIO_RETAIN_EVENTS_DAYS',
    kind: 'integer',
    default: 30,
    min: 0,
    description:
      'Events older than this that every subscriber and webhook has received are deleted, with their delivery records; 0 keeps them forever.',
  },
  {
    key: 'retentionIntervalMinutes',
    env: 'PROVISIO_RETENTION_INTERVAL_MINUTES',
    kind: 'integer',
    default: 60,
    min: 0,
    description: 'How often `serve` prunes, in small batches; 0: only `provisio maintenance prune`.',
  },
] satisfies SettingDefinition[]);

/** `PROVISIO_CONFIG` (or `--config`) names the optional JSON file; `./provisio.json` is read when present. */
export const CONFIG_FILE_ENV = 'PROVISIO_CONFIG';
const DEFAULT_CONFIG_FILE = './provisio.json';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseValue(setting: SettingDefinition, raw: unknown, source: string): string | number | boolean {
  if (setting.kind === 'string') {
    if (typeof raw !== 'string') throw new ConfigError(`${source}: ${setting.key} must be text`);
    return raw;
  }
  if (setting.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return true;
    if (typeof raw === 'string' && /^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${source}: ${setting.key} must be true or false`);
  }
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ConfigError(`${source}: ${setting.key} must be a whole number`);
  if (setting.min !== undefined && value < setting.min)
    throw new ConfigError(`${source}: ${setting.key} must be at least ${setting.min}`);
  return value;
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`the config file ${path} must hold a JSON object`);
  const known = new Set<string>(SETTINGS.map((s) => s.key));
  const unknown = Object.keys(parsed).filter((key) => !known.has(key));
  if (unknown.length)
    throw new ConfigError(
      `the config file ${path} has unknown settings: ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
    );
  return parsed as Record<string, unknown>;
}

/**
 * Reads the configuration. Relative paths in a config file are taken from the file's folder;
 * relative paths from the environment from the working directory.
 */
export function loadConfig(
  options: { env?: NodeJS.ProcessEnv; file?: string; overrides?: Partial<Config> } = {},
): Config {
  const env = options.env ?? process.env;
  const explicitFile = options.file ?? env[CONFIG_FILE_ENV];
  const filePath = explicitFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (explicitFile && !existsSync(explicitFile))
    throw new ConfigError(`the config file ${explicitFile} does not exist`);
  const file = filePath ? readConfigFile(filePath) : {};
  const config: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const fromEnv = env[setting.env];
    if (fromEnv !== undefined && fromEnv !== '')
      config[setting.key] = parseValue(setting, fromEnv, setting.env);
    // null in the file leaves a setting unset (at its default): the example file lists every key.
    else if (file[setting.key] !== undefined && file[setting.key] !== null) {
      const value = parseValue(setting, file[setting.key], filePath!);
      config[setting.key] =
        setting.kind === 'string' && /path|file/i.test(setting.key)
          ? resolve(dirname(filePath!), String(value))
          : value;
    } else config[setting.key] = setting.default;
  }
  const result: Config = { ...(config as unknown as Config), ...options.overrides };
  checkDependentSettings(result);
  return Object.freeze(result);
}

const isHttpUrl = (text: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
};

/** Settings that only make sense together: refused at start, not at the first failure. */
function checkDependentSettings(config: Config): void {
  if (config.smtpHost && (!config.smtpFrom || !config.smtpTo))
    throw new ConfigError(
      'email notifications need PROVISIO_SMTP_FROM and PROVISIO_SMTP_TO as well as PROVISIO_SMTP_HOST',
    );
  if (config.smtpPassword && !config.smtpUser)
    throw new ConfigError('PROVISIO_SMTP_PASSWORD is set without PROVISIO_SMTP_USER');
  if (config.smtpUser && !config.smtpPassword)
    throw new ConfigError(
      'PROVISIO_SMTP_USER is set without PROVISIO_SMTP_PASSWORD (set the password in the environment, not the config file)',
    );
  if (config.notifyWebhookUrl && !isHttpUrl(config.notifyWebhookUrl))
    throw new ConfigError('PROVISIO_NOTIFY_WEBHOOK_URL must be an http:// or https:// URL');
  if (config.notifyWebhookUrl && !config.notifyWebhookSecret)
    throw new ConfigError(
      'PROVISIO_NOTIFY_WEBHOOK_URL needs PROVISIO_NOTIFY_WEBHOOK_SECRET: receivers check the signature',
    );
  if (config.publicUrl && !isHttpUrl(config.publicUrl))
    throw new ConfigError('PROVISIO_PUBLIC_URL must be an http:// or https:// URL');
}
