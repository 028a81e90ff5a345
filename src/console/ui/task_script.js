// The task wizard's form and the job script it stands for, both ways. The script is the text the
// engine runs; the form is shown only for scripts it can represent exactly (an otsstream reader,
// an odps writer, keys the form has), so switching back and forth never loses a key.

// The output columns of the otsstream reader in multi-version mode, after the primary key.
export const STREAM_COLUMNS = ['colname', 'version', 'colvalue', 'optype'];

// The reader's row mode: one row per PUT or UPDATE, holding the chosen columns (DELETEs dropped).
export const ROW_MODE = 'single_version_and_update_only';

export function defaultTaskForm() {
  return {
    name: '',
    reader: {
      datasource: '', dataTable: '', startTimeString: '${startTime}', endTimeString: '${endTime}',
      statusTable: 'TableStoreStreamReaderStatusTable', maxRetries: '30', isExportSequenceInfo: false,
      mode: 'multi_version', columns: '',
    },
    writer: {
      datasource: '', table: '', partition: 'pt=${bdp.system.bizdate}', truncate: true, compress: false,
      emptyAsNull: false, column: '',
    },
    primaryKey: 'id',
    // Who wrote primaryKey when no person did: {table, columns, text} after a table pick filled
    // it, the default's guess (table '') here, null for a key the script or a person gave. Not
    // part of the script.
    primaryKeyFrom: { table: '', columns: [], text: 'id' },
    setting: { concurrent: '2', mbps: '', errorLimit: '' },
  };
}

// The form once the source table `name` is chosen; `table` is its view in the data source's
// table list (GET /api/datasources/{name}/tables), or null when the name was typed or the table
// not described. The primary-key field takes the table's key, in key order, when it is empty or
// still holds what the default or an earlier pick put there: never over what a person typed.
export function withSourceTable(form, name, table) {
  const next = { ...form, reader: { ...form.reader, dataTable: name } };
  const key = table && Array.isArray(table.primaryKey) ? table.primaryKey : [];
  const filled = form.primaryKeyFrom;
  const replaceable = form.primaryKey.trim() === '' || Boolean(filled && form.primaryKey === filled.text);
  if (key.length && replaceable) {
    const text = key.map((column) => column.name).join(', ');
    next.primaryKey = text;
    next.primaryKeyFrom = { table: name, columns: key, text };
  }
  return next;
}

// The table whose key filled the form's primary-key field, while the field and the source table
// are still as that pick left them; null otherwise.
export function primaryKeySource(form) {
  const filled = form.primaryKeyFrom;
  if (!filled || !filled.table || filled.table !== form.reader.dataTable || filled.text !== form.primaryKey) return null;
  return filled;
}

// The columns the reader emits for the form's choices.
export function sourceColumns(form) {
  const sequence = form.reader.isExportSequenceInfo ? ['sequenceinfo'] : [];
  if (form.reader.mode === ROW_MODE) return [...splitList(form.reader.columns), ...sequence];
  return [...splitList(form.primaryKey), ...STREAM_COLUMNS, ...sequence];
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
  if (form.reader.mode === ROW_MODE) {
    reader.mode = ROW_MODE;
    reader.column = splitList(form.reader.columns).map((name) => ({ name }));
  }
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
  const chars = text.split('');   // UTF-16 units, as positions in `text` count.
  // Calls visit(i) for each character outside strings; visit returns how many to skip after it.
  const outsideStrings = (visit) => {
    let inString = false;
    for (let i = 0; i < chars.length; i += 1) {
      if (inString) {
        if (chars[i] === '\\') i += 1;
        else if (chars[i] === '"') inString = false;
      } else if (chars[i] === '"') {
        inString = true;
      } else {
        i += visit(i);
      }
    }
  };
  outsideStrings((i) => {
    if (chars[i] === '/' && chars[i + 1] === '/') {
      let j = i;
      while (j < chars.length && chars[j] !== '\n') chars[j++] = ' ';
      return j - i - 1;
    }
    if (chars[i] === '/' && chars[i + 1] === '*') {
      let j = i;
      while (j < chars.length && !(chars[j] === '*' && chars[j + 1] === '/')) {
        if (chars[j] !== '\n') chars[j] = ' ';
        j += 1;
      }
      if (j < chars.length) { chars[j] = ' '; chars[j + 1] = ' '; j += 1; }
      return j - i;
    }
    return 0;
  });
  outsideStrings((i) => {
    if (chars[i] !== ',') return 0;
    let j = i + 1;
    while (j < chars.length && /\s/.test(chars[j])) j += 1;
    if (chars[j] === '}' || chars[j] === ']') chars[i] = ' ';
    return 0;
  });
  const final = chars.join('');
  try {
    return { value: parseJson(final) };
  } catch (failure) {
    if (failure.position === undefined) throw failure;
    const where = lineAndColumn(text, failure.position);
    return { error: `line ${where.line}, column ${where.column}: ${failure.message}`, where };
  }
}

