// Warehouse: the tables of an `odps` data source's local warehouse — their partitions with row
// counts and committed stream windows, a partition's first rows, its Parquet download, creating a
// table, and read-only SQL. The address is #/warehouse/<data source>/<table>.
import { html, useEffect, useRef, useState } from './html.js';
import { api } from './api.js';
import { formatBytes, formatMillis } from './format.js';

// MaxCompute's types as the warehouse accepts them (DECIMAL may carry "(precision,scale)").
const TYPES = ['STRING', 'BIGINT', 'INT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT', 'BOOLEAN',
  'DATETIME', 'TIMESTAMP', 'DATE', 'DECIMAL(38,18)', 'BINARY'];
const PARTITION_TYPES = ['STRING', 'BIGINT', 'INT', 'SMALLINT', 'TINYINT'];
const ROW_LIMITS = [20, 100, 1000];

function warehousePath(source, ...rest) {
  return ['/api/warehouses', source, ...rest].map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join('/');
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// Seconds since `running` became true, counted while it stays true.
function useElapsedSeconds(running) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return undefined;
    setSeconds(0);
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 250);
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}

// Rows of a query or a partition: {columns: [{name, type, numeric}], rows: [[text | null]]}.
export function RowsTable({ result, label }) {
  if (!result) return null;
  if (result.columns.length === 0) return html`<p class="muted">The statement returned no columns.</p>`;
  return html`
    <div class="rows-scroll">
      <table class="list compact rows" aria-label=${label}>
        <thead><tr>${result.columns.map((column) => html`
          <th scope="col" class=${column.numeric ? 'num' : ''} title=${column.type}>${column.name}
            <span class="column-type">${column.type}</span></th>`)}</tr></thead>
        <tbody>
          ${result.rows.map((row) => html`<tr>${row.map((cell, i) => html`
            <td class=${result.columns[i].numeric ? 'num mono' : 'mono'}>${cell === null ? html`<span class="null">NULL</span>` : cell}</td>`)}</tr>`)}
        </tbody>
      </table>
    </div>`;
}

