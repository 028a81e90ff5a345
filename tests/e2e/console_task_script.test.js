'use strict';
// The console's task wizard <-> job script conversion (src/console/ui/task_script.js), in Node
// without a browser: the seed's script maps to the form and back without losing a value, the
// form's script is what the wizard shows, scripts the form cannot represent are named, and a
// broken script's error points at the line and column typed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const os = require('node:os');

const ROOT = path.join(__dirname, '..', '..');
// The browser's ES module, imported as .mjs: a .js file outside a "type": "module" package is
// CommonJS to Node versions before module syntax detection.
const MODULE_COPY = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otsync-task-script-')), 'task_script.mjs');
fs.copyFileSync(path.join(ROOT, 'src', 'console', 'ui', 'task_script.js'), MODULE_COPY);
process.on('exit', () => fs.rmSync(path.dirname(MODULE_COPY), { recursive: true, force: true }));
const load = () => import(MODULE_COPY);
const SEED = fs.readFileSync(path.join(ROOT, 'examples', 'seed_job.json'), 'utf8');

test('the seed\'s script, comments and "Configuration " included, maps to the wizard', async () => {
  const { scriptToForm } = await load();
  const { form, problems } = scriptToForm(SEED, 'person_sync');
  assert.equal(problems, undefined);
  assert.equal(form.reader.datasource, 'otsstream');
  assert.equal(form.reader.dataTable, 'person');
  assert.equal(form.reader.startTimeString, '${startTime}');
  assert.equal(form.reader.maxRetries, '30');
  assert.equal(form.reader.isExportSequenceInfo, false);
  assert.equal(form.writer.partition, 'pt=${bdp.system.bizdate}');
  assert.equal(form.writer.truncate, true);
  assert.equal(form.writer.column, 'id, colname, version, colvalue, optype, sequenceinfo');
  assert.equal(form.primaryKey, 'id');
  assert.deepEqual(form.setting, { concurrent: '7', mbps: '7', errorLimit: '' });
});

test('the form\'s script keeps every value of the seed and maps back to the same form', async () => {
  const { scriptToForm, formToScript, parseLenientJson } = await load();
  const { form } = scriptToForm(SEED, 'person_sync');
  const script = formToScript(form);
  const written = JSON.parse(script).configuration;
  const seed = parseLenientJson(SEED).value['Configuration '];
  assert.deepEqual(written.reader.parameter, seed.reader.parameter);
  assert.equal(written.writer.plugin, 'odps');
  for (const key of ['datasource', 'table', 'truncate', 'partition', 'column']) {
    assert.deepEqual(written.writer.parameter[key], seed.writer.parameter[key], key);
  }
  assert.deepEqual(written.setting.speed, { concurrent: 7, mbps: 7 });
  assert.deepEqual(scriptToForm(script, 'person_sync').form, form);
});

test('without destination columns the reader\'s own columns are written, sequenceinfo only when exported', async () => {
  const { defaultTaskForm, formToScript, sourceColumns } = await load();
  const form = defaultTaskForm();
  form.primaryKey = 'user_id, seq';
  assert.deepEqual(sourceColumns(form), ['user_id', 'seq', 'colname', 'version', 'colvalue', 'optype']);
  form.reader.isExportSequenceInfo = true;
  const columns = JSON.parse(formToScript(form)).configuration.writer.parameter.column;
  assert.deepEqual(columns, ['user_id', 'seq', 'colname', 'version', 'colvalue', 'optype', 'sequenceinfo']);
});

test('a script the wizard cannot show names what it would lose', async () => {
  const { scriptToForm, formToScript, defaultTaskForm } = await load();
  const script = JSON.parse(formToScript(defaultTaskForm()));
  script.configuration.reader.parameter.isTimeseriesTable = true;
  script.configuration.writer.plugin = 'txtfile';
  const { form, problems } = scriptToForm(JSON.stringify(script), 't');
  assert.equal(form, undefined);
  assert.ok(problems.includes('reader.parameter.istimeseriestable'), problems.join('; '));
  assert.ok(problems.some((p) => p.startsWith('writer plugin "txtfile"')), problems.join('; '));
});

test('plugin names and speed keys the engine takes map to the form as the engine reads them', async () => {
  const { scriptToForm, formToScript, defaultTaskForm } = await load();
  const script = JSON.parse(formToScript(defaultTaskForm()));
  script.configuration.reader.plugin = 'OTSStreamReader';
  script.configuration.writer.plugin = 'odpswriter';
  script.configuration.setting.speed = { throttle: true, mbps: 5, concurrent: 3, dmu: 2 };
  const { form, problems } = scriptToForm(JSON.stringify(script), 't');
  assert.equal(problems, undefined);
  assert.equal(form.setting.mbps, '5');
  assert.equal(form.setting.concurrent, '3');
  const canonical = JSON.parse(formToScript(form));
  assert.equal(canonical.configuration.reader.plugin, 'otsstream');
  assert.equal(canonical.configuration.writer.plugin, 'odps');

  // throttle false: the engine runs without a rate, and so does the form's script.
  script.configuration.setting.speed = { throttle: false, mbps: 5, concurrent: 3 };
  const unthrottled = scriptToForm(JSON.stringify(script), 't').form;
  assert.equal(unthrottled.setting.mbps, '');
  assert.equal(JSON.parse(formToScript(unthrottled)).configuration.setting.speed.mbps, undefined);
  // throttle true without a rate is refused by the engine; the form names it.
  script.configuration.setting.speed = { throttle: true, concurrent: 3 };
  assert.ok(scriptToForm(JSON.stringify(script), 't').problems.includes('setting.speed.throttle true without mbps'));
});