// A strict JSON parser that says where it stopped (engines' JSON.parse messages differ and do not
// all give a position).
function parseJson(text) {
  let at = 0;
  const fail = (message) => {
    const error = new Error(message);
    error.position = at;
    throw error;
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at])) at += 1;
  };
  const expect = (c, what) => {
    space();
    if (text[at] !== c) fail(`expected ${what}, found ${at < text.length ? JSON.stringify(text[at]) : 'the end'}`);
    at += 1;
  };
  const string = () => {
    const start = at;
    expect('"', 'a string');
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\') at += 1;
      else if (text[at] === '\n') fail('a line break inside a string');
      at += 1;
    }
    if (at >= text.length) {
      at = start;
      fail('a string that is not closed');
    }
    at += 1;
    return JSON.parse(text.slice(start, at));
  };
  const value = () => {
    space();
    const c = text[at];
    if (c === '{') {
      at += 1;
      const object = {};
      space();
      if (text[at] === '}') { at += 1; return object; }
      for (;;) {
        space();
        if (text[at] !== '"') fail(`expected a key in double quotes, found ${at < text.length ? JSON.stringify(text[at]) : 'the end'}`);
        const key = string();
        expect(':', `':' after the key "${key}"`);
        object[key] = value();
        space();
        if (text[at] === ',') { at += 1; continue; }
        if (text[at] === '}') { at += 1; return object; }
        fail(`expected ',' or '}' after the value of "${key}", found ${at < text.length ? JSON.stringify(text[at]) : 'the end'}`);
      }
    }
    if (c === '[') {
      at += 1;
      const array = [];
      space();
      if (text[at] === ']') { at += 1; return array; }
      for (;;) {
        array.push(value());
        space();
        if (text[at] === ',') { at += 1; continue; }
        if (text[at] === ']') { at += 1; return array; }
        fail(`expected ',' or ']' in a list, found ${at < text.length ? JSON.stringify(text[at]) : 'the end'}`);
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 64));
    if (!literal) fail(`expected a value, found ${at < text.length ? JSON.stringify(c) : 'the end'}`);
    at += literal[0].length;
    return JSON.parse(literal[0]);
  };
  const result = value();
  space();
  if (at < text.length) fail(`unexpected ${JSON.stringify(text[at])} after the end of the script`);
  return result;
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

