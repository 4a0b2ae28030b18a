import type { ApiError } from '../api/client';

/** An API error for the person reading it: the engine's message says what failed and what to do. */
export function ErrorNotice({
  error,
  title,
}: {
  error: ApiError | Error | undefined | null;
  title?: string;
}) {
  if (!error) return null;
  const code = 'code' in error ? (error as ApiError).code : undefined;
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
      {code && code !== 'network' ? <span className="muted"> ({code})</span> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}
