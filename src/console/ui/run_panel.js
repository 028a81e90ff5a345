// Run a task now as of a chosen scheduling time: the parameter values that time gives are shown
// before the run starts (a run is an instance like any other, with its values fixed).
import { html, useState } from './html.js';
import { api } from './api.js';

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export function RunPanel({ task, onStarted, onClose }) {
  const [at, setAt] = useState('');
  const [values, setValues] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const check = () => {
    if (at.trim() && !WALL_CLOCK.test(at.trim())) {
      setError('Write the scheduling time as YYYY-MM-DD HH:MM:SS, or leave it empty for now.');
      return false;
    }
    return true;
  };
  const show = async () => {
    if (!check()) return;
    setError('');
    const body = { parameters: task.parameters, zone: task.timeZone, count: 1 };
    if (at.trim()) body.at = at.trim();
    try {
      const answer = await api('POST', '/api/params/preview', body);
      setValues(answer.instances[0]);
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
    }
  };
  const run = async () => {
    if (!check()) return;
    setBusy(true);
    setError('');
    try {
      const instance = await api('POST', `/api/tasks/${encodeURIComponent(task.name)}/run`, at.trim() ? { at: at.trim() } : {});
      onStarted(instance);
    } catch (failure) {
      if (failure.status !== 401) setError(failure.message);
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
      <button type="button" disabled=${busy} onClick=${run}>${busy ? 'Starting…' : 'Run'}</button>
      <button type="button" class="link" onClick=${onClose}>Cancel</button>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${values ? html`<p class="mono small run-values" role="status">${values.schedulingTime} (business date ${values.businessDate}):${' '}
        ${values.values.map((v) => `${v.name}=${v.value}`).join(' ') || 'no parameters'}</p>` : null}
    </div>`;
}