test('row mode: the chosen columns are the reader\'s output, and the script maps back to the same form', async () => {
  const { defaultTaskForm, formToScript, scriptToForm, sourceColumns, ROW_MODE } = await load();
  const form = defaultTaskForm();
  form.reader.mode = ROW_MODE;
  form.reader.columns = 'id, name, age';
  assert.deepEqual(sourceColumns(form), ['id', 'name', 'age']);
  const script = JSON.parse(formToScript(form));
  const reader = script.configuration.reader.parameter;
  assert.equal(reader.mode, 'single_version_and_update_only');
  assert.deepEqual(reader.column, [{ name: 'id' }, { name: 'name' }, { name: 'age' }]);
  assert.deepEqual(script.configuration.writer.parameter.column, ['id', 'name', 'age']);
  const back = scriptToForm(JSON.stringify(script), 't');
  assert.equal(back.form.reader.mode, ROW_MODE);
  assert.equal(back.form.reader.columns, 'id, name, age');
  assert.equal(formToScript(back.form), formToScript(form));
  // The engine takes the mode in any letter case; the form writes it as documented.
  reader.mode = 'Single_Version_And_Update_Only';
  assert.equal(scriptToForm(JSON.stringify(script), 't').form.reader.mode, ROW_MODE);
  // A mode the reader refuses, and a column the form cannot show, are named.
  reader.mode = 'multi_version';
  assert.ok(scriptToForm(JSON.stringify(script), 't').problems.some((p) => p.startsWith('reader.parameter.mode')));
  reader.mode = ROW_MODE;
  reader.column = [{ name: 'id' }, { name: '_tags', is_timeseries_tag: 'true' }];
  assert.ok(scriptToForm(JSON.stringify(script), 't').problems.includes(
    'reader.parameter.column[1] (the wizard shows columns given as {"name": ...} only)'));
  // Multi-version mode has no column list.
  const multi = JSON.parse(formToScript(defaultTaskForm()));
  assert.equal(multi.configuration.reader.parameter.mode, undefined);
  multi.configuration.reader.parameter.column = [{ name: 'id' }];
  assert.ok(scriptToForm(JSON.stringify(multi), 't').problems.length > 0);
});

test('picking a source table fills the primary key in key order, never over what a person typed', async () => {
  const { defaultTaskForm, formToScript, primaryKeySource, scriptToForm, withSourceTable } = await load();
  const lines = { name: 'order_lines', primaryKey: [{ name: 'order_id', type: 'STRING' }, { name: 'line', type: 'INTEGER' }] };
  const person = { name: 'person', primaryKey: [{ name: 'id', type: 'STRING' }] };
  // The default's guess gives way to the table's key, and the form says where it came from.
  let form = withSourceTable(defaultTaskForm(), 'order_lines', lines);
  assert.equal(form.reader.dataTable, 'order_lines');
  assert.equal(form.primaryKey, 'order_id, line');
  assert.deepEqual(primaryKeySource(form).columns, lines.primaryKey);
  assert.deepEqual(JSON.parse(formToScript(form)).configuration.writer.parameter.column,
    ['order_id', 'line', 'colname', 'version', 'colvalue', 'optype']);
  // Another pick replaces its own fill; a typed name or a table not described leaves it.
  form = withSourceTable(form, 'person', person);
  assert.equal(form.primaryKey, 'id');
  assert.equal(primaryKeySource(form).table, 'person');
  form = withSourceTable(form, 'typed_by_hand', null);
  assert.equal(form.primaryKey, 'id');
  assert.equal(primaryKeySource(form), null);
  // Script mode and back: the same key stays marked as filled; a key the script changes does not.
  form = withSourceTable(form, 'order_lines', lines);
  const back = scriptToForm(formToScript(form), 't', form).form;
  assert.equal(back.primaryKey, 'order_id, line');
  assert.equal(primaryKeySource(back).table, 'order_lines');
  const edited = JSON.parse(formToScript(form));
  edited.configuration.writer.parameter.column[1] = 'line_no';
  const changed = scriptToForm(JSON.stringify(edited), 't', form).form;
  assert.equal(changed.primaryKey, 'order_id, line_no');
  assert.equal(primaryKeySource(changed), null);
  assert.equal(withSourceTable(changed, 'person', person).primaryKey, 'order_id, line_no');
  // What a person typed stays; an emptied field is filled again.
  form = { ...withSourceTable(form, 'order_lines', lines), primaryKey: 'order_id' };
  assert.equal(withSourceTable(form, 'person', person).primaryKey, 'order_id');
  form.primaryKey = ' ';
  assert.equal(withSourceTable(form, 'person', person).primaryKey, 'id');
  // A task's own script: its key is the script's, not a fill.
  const { form: saved } = scriptToForm(SEED, 'person_sync');
  assert.equal(withSourceTable(saved, 'order_lines', lines).primaryKey, 'id');
});

test('a broken script is located by line and column as typed, comments included', async () => {
  const { parseLenientJson, lineOfKeyPath } = await load();
  const text = '{\n  // a comment, with a comma,\n  "type": "job",\n  "configuration" {}\n}';
  const { error, where } = parseLenientJson(text);
  assert.deepEqual(where, { line: 4, column: 19 });
  assert.match(error, /^line 4, column 19: /);
  assert.deepEqual(parseLenientJson('{"a": [1, 2,], /* x */ "b": "//not a comment",}').value, { a: [1, 2], b: '//not a comment' });
  assert.deepEqual(parseLenientJson('{"a": "x,]", "b": "\\"/*",// c\n}').value, { a: 'x,]', b: '"/*' });
  assert.equal(lineOfKeyPath(SEED, 'configuration.reader.parameter.dataTable'), 9);
  assert.equal(lineOfKeyPath(SEED, 'configuration.nothing'), 0);
});
