import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Serves the admin web UI (built by `vite build` into `dist/web`) at `/`. The whole app is a few
 * files of a few hundred KB, so they are read once at start and kept in memory with a gzip copy:
 * no disk access and no compression per request, and nothing is ever fetched from elsewhere
 * (the UI works offline). Hashed files under `/assets/` never change and are cached for a year;
 * `index.html` is revalidated, so a new release is picked up on the next load.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

/** Only our own origin; inline styles are set by React and the chart through the CSSOM. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface WebFile {
  body: Buffer;
  gzipped: Buffer | null;
  contentType: string;
  cacheControl: string;
}

/** Where `npm run build` puts the UI: `dist/web` beside the compiled `dist/api`, or from the sources. */
export function defaultWebRoot(): string | null {
  const candidates = [
    fileURLToPath(new URL('../web/', import.meta.url)),
    fileURLToPath(new URL('../../dist/web/', import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export function loadWebFiles(root: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  for (const path of listFiles(root)) {
    const url = `/${relative(root, path).split(sep).join('/')}`;
    const ext = extname(path);
    const body = readFileSync(path);
    files.set(url, {
      body,
      gzipped: COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : null,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      cacheControl: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: WebFile) {
  const gzip = file.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .header('content-type', file.contentType)
    .header('cache-control', file.cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'accept-encoding');
  if (file.contentType.startsWith('text/html'))
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? file.gzipped : file.body);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>provisio</title>
<p>The admin web UI is not built. Run <code>npm run build</code> (or <code>npm start</code>) and reload.
The API reference is at <a href="/docs">/docs</a>.</p>`;

/** `/` and the app's files. The API stays under `/v1`, its reference under `/docs`. */
export function registerWebApp(app: FastifyInstance, root: string | null): void {
  const files = root ? loadWebFiles(root) : new Map<string, WebFile>();
  const index = files.get('/index.html');
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (!index) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return send(request, reply, index);
  });
  for (const [url, file] of files) {
    if (url === '/index.html') continue;
    app.get(url, { schema: { hide: true } }, async (request, reply) => send(request, reply, file));
  }
}
