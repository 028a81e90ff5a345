// The login form: the admin password of `otsync serve` (set at its first start).
import { html, useState } from './html.js';
import { login } from './api.js';

export function LoginPage({ notice, onSignedIn }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    if (!password) {
      setError('Enter the admin password.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const session = await login(password);
      setPassword('');
      onSignedIn(session);
    } catch (failure) {
      if (failure.code === 'wrong_password') {
        setError('Wrong password. It is the admin password set when otsync serve first started.');
      } else if (failure.status === 429) {
        const wait = failure.retryAfterSeconds ? ` Try again in ${failure.retryAfterSeconds} seconds.` : '';
        setError('Too many wrong passwords.' + wait);
      } else {
        setError(failure.message);
      }
    } finally {
      setBusy(false);
    }
  };

  document.title = 'Sign in · otsync console';
  return html`
    <main class="login">
      <form class="card" onSubmit=${submit} novalidate>
        <h1>otsync console</h1>
        ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
        <input type="text" name="username" autocomplete="username" value="admin" hidden readonly />
        <div class="field">
          <label for="login-password">Admin password</label>
          <input id="login-password" type="password" autocomplete="current-password" autofocus
            value=${password} onInput=${(e) => setPassword(e.currentTarget.value)}
            aria-invalid=${error ? 'true' : undefined} aria-describedby="login-help login-error" />
          <p class="hint" id="login-help">Set at the first start of <code>otsync serve</code>:${' '}
            from <code>--admin-password-file</code>, or generated and shown once${' '}
            (<code>DATA_DIR/console/initial-password</code> when not started on a terminal).</p>
          <p class="field-error" id="login-error" role="alert">${error}</p>
        </div>
        <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`;
}
