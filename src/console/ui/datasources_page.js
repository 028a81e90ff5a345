// Data sources: the registry of `otsync datasource` — list, add, edit, remove, Test Connectivity,
// and a Table Store source's tables with their Stream (source_tables.js).
// The AccessKey secret is never sent back by the server; the edit form leaves its field empty and
// the server keeps the stored secret unless a new one is typed.
import { html, useEffect, useState } from './html.js';
import { api } from './api.js';
import { FAILED_STEPS, SourceTablesPanel } from './source_tables.js';

const TYPE_LABELS = { ots: 'Table Store (OTS)', odps: 'Warehouse (ODPS)' };


const FIELDS = ['type', 'name', 'description', 'endpoint', 'instance', 'accessId', 'accessKey', 'warehouse', 'project'];

// The form field an API message is about ("data source x: endpoint: expected ..."), and the
// message without the prefix that names it.
export function fieldOfMessage(message) {
  if (/data source name/.test(message) || /^name: /.test(message)) {
    const text = message.replace(/^name: /, '');
    return { field: 'name', text: text.charAt(0).toUpperCase() + text.slice(1) + '.' };
  }
  const match = /^(?:data source [^:]*: )?(type|description|endpoint|instance|accessId|accessKey|warehouse|project): (.*)$/s.exec(message);
  if (!match) return { field: 'form', text: message };
  const text = match[2];
  return { field: match[1], text: text.charAt(0).toUpperCase() + text.slice(1) + '.' };
}

function Field({ id, label, hint, error, children }) {
  return html`
    <div class=${'field' + (error ? ' invalid' : '')}>
      <label for=${id}>${label}</label>
      ${children}
      ${hint ? html`<p class="hint" id=${id + '-hint'}>${hint}</p>` : null}
      <p class="field-error" id=${id + '-error'} role=${error ? 'alert' : undefined}>${error || ''}</p>
    </div>`;
}

function emptyForm() {
  return {
    type: 'ots', name: '', description: '', endpoint: '', instance: '', accessId: '', accessKey: '',
    warehouse: '', project: '',
  };
}

