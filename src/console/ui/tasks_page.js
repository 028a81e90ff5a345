// Tasks: the scheduled jobs of `otsync serve` — list, run now, freeze, delete, and the editor with
// its wizard (the seed's steps: source, destination, field mapping, channel control, schedule)
// and its script mode, switchable at any time.
import { html, useEffect, useState } from './html.js';
import { api } from './api.js';
import { browserZone } from './format.js';
import { BackfillPanel } from './backfill_panel.js';
import { RunPanel } from './run_panel.js';
import { SourceTablePicker } from './source_tables.js';
import {
  defaultTaskForm, formToScript, lineOfKeyPath, parseLenientJson, primaryKeySource, ROW_MODE, scriptToForm, sourceColumns,
  splitList, withSourceTable,
} from './task_script.js';

const CYCLES = [
  ['minute 5 00:00-23:59', 'Every 5 minutes, all day (the documented incremental schedule)'],
  ['minute 10 00:00-23:59', 'Every 10 minutes'],
  ['hour 1 00:00-23:59', 'Every hour'],
  ['day 00:30', 'Daily at 00:30 (may lose data for a stream source)'],
];
const DEFAULT_PARAMETERS = 'startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]';

function defaultSchedule() {
  return {
    parameters: DEFAULT_PARAMETERS, cycle: CYCLES[0][0], timeZone: 'Asia/Shanghai', rerunPolicy: 'always',
    retryCount: '3', retryIntervalSeconds: '120', selfDependent: true,
  };
}

function Field({ id, label, hint, error, children, wide }) {
  return html`
    <div class=${'field' + (error ? ' invalid' : '') + (wide ? ' wide' : '')}>
      <label for=${id}>${label}</label>
      ${children}
      ${hint ? html`<p class="hint" id=${id + '-hint'}>${hint}</p>` : null}
      <p class="field-error" id=${id + '-error'} role=${error ? 'alert' : undefined}>${error || ''}</p>
    </div>`;
}

function Check({ id, label, checked, onChange, hint }) {
  return html`
    <div class="field check">
      <input id=${id} type="checkbox" checked=${checked} onChange=${(e) => onChange(e.currentTarget.checked)} />
      <label for=${id}>${label}</label>
      ${hint ? html`<p class="hint">${hint}</p>` : null}
    </div>`;
}

// The destination table, read from the warehouse once its data source and name have stood still
// for a moment: {columns, partitioned} or {missing: message}, or null while unknown.
function useDestinationColumns(datasource, table) {
  const [schema, setSchema] = useState(null);
  useEffect(() => {
    setSchema(null);
    if (!datasource || !table.trim()) return undefined;
    let stopped = false;
    const timer = setTimeout(() => {
      api('GET', `/api/warehouses/${encodeURIComponent(datasource)}/tables/${encodeURIComponent(table.trim())}`).then(
        (answer) => { if (!stopped) setSchema({ columns: answer.table.columns.map((c) => c.name), partitioned: Boolean(answer.table.partitioned) }); },
        (failure) => { if (!stopped && failure.status === 404) setSchema({ missing: failure.message }); });
    }, 400);
    return () => { stopped = true; clearTimeout(timer); };
  }, [datasource, table]);
  return schema;
}

// The warehouse tables of a destination data source, for the wizard's table list; [] while
// unknown or when they cannot be listed (the table can still be typed).
function useWarehouseTables(datasource) {
  const [tables, setTables] = useState([]);
  useEffect(() => {
    setTables([]);
    if (!datasource) return undefined;
    let stopped = false;
    api('GET', `/api/warehouses/${encodeURIComponent(datasource)}/tables`).then(
      (answer) => { if (!stopped) setTables(answer.tables || []); }, () => {});
    return () => { stopped = true; };
  }, [datasource]);
  return tables;
}

