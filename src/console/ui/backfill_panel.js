// Backfill of one task: choose business dates (or a range of scheduling times), see the dry run —
// every instance it would create, and the ones it leaves alone and why — then start it.
import { html, useState } from './html.js';
import { api } from './api.js';

export function BackfillPanel({ task, onClose }) {
  const [form, setForm] = useState({
    by: 'dates', firstBusinessDate: '', lastBusinessDate: '', from: '', to: '', parallelism: '1', reprocess: 'none',
  });
  const [plan, setPlan] = useState(null);
  const [error, setError] = useState('');
  const [started, setStarted] = useState(null);
  const [busy, setBusy] = useState('');
  const set = (key) => (e) => {
    setForm({ ...form, [key]: e.currentTarget.value });
    setPlan(null);
  };

  const body = () => {
    const request = { task: task.name, parallelism: Number(form.parallelism), reprocess: form.reprocess };
    if (form.by === 'dates') {
      request.firstBusinessDate = form.firstBusinessDate.trim();
      request.lastBusinessDate = form.lastBusinessDate.trim() || form.firstBusinessDate.trim();
    } else {
      request.from = form.from.trim();
      request.to = form.to.trim();
    }
    return request;
  };

  const send = async (start) => {
    setBusy(start ? 'start' : 'plan');
    setError('');
    try {
      if (start) {
        setStarted(await api('POST', '/api/backfills', body()));
      } else {
        setPlan(await api('POST', '/api/backfills/plan', body()));
      }
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
    } finally {
      setBusy('');
    }
  };

  const runs = plan ? plan.instances.filter((i) => i.runs).length : 0;
  return html`
    <section class="card form wide-form" aria-labelledby="backfill-title">
      <h2 id="backfill-title">Backfill ${task.name}</h2>
      <p class="hint">Instances for past scheduling times, with the values they would have had. A dry run
        lists them first; nothing is created until you start it.</p>
      <div class="row">
        <div class="field">
          <label for="bf-by">Range</label>
          <select id="bf-by" value=${form.by} onChange=${set('by')}>
            <option value="dates">Business dates (each day's scheduling times)</option>
            <option value="times">Scheduling times (from, to)</option>
          </select>
        </div>
        ${form.by === 'dates' ? html`
          <div class="field"><label for="bf-first">First business date</label>
            <input id="bf-first" placeholder="YYYYMMDD" value=${form.firstBusinessDate} onInput=${set('firstBusinessDate')} /></div>
          <div class="field"><label for="bf-last">Last business date</label>
            <input id="bf-last" placeholder="YYYYMMDD (included)" value=${form.lastBusinessDate} onInput=${set('lastBusinessDate')} /></div>` : html`
          <div class="field"><label for="bf-from">From (included)</label>
            <input id="bf-from" placeholder="YYYY-MM-DD HH:MM:SS" value=${form.from} onInput=${set('from')} />
            <p class="hint">In ${task.timeZone}.</p></div>
          <div class="field"><label for="bf-to">To (excluded)</label>
            <input id="bf-to" placeholder="YYYY-MM-DD HH:MM:SS" value=${form.to} onInput=${set('to')} /></div>`}
      </div>
      <div class="row">
        <div class="field"><label for="bf-parallelism">At once</label>
          <input id="bf-parallelism" type="number" min="1" max="64" value=${form.parallelism} onInput=${set('parallelism')} />
          <p class="hint">1: one at a time, in order.</p></div>
        <div class="field"><label for="bf-reprocess">Times that already have an instance</label>
          <select id="bf-reprocess" value=${form.reprocess} onChange=${set('reprocess')}>
            <option value="none">Leave them alone</option><option value="failed">Run again the failed ones</option><option value="all">Run all again</option>
          </select></div>
      </div>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${started ? html`<p class="notice" role="status">Started backfill ${started.backfill.id}: ${started.instanceIds.length} instance(s).
        <a href=${'#/instances'}>Follow them on the Instances page</a>.</p>` : null}
      <div class="actions">
        <button type="button" class="secondary" disabled=${Boolean(busy)} onClick=${() => send(false)}>${busy === 'plan' ? 'Planning…' : 'Dry run'}</button>
        <button type="button" disabled=${!plan || runs === 0 || Boolean(busy) || Boolean(started)} onClick=${() => send(true)}>
          ${busy === 'start' ? 'Starting…' : `Start backfill (${runs} instance${runs === 1 ? '' : 's'})`}</button>
        <button type="button" class="link" onClick=${onClose}>Close</button>
      </div>
      ${plan ? html`
        <table class="list compact" aria-label="Backfill dry run">
          <thead><tr><th scope="col">Scheduling time (${plan.zone})</th><th scope="col">Business date</th>
            <th scope="col">Window</th><th scope="col">Runs</th></tr></thead>
          <tbody>${plan.instances.map((instance) => html`
            <tr class=${instance.runs ? '' : 'skipped'}>
              <td class="mono">${instance.schedulingTime}</td><td class="mono">${instance.businessDate}</td>
              <td class="mono small">${instance.windowStart ? `${instance.windowStart} – ${instance.windowEnd}` : '—'}</td>
              <td>${instance.runs ? 'yes' : `no: ${instance.note}`}</td>
            </tr>`)}
          </tbody>
        </table>` : null}
    </section>`;
}
