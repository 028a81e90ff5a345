'use strict';
// The soak (docs/reliability.md, "The soak"): otsd and otsync running together for a long time as
// a user runs them — writers on a table with its stream on, an `otsync run` of every window as it
// closes (window after window into the warehouse, checkpoints chained through a status table),
// a shard split and a merge under that load, and the stream's retention trimming old records —
// with otsd's memory, open files and threads and the disk use of otsd and the warehouse sampled
// every minute. At the end the warehouse must hold every acknowledged write exactly once, and no
// run, write or split may have failed.
//
// Retention is whole hours; to reach the steady state where trimming removes as much as the
// writers add within the run, otsd's clock runs faster than the real one (--clock-speed), starting
// far enough behind (--clock-offset) that it stays more than five minutes behind the real clock to
// the end: the reader exports only windows that ended five minutes ago.
//
//   OTSD_BIN=... OTSYNC_BIN=... node tests/soak/soak.js [--minutes 60] [--out DIR]
//
// Writes DIR/soak.csv (one line a minute), DIR/soak.json (the figures) and, when gnuplot is
// installed, DIR/soak.png. Exit status 0 when everything held, 1 otherwise.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const L = require('../e2e/pipeline_lib');

const { h } = L;

function flag(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const MINUTES = Number(flag('minutes', '60'));
const OUT = path.resolve(flag('out', 'build/soak'));
const SAMPLE_MS = Number(flag('sample-seconds', '60')) * 1000;
// otsd's clock: starts 46 minutes behind (the reader takes no window that starts more than the
// retention, an hour, less 10 minutes before its own clock) and gains 36 minutes on the real clock
// over the run, so that it ends 10 minutes behind (the reader takes no window that ends less than
// 5 minutes before its clock): 1.6 times as fast for an hour, 1 + 36 / minutes for a longer run.
// Retention (1 h of otsd time) is crossed after 60 / speed real minutes: 37.5 in an hour, 44 in
// 100 minutes, leaving the rest of the run to show the steady state of trimming.
const CLOCK_OFFSET_MS = -46 * 60 * 1000;
const CLOCK_SPEED = MINUTES > 60 ? 1 + 36 / MINUTES : 1.6;
const WINDOW_MS = 2 * 60 * 1000;  // Of otsd time.
const WRITES_PER_SECOND = 200;
const BATCH_ROWS = 20;
// The writers overwrite a fixed set of keys, as an operational table is written: the table itself
// stays the same size, so otsd's disk use can level off once retention trims as fast as the
// writers add (with new keys every write, the table alone grows without end).
const KEYS = 20000;
const VALUE_BYTES = 200;
const TABLE = 'soak';
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];

function keyOf(index) { return `w${String(index).padStart(9, '0')}`; }

function kib(bytes) { return Math.round(bytes / 1024); }

function openFiles(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// Bytes of the files under `dir` whose name `matches` (every file without it).
function diskBytes(dir, matches = () => true) {
  let total = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && matches(entry.name)) {
        try { total += fs.statSync(p).size; } catch (_) { /* deleted meanwhile */ }
      }
    }
  };
  try { walk(dir); } catch (_) { /* not there yet */ }
  return total;
}

// RocksDB's table files and its write-ahead logs: the two parts of otsd's data directory that
// grow, apart, so that a rising floor can be told from logs not yet dropped.
const isTableFile = (name) => name.endsWith('.sst');
const isWriteAheadLog = (name) => name.endsWith('.log');

