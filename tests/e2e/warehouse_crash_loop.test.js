'use strict';
// The warehouse after kill -9 of `otsync run` (docs/reliability.md): a seeded crash loop.
//
// A 3-shard stream (one split, then a split of a child) holds four windows W0..W3 of puts,
// overwrites and deletes. A reference chain exports them cleanly, once per clearance mode. Then
// chains of the same windows run with kills: every window is killed 1-3 times before a clean
// run, each kill either at a random moment (0-1.2x a clean run) or at a named kill point of the
// commit protocol (OTSYNC_KILL_POINT, compiled into test builds: base/kill_point.h). After every
// kill `otsync warehouse check` must pass (no damaged state, whatever was killed where), and after
// every clean run the chain's partitions must equal the reference's exactly (nothing lost,
// nothing twice). A fresh warehouse is used every few chains so that the manifests stay small.
//
// OTSYNC_CRASH_TRIALS (kills, default 200), OTSYNC_CRASH_SEED, OTSYNC_CRASH_SCALE (rows per window
// x 1000, default 1) set the run; the figures are printed as test diagnostics and, with
// OTSYNC_CRASH_REPORT=FILE, written to FILE as JSON after every chain (so far) and at the end.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const L = require('./pipeline_lib');

const { h } = L;
const TABLE = 'src';
const TRIALS = Number(process.env.OTSYNC_CRASH_TRIALS || 200);
const SEED = Number(process.env.OTSYNC_CRASH_SEED || 20261202);
const SCALE = Number(process.env.OTSYNC_CRASH_SCALE || 1);
const CHAINS_PER_WAREHOUSE = 8;
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];
const KILL_POINTS = [
  'warehouse.load.after_file_staged',
  'warehouse.commit.after_lock',
  'warehouse.commit.after_files_moved',
  'warehouse.commit.after_manifest_written',
  'warehouse.commit.after_manifest_linked',
  'warehouse.commit.after_publish',
  'engine.after_commit',
  'engine.after_publish',
];

let otsd;
let windows;

function writeReport(figures) {
  const file = process.env.OTSYNC_CRASH_REPORT;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...figures, at: new Date().toISOString() }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

function partitionOf(mode, chain, k) {
  return mode === 'overwrite' ? `pt=${chain}_w${k}` : `pt=${chain}`;
}

function job(mode, chain, k) {
  return L.streamJob({
    table: TABLE,
    statusTable: `crash_${mode}_${chain}`,
    start: windows[k].start,
    end: windows[k].end,
    maxRetries: 2,
    speed: { concurrent: 2 },
    writer: {
      plugin: 'odps',
      parameter: {
        datasource: 'odps_first',
        table: 'dest',
        partition: partitionOf(mode, chain, k),
        truncate: mode === 'overwrite',
        column: COLUMNS,
      },
    },
  });
}

async function newWarehouse() {
  const dataDir = await L.otsyncDataDir(otsd);
  L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
    'dest(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)']),
  'create-table');
  return dataDir;
}

// The chain's rows, its name replaced, sorted: comparable across chains.
async function dump(dataDir, chain) {
  const rows = await L.warehouseCsv(dataDir,
    `SELECT pt, ${COLUMNS.join(', ')} FROM dest WHERE pt = '${chain}' OR pt LIKE '${chain}\\_w%' ESCAPE '\\' ORDER BY ALL`);
  return rows.slice(1).map((line) => line.replace(new RegExp(`^"?${chain}`), 'CHAIN')).sort();
}

function run(dataDir, mode, chain, k, options = {}) {
  return L.runOtsync(['run', L.writeJob(dataDir, job(mode, chain, k)), '--data-dir', dataDir], options);
}

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  h.enableStreamApis();
  const client = otsd.client();
  await L.createStreamTable(client, TABLE);
  const streamId = (await client.describeTable({ tableName: TABLE })).streamDetails.streamId;
  const firstShard = (await client.makeRequest('describeStream', { streamId })).shards[0].shardId;
  const whole = L.wholeWindow();
  const n = 1000 * SCALE;
  const id = (i) => `id${String(i).padStart(6, '0')}`;
  await L.putRows(client, TABLE, { from: 0, count: n, columns: 2, valueBytes: 24, tag: 'a' });
  const b1 = await L.boundary();
  const split = await h.adminCall(otsd, 'SplitShard', { table: TABLE, shard_id: firstShard, key: id(n / 2) });
  await L.putRows(client, TABLE, { from: n / 2, count: n, columns: 2, valueBytes: 24, tag: 'b' });
  await L.deleteRows(client, TABLE, Array.from({ length: 20 }, (_, i) => i * 13));
  const b2 = await L.boundary();
  await h.adminCall(otsd, 'SplitShard', { table: TABLE, shard_id: split.children[1], key: id(n) });
  await L.putRows(client, TABLE, { from: n / 4, count: n, columns: 2, valueBytes: 24, tag: 'c' });
  const b3 = await L.boundary();
  await L.deleteRows(client, TABLE, Array.from({ length: 20 }, (_, i) => n + i * 3));
  await L.putRows(client, TABLE, { from: 2 * n, count: n / 2, columns: 2, valueBytes: 24, tag: 'd' });
  windows = [{ start: whole.start, end: b1 }, { start: b1, end: b2 }, { start: b2, end: b3 },
    { start: b3, end: whole.end }];
});

