// Every request of the console goes through here: JSON in and out, the session's CSRF token on
// every request that changes state, and one place that notices an ended session (401) so that
// the page goes back to the login form.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken = '';
const signedOutListeners = new Set();

// `listener(reason)` runs when a signed-in request is answered 401 (the session expired, the
// server restarted, or someone logged out in another tab).
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const CHANGES_STATE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (CHANGES_STATE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (failure) {
    throw new ApiError(0, 'unreachable', 'The otsync server does not answer. Is otsync serve still running?');
  }
  let json = null;
  try {
    json = await response.json();
  } catch (_) {
    // Not JSON: described below from the status alone.
  }
  if (response.ok) return json;
  const error = (json && json.error) || {};
  const failure = new ApiError(response.status, error.code || 'http_' + response.status,
    error.message || `The server answered ${response.status} ${response.statusText}.`);
  if (error.step) failure.step = error.step;   // Which call to a data source failed.
  if (response.status === 429) {
    const wait = response.headers.get('Retry-After');
    if (wait) failure.retryAfterSeconds = Number(wait);
  }
  if (response.status === 401 && failure.code === 'unauthenticated') {
    csrfToken = '';
    for (const listener of signedOutListeners) listener('expired');
  }
  return Promise.reject(failure);
}

// The current session, or null when not signed in.
export async function currentSession() {
  const response = await fetch('/api/session', {
    headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store',
  });
  if (response.status === 401) return null;
  if (!response.ok) throw new ApiError(response.status, 'session', `GET /api/session answered ${response.status}`);
  const session = await response.json();
  csrfToken = session.csrfToken || '';
  return session;
}

export async function login(password) {
  const session = await api('POST', '/api/login', { password });
  csrfToken = session.csrfToken;
  return { credential: 'session', ...session };
}

export async function logout() {
  try {
    await api('POST', '/api/logout');
  } finally {
    csrfToken = '';
  }
}