function CreateTableForm({ source, onCreated, onCancel }) {
  const [name, setName] = useState('');
  const [columns, setColumns] = useState([{ name: '', type: 'STRING' }]);
  const [partitions, setPartitions] = useState([{ name: 'pt', type: 'STRING' }]);
  const [error, setError] = useState({ field: '', text: '' });
  const [busy, setBusy] = useState(false);

  const update = (list, setList, index, key, value) => setList(list.map((item, i) => (i === index ? { ...item, [key]: value } : item)));
  const invalid = (field) => (error.field === field ? 'true' : undefined);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError({ field: '', text: '' });
    const body = {
      name: name.trim(),
      columns: columns.map((c) => ({ name: c.name.trim(), type: c.type.trim() })),
      partitionColumns: partitions.map((c) => ({ name: c.name.trim(), type: c.type.trim() })),
    };
    try {
      const created = await api('POST', warehousePath(source, 'tables'), body);
      onCreated(created.table);
    } catch (failure) {
      if (failure.status === 401) return;
      // "columns[1].type: ..." names the field it is about: shown as "Column 2 type: ...".
      const match = /^(name|(columns|partitionColumns)\[(\d+)\]\.(name|type)): (.*)$/s.exec(failure.message);
      if (!match) {
        setError({ field: 'form', text: failure.message });
      } else if (match[1] === 'name') {
        setError({ field: 'name', text: `Table name: ${match[5]}` });
      } else {
        const what = match[2] === 'columns' ? 'Column' : 'Partition column';
        setError({ field: match[1], text: `${what} ${Number(match[3]) + 1} ${match[4]}: ${match[5]}` });
      }
    } finally {
      setBusy(false);
    }
  };

  const columnHead = html`<div class="column-row column-head" aria-hidden="true"><span>Name</span><span>Type</span><span></span></div>`;
  const columnRows = (list, setList, key, types, what) => list.map((column, i) => html`
    <div class="column-row" key=${key + i}>
      <input aria-label=${`${what} ${i + 1} name`} value=${column.name} placeholder="name" autocomplete="off" spellcheck=${false}
        aria-invalid=${invalid(`${key}[${i}].name`)}
        onInput=${(e) => update(list, setList, i, 'name', e.currentTarget.value)} />
      <input aria-label=${`${what} ${i + 1} type`} value=${column.type} list=${key + '-types'} autocomplete="off" spellcheck=${false}
        aria-invalid=${invalid(`${key}[${i}].type`)}
        onInput=${(e) => update(list, setList, i, 'type', e.currentTarget.value)} />
      <button type="button" class="link" aria-label=${`Remove ${what.toLowerCase()} ${i + 1}`}
        disabled=${key === 'columns' && list.length === 1}
        onClick=${() => setList(list.filter((_, j) => j !== i))}>Remove</button>
    </div>`);

  return html`
    <form class="card form" onSubmit=${submit} novalidate aria-labelledby="wh-create-title">
      <h2 id="wh-create-title">Create a table in ${source}</h2>
      <div class=${'field' + (error.field === 'name' ? ' invalid' : '')}>
        <label for="wh-table-name">Table name</label>
        <input id="wh-table-name" value=${name} autocomplete="off" spellcheck=${false} aria-invalid=${invalid('name')}
          onInput=${(e) => setName(e.currentTarget.value)} />
        <p class="hint">Letters, digits and underscores; begins with a letter. Names are kept in lower case, as in MaxCompute.</p>
      </div>
      <datalist id="columns-types">${TYPES.map((type) => html`<option value=${type} />`)}</datalist>
      <datalist id="partitionColumns-types">${PARTITION_TYPES.map((type) => html`<option value=${type} />`)}</datalist>
      <fieldset>
        <legend>Columns</legend>
        ${columnHead}
        ${columnRows(columns, setColumns, 'columns', TYPES, 'Column')}
        <button type="button" class="secondary" onClick=${() => setColumns([...columns, { name: '', type: 'STRING' }])}>Add column</button>
        <p class="hint">Types: ${TYPES.join(', ')}.</p>
      </fieldset>
      <fieldset>
        <legend>Partition columns</legend>
        ${partitions.length === 0 ? html`<p class="muted">None: the table is not partitioned.</p>` : columnHead}
        ${columnRows(partitions, setPartitions, 'partitionColumns', PARTITION_TYPES, 'Partition column')}
        <button type="button" class="secondary" onClick=${() => setPartitions([...partitions, { name: '', type: 'STRING' }])}>Add partition column</button>
        <p class="hint">STRING or an integer type. A task writes one partition per run, such as pt=\${bdp.system.bizdate}.</p>
      </fieldset>
      ${error.text ? html`<p class="error" role="alert">${error.text}</p>` : null}
      <div class="actions">
        <button type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create table'}</button>
        <button type="button" class="link" disabled=${busy} onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

function TablesList({ listing, onOpen }) {
  if (listing.tables.length === 0) {
    return html`
      <div class="empty">
        <p><strong>No tables in this warehouse yet.</strong> Create one with <em>Create table</em>, then
          run a task that writes to it (Tasks page), or create it from a shell with <code>otsync warehouse create-table</code>.</p>
      </div>`;
  }
  return html`
    <table class="list" aria-label="Tables">
      <thead><tr><th scope="col">Table</th><th scope="col">Columns</th><th scope="col">Partitions</th>
        <th scope="col" class="num">Rows</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${listing.tables.map((table) => html`
          <tr key=${table.name} data-table=${table.name}>
            <td><strong>${table.name}</strong></td>
            <td class="small mono">${table.columns.map((c) => `${c.name} ${c.type}`).join(', ')}
              ${table.partitioned ? html`<br /><span class="muted">partitioned by</span> ${table.partitionColumns.map((c) => `${c.name} ${c.type}`).join(', ')}` : null}</td>
            <td>${table.partitioned ? table.partitionCount : html`<span class="muted">not partitioned</span>`}</td>
            <td class="num">${table.rows}</td>
            <td class="small">${formatMillis(table.createdMillis)}</td>
            <td class="row-actions"><button type="button" class="secondary" aria-label=${'Open table ' + table.name}
              onClick=${() => onOpen(table.name)}>Open</button></td>
          </tr>`)}
      </tbody>
    </table>`;
}

function WindowsCell({ partition }) {
  if (partition.windowCount === 0) return html`<span class="muted">none</span>`;
  const latest = partition.windows[0];
  return html`
    <span>${plural(partition.windowCount, 'window')}</span><br />
    <span class="small muted" title=${'committed ' + formatMillis(latest.committedMillis)}>${`latest ${formatMillis(latest.startMillis)} – ${formatMillis(latest.endMillis)}, ${plural(latest.rows, 'row')}${latest.truncate ? ' (overwrite)' : ''}`}</span>`;
}

function FirstRows({ source, table, partition }) {
  const [limit, setLimit] = useState(20);
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stopped = false;
    setBusy(true);
    setError('');
    const query = new URLSearchParams({ limit: String(limit) });
    if (partition) query.set('partition', partition);
    api('GET', `${warehousePath(source, 'tables', table, 'rows')}?${query}`).then(
      (rows) => { if (!stopped) setResult(rows); },
      (failure) => { if (!stopped && failure.status !== 401) setError(failure.message); },
    ).finally(() => { if (!stopped) setBusy(false); });
    return () => { stopped = true; };
  }, [source, table, partition, limit]);

  return html`
    <section class="card detail" aria-labelledby="wh-rows-title">
      <div class="form-head">
        <h2 id="wh-rows-title">First rows of ${partition ? html`partition <span class="mono">${partition}</span>` : `table ${table}`}</h2>
        <label class="rows-limit">Show <select aria-label="Rows to show" value=${limit} onChange=${(e) => setLimit(Number(e.currentTarget.value))}>
          ${ROW_LIMITS.map((n) => html`<option value=${n}>${n}</option>`)}</select> rows</label>
      </div>
      ${busy ? html`<p class="muted" role="status">Reading rows…</p>` : null}
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${result && !busy ? html`
        <p class="muted small">${result.rows.length === 0 ? 'This partition has no rows.' : `The first ${plural(result.rows.length, 'row')}, in the order they were written.`}</p>
        <${RowsTable} result=${result} label="First rows" />` : null}
    </section>`;
}

function TableDetail({ source, table, onBack }) {
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState('');
  const [shown, setShown] = useState(null);   // The partition whose first rows are shown.

  useEffect(() => {
    setDetail(null);
    setShown(null);
    api('GET', warehousePath(source, 'tables', table)).then(setDetail,
      (failure) => { if (failure.status !== 401) setError(failure.message); });
  }, [source, table]);

  if (error) return html`<p class="error" role="alert">${error}</p><button type="button" class="link" onClick=${onBack}>Back to the tables</button>`;
  if (!detail) return html`<p class="muted" role="status">Loading table ${table}…</p>`;
  const view = detail.table;
  const download = (spec) => {
    const query = new URLSearchParams({ compression: 'zstd' });
    if (spec) query.set('partition', spec);
    return `${warehousePath(source, 'tables', view.name, 'export')}?${query}`;
  };
  return html`
    <section class="detail" aria-labelledby="wh-table-title">
      <div class="page-head">
        <h2 id="wh-table-title">Table ${view.name}</h2>
        <button type="button" class="link" onClick=${onBack}>Back to the tables</button>
      </div>
      <p class="mono small">${view.spec}</p>
      <dl class="figures">
        <div><dt>Rows</dt><dd>${view.rows}</dd></div>
        <div><dt>Partitions</dt><dd>${view.partitioned ? view.partitionCount : 'not partitioned'}</dd></div>
        <div><dt>Size</dt><dd>${formatBytes(view.bytes)} in ${plural(view.files, 'file')}</dd></div>
        <div><dt>Created</dt><dd>${formatMillis(view.createdMillis)}</dd></div>
      </dl>
      ${detail.partitions.length === 0 ? html`
        <div class="empty"><p><strong>No rows yet.</strong> ${`Run a task that writes to ${view.partitioned ? 'a partition of ' : ''}this table; its partitions appear here with their row counts.`}</p></div>` : html`
        <table class="list" aria-label="Partitions">
          <thead><tr><th scope="col">Partition</th><th scope="col" class="num">Rows</th><th scope="col">Size</th>
            <th scope="col">Created</th><th scope="col">Committed windows</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${detail.partitions.map((partition) => html`
              <tr key=${partition.spec} data-partition=${partition.spec}>
                <td class="mono">${partition.spec || html`<span class="muted">(whole table)</span>`}</td>
                <td class="num">${partition.rows}</td>
                <td class="small nowrap">${formatBytes(partition.bytes)}</td>
                <td class="small">${formatMillis(partition.createdMillis)}</td>
                <td class="small"><${WindowsCell} partition=${partition} /></td>
                <td class="row-actions nowrap">
                  <button type="button" class="secondary" aria-label=${'First rows of ' + (partition.spec || view.name)}
                    onClick=${() => setShown({ spec: partition.spec })}>First rows</button>
                  <a class="button-link" href=${download(partition.spec)} download
                    aria-label=${'Download Parquet of ' + (partition.spec || view.name)}>Download Parquet</a>
                </td>
              </tr>`)}
          </tbody>
        </table>`}
      ${shown ? html`<${FirstRows} source=${source} table=${view.name} partition=${shown.spec} />` : null}
    </section>`;
}

function SqlBox({ source, tables }) {
  const example = tables.length ? `SELECT * FROM ${tables[0].name} LIMIT 20` : 'SELECT 42 AS answer';
  const [sql, setSql] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const seconds = useElapsedSeconds(busy);

  const run = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setResult(null);
    try {
      setResult(await api('POST', warehousePath(source, 'query'), { sql: sql.trim() || example }));
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <form class="card detail" onSubmit=${run} aria-labelledby="wh-sql-title">
      <h2 id="wh-sql-title">SQL</h2>
      <p class="hint">Read-only queries of this warehouse's tables (DuckDB's SQL); tables change only through tasks and
        Create table. At most 1000 rows are shown, and a query is stopped after 30 s. The warehouse's own
        bookkeeping can be queried too: <code>_otsync_partitions</code>, <code>_otsync_windows</code>, <code>_otsync_columns</code>.</p>
      <label for="wh-sql" class="visually-hidden">SQL</label>
      <textarea id="wh-sql" rows="4" spellcheck=${false} placeholder=${example} value=${sql}
        onInput=${(e) => setSql(e.currentTarget.value)}></textarea>
      <div class="actions">
        <button type="submit" disabled=${busy}>${busy ? 'Running…' : 'Run query'}</button>
        ${busy ? html`<span class="muted" role="status">Running for ${seconds} s…</span>` : null}
      </div>
      ${error ? html`<p class="error" role="alert" data-query-error="true">${error}</p>` : null}
      ${result ? html`
        <p class="muted small" role="status">${result.truncated
          ? `The first ${result.rowCount} of ${result.totalRows} rows (the console shows at most ${result.maxRows} rows and ${Math.round(result.maxBytes / 1048576)} MiB of text).`
          : plural(result.rowCount, 'row')} in ${result.elapsedMillis} ms.</p>
        <${RowsTable} result=${result} label="Query result" />` : null}
    </form>`;
}