after(async () => {
  if (otsd) await otsd.dispose();
});

test(`${TRIALS} kills of otsync run at random moments and at every kill point leave a warehouse that checks clean and equals one clean run`, { timeout: 6 * 3600 * 1000 }, async (t) => {
  const random = L.rng(SEED);
  const reference = {};
  const durations = {};
  let dataDir = await newWarehouse();
  for (const mode of ['overwrite', 'append']) {
    reference[mode] = [];
    durations[mode] = [];
    for (let k = 0; k < windows.length; k++) {
      const chain = `ref${mode}`;
      const clean = L.mustSucceed(await run(dataDir, mode, chain, k), `reference ${mode} W${k}`);
      durations[mode].push(clean.ms);
      reference[mode].push(await dump(dataDir, chain));
    }
    assert.ok(reference[mode][0].length >= 2000 * SCALE, `W0 holds the puts (${reference[mode][0].length} rows)`);
  }

  const figures = {
    seed: SEED, scale: SCALE, kills: 0, randomKills: 0, pointKills: {}, pointMissed: {},
    finishedBeforeKill: 0, checks: 0, damaged: 0, cleanRuns: 0, comparisons: 0, chains: 0,
  };
  for (const point of KILL_POINTS) { figures.pointKills[point] = 0; figures.pointMissed[point] = 0; }
  let chainsInWarehouse = 0;
  while (figures.kills < TRIALS) {
    if (chainsInWarehouse === CHAINS_PER_WAREHOUSE) {
      L.removeDir(dataDir);
      dataDir = await newWarehouse();
      chainsInWarehouse = 0;
    }
    chainsInWarehouse += 1;
    const mode = random() < 0.5 ? 'overwrite' : 'append';
    const chain = `c${figures.chains++}`;
    for (let k = 0; k < windows.length && figures.kills < TRIALS; k++) {
      const kills = 1 + Math.floor(random() * 3);
      for (let i = 0; i < kills && figures.kills < TRIALS; i++) {
        let killed;
        let what;
        if (random() < 0.5) {
          const delay = Math.floor(random() * durations[mode][k] * 1.2);
          what = `a kill at ${delay} ms`;
          killed = await run(dataDir, mode, chain, k, { killAfterMs: delay });
          if (killed.signal === 'SIGKILL') figures.randomKills += 1;
        } else {
          const point = KILL_POINTS[Math.floor(random() * KILL_POINTS.length)];
          what = `a kill at ${point}`;
          killed = await run(dataDir, mode, chain, k, { env: { OTSYNC_KILL_POINT: point } });
          if (killed.signal === 'SIGKILL') figures.pointKills[point] += 1; else figures.pointMissed[point] += 1;
        }
        if (killed.signal === 'SIGKILL') {
          figures.kills += 1;
        } else {
          figures.finishedBeforeKill += 1;
          assert.equal(killed.code, 0, `${chain} W${k} (${what}): a run that was not killed must succeed\n${killed.stderr.slice(-2000)}`);
        }
        const check = await L.runOtsync(['warehouse', 'check', '--data-dir', dataDir]);
        figures.checks += 1;
        if (check.code !== 0) {
          figures.damaged += 1;
          assert.fail(`${chain} W${k}: after ${what} (seed ${SEED}) the warehouse does not check clean\n${check.stdout}${check.stderr}`);
        }
      }
      const clean = L.mustSucceed(await run(dataDir, mode, chain, k), `${chain} W${k} clean run`);
      figures.cleanRuns += 1;
      assert.deepEqual(await dump(dataDir, chain), reference[mode][k],
        `${chain} W${k} (${mode}, seed ${SEED}): the destination equals one clean run\n${clean.stderr.slice(-1500)}`);
      figures.comparisons += 1;
    }
    // The figures so far, so that a long run stopped early still tells what it tried.
    if (process.env.OTSYNC_CRASH_REPORT) writeReport({ ...figures, finished: false });
  }
  L.removeDir(dataDir);
  t.diagnostic(JSON.stringify(figures));
  if (process.env.OTSYNC_CRASH_REPORT) writeReport({ ...figures, finished: true });
  assert.equal(figures.damaged, 0);
  for (const point of KILL_POINTS) {
    if (TRIALS >= 100) assert.ok(figures.pointKills[point] > 0, `the kill point ${point} was hit`);
  }
});
