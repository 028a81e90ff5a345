// The console's entry: the login gate, the header with its navigation and logout, and the page
// chosen by the address's #fragment.
import { html, render, useEffect, useState } from './html.js';
import { currentSession, logout, onSignedOut } from './api.js';
import { formatMillis } from './format.js';
import { LoginPage } from './login_page.js';
import { DataSourcesPage } from './datasources_page.js';
import { ParametersPage } from './parameters_page.js';
import { TasksPage } from './tasks_page.js';
import { InstancesPage } from './instances_page.js';
import { WarehousePage } from './warehouse_page.js';

const PAGES = [
  { path: 'datasources', title: 'Data sources', component: DataSourcesPage },
  { path: 'tasks', title: 'Tasks', component: TasksPage },
  { path: 'instances', title: 'Instances', component: InstancesPage },
  { path: 'warehouse', title: 'Warehouse', component: WarehousePage },
  { path: 'parameters', title: 'Parameters', component: ParametersPage },
];

// "#/instances/17" → "17": what follows the page's name.
function currentRest() {
  return location.hash.replace(/^#\/?/, '').split('/').slice(1).join('/');
}

function currentPath() {
  const path = location.hash.replace(/^#\/?/, '').split('/')[0];
  return PAGES.some((page) => page.path === path) ? path : PAGES[0].path;
}

function Header({ session, path, onLogout }) {
  return html`
    <header class="top">
      <div class="brand">otsync console</div>
      <nav aria-label="Pages">
        ${PAGES.map((page) => html`
          <a href=${'#/' + page.path} aria-current=${page.path === path ? 'page' : undefined}>${page.title}</a>`)}
      </nav>
      <div class="account">
        ${session.expiresAt ? html`<span class="muted" title="The session ends after 12 hours without use, or 7 days after login">
          Signed in until ${formatMillis(session.expiresAt * 1000)}</span>` : null}
        <button type="button" class="secondary" onClick=${onLogout}>Log out</button>
      </div>
    </header>`;
}

function App() {
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState(undefined);
  const [notice, setNotice] = useState('');
  const [path, setPath] = useState(currentPath());
  const [rest, setRest] = useState(currentRest());
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    currentSession().then(setSession, (failure) => setLoadError(failure.message));
    const changed = () => {
      setPath(currentPath());
      setRest(currentRest());
    };
    addEventListener('hashchange', changed);
    const stopListening = onSignedOut(() => {
      setSession(null);
      setNotice('Your session has ended. Sign in again to continue.');
    });
    return () => {
      removeEventListener('hashchange', changed);
      stopListening();
    };
  }, []);

  const signOut = async () => {
    try {
      await logout();
    } catch (_) {
      // Signed out either way: a 401 here means the session had already ended.
    }
    setSession(null);
    setNotice('You have logged out.');
  };

  if (loadError) return html`<main class="page"><p class="error" role="alert">${loadError}</p></main>`;
  if (session === undefined) return html`<p class="loading">Loading the otsync console…</p>`;
  if (session === null) {
    return html`<${LoginPage} notice=${notice} onSignedIn=${(s) => { setNotice(''); setSession(s); }} />`;
  }
  const page = PAGES.find((p) => p.path === path);
  const Page = page.component;
  document.title = `${page.title} · otsync console`;
  return html`
    <${Header} session=${session} path=${path} onLogout=${signOut} />
    <main class="page" id="main"><${Page} key=${path} rest=${rest} /></main>`;
}

render(html`<${App} />`, document.getElementById('app'));
