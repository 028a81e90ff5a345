'use strict';
// Issue 4, "faults injected into otsd": `otsync run` (otsstream reader -> stream / txtfile
// writer) against an otsd started with --fault-injection, whose GetStreamRecord answers are
// replaced, as the admin operation _otsd/admin/InjectFaults arms them, by 503 OTSServerBusy, a
// hang that ends in a closed connection, or a connection dropped without a response.
//  - Fewer consecutive faults than maxRetries: the job retries and prints exactly the rows of a
//    run without faults, and its checkpoints are published.
//  - More consecutive faults than maxRetries: exit status 1, a message that names the error, and
//    no end checkpoint of the window in the status table (the next run can redo the window).
//  - An answer damaged in flight (one byte of its body flipped, x-ots-contentmd5 left as the
//    service sent it; the reader does not check that MD5, as DataX's Java SDK does not by
//    default): the rows' PlainBuffer decoding (lengths, tags, CRC-8 checksums) refuses it and the
//    reader asks again, as DataX retries the SDK's ClientException: one damaged answer costs a
//    retry and the job prints exactly the clean rows; answers damaged every time fail the job
//    once maxRetries is used up, naming the damage, with no damaged row printed and no checkpoint
//    published.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');

const { h } = L;
const TABLE = 'src';
const ROWS = 600;
const DELETED = [3, 7, 11];

let otsd;
let dataDir;
let window;
let reference;  // Sorted stream-writer lines of a run without faults.

// Rows of the status table (DataX layout: StreamId, StatusType, StatusValue) whose checkpoint
// is for a window ending at `end`: "CheckpointForDataxReader", fmt16(end) + "\t" + shard.
async function endCheckpoints(statusTable, end) {
  const rows = await L.statusTableRows(otsd.client(), statusTable);
  const prefix = String(end).padStart(16, ' ');
  return rows.filter((row) => {
    const pk = h.pkOf(row);
    return pk.StatusType === 'CheckpointForDataxReader' && pk.StatusValue.startsWith(prefix);
  });
}

function stdoutJob(statusTable, maxRetries) {
  return L.streamJob({
    table: TABLE, statusTable, start: window.start, end: window.end, maxRetries,
    writer: { plugin: 'stream', parameter: { print: true } },
  });
}

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET, '--fault-injection'] });
  const client = otsd.client();
  await L.createStreamTable(client, TABLE);
  await L.putRows(client, TABLE, { count: ROWS, columns: 2, valueBytes: 24 });
  await L.deleteRows(client, TABLE, DELETED);
  window = L.wholeWindow();
  dataDir = await L.otsyncDataDir(otsd);

  const clean = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob('status_clean', 3)), '--data-dir', dataDir]),
    'clean run');
  reference = L.sortedLines(clean.stdout);
  // One DR and two U per put, one DR per delete.
  assert.equal(reference.length, ROWS * 3 + DELETED.length);
  assert.equal((await L.faultStats(otsd)).injected, 0);
});

after(async () => {
  if (otsd) await otsd.dispose();
});

test('busy, hung and dropped GetStreamRecord answers are retried: the stream writer prints exactly the clean rows', async () => {
  // Five consecutive faults on the first GetStreamRecord calls, maxRetries 6.
  await L.injectFaults(otsd, {
    seed: 4,
    faults: [
      { api: 'GetStreamRecord', kind: 'busy', count: 2 },
      { api: 'GetStreamRecord', kind: 'drop', count: 2 },
      { api: 'GetStreamRecord', kind: 'hang', count: 1, hang_ms: 300 },
    ],
  });
  const before = (await L.faultStats(otsd)).injected;
  const run = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob('status_busy', 6)), '--data-dir', dataDir]),
    'run with faults');
  const stats = await L.faultStats(otsd);
  assert.equal(stats.injected - before, 5, 'every armed fault fired');
  assert.deepEqual(L.sortedLines(run.stdout), reference);
  assert.match(run.stderr, /Job completed successfully/);
  assert.equal((await endCheckpoints('status_busy', window.end)).length > 0, true,
    'the end checkpoints are published after a successful run');
});

test('seeded random drops and 503s across the whole read: the txtfile writer writes exactly the clean rows', async (t) => {
  // Every GetStreamRecord (and the shard iterators) faulted with probability 0.4, at most 12
  // times; maxRetries 10 outlasts any run of consecutive faults the seed can produce.
  await L.injectFaults(otsd, {
    seed: 20240611,
    faults: [
      { api: 'GetStreamRecord', kind: 'drop', count: 6, probability: 0.4 },
      { api: 'GetShardIterator', kind: 'busy', count: 2, probability: 0.5 },
      { api: 'GetStreamRecord', kind: 'busy', count: 6, probability: 0.4 },
    ],
  });
  const before = (await L.faultStats(otsd)).injected;
  const outDir = L.tempDir('otsync-txt-');
  const job = L.streamJob({
    table: TABLE, statusTable: 'status_txt', start: window.start, end: window.end, maxRetries: 10,
    writer: {
      plugin: 'txtfile',
      parameter: { path: outDir, fileName: 'rows', writeMode: 'truncate', fileFormat: 'text', fieldDelimiter: '\t' },
    },
  });
  const run = L.mustSucceed(await L.runOtsync(['run', L.writeJob(dataDir, job), '--data-dir', dataDir]),
    'txtfile run with faults');
  const fired = (await L.faultStats(otsd)).injected - before;
  assert.ok(fired >= 1, 'the seeded plan injected faults');
  t.diagnostic(`${fired} faults injected`);
  const files = fs.readdirSync(outDir).filter((f) => f.startsWith('rows'));
  assert.ok(files.length >= 1, `txtfile wrote no file (${run.stderr.slice(-2000)})`);
  const text = files.map((f) => fs.readFileSync(path.join(outDir, f), 'utf8')).join('');
  // The txtfile writer's nulls are "\N" where the stream writer prints "null".
  const lines = L.sortedLines(text.replace(/\\N/g, 'null'));
  assert.deepEqual(lines, reference);
  L.removeDir(outDir);
  await L.injectFaults(otsd, { faults: [] });
});