function FieldMapping({ form, schema }) {
  const source = sourceColumns(form);
  const listed = splitList(form.writer.column);
  // ["*"]: every column of the table, in its order (the writer's own meaning of it).
  const everyColumn = listed.length === 1 && listed[0] === '*';
  const destination = everyColumn ? (schema && schema.columns ? schema.columns : []) : listed;
  const target = destination.length ? destination : source;
  const rows = Math.max(source.length, target.length);
  const mismatch = destination.length > 0 && destination.length !== source.length;
  const tableColumns = schema && schema.columns ? new Set(schema.columns.map((c) => c.toLowerCase())) : null;
  const unknown = tableColumns ? target.filter((c) => !tableColumns.has(c.toLowerCase())) : [];
  const unfilled = tableColumns ? schema.columns.filter((c) => !target.some((t) => t.toLowerCase() === c.toLowerCase())) : [];
  return html`
    <table class="list mapping" aria-label="Field mapping">
      <thead><tr><th scope="col">Source column (reader output)</th><th scope="col">Destination column</th></tr></thead>
      <tbody>${Array.from({ length: rows }, (_, i) => html`
        <tr class=${source[i] === undefined || target[i] === undefined || (target[i] !== undefined && unknown.includes(target[i])) ? 'unmatched' : ''}>
          <td class="mono">${source[i] ?? '— (nothing)'}</td><td class="mono">${target[i] ?? '— (no column)'}</td>
        </tr>`)}
      </tbody>
    </table>
    ${mismatch ? html`<p class="warning" role="status">The reader emits ${source.length} columns
      (${source.join(', ')}) but ${destination.length} destination columns are listed: fields are
      mapped one to one in order, so ${destination.length > source.length
        ? `the last ${destination.length - source.length} destination column(s) stay empty`
        : `the run is refused (every source column needs a destination column)`}. With
      "Export sequence information" off there is no sequenceinfo column.</p>` : null}
    ${schema && schema.missing ? html`<p class="warning destination-check" role="status">${schema.missing}: create
      the table on the Warehouse page before the task runs.</p>` : null}
    ${unknown.length ? html`<p class="warning destination-check" role="status">Table ${form.writer.table} has no
      column ${unknown.join(', ')} (its columns: ${schema.columns.join(', ')}): the run would be refused.</p>` : null}
    ${!unknown.length && unfilled.length ? html`<p class="muted small destination-check" role="status">Column(s)
      ${unfilled.join(', ')} of table ${form.writer.table} get no value (NULL).</p>` : null}
    ${tableColumns && !unknown.length && !unfilled.length ? html`<p class="muted small destination-check" role="status">Every
      destination column is a column of table ${form.writer.table}.</p>` : null}`;
}