// The form for a script, or {problems} naming what the form cannot show. `previous`, the form
// the script was made from (switching back from script mode), keeps a filled primary key marked
// as filled while the script leaves it as it was.
export function scriptToForm(text, name, previous) {
  const parsed = parseLenientJson(text);
  if (parsed.error) return { problems: [parsed.error], parseError: parsed.error };
  const problems = [];
  const root = take(parsed.value, ['type', 'version', 'configuration'], 'script', problems);
  const configuration = take(root.configuration, ['reader', 'writer', 'setting'], 'configuration', problems);
  const reader = take(configuration.reader, ['plugin', 'parameter'], 'reader', problems);
  const writer = take(configuration.writer, ['plugin', 'parameter'], 'writer', problems);
  // As the engine reads plugin names: any letter case, DataX's "reader"/"writer" suffix allowed.
  const pluginName = (written, suffix) => String(written).toLowerCase().replace(new RegExp(suffix + '$'), '');
  if (pluginName(reader.plugin, 'reader') !== 'otsstream') problems.push(`reader plugin ${JSON.stringify(reader.plugin)} (the wizard builds otsstream tasks)`);
  if (pluginName(writer.plugin, 'writer') !== 'odps') problems.push(`writer plugin ${JSON.stringify(writer.plugin)} (the wizard builds odps destinations)`);
  const readerKeys = ['datasource', 'dataTable', 'startTimeString', 'endTimeString', 'statusTable', 'maxRetries', 'isExportSequenceInfo', 'mode', 'column'];
  const writerKeys = ['datasource', 'table', 'truncate', 'partition', 'column', 'compress', 'emptyAsNull'];
  const readerParameter = take(reader.parameter, readerKeys, 'reader.parameter', problems);
  const writerParameter = take(writer.parameter, writerKeys, 'writer.parameter', problems);
  const setting = configuration.setting === undefined ? {} : take(configuration.setting, ['speed', 'errorLimit'], 'setting', problems);
  const speed = setting.speed === undefined ? {} : take(setting.speed, ['concurrent', 'mbps', 'throttle', 'dmu'], 'setting.speed', problems);
  // DataWorks' throttle: false switches the rate off (mbps ignored), true needs mbps; dmu is a
  // billing unit the engine ignores, as the form does.
  if (speed.throttle === true && speed.mbps === undefined) problems.push('setting.speed.throttle true without mbps');
  const errorLimit = setting.errorLimit === undefined ? {} : take(setting.errorLimit, ['record'], 'setting.errorLimit', problems);
  const rowMode = readerParameter.mode !== undefined && String(readerParameter.mode).toLowerCase() === ROW_MODE;
  if (readerParameter.mode !== undefined && !rowMode) {
    problems.push(`reader.parameter.mode ${JSON.stringify(readerParameter.mode)} (the reader takes only ${ROW_MODE}, or none for multi-version)`);
  }
  const rowColumns = [];
  if (readerParameter.column !== undefined) {
    const list = Array.isArray(readerParameter.column) ? readerParameter.column : [];
    if (!rowMode || !Array.isArray(readerParameter.column)) problems.push('reader.parameter.column (the wizard sets it only in row mode, as a list)');
    for (const [i, entry] of list.entries()) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry) && Object.keys(entry).length === 1 && typeof entry.name === 'string') {
        rowColumns.push(entry.name);
      } else {
        problems.push(`reader.parameter.column[${i}] (the wizard shows columns given as {"name": ...} only)`);
      }
    }
  }
  if (problems.length) return { problems };

  const form = defaultTaskForm();
  form.name = name || '';
  const text_ = (v) => (v === undefined || v === null ? '' : String(v));
  for (const key of readerKeys) {
    if (key === 'mode' || key === 'column' || readerParameter[key] === undefined) continue;
    form.reader[key] = key === 'isExportSequenceInfo' ? Boolean(readerParameter[key]) : text_(readerParameter[key]);
  }
  form.reader.mode = rowMode ? ROW_MODE : 'multi_version';
  form.reader.columns = rowColumns.join(', ');
  for (const key of ['datasource', 'table', 'partition']) form.writer[key] = text_(writerParameter[key]);
  for (const key of ['truncate', 'compress', 'emptyAsNull']) if (writerParameter[key] !== undefined) form.writer[key] = Boolean(writerParameter[key]);
  const columns = Array.isArray(writerParameter.column) ? writerParameter.column.map(String) : [];
  form.writer.column = columns.join(', ');
  const streamStart = columns.indexOf('colname');
  if (streamStart > 0) {
    form.primaryKey = columns.slice(0, streamStart).join(', ');
    const filled = previous && previous.primaryKeyFrom;
    form.primaryKeyFrom = filled && filled.text === form.primaryKey ? filled : null;
  }
  form.setting.concurrent = speed.concurrent === undefined ? '' : text_(speed.concurrent);
  form.setting.mbps = speed.mbps === undefined || speed.throttle === false ? '' : text_(speed.mbps);
  form.setting.errorLimit = errorLimit.record === undefined ? '' : text_(errorLimit.record);
  // The form writes what it shows: a script that differs only in spelling (comments, key case,
  // "Configuration " with its space) maps to the form, whose script is then the canonical one.
  return { form };
}
