'use strict';
// `otsync table ...` (src/tools/otsync/table_cli.cc) against a real otsd, on a named data source
// with the harness's keys: every command's effect is read back with the official Node SDK, bad
// input is refused with its line and column and writes nothing, and the newcomer's errors (no
// otsd, no Stream, a window without changes) say what to do.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');

const { h } = L;

let otsd;
let client;
let dataDir;
const SOURCE = 'src1';

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  client = otsd.client();
  dataDir = L.tempDir('otsync-table-');
  L.mustSucceed(await L.runOtsync([
    'datasource', 'add', SOURCE, '--data-dir', dataDir, '--type', 'ots', '--endpoint', otsd.endpoint,
    '--instance', h.DEFAULT_INSTANCE, '--access-id', L.ACCESS_KEY.id,
  ], { env: { OTSYNC_ACCESS_KEY: L.ACCESS_KEY.secret } }), 'datasource add');
});
after(async () => { if (otsd) await otsd.dispose(); });

function table(...args) {
  return L.runOtsync(['table', ...args, '--datasource', SOURCE, '--data-dir', dataDir]);
}
async function ok(...args) {
  return L.mustSucceed(await table(...args), `otsync table ${args.join(' ')}`);
}
function jsonLines(text) {
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
}
async function allRows(tableName, pkNames) {
  const start = pkNames.map((n) => ({ [n]: h.TableStore.INF_MIN }));
  const end = pkNames.map((n) => ({ [n]: h.TableStore.INF_MAX }));
  const { rows } = await h.scanAll(client, {
    tableName, direction: h.TableStore.Direction.FORWARD,
    inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: end, maxVersions: 1,
  });
  return rows.map((r) => ({ pk: h.pkOf(r), columns: h.attrsOf(r) }));
}

test('create, describe, list, enable-stream and disable-stream', async () => {
  const created = await ok('create', 'events', '--pk', 'id:string,seq:integer', '--stream', '12');
  assert.match(created.stdout, /Created table 'events' \(id STRING, seq INTEGER\), stream on, records kept 12 hours/);
  const described = await client.describeTable({ tableName: 'events' });
  const { PrimaryKeyType } = h.TableStore;
  assert.deepEqual(described.tableMeta.primaryKey.map((c) => [c.name, c.type]),
    [['id', PrimaryKeyType.STRING], ['seq', PrimaryKeyType.INTEGER]]);
  assert.equal(described.streamDetails.enableStream, true);
  assert.equal(h.num(described.streamDetails.expirationTime), 12);

  await ok('create', 'plain', '--pk', 'k:integer');
  assert.deepEqual((await ok('list')).stdout.split('\n').filter(Boolean), ['events', 'plain']);

  const shown = (await ok('describe', 'events')).stdout;
  assert.match(shown, /primary key:\s+id STRING, seq INTEGER/);
  assert.match(shown, /stream:\s+on, records kept 12 hours/);
  assert.match(shown, /shards:\s+1\n  \S+/);
  // Times in the zone `otsync run` reads a script's times in: TZ's, else Asia/Shanghai.
  assert.match(shown, /stream since:\s+\d{14} \(Asia\/Shanghai\)/);
  const inUtc = L.mustSucceed(await L.runOtsync(['table', 'describe', 'events', '--datasource', SOURCE,
    '--data-dir', dataDir], { env: { TZ: 'UTC' } }), 'describe, TZ=UTC');
  assert.match(inUtc.stdout, /stream since:\s+\d{14} \(UTC\)/);
  const plain = (await ok('describe', 'plain')).stdout;
  assert.match(plain, /stream:\s+off \(enable it with: otsync table enable-stream plain --datasource src1\)/);

  await ok('enable-stream', 'plain', '--expiration', '48');
  let plainMeta = await client.describeTable({ tableName: 'plain' });
  assert.equal(plainMeta.streamDetails.enableStream, true);
  assert.equal(h.num(plainMeta.streamDetails.expirationTime), 48);
  await ok('disable-stream', 'plain');
  plainMeta = await client.describeTable({ tableName: 'plain' });
  assert.equal(plainMeta.streamDetails.enableStream, false);

  const missing = await table('describe', 'nosuch');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /table 'nosuch' does not exist at data source 'src1' \(otsync table list/);
  const badPk = await table('create', 'bad', '--pk', 'id:text');
  assert.equal(badPk.code, 2);
  assert.match(badPk.stderr, /--pk: column 'id' has unknown type 'text'/);
});

