import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config.js';

/**
 * The deployment files, checked without a container runtime or systemd (neither runs here):
 * `.ci/run` builds the image only when `docker info` answers.
 */

/** Dockerfile instructions with continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

describe('the Dockerfile', () => {
  const steps = instructions(readFileSync('Dockerfile', 'utf8'));
  const stages = steps.filter((s) => s.op === 'FROM');
  const last = steps.slice(steps.lastIndexOf(stages.at(-1)!));

  it('builds in stages from a pinned base image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const { args } of stages) {
      const image = args.split(/\s+/)[0]!;
      // An exact release (x.y.z) or a digest: never `latest`, never a floating major.
      expect(image, image).toMatch(/(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/);
    }
    expect(last.some((s) => s.op === 'COPY' && s.args.startsWith('--from='))).toBe(true);
    expect(last.some((s) => s.op === 'RUN' && /npm (ci|install)/.test(s.args))).toBe(false);
  });

  it('runs as a user that is not root, with the /data volume, a health check on /healthz and serve', () => {
    const user = last.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(last.find((s) => s.op === 'VOLUME')?.args).toMatch(/^\/data$|"\/data"/);
    const health = last.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain('/healthz');
    expect(health).toMatch(/--interval=\d+s/);
    expect(last.find((s) => s.op === 'CMD')?.args).toContain('serve');
    expect(last.find((s) => s.op === 'ENV')?.args).toContain('PROVISIO_SQLITE_PATH=/data/');
    // No secret is baked into the image.
    for (const step of steps.filter((s) => s.op === 'ENV' || s.op === 'ARG'))
      expect(step.args).not.toMatch(/SECRET|PASSWORD|TOKEN/);
  });

  it('keeps local data, keys and modules out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'data', '*.key', '.env']) expect(ignored).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const text = readFileSync('docker-compose.yml', 'utf8');
  it('runs several nodes on one PostgreSQL, with the secrets from the environment, not the file', () => {
    expect(text).toMatch(/^ {2}postgres:\n {4}image: postgres:\d+\.\d+/m);
    expect(text.match(/^ {2}provisio-\d+:$/gm)).toHaveLength(2);
    expect(text).toContain('condition: service_healthy');
    expect(text).toContain('DATABASE_URL: postgres://provisio:${POSTGRES_PASSWORD:?');
    expect(text).toContain('PROVISIO_SECRET_KEY: ${PROVISIO_SECRET_KEY:?');
    expect(text).toMatch(/PROVISIO_BOOTSTRAP_TOKEN: "false"/);
    expect(text).not.toMatch(/PASSWORD: (?!\$\{)\S+/);
  });
});

describe('deploy/provisio.service', () => {
  const unit = readFileSync('deploy/provisio.service', 'utf8');
  const settings = new Map(
    unit
      .split('\n')
      .filter((line) => /^[A-Za-z]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('runs serve unprivileged, hardened, with its state directory the only writable place', () => {
    expect(settings.get('ExecStart')).toMatch(/dist\/cli\/main\.js serve$/);
    expect(settings.get('User')).toBe('provisio');
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['StateDirectory', 'provisio'],
      ['ReadWritePaths', '/var/lib/provisio'],
      ['UMask', '0077'],
      ['Restart', 'on-failure'],
      ['KillSignal', 'SIGTERM'],
    ] as const)
      expect(settings.get(key), key).toBe(value);
  });

  it('passes systemd-analyze verify and scores well on its security review, where systemd-analyze exists', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) return; // not on this machine: the checks above stand alone
    const verify = spawnSync('systemd-analyze', ['verify', 'deploy/provisio.service'], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr.trim()).toBe('');
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', 'deploy/provisio.service'], {
      encoding: 'utf8',
    });
    const score = Number(
      /Overall exposure level for provisio\.service: (\d+\.\d+)/.exec(security.stdout)?.[1],
    );
    if (!Number.isNaN(score)) expect(score).toBeLessThan(3);
  });
});

describe('provisio.example.json', () => {
  const example = JSON.parse(readFileSync('provisio.example.json', 'utf8')) as Record<string, unknown>;

  it('names every setting, and only settings; secrets are left to the environment', () => {
    expect(Object.keys(example).sort()).toEqual(SETTINGS.map((s) => s.key).sort());
    for (const key of ['secretKey', 'smtpPassword', 'notifyWebhookSecret', 'previousSecretKeys'])
      expect(example[key], key).toBeNull();
  });

  it('loads as it is, with the SMTP password from the environment', () => {
    const config = loadConfig({
      env: { PROVISIO_SMTP_PASSWORD: 'from-the-environment' },
      file: 'provisio.example.json',
    });
    expect(config).toMatchObject({
      port: 8080,
      sqlitePath: '/var/lib/provisio/provisio.db',
      secretKey: undefined,
    });
    expect(() => loadConfig({ env: {}, file: 'provisio.example.json' })).toThrow(ConfigError);
  });
});

describe('Node.js support', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const range = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines
    .node;

  it('every locked package accepts the oldest release of each Node.js line the engines field allows (no EBADENGINE)', () => {
    expect(semver.satisfies(process.version, range)).toBe(true);
    // The lowest version of each alternative: ^20.19.0 || >=22.13.0 → 20.19.0 and 22.13.0.
    const floors = range.split('||').map((part) => semver.minVersion(part.trim())!.version);
    const refusing = Object.entries(lock.packages).flatMap(([path, meta]) => {
      const node = !Array.isArray(meta.engines) ? meta.engines?.node : undefined;
      return node === undefined
        ? []
        : floors
            .filter((floor) => !semver.satisfies(floor, node))
            .map((floor) => `${path}@${meta.version} refuses ${floor} (${node})`);
    });
    expect(refusing).toEqual([]);
  });

  it('the overridden packages answer the calls their dependents make', async () => {
    const fromStatic = createRequire(createRequire(import.meta.url).resolve('@fastify/static'));
    const { create } = fromStatic('content-disposition') as { create(name: string): string };
    expect(create('report 2026.pdf')).toBe('attachment; filename="report 2026.pdf"');
    const fromInject = createRequire(createRequire(import.meta.url).resolve('light-my-request'));
    const { stringifySetCookie } = fromInject('cookie') as {
      stringifySetCookie(cookie: { name: string; value: string }): string;
    };
    expect(stringifySetCookie({ name: 'session', value: 'a b' })).toBe('session=a%20b');
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/', async (request) => ({ cookie: request.headers.cookie }));
    const answer = await app.inject({ url: '/', cookies: { session: 'abc', theme: 'dark' } });
    expect(answer.json()).toEqual({ cookie: 'session=abc; theme=dark' });
    await app.close();
  });
});
