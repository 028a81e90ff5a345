// The parameter preview: what a task's custom parameters (`startTime=$[...]`, `${bdp.system.bizdate}`
// ...) resolve to at the next scheduling times, or for a backfill's business dates, before any
// task runs with them.
import { html, useState } from './html.js';
import { api } from './api.js';
import { browserZone } from './format.js';

const EXAMPLE = 'startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60] pt=${bdp.system.bizdate}';
const ZONES = ['Asia/Shanghai', 'UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Singapore'];

export function ParametersPage() {
  const [form, setForm] = useState({
    parameters: EXAMPLE, at: '', zone: 'Asia/Shanghai', count: '5', intervalMinutes: '5', backfillDate: '',
  });
  const [answer, setAnswer] = useState(null);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  const preview = async (event) => {
    event.preventDefault();
    const count = Number(form.count);
    const found = {};
    if (!Number.isInteger(count) || count < 1 || count > 100) found.count = 'A whole number from 1 to 100.';
    const interval = Number(form.intervalMinutes);
    if (!form.backfillDate && count > 1 && (!Number.isInteger(interval) || interval < 1)) {
      found.intervalMinutes = 'Minutes between scheduling times: a whole number of at least 1.';
    }
    if (form.at && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(form.at.trim())) {
      found.at = 'Write it as YYYY-MM-DD HH:MM:SS, for example 2025-11-01 02:30:45, or leave it empty for now.';
    }
    if (form.backfillDate && !/^\d{8}$/.test(form.backfillDate.trim())) found.backfillDate = 'A business date as YYYYMMDD, for example 20251031.';
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = { parameters: form.parameters, zone: form.zone.trim(), count };
    if (form.at.trim()) body.at = form.at.trim();
    if (form.backfillDate.trim()) body.backfillDate = form.backfillDate.trim();
    else if (count > 1) body.intervalMinutes = interval;
    setBusy(true);
    try {
      setAnswer(await api('POST', '/api/params/preview', body));
    } catch (failure) {
      setAnswer(null);
      if (failure.status === 401) return;
      const field = /zone/i.test(failure.message) ? 'zone' : /^at[: ]/.test(failure.message) ? 'at'
        : /backfill/i.test(failure.message) ? 'backfillDate' : 'parameters';
      const text = failure.message.replace(/^parameters: /, '');
      setErrors({ [field]: text.charAt(0).toUpperCase() + text.slice(1) + '.' });
    } finally {
      setBusy(false);
    }
  };

  const names = answer && answer.instances.length ? answer.instances[0].values.map((v) => v.name) : [];
  const field = (id, label, hint, control) => html`
    <div class=${'field' + (errors[id] ? ' invalid' : '')}>
      <label for=${'pp-' + id}>${label}</label>
      ${control}
      ${hint ? html`<p class="hint" id=${'pp-' + id + '-hint'}>${hint}</p>` : null}
      <p class="field-error" id=${'pp-' + id + '-error'} role=${errors[id] ? 'alert' : undefined}>${errors[id] || ''}</p>
    </div>`;
  const described = (id) => ({ 'aria-describedby': `pp-${id}-hint pp-${id}-error`, 'aria-invalid': errors[id] ? 'true' : undefined });

  return html`
    <div class="page-head"><h1>Parameters</h1></div>
    <p class="lead">A task's custom parameters are fixed when each instance is generated. Check here
      what they resolve to: <code>$[...]</code> counts from the scheduling time,${' '}
      <code>${'${...}'}</code> from the business date (the day before), as in DataWorks.</p>
    <form class="card form" onSubmit=${preview} novalidate aria-label="Parameter preview">
      ${field('parameters', 'Parameters', 'name=expression pairs separated by spaces, as given to otsync run -p.', html`
        <textarea id="pp-parameters" rows="3" spellcheck="false" value=${form.parameters} onInput=${set('parameters')} ...${described('parameters')} />`)}
      <div class="row">
        ${field('at', 'First scheduling time', 'YYYY-MM-DD HH:MM:SS in the zone below; empty for now.', html`
          <input id="pp-at" placeholder="now" value=${form.at} onInput=${set('at')} autocomplete="off" ...${described('at')} />`)}
        ${field('zone', 'Time zone', `Your browser is in ${browserZone}.`, html`
          <input id="pp-zone" list="pp-zones" value=${form.zone} onInput=${set('zone')} autocomplete="off" ...${described('zone')} />
          <datalist id="pp-zones">${[...new Set([browserZone, ...ZONES])].map((z) => html`<option value=${z} />`)}</datalist>`)}
      </div>
      <div class="row">
        ${field('count', 'Instances', '1 to 100.', html`
          <input id="pp-count" type="number" min="1" max="100" value=${form.count} onInput=${set('count')} ...${described('count')} />`)}
        ${field('intervalMinutes', 'Minutes between instances', 'The cycle: 5 for every five minutes, 60 hourly, 1440 daily.', html`
          <input id="pp-intervalMinutes" type="number" min="1" value=${form.intervalMinutes} onInput=${set('intervalMinutes')}
            disabled=${Boolean(form.backfillDate)} ...${described('intervalMinutes')} />`)}
        ${field('backfillDate', 'Or backfill from business date', 'YYYYMMDD: one instance per day from this date, at the time of day above.', html`
          <input id="pp-backfillDate" placeholder="YYYYMMDD" value=${form.backfillDate} onInput=${set('backfillDate')} autocomplete="off" ...${described('backfillDate')} />`)}
      </div>
      <div class="actions"><button type="submit" disabled=${busy}>${busy ? 'Resolving…' : 'Preview'}</button></div>
    </form>
    ${answer ? html`
      <table class="list" aria-label="Parameter values">
        <thead><tr>
          <th scope="col">Scheduling time (${answer.zone})</th><th scope="col">Business date</th>
          ${names.map((name) => html`<th scope="col" class="mono">${name}</th>`)}
        </tr></thead>
        <tbody>${answer.instances.map((instance) => html`
          <tr>
            <td class="mono">${instance.schedulingTime}</td><td class="mono">${instance.businessDate}</td>
            ${instance.values.map((v) => html`<td class="mono">${v.value}</td>`)}
          </tr>`)}
        </tbody>
      </table>` : null}`;
}
