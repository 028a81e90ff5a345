'use strict';
// Several jobs and readers on one warehouse at once (docs/design.md, "The warehouse"): four
// `otsync run` jobs started together into one warehouse — two tables, two windows each, one pair
// of windows appended into the same partition (Insert Into) — all succeed and every partition
// equals what the same jobs leave when run one after another; `otsync warehouse query` runs in a
// loop meanwhile and never fails; a job SIGKILLed mid-load and rerun loses and doubles nothing;
// two identical jobs at once never double the rows.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./pipeline_lib');

const { h } = L;
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];
const DEST_SPEC = (name) =>
  `${name}(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)`;

let otsd;
const windows = {};  // source table -> [{start, end}] x 2

// The four jobs of the test: [source table, window, destination table, partition, truncate].
const JOBS = [
  ['src_a', 0, 'dest_a', 'pt=a0', true],
  ['src_a', 1, 'dest_a', 'pt=a1', true],
  ['src_b', 0, 'dest_b', 'pt=b', false],
  ['src_b', 1, 'dest_b', 'pt=b', false],
];

function job([table, k, dest, partition, truncate], { statusTable, speed = { concurrent: 2 } } = {}) {
  return L.streamJob({
    table,
    statusTable: statusTable || `status_${table}_${k}_${dest}_${partition.replace('=', '_')}`,
    start: windows[table][k].start,
    end: windows[table][k].end,
    speed,
    writer: {
      plugin: 'odps',
      parameter: { datasource: 'odps_first', table: dest, partition, truncate, column: COLUMNS },
    },
  });
}

async function warehouseWithTables() {
  const dataDir = await L.otsyncDataDir(otsd);
  for (const dest of ['dest_a', 'dest_b']) {
    L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir, DEST_SPEC(dest)]),
      `create-table ${dest}`);
  }
  return dataDir;
}

async function dumpAll(dataDir) {
  const dumps = {};
  for (const dest of ['dest_a', 'dest_b']) {
    dumps[dest] = (await L.warehouseCsv(dataDir, `SELECT pt, ${COLUMNS.join(', ')} FROM ${dest} ORDER BY ALL`)).slice(1);
  }
  return dumps;
}

function run(dataDir, spec, options = {}, runOptions = {}) {
  return L.runOtsync(['run', L.writeJob(dataDir, job(spec, options)), '--data-dir', dataDir], runOptions);
}

let reference;
let windowRowsOfB0;

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  const client = otsd.client();
  const whole = L.wholeWindow();
  for (const [table, tag] of [['src_a', 'a'], ['src_b', 'b']]) {
    await L.createStreamTable(client, table);
    await L.putRows(client, table, { from: 0, count: 3000, columns: 2, valueBytes: 30, tag: `${tag}0` });
    const middle = await L.boundary();
    await L.putRows(client, table, { from: 2000, count: 3000, columns: 2, valueBytes: 30, tag: `${tag}1` });
    await L.deleteRows(client, table, Array.from({ length: 30 }, (_, i) => i * 11));
    windows[table] = [{ start: whole.start, end: middle }, { start: middle, end: whole.end }];
  }
  // The reference: the same jobs, one after another, in a warehouse of their own.
  const sequential = await warehouseWithTables();
  for (const spec of JOBS) L.mustSucceed(await run(sequential, spec), `sequential ${spec.join(' ')}`);
  reference = await dumpAll(sequential);
  assert.ok(reference.dest_a.length > 10000 && reference.dest_b.length > 10000);
  // The rows W0 of src_b alone puts into dest_b.
  const alone = await warehouseWithTables();
  L.mustSucceed(await run(alone, JOBS[2]), 'W0 of src_b alone');
  windowRowsOfB0 = (await dumpAll(alone)).dest_b;
});

after(async () => {
  if (otsd) await otsd.dispose();
});

// Runs `otsync warehouse query` until `done()`; resolves the number of queries, failing on any
// error.
async function queryLoop(dataDir, done) {
  let queries = 0;
  while (!done()) {
    const q = await L.runOtsync(['warehouse', 'query', '--data-dir', dataDir, '--format', 'csv',
      'SELECT (SELECT count(*) FROM dest_a) + (SELECT count(*) FROM dest_b)']);
    assert.equal(q.code, 0, `a query while jobs load failed:\n${q.stderr}`);
    queries += 1;
  }
  return queries;
}

test('four jobs into one warehouse at once all succeed, equal the sequential runs, and a query loop never fails', async (t) => {
  const dataDir = await warehouseWithTables();
  let running = JOBS.length;
  const jobs = JOBS.map((spec) => run(dataDir, spec).then((r) => { running -= 1; return r; }));
  const queries = queryLoop(dataDir, () => running === 0);
  const results = await Promise.all(jobs);
  results.forEach((r, i) => L.mustSucceed(r, `concurrent ${JOBS[i].join(' ')}`));
  const count = await queries;
  t.diagnostic(`${count} queries ran while the four jobs loaded`);
  assert.ok(count >= 1);
  assert.deepEqual(await dumpAll(dataDir), reference);
  L.mustSucceed(await L.runOtsync(['warehouse', 'check', '--data-dir', dataDir]), 'warehouse check');
});

test('a job killed mid-load beside three others and then rerun loses and doubles nothing', async () => {
  const dataDir = await warehouseWithTables();
  // The victim is slowed down so that the kill lands while it loads: at 0.1 MB/s its window
  // (about 320 KB of records) takes some 3 s to read, twice the time before the kill. At 0.5 MB/s
  // it took 0.65 s, and on a fast machine the whole job ended before the kill.
  const victim = run(dataDir, JOBS[3], { speed: { concurrent: 1, mbps: 0.1 } }, { killAfterMs: 1500 });
  const others = JOBS.slice(0, 3).map((spec) => run(dataDir, spec));
  const killed = await victim;
  assert.equal(killed.signal, 'SIGKILL', 'the victim was still loading when it was killed');
  for (const [i, r] of (await Promise.all(others)).entries()) L.mustSucceed(r, `job ${i}`);
  L.mustSucceed(await run(dataDir, JOBS[3]), 'the rerun of the killed job');
  assert.deepEqual(await dumpAll(dataDir), reference);
});

test('two identical Insert Into jobs at once commit the window once', async () => {
  const dataDir = await warehouseWithTables();
  const statusTable = 'status_twins';
  const twins = await Promise.all([0, 1].map(() => run(dataDir, JOBS[2], { statusTable })));
  twins.forEach((r, i) => L.mustSucceed(r, `twin ${i}`));
  const expected = windowRowsOfB0;
  const rows = (await L.warehouseCsv(dataDir, `SELECT pt, ${COLUMNS.join(', ')} FROM dest_b ORDER BY ALL`)).slice(1);
  assert.deepEqual(rows, expected);
  const windowsRecorded = await L.warehouseCsv(dataDir, 'SELECT count(*) FROM _otsync_windows WHERE table_name = \'dest_b\'');
  assert.equal(windowsRecorded[1], '1');
  assert.ok(twins.some((r) => /already holds|Another job committed/.test(r.stderr)),
    'one twin found the window committed by the other');
});
