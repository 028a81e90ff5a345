// The task wizard's form and the job script it stands for, both ways. The script is the text the
// engine runs; the form is shown only for scripts it can represent exactly (an otsstream reader,
// an odps writer, keys the form has), so switching back and forth never loses a key.

// The output columns of the otsstream reader in multi-version mode, after the primary key.
export const STREAM_COLUMNS = ['colname', 'version', 'colvalue', 'optype'];

export function defaultTaskForm() {
  return {
    name: '',
    reader: {
      datasource: '', dataTable: '', startTimeString: '${startTime}', endTimeString: '${endTime}',
      statusTable: 'TableStoreStreamReaderStatusTable', maxRetries: '30', isExportSequenceInfo: false,
    },
    writer: {
      datasource: '', table: '', partition: 'pt=${bdp.system.bizdate}', truncate: true, compress: false,
      emptyAsNull: false, column: '',
    },
    primaryKey: 'id',
    setting: { concurrent: '2', mbps: '', errorLimit: '' },
  };
}

// The columns the reader emits for the form's choices.
export function sourceColumns(form) {
  const primaryKey = splitList(form.primaryKey);
  return [...primaryKey, ...STREAM_COLUMNS, ...(form.reader.isExportSequenceInfo ? ['sequenceinfo'] : [])];
}

export function splitList(text) {
  return String(text || '').split(/[\s,]+/).filter(Boolean);
}

function numberOrText(text) {
  const trimmed = String(text).trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

// The script text for a form, indented as a person would write it.
export function formToScript(form) {
  const reader = {
    datasource: form.reader.datasource,
    dataTable: form.reader.dataTable,
    startTimeString: form.reader.startTimeString,
    endTimeString: form.reader.endTimeString,
    statusTable: form.reader.statusTable,
    maxRetries: numberOrText(form.reader.maxRetries),
    isExportSequenceInfo: Boolean(form.reader.isExportSequenceInfo),
  };
  const columns = splitList(form.writer.column);
  const writer = {
    datasource: form.writer.datasource,
    table: form.writer.table,
    truncate: Boolean(form.writer.truncate),
    partition: form.writer.partition,
    column: columns.length ? columns : sourceColumns(form),
    compress: Boolean(form.writer.compress),
    emptyAsNull: Boolean(form.writer.emptyAsNull),
  };
  if (!writer.partition) delete writer.partition;
  const setting = { speed: { concurrent: numberOrText(form.setting.concurrent || '1') } };
  if (String(form.setting.mbps).trim() !== '') setting.speed.mbps = numberOrText(form.setting.mbps);
  if (String(form.setting.errorLimit).trim() !== '') setting.errorLimit = { record: numberOrText(form.setting.errorLimit) };
  return JSON.stringify({
    type: 'job',
    version: '1.0',
    configuration: {
      reader: { plugin: 'otsstream', parameter: reader },
      writer: { plugin: 'odps', parameter: writer },
      setting,
    },
  }, null, 2);
}

// JSON as job scripts are written (the seed's example): // and /* */ comments and trailing
// commas are accepted. They are blanked out in place, so that a parse error's position is the
// position in the text as typed.
export function parseLenientJson(text) {
  const chars = [...text];
  let inString = false;
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
    } else if (c === '/' && chars[i + 1] === '/') {
      while (i < chars.length && chars[i] !== '\n') chars[i++] = ' ';
    } else if (c === '/' && chars[i + 1] === '*') {
      while (i < chars.length && !(chars[i] === '*' && chars[i + 1] === '/')) {
        if (chars[i] !== '\n') chars[i] = ' ';
        i += 1;
      }
      if (i < chars.length) { chars[i] = ' '; chars[i + 1] = ' '; i += 1; }
    } else if (c === ',') {
      let j = i + 1;
      while (j < chars.length && /\s/.test(chars[j])) j += 1;
      // A comment after the comma was blanked already only if it came before; look past it too.
      if (chars[j] === '/' && (chars[j + 1] === '/' || chars[j + 1] === '*')) continue;
      if (chars[j] === '}' || chars[j] === ']') chars[i] = ' ';
    }
  }
  const cleaned = chars.join('');
  // Trailing commas followed by a comment: blank them now that comments are gone.
  const final = cleaned.replace(/,(\s*[}\]])/g, ' $1');
  try {
    return { value: JSON.parse(final) };
  } catch (failure) {
    const match = /position (\d+)/.exec(failure.message);
    const where = match ? lineAndColumn(text, Number(match[1])) : null;
    const message = failure.message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    return { error: where ? `line ${where.line}, column ${where.column}: ${message}` : message, where };
  }
}

