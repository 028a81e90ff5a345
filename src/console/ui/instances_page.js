// Instances: every run of every task, in the manner of an operation center — filter by task and
// state, kill, rerun, freeze; one instance's live progress and its log, followed as it is written.
import { html, useEffect, useRef, useState } from './html.js';
import { api } from './api.js';
import { formatBytes, formatMillis } from './format.js';
import { RowsTable } from './warehouse_page.js';

const STATES = ['waiting', 'running', 'succeeded', 'failed', 'killed', 'frozen'];
const FINISHED = new Set(['succeeded', 'failed', 'killed']);
const POLL_MILLIS = 1000;

function Badge({ state }) {
  return html`<span class=${'badge ' + state}>${state}</span>`;
}

function InstanceActions({ instance, onChanged }) {
  const [error, setError] = useState('');
  const act = async (verb) => {
    setError('');
    try {
      onChanged(await api('POST', `/api/instances/${instance.id}/${verb}`));
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
    }
  };
  return html`
    ${!FINISHED.has(instance.state) ? html`<button type="button" class="danger" disabled=${instance.killRequested}
      aria-label=${'Kill instance ' + instance.id} onClick=${() => act('kill')}>${instance.killRequested ? 'Killing…' : 'Kill'}</button>` : null}
    ${FINISHED.has(instance.state) ? html`<button type="button" class="secondary" aria-label=${'Rerun instance ' + instance.id} onClick=${() => act('rerun')}>Rerun</button>` : null}
    ${instance.state === 'waiting' ? html`<button type="button" class="secondary" aria-label=${'Freeze instance ' + instance.id} onClick=${() => act('freeze')}>Freeze</button>` : null}
    ${instance.state === 'frozen' ? html`<button type="button" class="secondary" aria-label=${'Unfreeze instance ' + instance.id} onClick=${() => act('unfreeze')}>Unfreeze</button>` : null}
    ${error ? html`<span class="error-text" role="alert">${error}</span>` : null}`;
}

// A shard the last progress report showed running has stopped once its instance is no longer
// running (killed, failed, or waiting for a retry): the report is the last one it sent.
function shardStateText(shard, instanceState) {
  return shard.state === 'running' && instanceState !== 'running' ? 'stopped' : shard.state;
}

// Where a finished run wrote, from its job summary's destination line, as the odps writer words
// it: "partition pt=p1 of table dest in /data/warehouse (data source odps_first)", or "table dest
// in ..." for a table without partitions. Null for other writers.
export function destinationOf(summary) {
  const match = /^Destination\s*:\s*(?:partition (\S+) of )?table (\S+) in .* \(data source ([^)]+)\)\s*$/m.exec(summary || '');
  return match ? { partition: match[1] || '', table: match[2], datasource: match[3] } : null;
}

const LANDED_ROWS = 10;

// The first rows in the partition a succeeded run wrote: what landed, without leaving the page.
function LandedRows({ instance }) {
  const destination = instance.state === 'succeeded' ? destinationOf(instance.summary) : null;
  const [rows, setRows] = useState(null);
  const [error, setError] = useState('');
  const key = destination ? `${destination.datasource}/${destination.table}/${destination.partition}` : '';
  useEffect(() => {
    if (!destination) return undefined;
    let stopped = false;
    const query = new URLSearchParams({ limit: String(LANDED_ROWS) });
    if (destination.partition) query.set('partition', destination.partition);
    const path = ['/api/warehouses', destination.datasource, 'tables', destination.table, 'rows']
      .map((part, i) => (i === 0 || part === 'tables' || part === 'rows' ? part : encodeURIComponent(part))).join('/');
    api('GET', `${path}?${query}`).then(
      (answer) => { if (!stopped) { setRows(answer); setError(''); } },
      (failure) => { if (!stopped && failure.status !== 401) setError(failure.message); });
    return () => { stopped = true; };
  }, [key]);
  if (!destination) return null;
  const where = destination.partition ? `partition ${destination.partition} of ${destination.table}` : destination.table;
  return html`
    <section class="landed" aria-labelledby="landed-title">
      <div class="page-head">
        <h2 id="landed-title">First rows in ${where}</h2>
        <a href=${'#/warehouse/' + [destination.datasource, destination.table].map(encodeURIComponent).join('/')}>Open in the warehouse</a>
      </div>
      ${error ? html`<p class="error" role="alert">${error}</p>`
        : !rows ? html`<p class="muted">Reading the partition…</p>`
        : rows.rows.length === 0 ? html`<p class="muted">The partition holds no rows: the window had no changes.</p>`
        : html`<p class="muted small">The first ${Math.min(LANDED_ROWS, rows.rows.length)} rows, in the order they were written; the partition holds what the latest run of its window left.</p>
          <${RowsTable} result=${rows} label="Rows in the partition" />`}
    </section>`;
}

