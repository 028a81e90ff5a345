// The tables of a Table Store data source and their Stream (GET /api/datasources/{name}/tables),
// with the "Enable Stream" action (POST .../tables/{table}/stream): the panel of the Data sources
// page, and the table picker and Stream warning of the task wizard.
import { html, useEffect, useState } from './html.js';
import { api } from './api.js';

// What failed, for each step a call to the data source can stop at (as Test Connectivity says).
export const FAILED_STEPS = {
  connect: 'Could not reach the endpoint',
  authenticate: 'The AccessKey ID or secret was refused',
  instance: 'The instance is unknown at this endpoint',
  request: 'The request failed',
};

const DEFAULT_RETENTION_HOURS = 24;

export function describeFailure(failure) {
  if (failure.step) return `${FAILED_STEPS[failure.step] || 'The request failed'} (step: ${failure.step}). ${failure.message}`;
  return failure.message;
}

const tablesPath = (source) => `/api/datasources/${encodeURIComponent(source)}/tables`;

export function loadSourceTables(source) {
  return api('GET', tablesPath(source)).then((answer) => answer.tables);
}

function setStream(source, table, enable, expirationHours) {
  const body = enable ? { enable: true, expirationHours } : { enable: false };
  return api('POST', `${tablesPath(source)}/${encodeURIComponent(table)}/stream`, body);
}

export function StreamState({ table }) {
  if (table.error) return html`<span class="error-text">${table.error}</span>`;
  if (table.statusTable) {
    return html`<span class="badge" data-status-table="true" title="Its key is StreamId, StatusType, StatusValue: it holds a task's checkpoints">Status table</span>`;
  }
  return table.stream
    ? html`<span class="badge succeeded" data-stream="on">Stream on</span>`
    : html`<span class="badge frozen" data-stream="off">Stream off</span>`;
}

// "Enable Stream" with its confirmation (the retention asked for) and its progress; `onEnabled`
// gets the table's new state.
export function EnableStreamButton({ source, table, onEnabled }) {
  const [stage, setStage] = useState('idle');   // idle | confirming | busy
  const [hours, setHours] = useState(String(DEFAULT_RETENTION_HOURS));
  const [error, setError] = useState('');
  const confirm = async () => {
    const retention = Number(hours);
    if (!Number.isInteger(retention) || retention < 1 || retention > 168) {
      setError('The retention is a whole number of hours from 1 to 168.');
      return;
    }
    setStage('busy');
    setError('');
    try {
      onEnabled(await setStream(source, table, true, retention));
      setStage('idle');
    } catch (failure) {
      setStage('confirming');
      if (failure.status !== 401) setError(describeFailure(failure));
    }
  };
  if (stage === 'idle') {
    return html`<button type="button" class="secondary" aria-label=${'Enable Stream on ' + table}
      onClick=${() => { setError(''); setStage('confirming'); }}>Enable Stream</button>`;
  }
  const id = `retention-${source}-${table}`;
  return html`
    <div class="confirm stream-confirm" role="alertdialog" aria-label=${'Enable Stream on ' + table + '?'}>
      <span>Enable Stream on <strong>${table}</strong>? Table Store then records every change, kept for</span>
      <input id=${id} class="hours" type="number" min="1" max="168" value=${hours} disabled=${stage === 'busy'}
        aria-label="Retention in hours" onInput=${(e) => setHours(e.currentTarget.value)} />
      <label for=${id}>hours.</label>
      <button type="button" disabled=${stage === 'busy'} onClick=${confirm}>
        ${stage === 'busy' ? 'Enabling Stream…' : 'Yes, enable Stream'}</button>
      <button type="button" class="link" disabled=${stage === 'busy'} onClick=${() => setStage('idle')}>Cancel</button>
      ${stage === 'busy' ? html`<span class="muted" role="status">Calling UpdateTable…</span>` : null}
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    </div>`;
}