export function lineAndColumn(text, position) {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

// The line of the last key of a dotted path ("configuration.reader.parameter.dataTable") in the
// script text, to point at it; 0 when not found.
export function lineOfKeyPath(text, path) {
  const key = String(path).split('.').pop().replace(/\[\d+\]$/, '');
  const index = text.search(new RegExp(`"\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*"\\s*:`, 'i'));
  return index < 0 ? 0 : lineAndColumn(text, index).line;
}

// Keys are matched as the engine does: case-insensitively, with surrounding spaces ignored.
function entries(object) {
  return Object.entries(object || {}).map(([key, value]) => [key.trim().toLowerCase(), value]);
}

function take(object, known, where, problems) {
  const found = {};
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    problems.push(`${where} is not an object`);
    return found;
  }
  for (const [key, value] of entries(object)) {
    const name = known.find((k) => k.toLowerCase() === key);
    if (name) found[name] = value;
    else problems.push(`${where}.${key}`);
  }
  return found;
}

// The form for a script, or {problems} naming what the form cannot show.
export function scriptToForm(text, name) {
  const parsed = parseLenientJson(text);
  if (parsed.error) return { problems: [parsed.error], parseError: parsed.error };
  const problems = [];
  const root = take(parsed.value, ['type', 'version', 'configuration'], 'script', problems);
  const configuration = take(root.configuration, ['reader', 'writer', 'setting'], 'configuration', problems);
  const reader = take(configuration.reader, ['plugin', 'parameter'], 'reader', problems);
  const writer = take(configuration.writer, ['plugin', 'parameter'], 'writer', problems);
  if (reader.plugin !== 'otsstream') problems.push(`reader plugin ${JSON.stringify(reader.plugin)} (the wizard builds otsstream tasks)`);
  if (writer.plugin !== 'odps') problems.push(`writer plugin ${JSON.stringify(writer.plugin)} (the wizard builds odps destinations)`);
  const readerKeys = ['datasource', 'dataTable', 'startTimeString', 'endTimeString', 'statusTable', 'maxRetries', 'isExportSequenceInfo'];
  const writerKeys = ['datasource', 'table', 'truncate', 'partition', 'column', 'compress', 'emptyAsNull'];
  const readerParameter = take(reader.parameter, readerKeys, 'reader.parameter', problems);
  const writerParameter = take(writer.parameter, writerKeys, 'writer.parameter', problems);
  const setting = configuration.setting === undefined ? {} : take(configuration.setting, ['speed', 'errorLimit'], 'setting', problems);
  const speed = setting.speed === undefined ? {} : take(setting.speed, ['concurrent', 'mbps'], 'setting.speed', problems);
  const errorLimit = setting.errorLimit === undefined ? {} : take(setting.errorLimit, ['record'], 'setting.errorLimit', problems);
  if (problems.length) return { problems };

  const form = defaultTaskForm();
  form.name = name || '';
  const text_ = (v) => (v === undefined || v === null ? '' : String(v));
  for (const key of readerKeys) if (readerParameter[key] !== undefined) form.reader[key] = key === 'isExportSequenceInfo' ? Boolean(readerParameter[key]) : text_(readerParameter[key]);
  for (const key of ['datasource', 'table', 'partition']) form.writer[key] = text_(writerParameter[key]);
  for (const key of ['truncate', 'compress', 'emptyAsNull']) if (writerParameter[key] !== undefined) form.writer[key] = Boolean(writerParameter[key]);
  const columns = Array.isArray(writerParameter.column) ? writerParameter.column.map(String) : [];
  form.writer.column = columns.join(', ');
  const streamStart = columns.indexOf('colname');
  form.primaryKey = streamStart > 0 ? columns.slice(0, streamStart).join(', ') : form.primaryKey;
  form.setting.concurrent = speed.concurrent === undefined ? '' : text_(speed.concurrent);
  form.setting.mbps = speed.mbps === undefined ? '' : text_(speed.mbps);
  form.setting.errorLimit = errorLimit.record === undefined ? '' : text_(errorLimit.record);
  // The form writes what it shows: a script that differs only in spelling (comments, key case,
  // "Configuration " with its space) maps to the form, whose script is then the canonical one.
  return { form };
}
