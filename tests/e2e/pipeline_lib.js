'use strict';
// Shared by the pipeline*.test.js files: the whole chain across processes — a real otsd (from
// $OTSD_BIN, started by harness.js, its clock 30 minutes behind so that fresh writes are already
// readable), the official Node SDK writing rows into a table with the stream on, and the real
// `otsync` binary (from $OTSYNC_BIN) running job scripts on a temporary --data-dir.
//
// Every otsync child is SIGKILLed when the test process exits; temporary directories go too.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./harness');

const OTSD_CLOCK_OFFSET = '--clock-offset=-30m';
const OTSD_OFFSET_MS = -30 * 60 * 1000;
const ACCESS_KEY = h.CREDENTIALS.access_keys[0];
const ADMIN_KEY = h.CREDENTIALS.admin_keys[0];

const liveChildren = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  }
  for (const dir of tempDirs) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch (_) { /* best effort */ }
  }
});

function otsyncBinary() {
  const bin = process.env.OTSYNC_BIN;
  if (!bin) throw new Error('OTSYNC_BIN is not set (the path of the otsync binary; CTest sets it)');
  if (!fs.existsSync(bin)) throw new Error(`OTSYNC_BIN=${bin} does not exist`);
  return bin;
}

function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

// A deterministic generator (mulberry32): the same seed gives the same kill points.
const { rng } = h;

// Runs otsync with `args`. `killAfterMs` sends SIGKILL after that long (if still running);
// `timeoutMs` SIGKILLs a hung run and fails. Resolves {code, signal, stdout, stderr, ms}.
function runOtsync(args, { env = {}, killAfterMs, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(otsyncBinary(), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME || os.tmpdir(),
        ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0',
        ...env,
      },
    });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    let timedOut = false;
    const timers = [setTimeout(() => {
      timedOut = true;
      try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
    }, timeoutMs)];
    if (killAfterMs !== undefined) {
      timers.push(setTimeout(() => {
        try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
      }, killAfterMs));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      liveChildren.delete(child);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (timedOut) {
        reject(new Error(`otsync ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr.slice(-3000)}`));
        return;
      }
      resolve({ code, signal, stdout, stderr, ms });
    });
  });
}

// Fails with otsync's output when the run did not exit 0.
function mustSucceed(run, what) {
  if (run.code !== 0) {
    throw new Error(`${what}: otsync exited ${run.code} (signal ${run.signal})\n--- stderr ---\n${run.stderr.slice(-4000)}`);
  }
  return run;
}

// A fresh otsync data dir whose `otsstream` data source points at `otsd`. The secret travels in
// the environment, never on a command line.
async function otsyncDataDir(otsd) {
  const dir = tempDir('otsync-pipeline-');
  mustSucceed(await runOtsync([
    'datasource', 'add', 'otsstream', '--data-dir', dir, '--type', 'ots', '--endpoint', otsd.endpoint,
    '--instance', h.DEFAULT_INSTANCE, '--access-id', ACCESS_KEY.id, '--replace',
  ], { env: { OTSYNC_ACCESS_KEY: ACCESS_KEY.secret } }), 'datasource add');
  return dir;
}

// Writes `job` (an object) as a script file in `dir`; returns its path.
let jobCounter = 0;
function writeJob(dir, job) {
  const file = path.join(dir, `job-${++jobCounter}.json`);
  fs.writeFileSync(file, JSON.stringify(job, null, 2));
  return file;
}

// The seed's script shape: otsstream reader, `writer` given, window in epoch millis.
function streamJob({ table, statusTable, start, end, writer, speed = {}, errorLimit, maxRetries = 3 }) {
  const job = {
    type: 'job',
    version: '1.0',
    configuration: {
      reader: {
        plugin: 'otsstream',
        parameter: {
          datasource: 'otsstream',
          dataTable: table,
          statusTable,
          startTimestampMillis: String(start),
          endTimestampMillis: String(end),
          maxRetries,
          isExportSequenceInfo: false,
        },
      },
      writer,
      setting: { speed: { concurrent: 2, ...speed } },
    },
  };
  if (errorLimit !== undefined) job.configuration.setting.errorLimit = errorLimit;
  return job;
}

// otsd's "now" in epoch millis (the stamp its writes get).
function otsdNow() {
  return Date.now() + OTSD_OFFSET_MS;
}

// A window that contains every write made so far and later in this test: it starts 45 minutes
// ago (15 before otsd's clock) and ends 10 minutes ago (the reader wants end <= now - 5 min).
function wholeWindow() {
  const now = Date.now();
  return { start: now - 45 * 60 * 1000, end: now - 10 * 60 * 1000 };
}

