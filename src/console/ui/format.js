// Times shown to a person always carry their time zone.

export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// "2026-12-02 21:40:05 Europe/Berlin" for epoch milliseconds, in the browser's zone.
export function formatMillis(millis, zone = browserZone) {
  if (millis === null || millis === undefined) return '—';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(millis));
  const part = (type) => (parts.find((p) => p.type === type) || {}).value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${zone}`;
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