function Wizard({ form, setForm, sources, errors }) {
  const set = (section, key) => (e) => setForm({ ...form, [section]: { ...form[section], [key]: e.currentTarget.value } });
  const setFlag = (section, key) => (value) => setForm({ ...form, [section]: { ...form[section], [key]: value } });
  const otsSources = sources.filter((s) => s.type === 'ots');
  const odpsSources = sources.filter((s) => s.type === 'odps');
  const keyFrom = primaryKeySource(form);
  const destination = useDestinationColumns(form.writer.datasource, form.writer.table);
  const warehouseTables = useWarehouseTables(odpsSources.some((s) => s.name === form.writer.datasource) ? form.writer.datasource : '');
  // As DataWorks shows it: a table without partitions has no partition information to give.
  const unpartitioned = Boolean(destination && destination.columns && !destination.partitioned);
  useEffect(() => {
    if (unpartitioned && form.writer.partition) setForm({ ...form, writer: { ...form.writer, partition: '' } });
  }, [unpartitioned, form.writer.partition]);
  const options = (list, chosen) => html`
    <option value="">Choose…</option>
    ${list.map((s) => html`<option value=${s.name}>${s.name}${s.description ? ' — ' + s.description : ''}</option>`)}
    ${chosen && !list.some((s) => s.name === chosen) ? html`<option value=${chosen}>${chosen} (not registered)</option>` : null}`;
  return html`
    <fieldset>
      <legend>1. Source: Table Store stream</legend>
      <div class="row">
        <${Field} id="t-reader-datasource" label="Data source" hint=${otsSources.length ? '' : 'No Table Store data source yet: add one on the Data sources page.'}>
          <select id="t-reader-datasource" value=${form.reader.datasource} onChange=${set('reader', 'datasource')}>${options(otsSources, form.reader.datasource)}</select>
        <//>
        <${Field} id="t-reader-dataTable" label="Table">
          <${SourceTablePicker} id="t-reader-dataTable" source=${otsSources.some((s) => s.name === form.reader.datasource) ? form.reader.datasource : ''}
            value=${form.reader.dataTable} onChange=${(value, table) => setForm(withSourceTable(form, value, table))} />
        <//>
      </div>
      <div class="row">
        <${Field} id="t-reader-start" label="Start time (included)" hint="yyyyMMddHHmmss, or a parameter such as \${startTime}.">
          <input id="t-reader-start" class="mono" value=${form.reader.startTimeString} onInput=${set('reader', 'startTimeString')} />
        <//>
        <${Field} id="t-reader-end" label="End time (excluded)" hint="At least 5 minutes before the scheduling time.">
          <input id="t-reader-end" class="mono" value=${form.reader.endTimeString} onInput=${set('reader', 'endTimeString')} />
        <//>
      </div>
      <div class="row">
        <${Field} id="t-reader-status" label="State table" hint="Where the reader keeps its checkpoints.">
          <input id="t-reader-status" value=${form.reader.statusTable} onInput=${set('reader', 'statusTable')} />
        <//>
        <${Field} id="t-reader-retries" label="Maximum retries" hint="Per request; default 30.">
          <input id="t-reader-retries" type="number" min="0" value=${form.reader.maxRetries} onInput=${set('reader', 'maxRetries')} />
        <//>
      </div>
      <${Check} id="t-reader-sequence" label="Export sequence information" checked=${form.reader.isExportSequenceInfo}
        onChange=${setFlag('reader', 'isExportSequenceInfo')} hint="Adds a sequenceinfo column (when each change was written)." />
      <div class="row">
        <${Field} id="t-reader-mode" label="Mode" hint=${form.reader.mode === ROW_MODE
          ? 'The chosen columns of each put or update; deletes are dropped.'
          : 'Primary key, colname, version, colvalue, optype for every cell changed.'}>
          <select id="t-reader-mode" value=${form.reader.mode} onChange=${set('reader', 'mode')}>
            <option value="multi_version">Multi-version: a row per cell change</option>
            <option value=${ROW_MODE}>Row: a row per put or update</option>
          </select>
        <//>
        ${form.reader.mode === ROW_MODE ? html`
          <${Field} id="t-reader-columns" label="Columns" hint="Separated by commas: primary key and attribute columns, in the order of the destination's columns.">
            <input id="t-reader-columns" class="mono" value=${form.reader.columns} onInput=${set('reader', 'columns')} />
          <//>` : null}
      </div>
    </fieldset>
    <fieldset>
      <legend>2. Destination: warehouse</legend>
      <div class="row">
        <${Field} id="t-writer-datasource" label="Data source">
          <select id="t-writer-datasource" value=${form.writer.datasource} onChange=${set('writer', 'datasource')}>${options(odpsSources, form.writer.datasource)}</select>
        <//>
        <${Field} id="t-writer-table" label="Table">
          <input id="t-writer-table" list="t-writer-tables" value=${form.writer.table} onInput=${set('writer', 'table')} autocomplete="off" />
          <datalist id="t-writer-tables">${warehouseTables.map((table) => html`<option value=${table.name}>${table.partitionColumns && table.partitionColumns.length
            ? `partitioned by ${table.partitionColumns.map((c) => c.name).join(', ')}` : 'not partitioned'}</option>`)}</datalist>
        <//>
        ${unpartitioned ? html`
          <div class="field"><span class="label">Partition information</span>
            <p class="muted small" role="status">Table ${form.writer.table} is not partitioned: no partition information.</p>
          </div>` : html`
          <${Field} id="t-writer-partition" label="Partition information" hint="Such as pt=\${bdp.system.bizdate}; empty for a table without partitions.">
            <input id="t-writer-partition" class="mono" value=${form.writer.partition} onInput=${set('writer', 'partition')} />
          <//>`}
      </div>
      <div class="row">
        <${Field} id="t-writer-truncate" label="Clearance rule">
          <select id="t-writer-truncate" value=${form.writer.truncate ? 'overwrite' : 'into'}
            onChange=${(e) => setFlag('writer', 'truncate')(e.currentTarget.value === 'overwrite')}>
            <option value="overwrite">Clear existing data before writing (Insert Overwrite)</option>
            <option value="into">Retain existing data (Insert Into)</option>
          </select>
        <//>
      </div>
      <${Check} id="t-writer-compress" label="Compression" checked=${form.writer.compress} onChange=${setFlag('writer', 'compress')}
        hint="Compresses the transfer to MaxCompute in DataWorks. The local warehouse's files are always compressed, so here it changes nothing." />
      <${Check} id="t-writer-emptyAsNull" label="Consider empty string as null" checked=${form.writer.emptyAsNull} onChange=${setFlag('writer', 'emptyAsNull')} />
    </fieldset>
    <fieldset>
      <legend>3. Field mapping</legend>
      <div class="row">
        ${form.reader.mode === ROW_MODE ? null : html`
          <${Field} id="t-primaryKey" label="Primary key columns of the source table" hint=${keyFrom
            ? `From ${keyFrom.table}'s primary key: ${keyFrom.columns.map((c) => `${c.name} (${c.type})`).join(', ')}`
            : 'In order, separated by commas: the reader emits them first.'}>
            <input id="t-primaryKey" class="mono" value=${form.primaryKey} onInput=${(e) => setForm({ ...form, primaryKey: e.currentTarget.value })} />
          <//>`}
        <${Field} id="t-writer-column" label="Destination columns" hint="Separated by commas; * for every column of the table, in its order; empty: the reader's columns by the same names.">
          <input id="t-writer-column" class="mono" value=${form.writer.column} onInput=${set('writer', 'column')} />
        <//>
      </div>
      <${FieldMapping} form=${form} schema=${destination} />
    </fieldset>
    <fieldset>
      <legend>4. Channel control</legend>
      <div class="row">
        <${Field} id="t-concurrent" label="Number of concurrent jobs" hint="Shards read at once.">
          <input id="t-concurrent" type="number" min="1" value=${form.setting.concurrent} onInput=${set('setting', 'concurrent')} />
        <//>
        <${Field} id="t-mbps" label="Transmission Rate (MB/s)" hint="Empty: not limited.">
          <input id="t-mbps" type="number" min="0" step="any" value=${form.setting.mbps} onInput=${set('setting', 'mbps')} />
        <//>
        <${Field} id="t-errorLimit" label="If there are more than" hint="Dirty records, and the task fails. Empty: no limit.">
          <input id="t-errorLimit" type="number" min="0" value=${form.setting.errorLimit} onInput=${set('setting', 'errorLimit')} />
        <//>
      </div>
    </fieldset>
    ${errors.wizard ? html`<p class="error" role="alert">${errors.wizard}</p>` : null}`;
}

function Schedule({ schedule, setSchedule, errors }) {
  const set = (key) => (e) => setSchedule({ ...schedule, [key]: e.currentTarget.value });
  return html`
    <fieldset>
      <legend>5. Schedule</legend>
      <${Field} id="t-parameters" label="Parameters" error=${errors.parameters}
        hint="name=expression pairs, as for otsync run -p; fixed when each instance is generated.">
        <input id="t-parameters" class="mono" value=${schedule.parameters} onInput=${set('parameters')} spellcheck="false" />
      <//>
      <div class="row">
        <${Field} id="t-cycle" label="Cycle" error=${errors.cycle}
          hint="minute N HH:MM-HH:MM, hour N, hours H,H :MM, day HH:MM (week and month are refused for a stream source).">
          <input id="t-cycle" class="mono" list="t-cycles" value=${schedule.cycle} onInput=${set('cycle')} />
          <datalist id="t-cycles">${CYCLES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}</datalist>
        <//>
        <${Field} id="t-zone" label="Time zone" error=${errors.timeZone} hint=${`Your browser is in ${browserZone}.`}>
          <input id="t-zone" value=${schedule.timeZone} onInput=${set('timeZone')} />
        <//>
      </div>
      <div class="row">
        <${Field} id="t-rerun" label="Rerun allowed">
          <select id="t-rerun" value=${schedule.rerunPolicy} onChange=${set('rerunPolicy')}>
            <option value="always">Always</option><option value="after-failure">Only after a failure</option><option value="never">Never</option>
          </select>
        <//>
        <${Field} id="t-retries" label="Automatic retries" error=${errors.retryCount}>
          <input id="t-retries" type="number" min="0" max="10" value=${schedule.retryCount} onInput=${set('retryCount')} />
        <//>
        <${Field} id="t-retry-interval" label="Seconds between retries" error=${errors.retryIntervalSeconds}>
          <input id="t-retry-interval" type="number" min="0" value=${schedule.retryIntervalSeconds} onInput=${set('retryIntervalSeconds')} />
        <//>
      </div>
      <${Check} id="t-self" label="Self-dependent (an instance waits for the previous one to succeed)" checked=${schedule.selfDependent}
        onChange=${(value) => setSchedule({ ...schedule, selfDependent: value })} />
    </fieldset>`;
}

function PreviewTable({ preview }) {
  if (!preview) return null;
  return html`
    <table class="list" aria-label="Next instances">
      <thead><tr><th scope="col">Scheduling time (${preview.zone})</th><th scope="col">Business date</th>
        <th scope="col">Window start</th><th scope="col">Window end</th><th scope="col">Notes</th></tr></thead>
      <tbody>${preview.instances.map((instance) => html`
        <tr><td class="mono">${instance.schedulingTime}</td><td class="mono">${instance.businessDate}</td>
          <td class="mono">${instance.windowStart ?? '—'}</td><td class="mono">${instance.windowEnd ?? '—'}</td>
          <td>${(instance.warnings || []).join('; ')}</td></tr>`)}
      </tbody>
    </table>`;
}

function TaskEditor({ original, sources, onSaved, onCancel }) {
  const isEdit = Boolean(original);
  const initial = () => {
    if (!original) return { mode: 'wizard', form: defaultTaskForm(), script: '' };
    const mapped = scriptToForm(original.script, original.name);
    return mapped.form ? { mode: 'wizard', form: mapped.form, script: original.script }
      : { mode: 'script', form: null, script: original.script };
  };
  const [state, setState] = useState(initial);
  const [name, setName] = useState(original ? original.name : '');
  const [schedule, setSchedule] = useState(() => (original ? {
    parameters: original.parameters, cycle: original.cycle, timeZone: original.timeZone, rerunPolicy: original.rerunPolicy,
    retryCount: String(original.retryCount), retryIntervalSeconds: String(original.retryIntervalSeconds), selfDependent: original.selfDependent,
  } : defaultSchedule()));
  const [errors, setErrors] = useState({});
  const [warnings, setWarnings] = useState([]);
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState('');
  const [switching, setSwitching] = useState(false);

  const scriptText = () => (state.mode === 'wizard' ? formToScript(state.form) : state.script);

  const toScript = () => setState({ mode: 'script', form: state.form, script: formToScript(state.form) });
  const toWizard = () => {
    const mapped = scriptToForm(state.script, name, state.form);
    if (mapped.form) {
      setErrors({});
      setState({ mode: 'wizard', form: mapped.form, script: state.script });
    } else if (mapped.parseError) {
      setErrors({ script: `The script is not valid JSON: ${mapped.parseError}.` });
    } else {
      setErrors({ script: `The wizard cannot show this script without losing part of it: ${mapped.problems.join(', ')}. Keep editing it here.` });
    }
  };

  const taskBody = () => ({
    name: name.trim(), script: scriptText(), parameters: schedule.parameters, cycle: schedule.cycle.trim(),
    timeZone: schedule.timeZone.trim(), rerunPolicy: schedule.rerunPolicy, retryCount: Number(schedule.retryCount),
    retryIntervalSeconds: Number(schedule.retryIntervalSeconds), selfDependent: schedule.selfDependent,
  });

  // A server message placed beside what it names: a script key (with its line), a schedule field, the name.
  const showError = (message) => {
    const text = message;
    if (/^(task )?name\b|task name|already exists/i.test(text)) return setErrors({ name: text });
    if (/^cycle\b|cycle/i.test(text) && !/configuration|reader|writer/.test(text)) return setErrors({ cycle: text });
    if (/zone/i.test(text) && !/configuration/.test(text)) return setErrors({ timeZone: text });
    if (/^parameter|parameter '/i.test(text)) return setErrors({ parameters: text });
    const path = /((?:configuration|job|reader|writer|setting)[\w.[\]]*)/i.exec(text);
    if (path && state.mode === 'script') {
      const line = lineOfKeyPath(state.script, path[1]);
      return setErrors({ script: line ? `Line ${line}: ${text}` : text });
    }
    return setErrors(state.mode === 'script' ? { script: text } : { wizard: text });
  };

  const validateScript = () => {
    if (state.mode !== 'script') return true;
    const parsed = parseLenientJson(state.script);
    if (parsed.error) {
      setErrors({ script: `The script is not valid JSON: ${parsed.error}.` });
      return false;
    }
    return true;
  };

  const runPreview = async () => {
    if (!validateScript()) return;
    setBusy('preview');
    setErrors({});
    try {
      setPreview(await api('POST', '/api/tasks/preview', { task: taskBody(), count: 10 }));
    } catch (failure) {
      setPreview(null);
      if (failure.status !== 401) showError(failure.message);
    } finally {
      setBusy('');
    }
  };

  // Saves the task; with `run`, hands it to onSaved to be run next (the run panel, where the
  // custom parameters of this run are set, as DataWorks asks for them before a run).
  const save = async (event, run = false) => {
    if (event) event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'Give the task a name.' });
      return;
    }
    if (!validateScript()) return;
    setBusy('save');
    setErrors({});
    try {
      const answer = isEdit
        ? await api('PUT', `/api/tasks/${encodeURIComponent(original.name)}`, taskBody())
        : await api('POST', '/api/tasks', taskBody());
      setWarnings(answer.warnings || []);
      onSaved(answer.task, answer.warnings || [], run);
    } catch (failure) {
      if (failure.status !== 401) showError(failure.message);
    } finally {
      setBusy('');
    }
  };

  return html`
    <form class="card form wide-form" onSubmit=${save} novalidate aria-labelledby="task-form-title">
      <div class="form-head">
        <h2 id="task-form-title">${isEdit ? `Edit task ${original.name}` : 'Create a task'}</h2>
        <div class="mode-switch" role="toolbar" aria-label="Editing mode">
          ${state.mode === 'wizard'
            ? html`<button type="button" class="secondary" onClick=${() => setSwitching(true)}>Switch to Script Mode</button>`
            : html`<button type="button" class="secondary" onClick=${toWizard}>Switch to Wizard Mode</button>`}
        </div>
      </div>
      ${switching ? html`
        <div class="confirm" role="alertdialog" aria-label="Switch to script mode?">
          <span>The wizard's settings become the task's job script, which you then edit as text. You can come
            back to the wizard as long as the script says nothing the wizard cannot show.</span>
          <button type="button" onClick=${() => { setSwitching(false); toScript(); }}>OK</button>
          <button type="button" class="link" onClick=${() => setSwitching(false)}>Cancel</button>
        </div>` : null}
      <${Field} id="t-name" label="Task name" error=${errors.name} hint=${isEdit ? 'A task cannot be renamed.' : ''}>
        <input id="t-name" value=${name} readOnly=${isEdit} onInput=${(e) => setName(e.currentTarget.value)} autocomplete="off" />
      <//>
      ${state.mode === 'wizard'
        ? html`<${Wizard} form=${state.form} setForm=${(form) => setState({ ...state, form })} sources=${sources} errors=${errors} />`
        : html`
          <${Field} id="t-script" label="Job script" error=${errors.script}
            hint="Exactly what the engine runs (JSON; // comments allowed). Switch to the wizard at any time when the script maps to it.">
            <textarea id="t-script" class="script" rows="24" spellcheck="false" value=${state.script}
              onInput=${(e) => setState({ ...state, script: e.currentTarget.value })} />
          <//>`}
      <${Schedule} schedule=${schedule} setSchedule=${setSchedule} errors=${errors} />
      ${warnings.length ? html`<p class="warning" role="status">${warnings.join(' ')}</p>` : null}
      <div class="actions">
        <button type="submit" disabled=${Boolean(busy)}>${busy === 'save' ? 'Saving…' : 'Save'}</button>
        <button type="button" disabled=${Boolean(busy)} onClick=${() => save(null, true)}
          title="Save the task, then choose this run's parameters and start it">Run</button>
        <button type="button" class="secondary" disabled=${Boolean(busy)} onClick=${runPreview}>${busy === 'preview' ? 'Resolving…' : 'Preview the next 10 instances'}</button>
        <button type="button" class="link" onClick=${onCancel}>Cancel</button>
      </div>
      <${PreviewTable} preview=${preview} />
    </form>`;
}

// A server's warning ("a daily cycle may lose data…") as a sentence of a notice.
function asSentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : capital + '.';
}

export function TasksPage() {
  const [tasks, setTasks] = useState(null);
  const [sources, setSources] = useState([]);
  const [editing, setEditing] = useState(null);
  const [backfilling, setBackfilling] = useState(null);
  const [runningAt, setRunningAt] = useState('');
  const [confirming, setConfirming] = useState('');
  const [message, setMessage] = useState('');
  const [loadError, setLoadError] = useState('');

  const reload = () => api('GET', '/api/tasks').then(
    (answer) => { setTasks(answer.tasks); setLoadError(''); },
    (failure) => { if (failure.status !== 401) setLoadError(failure.message); });
  useEffect(() => {
    reload();
    api('GET', '/api/datasources').then((answer) => setSources(answer.datasources), () => {});
  }, []);

  const act = async (label, method, path, then) => {
    try {
      const answer = await api(method, path);
      setMessage(label(answer));
      await reload();
      if (then) then(answer);
    } catch (failure) {
      if (failure.status !== 401) setMessage(failure.message);
    }
  };
  const taskPath = (name) => `/api/tasks/${encodeURIComponent(name)}`;

  return html`
    <div class="page-head">
      <h1>Tasks</h1>
      ${editing ? null : html`<button type="button" onClick=${() => { setMessage(''); setEditing({ task: null }); }}>Create task</button>`}
    </div>
    <p class="lead">Each task runs its job script on a cycle; every run is an instance (see Instances).</p>
    ${message ? html`<p class="notice" role="status">${message}</p>` : null}
    ${editing ? html`<${TaskEditor} key=${editing.task ? editing.task.name : '+'} original=${editing.task} sources=${sources}
        onCancel=${() => setEditing(null)}
        onSaved=${(task, warnings, run) => {
          setEditing(null);
          const notes = warnings.map(asSentence).concat(run ? ['Set the parameters of this run and start it below.'] : []);
          setMessage([`Saved task ${task.name}.`, ...notes].join(' '));
          if (run) setRunningAt(task.name);
          reload();
        }} />` : null}
    ${backfilling ? html`<${BackfillPanel} key=${backfilling.name} task=${backfilling} onClose=${() => setBackfilling(null)} />` : null}
    ${loadError ? html`<p class="error" role="alert">${loadError}</p>` : null}
    ${tasks && tasks.length === 0 && !editing ? html`
      <div class="empty"><p><strong>No tasks yet.</strong> Create one: the wizard walks through the
        source table, the destination, the field mapping, the channel and the schedule.</p></div>` : null}
    ${tasks && tasks.length > 0 ? html`
      <table class="list" aria-label="Tasks">
        <thead><tr><th scope="col">Name</th><th scope="col">Cycle</th><th scope="col">Parameters</th><th scope="col">State</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${tasks.map((task) => html`
          <tr key=${task.name} data-task=${task.name}>
            <td><strong>${task.name}</strong></td>
            <td class="mono nowrap">${task.cycle}<br /><span class="muted">${task.timeZone}</span></td>
            <td class="mono small">${task.parameters || '—'}</td>
            <td>${task.frozen ? html`<span class="badge frozen">frozen</span>` : html`<span class="badge succeeded">active</span>`}</td>
            <td class="row-actions">
              <button type="button" class="secondary" aria-label=${'Run ' + task.name + ' now'}
                onClick=${() => act((instance) => `Started instance ${instance.id} of ${task.name}.`, 'POST', taskPath(task.name) + '/run',
                  (instance) => { location.hash = `#/instances/${instance.id}`; })}>Run now</button>
              <button type="button" class="secondary" aria-label=${'Run ' + task.name + ' as of a time'}
                onClick=${() => setRunningAt(runningAt === task.name ? '' : task.name)}>Run at…</button>
              <button type="button" class="secondary" aria-label=${'Edit ' + task.name} onClick=${() => { setMessage(''); setEditing({ task }); }}>Edit</button>
              <button type="button" class="secondary" aria-label=${'Backfill ' + task.name} onClick=${() => { setMessage(''); setBackfilling(task); }}>Backfill</button>
              <button type="button" class="secondary" aria-label=${(task.frozen ? 'Unfreeze ' : 'Freeze ') + task.name}
                onClick=${() => act(() => `${task.frozen ? 'Unfroze' : 'Froze'} ${task.name}.`, 'POST', taskPath(task.name) + (task.frozen ? '/unfreeze' : '/freeze'))}>
                ${task.frozen ? 'Unfreeze' : 'Freeze'}</button>
              <button type="button" class="danger" aria-label=${'Delete ' + task.name} onClick=${() => setConfirming(task.name)}>Delete</button>
            </td>
          </tr>
          ${runningAt === task.name ? html`
            <tr class="confirm-row"><td colspan="5">
              <${RunPanel} task=${task} onClose=${() => setRunningAt('')}
                onStarted=${(instance) => { setRunningAt(''); location.hash = `#/instances/${instance.id}`; }} />
            </td></tr>` : null}
          ${confirming === task.name ? html`
            <tr class="confirm-row"><td colspan="5">
              <div class="confirm" role="alertdialog" aria-label=${'Delete ' + task.name + '?'}>
                <span>Delete task <strong>${task.name}</strong>? Its waiting instances are killed; finished ones stay listed.</span>
                <button type="button" class="danger" onClick=${() => { setConfirming(''); act(() => `Deleted task ${task.name}.`, 'DELETE', taskPath(task.name)); }}>Yes, delete</button>
                <button type="button" class="link" onClick=${() => setConfirming('')}>Cancel</button>
              </div>
            </td></tr>` : null}`)}
        </tbody>
      </table>` : null}`;
}
