'use strict';
// Issue 4, "data past retention: the specified error". A chain of two windows of `otsync run`
// (otsstream reader -> stream writer) over a table whose stream keeps 24 h of records:
//  - window 1 ends between two batches of writes, so its published end checkpoint is an
//    iterator that points at the first record of the second batch (not the caught-up end);
//  - otsd is restarted on the same data dir with its clock 25 h further on and the admin Trim
//    runs a pass at once: every record (both batches) is past retention and goes;
//  - window 2 starts from that checkpoint, which now points into trimmed data. GetStreamRecord
//    answers OTSTrimmedDataAccess (docs/datax-semantics.md §3.3 and §8, DataX issue #609: not
//    retried, the job fails), and
//    otsync exits 1 with the reader's error naming the shard, the window and the retention, and
//    publishes no checkpoint for window 2. No secret is printed.
//
// The reader checks its window rules (start >= now - 24 h + 10 min, end <= now - 5 min) with the
// real clock, while otsd's clock is first 30 minutes behind (writes stamped "now - 30 min") and
// then 24 h 30 min ahead (so those writes are 25 h old). Both windows lie between now - 45 min and
// now - 10 min of the real clock: the rules pass for both, and only the trimmed data fails.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./pipeline_lib');

const { h } = L;
const TABLE = 'src';
const STATUS = 'status_chain';
const FIRST_ROWS = 40;
const SECOND_ROWS = 30;
// -30 min (pipeline_lib's offset) + 25 h.
const OTSD_CLOCK_OFFSET_LATER = '--clock-offset=1470m';

let otsd;
let dataDir;
let window1;
let window2;
let shardId;

// Rows of the status table whose StatusValue is for a window ending at `end`: the job row
// ("DataxJobDesc", fmt16(end)) and the checkpoints ("CheckpointForDataxReader", fmt16(end)\tshard).
async function windowEndRows(statusTable, end) {
  const rows = await L.statusTableRows(otsd.client(), statusTable);
  const key = String(end).padStart(16, ' ');
  return rows.map(h.pkOf).filter((pk) =>
    (pk.StatusType === 'DataxJobDesc' && pk.StatusValue === key)
    || (pk.StatusType === 'CheckpointForDataxReader' && pk.StatusValue.startsWith(`${key}\t`)));
}

function stdoutJob(statusTable, w) {
  return L.streamJob({
    table: TABLE, statusTable, start: w.start, end: w.end, maxRetries: 2,
    writer: { plugin: 'stream', parameter: { print: true } },
  });
}

// The reader's window text: yyyyMMddHHmmss in its default zone, Asia/Shanghai (UTC+8, no DST).
function compactShanghai(millis) {
  const d = new Date(millis + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`
    + `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// otsd's port changes on a restart: point the data source at the new endpoint.
async function repointDataSource() {
  L.mustSucceed(await L.runOtsync([
    'datasource', 'add', 'otsstream', '--data-dir', dataDir, '--type', 'ots', '--endpoint', otsd.endpoint,
    '--instance', h.DEFAULT_INSTANCE, '--access-id', L.ACCESS_KEY.id, '--replace',
  ], { env: { OTSYNC_ACCESS_KEY: L.ACCESS_KEY.secret } }), 'datasource add (new endpoint)');
}

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET, '--trim-interval=0'] });
  h.enableStreamApis();
  const client = otsd.client();
  await L.createStreamTable(client, TABLE);
  const streamId = (await client.describeTable({ tableName: TABLE })).streamDetails.streamId;
  const { shards } = await h.describeStreamAll(client, streamId);
  assert.equal(shards.length, 1);
  shardId = shards[0].shardId;

  const start = Date.now() - 45 * 60 * 1000;
  await L.putRows(client, TABLE, { count: FIRST_ROWS, tag: 'first' });
  const b = await L.boundary();
  await L.putRows(client, TABLE, { from: FIRST_ROWS, count: SECOND_ROWS, tag: 'second' });
  window1 = { start, end: b };
  window2 = { start: b, end: Date.now() - 10 * 60 * 1000 };
  dataDir = await L.otsyncDataDir(otsd);
});

after(async () => {
  if (otsd) await otsd.dispose();
});

test('a window whose start checkpoint was trimmed: exit 1, the reader\'s error, no checkpoint, no secret', async (t) => {
  // Window 1: the first batch only; its end checkpoint points at the first record of the second.
  const run1 = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(STATUS, window1)), '--data-dir', dataDir]),
    'window 1');
  const lines1 = L.sortedLines(run1.stdout);
  assert.equal(lines1.length, FIRST_ROWS * 3, 'one DR and two U per put of the first batch');
  assert.ok(lines1.every((l) => Number(l.slice(2, 8)) < FIRST_ROWS && !l.includes('second-')),
    'no record of the second batch in window 1');
  const published = await windowEndRows(STATUS, window1.end);
  assert.deepEqual(published.map((pk) => pk.StatusType).sort(), ['CheckpointForDataxReader', 'DataxJobDesc'],
    'window 1 published its job row and the checkpoint of the one shard');

  // 25 h later on otsd's clock, and a trim pass: both batches are past the 24 h retention.
  otsd.extraArgs = [OTSD_CLOCK_OFFSET_LATER, '--trim-interval=0'];
  assert.deepEqual(await otsd.restart(), { code: 0, signal: null });
  const stats = await h.adminCall(otsd, 'Trim', {});
  assert.deepEqual(stats, { shards_trimmed: 1, shards_removed: 0 }, 'the open shard loses its records');
  await repointDataSource();

  // Window 2 starts from window 1's checkpoint, which points into the trimmed records.
  const run2 = await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(STATUS, window2)), '--data-dir', dataDir]);
  t.diagnostic(run2.stderr.trim().split('\n').slice(-3).join(' | '));
  assert.equal(run2.code, 1, `exit status\n${run2.stderr.slice(-3000)}`);
  assert.doesNotMatch(run2.stderr, /Job completed successfully/);
  assert.equal(L.sortedLines(run2.stdout).length, 0, 'no row printed for window 2');
  const windowText = `[${compactShanghai(window2.start)}, ${compactShanghai(window2.end)}) Asia/Shanghai`;
  assert.match(run2.stderr, new RegExp(
    `otsstream: shard ${escapeRegExp(shardId)} of window ${escapeRegExp(windowText)}: `
    + 'the stream no longer holds the records to read \\(its retention is 24 hours\\); '
    + 'export a later window or start a new chain'));
  // OTSTrimmedDataAccess and its meaning, as the service words it.
  assert.match(run2.stderr, /OTSTrimmedDataAccess: Requested stream data is already trimmed or does not exist\./);
  assert.deepEqual(await windowEndRows(STATUS, window2.end), [], 'no job row or checkpoint for window 2');
  assert.equal((await windowEndRows(STATUS, window1.end)).length, 2, 'window 1\'s checkpoints are untouched');
  assert.doesNotMatch(run2.stdout + run2.stderr + run1.stdout + run1.stderr, new RegExp(escapeRegExp(L.ACCESS_KEY.secret)));

  // The message's advice holds: a new chain (another status table) reads window 2 from the
  // oldest retained record, where nothing of the window is left.
  const fresh = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob('status_fresh', window2)), '--data-dir', dataDir]),
    'window 2 in a new chain');
  assert.deepEqual(L.sortedLines(fresh.stdout), []);
  assert.equal((await windowEndRows('status_fresh', window2.end)).length, 2);
});