function DataSourceForm({ editing, onSaved, onCancel }) {
  const original = editing.source;
  const [form, setForm] = useState(() => (original
    ? { ...emptyForm(), ...original, accessKey: '' }   // The mask is never put in the field.
    : emptyForm()));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const isEdit = Boolean(original);

  const input = (name, props = {}) => html`
    <input id=${'ds-' + name} name=${name} value=${form[name]}
      onInput=${(e) => { setForm({ ...form, [name]: e.currentTarget.value }); setTested(null); }}
      aria-invalid=${errors[name] ? 'true' : undefined}
      aria-describedby=${`ds-${name}-hint ds-${name}-error`} ...${props} />`;

  const [tested, setTested] = useState(null);

  const formBody = () => {
    const body = { type: form.type, name: form.name.trim(), description: form.description };
    if (form.type === 'ots') {
      Object.assign(body, { endpoint: form.endpoint.trim(), instance: form.instance.trim(), accessId: form.accessId.trim() });
      if (form.accessKey !== '') body.accessKey = form.accessKey;   // Empty: keep the stored one.
    } else {
      Object.assign(body, { warehouse: form.warehouse.trim(), project: form.project.trim() });
    }
    return body;
  };

  // A server's 400 placed beside the field it names.
  const showInvalid = (failure) => {
    const { field, text } = fieldOfMessage(failure.message);
    setErrors({ [FIELDS.includes(field) ? field : 'form']: text });
  };

  // The seed's Test Connectivity: the source as typed, tested and not stored (Complete stores it).
  const testForm = async () => {
    setBusy(true);
    setErrors({});
    setTested({ busy: true });
    try {
      setTested(await api('POST', '/api/datasources/test-connectivity', formBody()));
    } catch (failure) {
      setTested(null);
      if (failure.status === 400) showInvalid(failure);
      else if (failure.status !== 401) setErrors({ form: failure.message });
    } finally {
      setBusy(false);
    }
  };

  const save = async (thenTest) => {
    setBusy(true);
    setErrors({});
    const body = formBody();
    try {
      const view = isEdit
        ? await api('PUT', `/api/datasources/${encodeURIComponent(original.name)}`, body)
        : await api('POST', '/api/datasources', body);
      setForm({ ...form, accessKey: '' });
      onSaved(view, thenTest);
    } catch (failure) {
      if (failure.status === 409) {
        setErrors({ name: `A data source named "${body.name}" already exists. Choose another name, or edit that one.` });
      } else if (failure.status === 400) {
        showInvalid(failure);
      } else if (failure.status !== 401) {
        setErrors({ form: failure.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event) => {
    event.preventDefault();
    save(false);
  };

  const ots = form.type === 'ots';
  return html`
    <form class="card form" onSubmit=${submit} novalidate aria-labelledby="ds-form-title">
      <h2 id="ds-form-title">${isEdit ? `Edit data source ${original.name}` : 'Add a data source'}</h2>
      <${Field} id="ds-type" label="Data source type" error=${errors.type}>
        <select id="ds-type" value=${form.type} disabled=${isEdit}
          onChange=${(e) => setForm({ ...form, type: e.currentTarget.value })}>
          <option value="ots">${TYPE_LABELS.ots}</option>
          <option value="odps">${TYPE_LABELS.odps}</option>
        </select>
      <//>
      <${Field} id="ds-name" label="Data source name" error=${errors.name}
        hint=${isEdit ? 'A data source cannot be renamed: add a new one and remove this one.'
          : 'Letters, digits and underscores (_); begins with a letter; at most 60 characters.'}>
        ${input('name', { readOnly: isEdit, autocomplete: 'off', spellcheck: false })}
      <//>
      <${Field} id="ds-description" label="Description" error=${errors.description}>
        ${input('description', { autocomplete: 'off' })}
      <//>
      ${ots ? html`
        <${Field} id="ds-endpoint" label="Endpoint" error=${errors.endpoint}
          hint="The Table Store service address, such as http://example.com or http://127.0.0.1:8800.">
          ${input('endpoint', { type: 'url', autocomplete: 'off', spellcheck: false, placeholder: 'http://' })}
        <//>
        <${Field} id="ds-instance" label="Table Store instance ID" error=${errors.instance}>
          ${input('instance', { autocomplete: 'off', spellcheck: false })}
        <//>
        <${Field} id="ds-accessId" label="AccessKey ID" error=${errors.accessId}>
          ${input('accessId', { autocomplete: 'off', spellcheck: false })}
        <//>
        <${Field} id="ds-accessKey" label="AccessKey secret" error=${errors.accessKey}
          hint=${isEdit && original.accessKeySet
            ? 'A secret is stored and is never shown. Leave this empty to keep it, or type a new one to replace it.'
            : 'Stored on the server and never shown again.'}>
          ${input('accessKey', {
            type: 'password', autocomplete: 'new-password',
            placeholder: isEdit && original.accessKeySet ? '•••••••• (stored; leave empty to keep)' : '',
          })}
        <//>` : html`
        <${Field} id="ds-warehouse" label="Warehouse folder" error=${errors.warehouse}
          hint="The path of the local warehouse folder on the machine running otsync serve.">
          ${input('warehouse', { autocomplete: 'off', spellcheck: false })}
        <//>
        <${Field} id="ds-project" label="Project" error=${errors.project}
          hint="Letters, digits and underscores; begins with a letter.">
          ${input('project', { autocomplete: 'off', spellcheck: false })}
        <//>`}
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <div class="form-test-result"><${TestResult} result=${tested} /></div>
      <div class="actions">
        <button type="button" class="secondary" disabled=${busy} onClick=${testForm}>Test Connectivity</button>
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Complete'}</button>
        <button type="button" class="secondary" disabled=${busy} onClick=${() => save(true)}>Save and test connectivity</button>
        <button type="button" class="link" disabled=${busy} onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

function sentence(text) {
  const trimmed = String(text || '').trim();
  if (!trimmed) return '';
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? '' : '.');
}

function TestResult({ result }) {
  if (!result) return null;
  if (result.busy) return html`<p class="test-result pending" role="status">Testing connectivity…</p>`;
  if (result.ok) {
    return html`<p class="test-result ok" role="status" data-ok="true"><strong>Connectivity passed.</strong> ${sentence(result.message)}</p>`;
  }
  const step = FAILED_STEPS[result.step] || 'The test failed';
  return html`
    <p class="test-result failed" role="status" data-ok="false" data-step=${result.step || ''}>
      <strong>${step}</strong> (step: ${result.step || 'unknown'}). ${sentence(result.message)}
    </p>`;
}

function where(source) {
  if (source.type === 'ots') return html`<span class="mono">${source.endpoint}</span><br /><span class="muted">instance</span> ${source.instance}`;
  return html`<span class="mono">${source.warehouse}</span><br /><span class="muted">project</span> ${source.project}`;
}

export function DataSourcesPage() {
  const [sources, setSources] = useState(null);
  const [loadError, setLoadError] = useState('');
  const [editing, setEditing] = useState(null);   // {source: view | null}
  const [confirming, setConfirming] = useState('');
  const [results, setResults] = useState({});
  const [message, setMessage] = useState('');
  const [showingTables, setShowingTables] = useState('');

  const reload = () => api('GET', '/api/datasources').then(
    (answer) => { setSources(answer.datasources); setLoadError(''); },
    (failure) => { if (failure.status !== 401) setLoadError(failure.message); });
  useEffect(() => { reload(); }, []);

  const test = async (name) => {
    setResults((all) => ({ ...all, [name]: { busy: true } }));
    try {
      const result = await api('POST', `/api/datasources/${encodeURIComponent(name)}/test`);
      setResults((all) => ({ ...all, [name]: result }));
    } catch (failure) {
      setResults((all) => ({ ...all, [name]: { ok: false, step: 'request', message: failure.message } }));
    }
  };

  const remove = async (name) => {
    try {
      await api('DELETE', `/api/datasources/${encodeURIComponent(name)}`);
      setConfirming('');
      await reload();
      setMessage(`Removed data source ${name}.`);
    } catch (failure) {
      if (failure.status !== 401) setMessage(failure.message);
    }
  };

  const saved = (view, thenTest) => {
    setEditing(null);
    setMessage(`Saved data source ${view.name}.`);
    setResults((all) => ({ ...all, [view.name]: undefined }));
    reload();
    if (thenTest) test(view.name);
  };

  return html`
    <div class="page-head">
      <h1>Data sources</h1>
      ${editing ? null : html`<button type="button" onClick=${() => { setMessage(''); setEditing({ source: null }); }}>Add data source</button>`}
    </div>
    <p class="lead">Where tasks read from (Table Store) and write to (the warehouse). Add one, then
      test its connectivity: the test makes the real calls and names the step that failed.</p>
    ${message ? html`<p class="notice" role="status">${message}</p>` : null}
    ${editing ? html`<${DataSourceForm} key=${editing.source ? editing.source.name : '+'} editing=${editing}
        onSaved=${saved} onCancel=${() => setEditing(null)} />` : null}
    ${loadError ? html`<p class="error" role="alert">${loadError}</p>` : null}
    ${sources === null && !loadError ? html`<p class="muted">Loading data sources…</p>` : null}
    ${sources && sources.length === 0 ? html`
      <div class="empty">
        <p><strong>No data sources yet.</strong> Add the Table Store instance to read from and the
          warehouse to write to; then create a task that uses them.</p>
      </div>` : null}
    ${sources && sources.length > 0 ? html`
      <table class="list" aria-label="Data sources">
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Where</th>
          <th scope="col">AccessKey ID</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${sources.map((source) => html`
            <tr key=${source.name} data-name=${source.name}>
              <td><strong>${source.name}</strong>${source.description ? html`<br /><span class="muted">${source.description}</span>` : null}</td>
              <td>${TYPE_LABELS[source.type] || source.type}</td>
              <td>${where(source)}</td>
              <td>${source.type === 'ots' ? html`<span class="mono">${source.accessId}</span>
                ${source.accessKeySet ? null : html`<br /><span class="error-text">no secret stored</span>`}` : '—'}</td>
              <td class="row-actions nowrap">
                <button type="button" class="secondary" onClick=${() => test(source.name)}
                  aria-label=${'Test connectivity of ' + source.name}>Test connectivity</button>
                ${source.type === 'ots' ? html`<button type="button" class="secondary" aria-expanded=${showingTables === source.name}
                  onClick=${() => setShowingTables(showingTables === source.name ? '' : source.name)}
                  aria-label=${'Tables of ' + source.name}>Tables</button>` : null}
                <button type="button" class="secondary" onClick=${() => { setMessage(''); setEditing({ source }); }}
                  aria-label=${'Edit ' + source.name}>Edit</button>
                <button type="button" class="danger" onClick=${() => setConfirming(source.name)}
                  aria-label=${'Remove ' + source.name}>Remove</button>
              </td>
            </tr>
            ${confirming === source.name ? html`
              <tr class="confirm-row"><td colspan="5">
                <div class="confirm" role="alertdialog" aria-label=${'Remove ' + source.name + '?'}>
                  <span>Remove data source <strong>${source.name}</strong>? Tasks that use it will fail until it is added again.</span>
                  <button type="button" class="danger" onClick=${() => remove(source.name)}>Yes, remove</button>
                  <button type="button" class="link" onClick=${() => setConfirming('')}>Cancel</button>
                </div>
              </td></tr>` : null}
            ${showingTables === source.name ? html`
              <tr class="result-row"><td colspan="5"><${SourceTablesPanel} source=${source.name} /></td></tr>` : null}
            ${results[source.name] ? html`
              <tr class="result-row" data-result-for=${source.name}><td colspan="5"><${TestResult} result=${results[source.name]} /></td></tr>` : null}
          `)}
        </tbody>
      </table>` : null}`;
}