// The Data sources page's panel: every table of `source` with its Stream and retention.
export function SourceTablesPanel({ source }) {
  const [tables, setTables] = useState(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const load = () => {
    setError('');
    loadSourceTables(source).then(setTables, (failure) => {
      if (failure.status !== 401) setError(describeFailure(failure));
    });
  };
  useEffect(load, [source]);
  const enabled = (view) => {
    setTables((all) => all.map((table) => (table.name === view.name ? view : table)));
    setNotice(`Stream is on for ${view.name}, keeping changes for ${view.expirationHours} hours.`);
  };
  return html`
    <div class="source-tables" data-tables-for=${source} aria-label=${'Tables of ' + source} role="region">
      <div class="panel-head">
        <h3>Tables of ${source}</h3>
        <button type="button" class="link" onClick=${load}>Refresh</button>
      </div>
      ${error ? html`<p class="test-result failed" role="alert">${error}</p>` : null}
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${tables === null && !error ? html`<p class="muted" role="status">Listing the tables (ListTable, DescribeTable)…</p>` : null}
      ${tables && tables.length === 0 ? html`<p class="muted">This instance has no tables.</p>` : null}
      ${tables && tables.length > 0 ? html`
        <table class="list compact" aria-label=${'Tables of ' + source}>
          <thead><tr><th scope="col">Table</th><th scope="col">Stream</th><th scope="col">Retention</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${tables.map((table) => html`
            <tr key=${table.name} data-table=${table.name}>
              <td class="mono">${table.name}</td>
              <td><${StreamState} table=${table} /></td>
              <td>${table.stream ? `${table.expirationHours} hours` : '—'}</td>
              <td>${table.stream || table.error || table.statusTable ? null
                : html`<${EnableStreamButton} source=${source} table=${table.name} onEnabled=${enabled} />`}</td>
            </tr>`)}
          </tbody>
        </table>` : null}
    </div>`;
}

// The wizard's source table: a pick from the data source's tables, still typed by hand when the
// list cannot be loaded; a table without Stream is flagged with the button that turns it on.
// onChange(name, table) gets the table's view from the list too (its primary key), or null for
// a typed name.
export function SourceTablePicker({ id, source, value, onChange }) {
  const [tables, setTables] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setTables(null);
    setError('');
    if (!source) return;
    loadSourceTables(source).then(setTables, (failure) => {
      if (failure.status !== 401) setError(describeFailure(failure));
    });
  }, [source]);
  // A status table holds checkpoints, not changes to export: it is not offered as a source.
  const dataTables = tables && tables.filter((table) => !table.statusTable);
  const chosen = dataTables && dataTables.find((table) => table.name === value);
  const replace = (view) => setTables((all) => all.map((table) => (table.name === view.name ? view : table)));
  const label = (table) => `${table.name} — ${table.error ? 'not described' : table.stream ? `Stream on, ${table.expirationHours} h` : 'Stream off'}`;
  return html`
    ${dataTables && dataTables.length > 0 ? html`
      <select id=${id} value=${value} onChange=${(e) => {
        const name = e.currentTarget.value;
        onChange(name, dataTables.find((table) => table.name === name) || null);
      }}>
        <option value="">Choose…</option>
        ${dataTables.map((table) => html`<option value=${table.name}>${label(table)}</option>`)}
        ${value && !chosen ? html`<option value=${value}>${value} (not a table of ${source})</option>` : null}
      </select>` : html`
      <input id=${id} value=${value} autocomplete="off" spellcheck="false" onInput=${(e) => onChange(e.currentTarget.value, null)} />`}
    ${source && tables === null && !error ? html`<p class="hint" role="status">Listing the tables of ${source}…</p>` : null}
    ${error ? html`<p class="hint error-text" role="status">The tables could not be listed; type the name. ${error}</p>` : null}
    ${dataTables && dataTables.length === 0 ? html`<p class="hint">${source} has no tables yet; type the name.</p>` : null}
    ${chosen && !chosen.stream && !chosen.error ? html`
      <div class="warning stream-warning" role="status">
        <p>The Stream of <strong>${chosen.name}</strong> is off: the task would find no changes to read.</p>
        <${EnableStreamButton} source=${source} table=${chosen.name} onEnabled=${replace} />
      </div>` : null}
    ${chosen && chosen.stream ? html`<p class="hint">Stream on, changes kept ${chosen.expirationHours} hours.</p>` : null}`;
}
