import { type FormEvent, useState } from 'react';
import { ApiClient, ApiError } from '../api/client';
import type { Session } from '../api/types';
import { TextField } from '../components/form-field';

/** Sign in with an API token; the engine says who it is (GET /v1/session). */
export function SignInPage({ onSignedIn }: { onSignedIn(token: string, session: Session): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) return setError('Paste an API token (pvo_…)');
    setBusy(true);
    try {
      onSignedIn(trimmed, await new ApiClient(trimmed).session());
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'This token is unknown or was revoked: ask an administrator for a new one'
          : (caught as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>provisio</h1>
      <form onSubmit={submit} aria-label="Sign in" noValidate>
        <TextField
          id="token"
          label="API token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={setToken}
          error={error}
          description="Kept in this browser tab only; closing the tab signs you out."
          required
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        An administrator creates tokens with <code>provisio token create</code>. The API reference is at{' '}
        <a href="/docs">/docs</a>.
      </p>
    </main>
  );
}