test('put, update, get, delete and scan a row, read back with the SDK', async () => {
  await ok('create', 'people', '--pk', 'id:string,seq:integer');
  await ok('put', 'people', '{"pk":{"seq":1,"id":"a"},"columns":{"name":"Ada","age":36,"score":9.5,"ok":true,"photo":{"binary":"AAE="}}}');
  await ok('put', 'people', '{"pk":{"id":"b","seq":2},"columns":{"name":"Bob"}}');
  await ok('put', 'people', '{"pk":{"id":"c","seq":3},"columns":{"name":"Cy"}}');
  await ok('update', 'people', '{"pk":{"id":"a","seq":1},"columns":{"age":37,"ok":null}}');
  await ok('delete', 'people', '{"pk":{"id":"b","seq":2}}');

  const a = await client.getRow({ tableName: 'people', primaryKey: [{ id: 'a' }, { seq: h.long(1) }], maxVersions: 1 });
  assert.deepEqual(h.attrsOf(a.row), { age: { int: 37 }, name: 'Ada', photo: { bin: '0001' }, score: 9.5 });
  assert.deepEqual((await allRows('people', ['id', 'seq'])).map((r) => r.pk), [{ id: 'a', seq: { int: 1 } }, { id: 'c', seq: { int: 3 } }]);

  const got = jsonLines((await ok('get', 'people', '{"pk":{"id":"a","seq":1}}')).stdout);
  assert.deepEqual(got, [{ pk: { id: 'a', seq: 1 }, columns: { age: 37, name: 'Ada', photo: { binary: 'AAE=' }, score: 9.5 } }]);
  const none = await table('get', 'people', '{"pk":{"id":"b","seq":2}}');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no row in 'people' has that primary key/);

  assert.deepEqual(jsonLines((await ok('scan', 'people')).stdout).map((r) => r.pk.id), ['a', 'c']);
  assert.deepEqual(jsonLines((await ok('scan', 'people', '--start', '{"id":"b"}')).stdout).map((r) => r.pk.id), ['c']);
  assert.deepEqual(jsonLines((await ok('scan', 'people', '--end', '{"id":"c"}')).stdout).map((r) => r.pk.id), ['a']);
  assert.deepEqual(jsonLines((await ok('scan', 'people', '--limit', '1')).stdout).map((r) => r.pk.id), ['a']);

  const wrongType = await table('put', 'people', '{"pk":{"id":"x","seq":"1"},"columns":{}}');
  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /pk\.seq: expected INTEGER, got STRING \(the table's primary key is id STRING, seq INTEGER\)/);
  const badJson = await table('put', 'people', '{"pk":{"id":"x","seq":1},"columns":{"n":}}');
  assert.equal(badJson.code, 2);
  assert.match(badJson.stderr, /line 1, column \d+: syntax error/);
  assert.equal((await allRows('people', ['id', 'seq'])).length, 2, 'nothing written by the refused puts');

  const help = await L.runOtsync(['table', 'put', '--help']);
  assert.match(help.stdout, /\{"pk":\{"id":"a","seq":3\},"columns":/);
});

test('import CSV and JSON lines in batches; a bad line writes nothing', async () => {
  await ok('create', 'imported', '--pk', 'id:string,seq:integer');
  const dir = L.tempDir('otsync-import-');
  const csv = path.join(dir, 'rows.csv');
  const lines = ['id,seq,name,age:integer,score:double'];
  for (let i = 0; i < 450; i++) lines.push(`r${String(i).padStart(3, '0')},${i},"Name, ${i}",${i % 90},${i / 2}`);
  fs.writeFileSync(csv, lines.join('\r\n') + '\r\n');
  const imported = await ok('import', 'imported', '--file', csv);
  assert.match(imported.stdout, /Imported 450 rows into 'imported' in 3 batches/);
  let rows = await allRows('imported', ['id', 'seq']);
  assert.equal(rows.length, 450);
  assert.deepEqual(rows[7], { pk: { id: 'r007', seq: { int: 7 } }, columns: { age: { int: 7 }, name: 'Name, 7', score: 3.5 } });

  const jsonl = path.join(dir, 'more.jsonl');
  fs.writeFileSync(jsonl, '{"pk":{"id":"z1","seq":1},"columns":{"tag":"x"}}\n\n{"pk":{"id":"z2","seq":2},"columns":{"blob":{"binary":"/w=="}}}\n');
  assert.match((await ok('import', 'imported', '--file', jsonl, '--batch', '1')).stdout, /Imported 2 rows into 'imported' in 2 batches/);
  rows = await allRows('imported', ['id', 'seq']);
  assert.equal(rows.length, 452);
  assert.deepEqual(rows[451].columns, { blob: { bin: 'ff' } });

  // Bad files: refused with the line and column, exit 2, not one row written.
  await ok('create', 'untouched', '--pk', 'id:string,seq:integer');
  const cases = [
    ['bad.csv', 'id,seq,age:integer\na,1,3\nb,2,three\n', /bad\.csv|line 3, column 3 \(age\): 'three' is not an integer/],
    ['short.csv', 'id,seq,name\na,1,x\nb,2\n', /line 3: 2 fields, but the header names 3 columns/],
    ['nokey.csv', 'id,name\na,x\n', /line 1: the header lacks primary key column 'seq'/],
    ['bad.jsonl', '{"pk":{"id":"a","seq":1}}\n{"pk":{"id":"b","seq":2},"columns":{"x":]}}\n', /line 2, column \d+: syntax error/],
    ['type.jsonl', '{"pk":{"id":"a","seq":1}}\n{"pk":{"id":"b","seq":"2"}}\n', /line 2: pk\.seq: expected INTEGER, got STRING/],
    ['twice.jsonl', '{"pk":{"id":"a","seq":1}}\n{"pk":{"seq":1,"id":"a"}}\n', /line 2: the same primary key as line 1/],
  ];
  for (const [name, text, message] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const run = await table('import', 'untouched', '--file', file);
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.match(run.stderr, message, name);
  }
  assert.equal((await allRows('untouched', ['id', 'seq'])).length, 0, 'no bad file wrote a row');
});

test('a newcomer\'s errors: no otsd, no Stream, a window without changes', async () => {
  // Nothing listens on the port of a stopped otsd.
  const gone = await h.startOtsd();
  const endpoint = gone.endpoint;
  await gone.dispose();
  const deadDir = L.tempDir('otsync-dead-');
  L.mustSucceed(await L.runOtsync(['datasource', 'add', 'otsstream', '--data-dir', deadDir, '--type', 'ots',
    '--endpoint', endpoint, '--instance', 'local', '--access-id', 'x', '--replace'],
  { env: { OTSYNC_ACCESS_KEY: 'y' } }), 'datasource add');
  const unreachable = await L.runOtsync(['table', 'list', '--data-dir', deadDir]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, new RegExp(`nothing answers at data source 'otsstream' at ${endpoint}`));
  assert.match(unreachable.stderr, /Is otsd running\? Start it with: otsd --data-dir \S+ --listen 127\.0\.0\.1:\d+/);
  const job = L.writeJob(deadDir, L.streamJob({
    table: 'person', statusTable: 'status', ...L.wholeWindow(), maxRetries: 0,
    writer: { plugin: 'stream', parameter: {} },
  }));
  const jobRun = await L.runOtsync(['run', job, '--data-dir', deadDir]);
  assert.equal(jobRun.code, 1);
  assert.match(jobRun.stderr, /nothing answers at data source 'otsstream' at .*Is otsd running\?/);

  // A table without Stream: the job says how to turn it on.
  await ok('create', 'nostream', '--pk', 'id:string');
  const jobDir = await L.otsyncDataDir(otsd);
  const offJob = L.writeJob(jobDir, L.streamJob({
    table: 'nostream', statusTable: 'status', ...L.wholeWindow(), writer: { plugin: 'stream', parameter: {} },
  }));
  const off = await L.runOtsync(['run', offJob, '--data-dir', jobDir]);
  assert.equal(off.code, 2);
  assert.match(off.stderr, /The stream of data table is not enabled\. Enable it with: otsync table enable-stream nostream/);

  // A window before every change: the summary says it held none, and where the changes are.
  await ok('create', 'later', '--pk', 'id:string', '--stream', '24');
  await ok('put', 'later', '{"pk":{"id":"a"},"columns":{"v":1}}');
  const now = Date.now();
  const early = L.writeJob(jobDir, L.streamJob({
    table: 'later', statusTable: 'status', start: now - 60 * 60 * 1000, end: now - 50 * 60 * 1000,
    writer: { plugin: 'stream', parameter: {} },
  }));
  const empty = L.mustSucceed(await L.runOtsync(['run', early, '--data-dir', jobDir]), 'empty window');
  assert.match(empty.stderr, /No changes\s+: the window \[\d{14}, \d{14}\) Asia\/Shanghai of table 'later' holds none; the stream's oldest record was written at \d{14}, the first one after the window at \d{14} \(Asia\/Shanghai\)/);

  // startTimeString / endTimeString are read in the zone of --time-zone, else of TZ (DataX: the
  // JVM's default zone, which a JVM takes from TZ), else Asia/Shanghai. The same UTC digits hold
  // the put in UTC and name a window eight hours earlier in Asia/Shanghai.
  const utcDigits = (millis) => new Date(millis).toISOString().replace(/\D/g, '').slice(0, 14);
  const window = L.wholeWindow();
  const digitsJob = (statusTable) => {
    const job = L.streamJob({ table: 'later', statusTable, ...window, writer: { plugin: 'stream', parameter: {} } });
    const parameter = job.configuration.reader.parameter;
    delete parameter.startTimestampMillis;
    delete parameter.endTimestampMillis;
    parameter.startTimeString = utcDigits(window.start);
    parameter.endTimeString = utcDigits(window.end);
    return L.writeJob(jobDir, job);
  };
  const putLines = (run) => run.stdout.split('\n').filter((line) => line.startsWith('a\t'));
  const inUtc = L.mustSucceed(await L.runOtsync(['run', digitsJob('status_tz_utc'), '--data-dir', jobDir],
    { env: { TZ: 'UTC' } }), 'run, TZ=UTC');
  assert.equal(putLines(inUtc).length, 2, inUtc.stdout);  // DR and U of the put.
  const flagged = L.mustSucceed(await L.runOtsync(['run', digitsJob('status_tz_flag'), '--data-dir', jobDir,
    '--time-zone', 'UTC'], { env: { TZ: 'Asia/Tokyo' } }), 'run --time-zone UTC');
  assert.equal(putLines(flagged).length, 2, flagged.stdout);
  const inShanghai = L.mustSucceed(await L.runOtsync(['run', digitsJob('status_tz_cst'), '--data-dir', jobDir]),
    'run, no TZ');
  assert.equal(putLines(inShanghai).length, 0, inShanghai.stdout);
  assert.match(inShanghai.stderr, new RegExp(`No changes\\s+: the window \\[${utcDigits(window.start)}, \\d{14}\\) Asia/Shanghai of table 'later' holds none`));
  const unknown = await L.runOtsync(['run', digitsJob('status_tz_bad'), '--data-dir', jobDir], { env: { TZ: 'Mars/Olympus' } });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /the TZ environment variable: unknown time zone 'Mars\/Olympus'.*--time-zone/);
});
