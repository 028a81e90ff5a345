// Run a task now as of a chosen scheduling time: the parameter values that time gives are shown
// before the run starts (a run is an instance like any other, with its values fixed). With
// "custom values" the task's parameters get the values typed here for this one instance
// (POST /api/tasks/{name}/run {"at", "parameters": "name=value ..."}), prefilled from the preview.
import { html, useEffect, useState } from './html.js';
import { api } from './api.js';

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

// The names of "name1=expr1 name2=expr2", in order.
export function parameterNames(parameters) {
  return String(parameters || '').split(' ').filter((item) => item.includes('='))
    .map((item) => item.slice(0, item.indexOf('=')));
}

// The parameter a server message names ("parameter endTime: ..."), or ''.
function parameterOfMessage(message) {
  const match = /^parameter ([\w.-]+)/.exec(message);
  return match ? match[1] : '';
}

export function RunPanel({ task, onStarted, onClose }) {
  const names = parameterNames(task.parameters);
  const [at, setAt] = useState('');
  const [values, setValues] = useState(null);
  const [custom, setCustom] = useState(false);
  const [fields, setFields] = useState({});
  const [error, setError] = useState('');
  const [fieldErrors, setFieldErrors] = useState({});
  const [busy, setBusy] = useState(false);

  const check = () => {
    if (at.trim() && !WALL_CLOCK.test(at.trim())) {
      setError('Write the scheduling time as YYYY-MM-DD HH:MM:SS, or leave it empty for now.');
      return false;
    }
    return true;
  };
  // The values the scheduling time gives; they become the custom fields' starting values.
  const show = async () => {
    if (!check()) return;
    setError('');
    const body = { parameters: task.parameters, zone: task.timeZone, count: 1 };
    if (at.trim()) body.at = at.trim();
    try {
      const answer = await api('POST', '/api/params/preview', body);
      const preview = answer.instances[0];
      setValues(preview);
      setFields(Object.fromEntries(preview.values.filter((v) => names.includes(v.name)).map((v) => [v.name, v.value])));
      setFieldErrors({});
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
    }
  };
  useEffect(() => { if (custom && !values) show(); }, [custom]);

  const run = async () => {
    if (!check()) return;
    const body = at.trim() ? { at: at.trim() } : {};
    if (custom) {
      const empty = names.find((name) => !String(fields[name] ?? '').trim());
      if (empty) {
        setFieldErrors({ [empty]: `Give ${empty} a value, or turn custom values off.` });
        return;
      }
      const spaced = names.find((name) => /\s/.test(String(fields[name]).trim()));
      if (spaced) {
        setFieldErrors({ [spaced]: `A value may hold no space (${spaced}).` });
        return;
      }
      // The task's grammar, in the task's order (the order the -p values keep).
      body.parameters = names.map((name) => `${name}=${String(fields[name]).trim()}`).join(' ');
    }
    setBusy(true);
    setError('');
    setFieldErrors({});
    try {
      const instance = await api('POST', `/api/tasks/${encodeURIComponent(task.name)}/run`, body);
      onStarted(instance);
    } catch (failure) {
      if (failure.status === 401) return;
      const named = parameterOfMessage(failure.message);
      if (custom && names.includes(named)) setFieldErrors({ [named]: failure.message });
      else setError(failure.message);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <div class="run-panel" role="group" aria-label=${'Run ' + task.name + ' as of a scheduling time'}>
      <div class="field">
        <label for="run-at">Scheduling time (${task.timeZone})</label>
        <input id="run-at" placeholder="now, or YYYY-MM-DD HH:MM:SS" value=${at}
          onInput=${(e) => { setAt(e.currentTarget.value); setValues(null); }} />
      </div>
      <button type="button" class="secondary" onClick=${show}>Show the values</button>
      <button type="button" disabled=${busy} onClick=${run}>${busy ? 'Starting…' : custom ? 'Run with these values' : 'Run'}</button>
      <button type="button" class="link" onClick=${onClose}>Cancel</button>
      ${names.length ? html`
        <div class="field check run-custom">
          <input id="run-custom" type="checkbox" checked=${custom} onChange=${(e) => setCustom(e.currentTarget.checked)} />
          <label for="run-custom">Custom parameter values for this run</label>
          <p class="hint">They replace the task's expressions for this one instance and are kept with it (a rerun uses them again).</p>
        </div>` : null}
      ${custom ? html`
        <div class="row run-custom">${names.map((name) => html`
          <div class=${'field' + (fieldErrors[name] ? ' invalid' : '')}>
            <label for=${'run-param-' + name} class="mono">${name}</label>
            <input id=${'run-param-' + name} class="mono" value=${fields[name] ?? ''} spellcheck="false"
              aria-invalid=${fieldErrors[name] ? 'true' : undefined}
              onInput=${(e) => setFields({ ...fields, [name]: e.currentTarget.value })} />
            <p class="field-error" role=${fieldErrors[name] ? 'alert' : undefined}>${fieldErrors[name] || ''}</p>
          </div>`)}
        </div>` : null}
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${values ? html`<p class="mono small run-values" role="status">${values.schedulingTime} (business date ${values.businessDate}):${' '}
        ${values.values.map((v) => `${v.name}=${v.value}`).join(' ') || 'no parameters'}</p>` : null}
    </div>`;
}
