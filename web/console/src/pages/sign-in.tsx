import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../error-message.js';
import { useSession } from '../session.js';

/** Sign-in with an admin user's password, or with an admin token (a fresh node has only its bootstrap token). */
export function SignInPage() {
  const { signIn } = useSession();
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(mode === 'password' ? { user, password } : { token });
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <h1>Keyway console</h1>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h2 id="signin-title">Sign in</h2>
        <fieldset>
          <legend>Sign in with</legend>
          <label className="inline">
            <input
              type="radio"
              name="mode"
              checked={mode === 'password'}
              onChange={() => setMode('password')}
            />
            user name and password
          </label>
          <label className="inline">
            <input type="radio" name="mode" checked={mode === 'token'} onChange={() => setMode('token')} />
            admin token
          </label>
        </fieldset>
        {mode === 'password' ? (
          <>
            <label>
              User name
              <input
                name="user"
                autoComplete="username"
                required
                value={user}
                onChange={(e) => setUser(e.target.value)}
              />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
          </>
        ) : (
          <label>
            Admin token
            <input
              name="token"
              type="password"
              autoComplete="off"
              required
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </label>
        )}
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