function Progress({ progress, instanceState }) {
  if (!progress) return html`<p class="muted">No progress reported yet.</p>`;
  const shards = progress.shards || [];
  // As the command line's progress line counts it: the shards done of all the window's shards.
  const percent = progress.shardsTotal > 0 ? Math.floor((100 * (progress.shardsDone ?? 0)) / progress.shardsTotal) : null;
  return html`
    <dl class="figures">
      <div><dt>Done</dt><dd class="percent" data-percent=${percent ?? ''}>${percent === null ? '—' : `${percent} %`}</dd></div>
      <div><dt>Records</dt><dd>${progress.records ?? '—'}</dd></div>
      <div><dt>Bytes</dt><dd>${formatBytes(progress.bytes)}</dd></div>
      <div><dt>Rate</dt><dd>${progress.recordsPerSecond ?? '—'} rec/s · ${formatBytes(progress.bytesPerSecond)}/s</dd></div>
      <div><dt>Dirty records</dt><dd>${progress.dirtyRecords ?? 0}${progress.dirtyLimitRecords != null ? ` of at most ${progress.dirtyLimitRecords}` : ''}</dd></div>
      <div><dt>Shards done</dt><dd>${progress.shardsDone ?? '—'} of ${progress.shardsTotal ?? '—'}</dd></div>
    </dl>
    ${shards.length ? html`
      <table class="list compact" aria-label="Shards">
        <thead><tr><th scope="col">Shard</th><th scope="col">State</th><th scope="col">Records</th><th scope="col">Lag</th></tr></thead>
        <tbody>${shards.map((shard) => html`<tr><td class="mono">${shard.id}</td><td>${shardStateText(shard, instanceState)}</td><td>${shard.records}</td>
          <td>${shard.lagMillis == null ? '—' : (shard.lagMillis / 1000).toFixed(1) + ' s'}</td></tr>`)}</tbody>
      </table>` : null}`;
}

const ERROR_WORD = /\b(errors?|fail(ed|ures?|s)?|fatal)\b/i;
// Progress and summary lines count errors and failures ("Error 0 records", "Read/write failures
// : 0"); a count of zero is not an error.
const ZERO_COUNT = /\b(error 0 records|failures\s*:\s*0)\b/gi;

function isErrorLine(line) {
  return ERROR_WORD.test(line.replace(ZERO_COUNT, ''));
}