export function WarehousePage({ rest }) {
  const [sources, setSources] = useState(null);
  const [loadError, setLoadError] = useState('');
  const [listing, setListing] = useState(null);
  const [listError, setListError] = useState('');
  const [creating, setCreating] = useState(false);
  const [message, setMessage] = useState('');
  const [chosen, table] = (rest || '').split('/').map(decodeURIComponent);
  const source = sources && sources.length ? (sources.some((s) => s.name === chosen) ? chosen : sources[0].name) : '';
  const requested = useRef(0);

  // Read again when the address names a source not in the list (added since, in another tab).
  useEffect(() => {
    if (sources && (!chosen || sources.some((s) => s.name === chosen))) return;
    api('GET', '/api/datasources').then(
      (answer) => setSources(answer.datasources.filter((s) => s.type === 'odps')),
      (failure) => { if (failure.status !== 401) setLoadError(failure.message); });
  }, [chosen]);

  const reload = () => {
    if (!source) return;
    const ticket = ++requested.current;
    setListError('');
    api('GET', warehousePath(source, 'tables')).then(
      (answer) => { if (ticket === requested.current) setListing(answer); },
      (failure) => { if (ticket === requested.current && failure.status !== 401) setListError(failure.message); });
  };
  useEffect(() => { setListing(null); reload(); }, [source]);

  const go = (name, tableName) => {
    setMessage('');
    location.hash = '#/warehouse/' + [name, tableName].filter(Boolean).map(encodeURIComponent).join('/');
  };

  if (loadError) return html`<h1>Warehouse</h1><p class="error" role="alert">${loadError}</p>`;
  if (sources === null) return html`<h1>Warehouse</h1><p class="muted" role="status">Loading data sources…</p>`;
  if (sources.length === 0) {
    return html`
      <div class="page-head"><h1>Warehouse</h1></div>
      <div class="empty">
        <p><strong>No warehouse data source yet.</strong> Add one of type <em>Warehouse (ODPS)</em> on the <a href="#/datasources">Data sources</a> page (a folder for the warehouse and a project name);
          its tables then appear here.</p>
      </div>`;
  }
  return html`
    <div class="page-head">
      <h1>Warehouse</h1>
      ${creating || table ? null : html`<button type="button" onClick=${() => { setMessage(''); setCreating(true); }}>Create table</button>`}
    </div>
    <div class="filters">
      <div class="field">
        <label for="wh-source">Warehouse data source</label>
        <select id="wh-source" value=${source} onChange=${(e) => { setCreating(false); setMessage(''); go(e.currentTarget.value); }}>
          ${sources.map((s) => html`<option value=${s.name}>${s.name}</option>`)}
        </select>
      </div>
      ${listing ? html`<p class="muted small where">Folder <span class="mono">${listing.warehouse}</span>, project <span class="mono">${listing.project}</span>${listing.exists ? '' : ' (not created yet: the first table creates it)'}</p>` : null}
    </div>
    ${chosen && source !== chosen ? html`<p class="warning" role="status">${'There is no warehouse data source named '}<strong>${chosen}</strong>; showing ${source}.</p>` : null}
    ${message ? html`<p class="notice" role="status">${message}</p>` : null}
    ${creating ? html`<${CreateTableForm} source=${source} onCancel=${() => setCreating(false)}
      onCreated=${(created) => { setCreating(false); setMessage(`Created table ${created.name}: ${created.spec}`); reload(); }} />` : null}
    ${listError ? html`<p class="error" role="alert">${listError}</p>` : null}
    ${!listing && !listError ? html`<p class="muted" role="status">Loading the tables of ${source}…</p>` : null}
    ${listing && table ? html`<${TableDetail} key=${source + '/' + table} source=${source} table=${table} onBack=${() => go(source)} />` : null}
    ${listing && !table ? html`<${TablesList} listing=${listing} onOpen=${(name) => go(source, name)} />` : null}
    ${listing ? html`<${SqlBox} key=${source} source=${source} tables=${listing.tables} />` : null}`;
}