test('more consecutive faults than maxRetries: exit 1, a clear message, no checkpoint published', async (t) => {
  for (const kind of ['busy', 'drop']) {
    const statusTable = `status_fail_${kind}`;
    await L.injectFaults(otsd, { faults: [{ api: 'GetStreamRecord', kind, count: 1000 }] });
    const before = (await L.faultStats(otsd)).injected;
    const run = await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(statusTable, 2)), '--data-dir', dataDir]);
    await L.injectFaults(otsd, { faults: [] });
    const fired = (await L.faultStats(otsd)).injected - before;
    assert.equal(run.code, 1, `${kind}: exit status\n${run.stderr.slice(-3000)}`);
    assert.equal(fired, 3, `${kind}: the first attempt and maxRetries = 2 retries, then it gives up`);
    assert.match(run.stderr, kind === 'busy' ? /OTSServerBusy/ : /GetStreamRecord|connection|network|closed|reset/i);
    assert.doesNotMatch(run.stderr, /Job completed successfully/);
    t.diagnostic(`${kind}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(L.ACCESS_KEY.secret));
    assert.deepEqual(await endCheckpoints(statusTable, window.end), [],
      `${kind}: no end checkpoint of the failed window`);

    // Nothing was published, so the same window runs again, whole.
    const rerun = L.mustSucceed(
      await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(statusTable, 2)), '--data-dir', dataDir]),
      `${kind}: rerun without faults`);
    assert.deepEqual(L.sortedLines(rerun.stdout), reference);
  }
});

test('an answer damaged in flight is refused by the rows\' PlainBuffer decoding and asked for again: exactly the clean rows, checkpoints published', async () => {
  const statusTable = 'status_corrupt_once';
  await L.injectFaults(otsd, { faults: [{ api: 'GetStreamRecord', kind: 'corrupt', count: 1 }] });
  const before = (await L.faultStats(otsd)).corrupt;
  const run = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(statusTable, 2)), '--data-dir', dataDir]),
    'one damaged answer');
  await L.injectFaults(otsd, { faults: [] });
  assert.equal((await L.faultStats(otsd)).corrupt - before, 1, 'one answer damaged');
  // Sorted lines equal: no row lost, none printed twice, none damaged.
  assert.deepEqual(L.sortedLines(run.stdout), reference);
  assert.notDeepEqual(await endCheckpoints(statusTable, window.end), [], 'end checkpoints published');
});

test('answers damaged every time: exit 1 naming the damage once maxRetries is used up, no damaged row, no checkpoint; the rerun prints exactly the clean rows', async (t) => {
  const statusTable = 'status_corrupt';
  await L.injectFaults(otsd, { faults: [{ api: 'GetStreamRecord', kind: 'corrupt', count: 1000 }] });
  const before = (await L.faultStats(otsd)).corrupt;
  const run = await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(statusTable, 2)), '--data-dir', dataDir]);
  await L.injectFaults(otsd, { faults: [] });
  assert.equal(run.code, 1, `exit status\n${run.stderr.slice(-3000)}`);
  // The failing shard's first attempt and maxRetries = 2 retries; other shards' readers may have
  // drawn damaged answers too before the job stopped.
  assert.ok((await L.faultStats(otsd)).corrupt - before >= 3, 'the first attempt and 2 retries damaged');
  // Where the flipped byte lands decides the message: a cell's value (a checksum mismatch) or its
  // framing (a length or tag the PlainBuffer decoder refuses).
  assert.match(run.stderr,
    /GetStreamRecord response: record: (Cell data broken, checksum is mismatch|Invalid PlainBuffer)/);
  assert.doesNotMatch(run.stderr, /Job completed successfully/);
  t.diagnostic(run.stderr.trim().split('\n').filter((line) => /PlainBuffer|checksum/.test(line))[0] || '');
  const cleanRows = new Set(reference);
  const printed = L.sortedLines(run.stdout);
  assert.ok(printed.length < reference.length, 'the damaged answers\' rows are not all printed');
  for (const line of printed) assert.ok(cleanRows.has(line), `a row not in the clean run: ${line}`);
  assert.deepEqual(await endCheckpoints(statusTable, window.end), [], 'no end checkpoint');

  const rerun = L.mustSucceed(
    await L.runOtsync(['run', L.writeJob(dataDir, stdoutJob(statusTable, 2)), '--data-dir', dataDir]),
    'rerun without faults');
  assert.deepEqual(L.sortedLines(rerun.stdout), reference);
});
