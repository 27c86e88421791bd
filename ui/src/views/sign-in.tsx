/** The token is sent once, exchanged for an HttpOnly cookie, and never kept by the page. */
import { useState } from 'preact/hooks';
import { client, errorText } from '../api';

export function SignIn({ done }: { done: () => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.session.signIn(token.trim());
      setToken('');
      done();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">sandboxed</h1>
        <p class="muted">Sign in with an API token (a secret of <code>SANDBOXD_API_TOKENS</code>).</p>
        <label>
          API token
          <input type="password" name="token" autocomplete="current-password" required value={token} onInput={(e) => setToken(e.currentTarget.value)} autofocus />
        </label>
        {error && (
          <p class="note error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">The page keeps no copy of the token: the daemon answers with a session cookie that scripts cannot read.</p>
      </form>
    </main>
  );
}