// An otsd-time instant strictly between the writes before and after the call.
async function boundary() {
  await h.sleep(30);
  const b = otsdNow();
  await h.sleep(30);
  return b;
}

async function createStreamTable(client, table) {
  await h.createTable(client, table, [{ name: 'id', type: 'STRING' }], { maxVersions: 1 },
    { streamSpecification: { enableStream: true, expirationTime: 24 } });
}

// Puts `count` rows id0000.. with `columns` string attributes of `valueBytes` characters each,
// in BatchWriteRow requests of 100 rows; `tag` makes the values of one phase differ from another.
async function putRows(client, table, { from = 0, count, columns = 2, valueBytes = 16, tag = 'v' }) {
  for (let i = from; i < from + count; i += 100) {
    const rows = [];
    for (let j = i; j < Math.min(i + 100, from + count); j++) {
      const attributeColumns = [];
      for (let c = 0; c < columns; c++) {
        const base = `${tag}-${j}-${c}-`;
        attributeColumns.push({ [`c${c}`]: base + 'x'.repeat(Math.max(0, valueBytes - base.length)) });
      }
      rows.push({
        type: 'PUT',
        condition: h.IGNORE(),
        primaryKey: [{ id: `id${String(j).padStart(6, '0')}` }],
        attributeColumns,
      });
    }
    const result = await client.batchWriteRow({ tables: [{ tableName: table, rows }] });
    for (const row of result.tables) {
      if (!row.isOk) throw new Error(`batchWriteRow failed: ${row.errorCode} ${row.errorMessage}`);
    }
  }
}

async function deleteRows(client, table, ids) {
  for (const id of ids) {
    await client.deleteRow({
      tableName: table, condition: h.IGNORE(), primaryKey: [{ id: `id${String(id).padStart(6, '0')}` }],
    });
  }
}

// The admin operation of the fault front (otsd --fault-injection), signed with the admin key.
async function injectFaults(otsd, plan) {
  const body = Buffer.from(JSON.stringify(plan));
  const r = await h.signedPost(otsd.endpoint, '_otsd/admin/InjectFaults', body, { key: ADMIN_KEY });
  if (r.status !== 200) throw new Error(`InjectFaults: HTTP ${r.status} ${r.body.toString('latin1')}`);
  return JSON.parse(r.body.toString('utf8'));
}

async function faultStats(otsd) {
  const r = await h.signedPost(otsd.endpoint, '_otsd/admin/FaultStats', Buffer.from('{}'), { key: ADMIN_KEY });
  if (r.status !== 200) throw new Error(`FaultStats: HTTP ${r.status}`);
  return JSON.parse(r.body.toString('utf8'));
}

// Every row of a reader status table (DataX's layout: StreamId, StatusType, StatusValue).
async function statusTableRows(client, statusTable) {
  const { rows } = await h.scanAll(client, {
    tableName: statusTable,
    direction: h.TableStore.Direction.FORWARD,
    inclusiveStartPrimaryKey: [{ StreamId: h.TableStore.INF_MIN }, { StatusType: h.TableStore.INF_MIN },
      { StatusValue: h.TableStore.INF_MIN }],
    exclusiveEndPrimaryKey: [{ StreamId: h.TableStore.INF_MAX }, { StatusType: h.TableStore.INF_MAX },
      { StatusValue: h.TableStore.INF_MAX }],
    maxVersions: 1,
  });
  return rows;
}

// Lines of otsync's stdout (stream writer), sorted: the multiset of rows.
function sortedLines(text) {
  return text.split('\n').filter((l) => l.length > 0).sort();
}

// The warehouse query as CSV lines (header first).
async function warehouseCsv(dataDir, sql) {
  const run = mustSucceed(await runOtsync(['warehouse', 'query', '--data-dir', dataDir, '--format', 'csv', sql]),
    'warehouse query');
  return run.stdout.replace(/\r/g, '').split('\n').filter((l) => l.length > 0);
}

module.exports = {
  h,
  OTSD_CLOCK_OFFSET,
  ACCESS_KEY,
  ADMIN_KEY,
  tempDir,
  removeDir,
  rng,
  runOtsync,
  mustSucceed,
  otsyncDataDir,
  writeJob,
  streamJob,
  otsdNow,
  wholeWindow,
  boundary,
  createStreamTable,
  putRows,
  statusTableRows,
  deleteRows,
  injectFaults,
  faultStats,
  sortedLines,
  warehouseCsv,
};