// RocksDB's own log of otsd's database (per column family: the levels, their sizes, compactions),
// kept beside the figures.
function keepRocksDbLog(dataDir) {
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'LOG') fs.copyFileSync(p, path.join(OUT, 'otsd-rocksdb.LOG'));
    }
  };
  try { walk(dataDir); } catch (err) { console.log(`no RocksDB log kept: ${err.message}`); }
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const otsd = new h.Otsd({
    args: [`--clock-offset=${CLOCK_OFFSET_MS / 1000}s`, `--clock-speed=${CLOCK_SPEED}`, '--trim-interval=30s'],
  });
  await otsd.start();
  const otsdStartedReal = Date.now();
  // otsd's clock, as this process estimates it (its start is known to within its startup time).
  const otsdNow = () => otsdStartedReal + CLOCK_OFFSET_MS + (Date.now() - otsdStartedReal) * CLOCK_SPEED;
  const client = otsd.client({ maxRetries: 3 });
  await h.createTable(client, TABLE, [{ name: 'id', type: 'STRING' }], { maxVersions: 1 },
    { streamSpecification: { enableStream: true, expirationTime: 1 } });
  const dataDir = await L.otsyncDataDir(otsd);
  L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
    `dest(${COLUMNS.map((c) => `${c} ${c === 'version' ? 'BIGINT' : 'STRING'}`).join(', ')}) PARTITIONED BY (pt STRING)`]),
  'create-table');

  const errors = [];
  const fail = (message) => {
    errors.push(message);
    if (errors.length <= 20) console.log(`error: ${message}`);
  };
  const figures = { acked: 0, exported: 0, windows: 0, runMs: [], split: null, merge: null };
  let stopping = false;

  // The first window starts before the first write (windows need not start on a round time).
  const firstWindowStart = Math.floor(otsdNow() / 1000) * 1000 - 1000;
  // Writers: WRITES_PER_SECOND rows a second in batches, cycling through KEYS keys. Each write's
  // value starts with its own number, so the warehouse can be checked write by write.
  const writer = (async () => {
    let next = 0;
    const interval = 1000 * BATCH_ROWS / WRITES_PER_SECOND;
    while (!stopping) {
      const t0 = Date.now();
      const rows = [];
      for (let i = 0; i < BATCH_ROWS; i++, next++) {
        rows.push({
          type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: keyOf(next % KEYS) }],
          attributeColumns: [{ c0: `${next}-${'v'.repeat(VALUE_BYTES)}` }],
        });
      }
      try {
        const result = await client.batchWriteRow({ tables: [{ tableName: TABLE, rows }] });
        for (const row of result.tables) {
          if (row.isOk) figures.acked += 1;
          else fail(`write refused: ${row.errorCode} ${row.errorMessage}`);
        }
      } catch (err) {
        fail(`batchWriteRow: ${err.message}`);
      }
      await h.sleep(Math.max(0, interval - (Date.now() - t0)));
    }
  })();

  // Window after window, each as soon as it closed (10 s of otsd time to spare).
  let nextWindow = 0;
  async function exportClosedWindows(until) {
    for (;;) {
      const start = firstWindowStart + nextWindow * WINDOW_MS;
      const end = start + WINDOW_MS;
      if (end + 10000 > until) return;
      const job = L.writeJob(dataDir, L.streamJob({
        table: TABLE, statusTable: 'soak_status', start, end,
        writer: { plugin: 'odps', parameter: { datasource: 'odps_first', table: 'dest', partition: `pt=w${nextWindow}`, truncate: true, column: COLUMNS } },
      }));
      const run = await L.runOtsync(['run', job, '--data-dir', dataDir], { timeoutMs: 300000 });
      fs.rmSync(job, { force: true });
      if (run.code !== 0) {
        fail(`otsync run of window ${nextWindow}: exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
        return;  // Tried again at the next turn.
      }
      figures.runMs.push(run.ms);
      figures.windows += 1;
      nextWindow += 1;
    }
  }

  const csv = ['minute,otsd_rss_kib,otsd_open_files,otsd_threads,otsd_disk_kib,warehouse_disk_kib,writes_acked,windows_exported,errors,otsd_sst_kib,otsd_wal_kib'];
  const sample = () => {
    const pid = otsd.child.pid;
    csv.push([
      ((Date.now() - started) / 60000).toFixed(1), h.procStatus(pid, 'VmRSS'), openFiles(pid), h.procStatus(pid, 'Threads'),
      kib(diskBytes(otsd.dataDir)), kib(diskBytes(path.join(dataDir, 'warehouse'))), figures.acked, figures.windows, errors.length,
      kib(diskBytes(otsd.dataDir, isTableFile)), kib(diskBytes(otsd.dataDir, isWriteAheadLog)),
    ].join(','));
    fs.writeFileSync(path.join(OUT, 'soak.csv'), `${csv.join('\n')}\n`);
    console.log(csv[csv.length - 1]);
  };
  console.log(csv[0]);
  sample();

  const deadline = started + MINUTES * 60000;
  let nextSample = Date.now() + SAMPLE_MS;
  const streamId = (await client.describeTable({ tableName: TABLE })).streamDetails.streamId;
  while (Date.now() < deadline) {
    const elapsed = (Date.now() - started) / (deadline - started);
    try {
      if (elapsed > 0.25 && figures.split === null) {
        // The table's one shard, split at the middle key: the writers' records go to both sides.
        const [only] = (await h.describeStreamAll(client, streamId)).shards;
        const key = keyOf(KEYS / 2);
        figures.split = await h.adminCall(otsd, 'SplitShard', { table: TABLE, shard_id: only.shardId, key });
        console.log(`split ${only.shardId} at ${key} -> ${figures.split.children.join(', ')}`);
      }
      if (elapsed > 0.5 && figures.merge === null && figures.split !== null) {
        const [a, b] = figures.split.children;
        figures.merge = await h.adminCall(otsd, 'MergeShards', { table: TABLE, shard_a: a, shard_b: b });
        console.log(`merge ${a} + ${b} -> ${figures.merge.child}`);
      }
    } catch (err) {
      fail(`split/merge: ${err.message}`);
      if (figures.split === null) figures.split = { failed: true, children: [] };
      else if (figures.merge === null) figures.merge = { failed: true };
    }
    await exportClosedWindows(otsdNow());
    if (Date.now() >= nextSample) {
      sample();
      nextSample += SAMPLE_MS;
    }
    await h.sleep(2000);
  }

  // The end: the writers stop, the last windows are exported, the warehouse is checked.
  stopping = true;
  await writer;
  const lastWrite = otsdNow();
  while (otsdNow() < lastWrite + WINDOW_MS + 20000) await h.sleep(1000);
  await exportClosedWindows(otsdNow());
  sample();
  // A PutRow's stream record is exported as a row delete (DR) and one put (U) per column; each
  // put's value starts with the number of its write, so distinct numbers count distinct writes
  // (counted as numbers: a set of the 200-byte values outgrows the warehouse's memory limit at an
  // hour's 700,000 writes, which failed the first hour run's check).
  const counted = await L.warehouseCsv(dataDir,
    "SELECT count(*) FILTER (WHERE optype = 'U') AS puts, count(*) FILTER (WHERE optype = 'DR') AS deletes, " +
    "count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT CAST(split_part(colvalue, '-', 1) AS BIGINT)) FILTER (WHERE optype = 'U') AS writes FROM dest");
  const [puts, deletes, rows, ids, writes] = counted[1].split(',').map(Number);
  figures.exported = rows;
  const check = await L.runOtsync(['warehouse', 'check', '--data-dir', dataDir]);
  if (check.code !== 0) fail(`warehouse check: ${check.stdout}${check.stderr}`);
  if (puts !== figures.acked || deletes !== figures.acked || rows !== 2 * figures.acked || writes !== figures.acked ||
      ids !== Math.min(figures.acked, KEYS)) {
    fail(`the warehouse holds ${rows} rows (${puts} U of ${writes} writes, ${deletes} DR) of ${ids} keys; ` +
         `${figures.acked} writes were acknowledged on ${Math.min(figures.acked, KEYS)} keys`);
  }
  keepRocksDbLog(otsd.dataDir);
  await otsd.stop();

  const runMs = figures.runMs.slice().sort((a, b) => a - b);
  const summary = {
    minutes: MINUTES, clockSpeed: CLOCK_SPEED, windowMs: WINDOW_MS, writesPerSecond: WRITES_PER_SECOND,
    keys: KEYS, acked: figures.acked, exportedRows: rows, exportedPuts: puts, exportedWrites: writes, exportedKeys: ids,
    windows: figures.windows,
    runMedianMs: runMs[Math.floor(runMs.length / 2)], runMaxMs: runMs[runMs.length - 1],
    split: figures.split, merge: figures.merge, errors,
  };
  fs.writeFileSync(path.join(OUT, 'soak.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
  try {
    execFileSync('gnuplot', ['-e', `data='${path.join(OUT, 'soak.csv')}'; out='${path.join(OUT, 'soak.png')}'`,
      path.join(__dirname, 'soak.gnuplot')], { stdio: 'inherit' });
  } catch (err) {
    console.log(`no plot: ${err.message.split('\n')[0]}`);
  }
  process.exit(errors.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
