import { SIGNATURE_HEADER, signatureHeader } from '../core/webhook-signature.js';

export interface PostResult {
  /** HTTP status, or null when no answer came (refused, reset, timeout). */
  status: number | null;
  ok: boolean;
  /** For the delivery log: what went wrong, in a sentence; null on success. */
  error: string | null;
  durationMs: number;
}

const EXCERPT = 200;

function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: Error & { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = err.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused: is the receiver running?';
  if (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET')
    return 'the receiver closed the connection before answering';
  if (cause?.code === 'ENOTFOUND') return 'the host name does not resolve';
  return cause?.message ?? err.message;
}

/**
 * One signed POST of a JSON body: 2xx is success; any other answer (a redirect too: receivers
 * must answer at the URL they registered), a refused connection or no answer within the time
 * limit is a failure described for the delivery log. Never throws.
 */
export async function postSignedJson(
  url: string,
  secret: string,
  body: string,
  options: { timeoutMs: number; headers?: Record<string, string>; now?: () => number },
): Promise<PostResult> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'provisio-webhooks/1',
        ...options.headers,
        [SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(now() / 1000)),
      },
      body,
    });
    const text = (await response.text()).slice(0, EXCERPT).replace(/\s+/g, ' ').trim();
    if (response.status >= 200 && response.status < 300)
      return { status: response.status, ok: true, error: null, durationMs: elapsed() };
    return {
      status: response.status,
      ok: false,
      error: `HTTP ${response.status}${text ? `: ${text}` : ''}`,
      durationMs: elapsed(),
    };
  } catch (error) {
    return {
      status: null,
      ok: false,
      error: describeFailure(error, options.timeoutMs),
      durationMs: elapsed(),
    };
  }
}