function LogView({ instance }) {
  const [text, setText] = useState('');
  const [finished, setFinished] = useState(false);
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState('');
  const [error, setError] = useState('');
  const offset = useRef(0);
  const box = useRef(null);

  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const read = async () => {
      try {
        const chunk = await api('GET', `/api/instances/${instance.id}/log?offset=${offset.current}&maxBytes=262144`);
        if (stopped) return;
        if (chunk.offset < offset.current) offset.current = chunk.offset;
        if (chunk.data) setText((old) => old + chunk.data);
        offset.current = chunk.nextOffset;
        setFinished(chunk.finished && chunk.nextOffset >= chunk.size);
        const more = chunk.nextOffset < chunk.size;
        timer = setTimeout(read, more ? 0 : POLL_MILLIS);
      } catch (failure) {
        if (!stopped && failure.status !== 401) {
          setError(failure.message);
          timer = setTimeout(read, POLL_MILLIS * 3);
        }
      }
    };
    read();
    return () => { stopped = true; clearTimeout(timer); };
  }, [instance.id]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text, follow]);

  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const needle = search.trim().toLowerCase();
  const firstError = lines.findIndex(isErrorLine);
  const jumpToError = () => {
    setFollow(false);
    const line = box.current && box.current.querySelector(`[data-line="${firstError}"]`);
    if (line) box.current.scrollTop = line.offsetTop - box.current.offsetTop - 8;
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${instance.task}-${instance.id}.log`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const matches = needle ? lines.filter((line) => line.toLowerCase().includes(needle)).length : 0;

  return html`
    <section aria-labelledby="log-title">
      <div class="log-head">
        <h3 id="log-title">Log ${finished ? html`<span class="muted">(complete)</span>` : html`<span class="muted">(following as it is written…)</span>`}</h3>
        <div class="log-tools">
          <label class="inline" for="log-search">Search</label>
          <input id="log-search" type="search" value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} />
          ${needle ? html`<span class="muted">${matches} line${matches === 1 ? '' : 's'}</span>` : null}
          <button type="button" class="secondary" disabled=${firstError < 0} onClick=${jumpToError}>Jump to first error</button>
          <label class="inline check-inline"><input type="checkbox" checked=${follow} onChange=${(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
          <button type="button" class="secondary" onClick=${download}>Download</button>
        </div>
      </div>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <pre class="log" ref=${box} tabindex="0" aria-label="Instance log">${lines.length === 0 ? html`<span class="muted">The log is empty so far.</span>` : lines.map((line, i) => html`<span
        data-line=${i} class=${(i === firstError ? 'log-error ' : '') + (needle && line.toLowerCase().includes(needle) ? 'log-match' : '')}>${line + '\n'}</span>`)}</pre>
    </section>`;
}

function InstanceDetail({ id }) {
  const [instance, setInstance] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const load = async () => {
      try {
        const view = await api('GET', `/api/instances/${id}`);
        if (stopped) return;
        setInstance(view);
        timer = setTimeout(load, POLL_MILLIS * (FINISHED.has(view.state) || live ? 5 : 1));
      } catch (failure) {
        if (!stopped && failure.status !== 401) setError(failure.message);
      }
    };
    // State and progress as they change (server-sent events); the whole view is read again
    // every few seconds, and every second when the event stream is not there.
    let live = false;
    const events = new EventSource(`/api/instances/${encodeURIComponent(id)}/progress`);
    events.addEventListener('instance', (event) => {
      live = true;
      const change = JSON.parse(event.data);
      setInstance((old) => (old ? { ...old, state: change.state, progress: change.progress ?? old.progress } : old));
      if (FINISHED.has(change.state)) {
        // The stream ends here; without close() the browser would open it again and again.
        events.close();
        live = false;
        clearTimeout(timer);
        load();
      }
    });
    events.onerror = () => {
      live = false;
      if (events.readyState === EventSource.CLOSED && !stopped) {
        clearTimeout(timer);
        load();
      }
    };
    load();
    return () => { stopped = true; clearTimeout(timer); events.close(); };
  }, [id]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!instance) return html`<p class="muted">Loading instance ${id}…</p>`;
  return html`
    <div class="page-head">
      <h1>Instance ${instance.id} of ${instance.task} <${Badge} state=${instance.state} /></h1>
      <a href="#/instances">All instances</a>
    </div>
    <div class="card detail">
      <dl class="figures">
        <div><dt>Scheduling time</dt><dd>${instance.schedulingTime} ${instance.zone}</dd></div>
        <div><dt>Business date</dt><dd>${instance.businessDate}</dd></div>
        <div><dt>Window</dt><dd>${instance.windowStart ? `${instance.windowStart} – ${instance.windowEnd}` : '—'}</dd></div>
        <div><dt>Kind · attempt</dt><dd>${instance.kind} · ${instance.attempt}</dd></div>
        <div><dt>Started</dt><dd>${formatMillis(instance.startedMillis)}</dd></div>
        <div><dt>${FINISHED.has(instance.state) ? 'Finished' : 'Last attempt ended'}</dt><dd>${formatMillis(instance.finishedMillis)}</dd></div>
      </dl>
      <p class="mono small instance-values"><span class="muted">Ran with</span> ${(instance.parameters || []).map((p) => `${p.name}=${p.value}`).join(' ')}</p>
      ${instance.customParameters ? html`<p class="notice custom-values" data-custom=${instance.customParameters}>
        Custom values given at Run now, in place of the task's: <span class="mono">${instance.customParameters}</span>${' '}
        (a rerun uses them again).</p>` : null}
      ${instance.summary ? html`<p class=${'summary ' + ({ failed: 'error', killed: 'warning', waiting: 'warning', succeeded: 'notice' }[instance.state] || 'notice')}>
        ${instance.state === 'waiting' ? 'The last attempt: ' : ''}${instance.summary}</p>` : null}
      <div class="actions"><${InstanceActions} instance=${instance} onChanged=${setInstance} /></div>
    </div>
    <h2>Progress</h2>
    <${Progress} progress=${instance.progress} instanceState=${instance.state} />
    <${LandedRows} instance=${instance} />
    <${LogView} instance=${instance} />`;
}

// Whether `instance` passes the list's filter (the server filters by task and state when the
// list is read; an event can bring an instance that does not).
function matches(instance, filter) {
  return (!filter.task || instance.task === filter.task) && (!filter.state || instance.state === filter.state)
    && (!filter.date || instance.schedulingTime.startsWith(filter.date));
}

function InstanceList() {
  const [instances, setInstances] = useState(null);
  const [tasks, setTasks] = useState([]);
  const [filter, setFilter] = useState({ task: '', state: '', date: '' });
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const instancesRef = useRef(instances);
  instancesRef.current = instances;

  useEffect(() => {
    api('GET', '/api/tasks').then((answer) => setTasks(answer.tasks.map((t) => t.name)), () => {});
  }, []);
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    let connected = false;
    const load = async () => {
      clearTimeout(timer);
      const query = new URLSearchParams({ limit: '200' });
      if (filter.task) query.set('task', filter.task);
      if (filter.state) query.set('state', filter.state);
      try {
        const answer = await api('GET', `/api/instances?${query}`);
        if (stopped) return;
        setInstances(answer.instances.reverse());
        setError('');
      } catch (failure) {
        if (!stopped && failure.status !== 401) setError(failure.message);
      }
      // The events keep the list current; the whole list is read again now and then all the
      // same, and every two seconds while the event stream is down.
      if (!stopped) timer = setTimeout(load, POLL_MILLIS * (connected ? 15 : 2));
    };
    // One instance read again and put in its place (or at the top when new), or taken out when
    // it no longer passes the filter.
    const refresh = async (id) => {
      try {
        const view = await api('GET', `/api/instances/${id}`);
        if (stopped) return;
        setInstances((all) => {
          const rest = (all || []).filter((i) => i.id !== view.id);
          if (!matches(view, filterRef.current)) return rest;
          const known = (all || []).findIndex((i) => i.id === view.id);
          if (known >= 0) return (all || []).map((i) => (i.id === view.id ? view : i));
          return [view, ...rest].sort((a, b) => b.schedulingEpoch - a.schedulingEpoch || b.id - a.id);
        });
      } catch (_) {
        // Gone or unreachable: the next full read settles it.
      }
    };
    // The instances events named within 100 ms, read once each; a burst (a backfill creating
    // hundreds) is one read of the whole list instead.
    const pending = new Set();
    let flushTimer = 0;
    const flush = () => {
      flushTimer = 0;
      const ids = [...pending];
      pending.clear();
      if (ids.length > 20) load();
      else ids.forEach(refresh);
    };
    const query = filter.task ? `?task=${encodeURIComponent(filter.task)}` : '';
    const events = new EventSource(`/api/events${query}`);
    events.onopen = () => { connected = true; setLive(true); };
    events.addEventListener('instance', (event) => {
      const change = JSON.parse(event.data);
      const known = (instancesRef.current || []).some((i) => i.id === change.id);
      if (known) {
        setInstances((all) => all.map((i) => (i.id === change.id
          ? { ...i, state: change.state, progress: change.progress ?? i.progress } : i)));
      }
      // A new instance, or a state change (times, exit status, summary): the whole view.
      if (!known || change.progress == null || FINISHED.has(change.state)) {
        pending.add(change.id);
        if (!flushTimer) flushTimer = setTimeout(flush, 100);
      }
    });
    events.onerror = () => { connected = false; setLive(false); };
    load();
    return () => { stopped = true; clearTimeout(timer); clearTimeout(flushTimer); events.close(); };
  }, [filter.task, filter.state]);

  const shown = (instances || []).filter((i) => matches(i, filter));
  const replace = (changed) => setInstances((all) => all.map((i) => (i.id === changed.id ? changed : i)));
  return html`
    <div class="page-head"><h1>Instances</h1>
      <span class="muted live-state" data-live=${live ? 'true' : 'false'}
        title=${live ? 'Following the scheduler’s events' : 'Not connected to the event stream: reading the list every two seconds'}>
        <span class=${'live-dot' + (live ? '' : ' off')}></span>${live ? 'Live' : 'Reconnecting…'}</span></div>
    <p class="lead">Every run of every task, newest first, updated as instances start and finish. Open one for its progress and log.</p>
    <div class="filters" role="search" aria-label="Filter instances">
      <div class="field"><label for="f-task">Task</label>
        <select id="f-task" value=${filter.task} onChange=${(e) => setFilter({ ...filter, task: e.currentTarget.value })}>
          <option value="">All tasks</option>${tasks.map((t) => html`<option value=${t}>${t}</option>`)}</select></div>
      <div class="field"><label for="f-state">State</label>
        <select id="f-state" value=${filter.state} onChange=${(e) => setFilter({ ...filter, state: e.currentTarget.value })}>
          <option value="">All states</option>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}</select></div>
      <div class="field"><label for="f-date">Scheduled on</label>
        <input id="f-date" type="date" value=${filter.date} onInput=${(e) => setFilter({ ...filter, date: e.currentTarget.value })} /></div>
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${instances && shown.length === 0 ? html`<div class="empty"><p><strong>No instances${filter.task || filter.state || filter.date ? ' match' : ' yet'}.</strong>${' '}
      Instances appear when a task's scheduling time comes, or at once with Run now on the Tasks page.</p></div>` : null}
    ${shown.length ? html`
      <table class="list" aria-label="Instances">
        <thead><tr><th scope="col">Id</th><th scope="col">Task</th><th scope="col">State</th><th scope="col">Scheduling time</th>
          <th scope="col">Window</th><th scope="col">Progress</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${shown.map((instance) => html`
          <tr key=${instance.id} data-instance=${instance.id}>
            <td><a href=${'#/instances/' + instance.id}>${instance.id}</a></td>
            <td>${instance.task}<br /><span class="muted">${instance.kind}${instance.customParameters ? ', custom values' : ''}</span></td>
            <td><${Badge} state=${instance.state} /></td>
            <td class="mono">${instance.schedulingTime}<br /><span class="muted">${instance.zone}</span></td>
            <td class="mono small">${instance.windowStart ? html`${instance.windowStart}<br />${instance.windowEnd}` : '—'}</td>
            <td>${instance.progress ? `${instance.progress.records ?? 0} records` : '—'}</td>
            <td class="row-actions"><a class="button-link" href=${'#/instances/' + instance.id}>Log</a>
              <${InstanceActions} instance=${instance} onChanged=${replace} /></td>
          </tr>`)}
        </tbody>
      </table>` : null}`;
}

export function InstancesPage({ rest }) {
  return rest ? html`<${InstanceDetail} key=${rest} id=${rest} />` : html`<${InstanceList} />`;
}
