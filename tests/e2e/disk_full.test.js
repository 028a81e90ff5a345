// Faults from the disk (docs/reliability.md, "A full file system"): otsd's data directory and the
// warehouse each on a small tmpfs this test mounts and fills. otsd's disk is filled by another
// process to less than otsd keeps free (--min-free-space): a write is refused with an error that
// says the disk is full; otsd keeps serving reads of everything already stored; nothing
// acknowledged is lost and nothing refused becomes visible, also after a restart; once space
// returns, writes succeed again without a restart. otsd's disk is also filled to its last byte
// with the check off, as a disk filled between two of its measurements: the space otsd holds in
// reserve (--reserved-space) goes to RocksDB's write under way, otsd stays up, and the same holds.
// The warehouse's disk is filled to its last
// byte: an `otsync run` into it fails naming the cause and leaves the warehouse whole (`otsync
// warehouse check`), its checkpoints unpublished; once space returns, the rerun of the window
// commits it exactly once.
//
// Mounting needs root (or CAP_SYS_ADMIN); where the test cannot mount, it says so and skips.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');

const { h } = L;

function mountTmpfs(dir, bytes) {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir) {
  try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch (_) { /* not mounted */ }
}

function canMount() {
  const dir = L.tempDir('mount-probe-');
  try {
    mountTmpfs(dir, 1 << 20);
    unmount(dir);
    return true;
  } catch (_) {
    return false;
  } finally {
    L.removeDir(dir);
  }
}

// otsd keeps 32 MiB free; the filler leaves 8 MiB, room for what RocksDB has under way.
const MIN_FREE_MIB = 32;
const LEFT_FREE_MIB = 8;

const SKIP = canMount() ? false : 'mounting a tmpfs needs root (or CAP_SYS_ADMIN) on this machine';

// Fills the file system of `dir` with `dir/filler` to its last byte, then gives `leave` bytes
// back; returns the filler's size.
function fill(dir, leave = 0) {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let total = 0;
  try {
    for (;;) total += fs.writeSync(fd, chunk);
  } catch (err) {
    if (err.code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  if (leave > 0) {
    total = Math.max(0, total - leave);
    fs.truncateSync(filler, total);
  }
  return total;
}

const WHOLE_TABLE = {
  tableName: 'full_t',
  direction: h.TableStore.Direction.FORWARD,
  inclusiveStartPrimaryKey: [{ id: h.TableStore.INF_MIN }],
  exclusiveEndPrimaryKey: [{ id: h.TableStore.INF_MAX }],
  maxVersions: 1,
  limit: 1000,
};

function freeSpace(dir) {
  fs.rmSync(path.join(dir, 'filler'), { force: true });
}

// One otsd on a tmpfs of `diskBytes`, started with `args`; the file system is then filled by
// another process, leaving `leaveBytes`. Writes go on until one is refused: the refusal must be a
// 503 whose message matches `refusal`; while full, writes are refused and reads return every
// acknowledged row; once the filler is gone writes succeed again without a restart; after a
// kill -9 and a restart every acknowledged write is there with exactly one stream record, and
// nothing of a refused one.
function fullDiskScenario({ args, diskBytes, leaveBytes, valueBytes, refusal }) {
  let otsd;
  let disk;
  before(async () => {
    otsd = new h.Otsd({ args: [L.OTSD_CLOCK_OFFSET, ...args] });
    disk = path.join(otsd.root, 'disk');
    fs.mkdirSync(disk);
    mountTmpfs(disk, diskBytes);
    otsd.dataDir = path.join(disk, 'data');
    await otsd.start();
  });
  after(async () => {
    if (otsd) await otsd.kill9();
    if (disk) unmount(disk);
    if (otsd) await otsd.dispose();
  });

  return async (t) => {
    let client = otsd.client();
    await L.createStreamTable(client, 'full_t');
    const value = (i) => `value-${i}-${'x'.repeat(valueBytes)}`;
    const put = (i) => client.putRow({
      tableName: 'full_t', condition: h.IGNORE(), primaryKey: [{ id: `k${String(i).padStart(6, '0')}` }],
      attributeColumns: [{ v: value(i) }],
    });
    const acknowledged = new Set();
    const refused = new Set();
    for (let i = 0; i < 200; i++) {
      await put(i);
      acknowledged.add(i);
    }

    const filled = fill(disk, leaveBytes);
    let firstRefusal = null;
    let next = 200;
    for (; next < 200 + 4000 && firstRefusal === null; next++) {
      try {
        await put(next);
        acknowledged.add(next);
      } catch (err) {
        firstRefusal = err;
        refused.add(next);
      }
    }
    t.diagnostic(`filled ${filled} bytes; ${acknowledged.size} writes acknowledged before the first refusal: ` +
                 `${firstRefusal && firstRefusal.code} ${firstRefusal && firstRefusal.message}`);
    assert.ok(firstRefusal, 'a write is refused once the disk is full');
    assert.equal(firstRefusal.code, 503, `a full disk is a temporary refusal: ${firstRefusal.message}\n` +
                 `--- otsd stderr ---\n${otsd.stderr.slice(-3000)}`);
    assert.match(String(firstRefusal.message), refusal, 'the error says the disk is full, how full and where');

    // Full: further writes are refused the same way; reads of what was acknowledged go on.
    for (let i = 0; i < 5; i++, next++) {
      await h.expectOtsError(put(next), 503, 'OTSServerUnavailable');
      refused.add(next);
    }
    for (const i of [0, 100, Math.max(...acknowledged)]) {
      const got = await client.getRow({ tableName: 'full_t', primaryKey: [{ id: `k${String(i).padStart(6, '0')}` }] });
      assert.equal(h.attrsOf(got.row).v, value(i), `row ${i} reads while the disk is full`);
    }
    const { rows } = await h.scanAll(client, WHOLE_TABLE);
    assert.equal(rows.length, acknowledged.size, 'a range read sees every acknowledged row and no refused one');

    // Space returns: writes succeed again, without a restart.
    freeSpace(disk);
    let resumed = false;
    const deadline = Date.now() + 30000;
    while (!resumed && Date.now() < deadline) {
      try {
        await put(next);
        acknowledged.add(next);
        resumed = true;
      } catch (err) {
        assert.equal(err.code, 503, `while recovering: ${err.message}`);
        refused.add(next);
        await h.sleep(200);
      }
      next += 1;
    }
    assert.ok(resumed, 'writes succeed within 30 s of space returning');
    for (let i = 0; i < 50; i++, next++) {
      await put(next);
      acknowledged.add(next);
    }

    // After a kill -9 and a restart: every acknowledged write with exactly one stream record,
    // nothing of a refused one.
    await otsd.restart({ kill: true });
    client = otsd.client();
    const after = await h.scanAll(client, WHOLE_TABLE);
    const present = new Set(after.rows.map((r) => Number(h.pkOf(r).id.slice(1))));
    for (const i of acknowledged) assert.ok(present.has(i), `acknowledged row ${i} is there after the restart`);
    for (const i of refused) assert.ok(!present.has(i), `refused row ${i} is not there`);
    const streamId = (await client.describeTable({ tableName: 'full_t' })).streamDetails.streamId;
    const { order, records } = await h.readStreamByLineage(client, streamId, { limit: 1000 });
    const counts = new Map();
    for (const id of order) {
      for (const record of records.get(id).records) {
        const key = Number(record.primaryKey[0].value.slice(1));
        counts.set(key, (counts.get(key) || 0) + 1);
      }
    }
    for (const i of acknowledged) assert.equal(counts.get(i), 1, `row ${i} has exactly one stream record`);
    for (const i of refused) assert.equal(counts.get(i), undefined, `refused row ${i} has no stream record`);
  };
}

describe('otsd on a full file system', { skip: SKIP }, () => {
  // otsd keeps 32 MiB free; the filler leaves 8 MiB; otsd notices within 100 ms.
  const scenario = fullDiskScenario({
    args: [`--min-free-space=${MIN_FREE_MIB}m`, '--reserved-space=8m'],
    diskBytes: 160 * 1024 * 1024,  // RocksDB preallocates some 70 MiB of log at its start.
    leaveBytes: LEFT_FREE_MIB * 1024 * 1024,
    valueBytes: 2000,
    refusal: /otsd's disk is full: \d+ bytes free in .*, fewer than the \d+ kept free/,
  });
  it('refuses writes with a clear error, keeps serving reads, loses nothing acknowledged and writes again once space returns', { timeout: 180000 }, scenario);
});

describe('otsd on a disk filled to its last byte behind its back', { skip: SKIP }, () => {
  // No free-space check: the filler takes every byte at once, so RocksDB itself meets the full
  // disk, in the middle of a write. The tmpfs is too small for RocksDB's preallocation of its log,
  // so each write needs new blocks. The 8 MiB reserve goes to the write under way; the writes
  // after it are refused until the reserve fits again.
  const scenario = fullDiskScenario({
    args: ['--min-free-space=0', '--reserved-space=8m'],
    diskBytes: 48 * 1024 * 1024,
    leaveBytes: 0,
    valueBytes: 16000,
    refusal: /otsd's disk is full: \d+ bytes free in .*; the 8388608 bytes it held in reserve \(--reserved-space\) went to the writes under way/,
  });
  it('gives its reserve to the write under way, stays up, refuses writes until the reserve fits again and loses nothing acknowledged', { timeout: 180000 }, scenario);
});

describe('otsync run into a full warehouse', { skip: SKIP }, () => {
  let otsd;
  let dataDir;
  let warehouse;
  const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];
  before(async () => {
    otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
    const client = otsd.client();
    await L.createStreamTable(client, 'src');
    await L.putRows(client, 'src', { count: 3000, columns: 3, valueBytes: 300, tag: 'full' });
    dataDir = await L.otsyncDataDir(otsd);
    warehouse = path.join(dataDir, 'warehouse');
    fs.mkdirSync(warehouse);
    mountTmpfs(warehouse, 16 * 1024 * 1024);
    L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
      'dest(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)']),
    'create-table');
  });
  after(async () => {
    if (warehouse) unmount(warehouse);
    if (dataDir) L.removeDir(dataDir);
    if (otsd) await otsd.dispose();
  });

  it('fails naming the full disk, leaves the warehouse whole, and the rerun commits the window once', { timeout: 180000 }, async (t) => {
    const window = L.wholeWindow();
    const job = L.writeJob(dataDir, L.streamJob({
      table: 'src', statusTable: 'full_status', start: window.start, end: window.end,
      writer: { plugin: 'odps', parameter: { datasource: 'odps_first', table: 'dest', partition: 'pt=w0', truncate: false, column: COLUMNS } },
    }));
    // The job files live in the data directory, beside (not inside) the warehouse.
    const filled = fill(warehouse);
    const failed = await L.runOtsync(['run', job, '--data-dir', dataDir], { timeoutMs: 120000 });
    t.diagnostic(`filled ${filled} bytes; the run exited ${failed.code}: ${failed.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    assert.notEqual(failed.code, 0, 'the run fails');
    assert.match(failed.stderr, /No space left on device/, 'the error names the cause');
    assert.match(failed.stderr, new RegExp(warehouse.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'and where');

    freeSpace(warehouse);
    const check = L.mustSucceed(await L.runOtsync(['warehouse', 'check', '--data-dir', dataDir]), 'warehouse check');
    t.diagnostic(check.stdout.trim());
    const before = await L.warehouseCsv(dataDir, "SELECT count(*) AS n FROM dest WHERE pt = 'w0'");
    assert.deepEqual(before, ['n', '0'], 'nothing of the failed run is visible');

    L.mustSucceed(await L.runOtsync(['run', job, '--data-dir', dataDir], { timeoutMs: 120000 }), 'the rerun');
    // Each PutRow of three columns is a row delete (DR) and three puts (U).
    const rows = await L.warehouseCsv(dataDir,
      "SELECT count(*) AS n, count(*) FILTER (WHERE optype = 'U') AS puts, count(DISTINCT id || '/' || colname) FILTER (WHERE optype = 'U') AS cells " +
      "FROM dest WHERE pt = 'w0'");
    assert.deepEqual(rows, ['n,puts,cells', '12000,9000,9000'], 'every change of the window exactly once');
    const again = await L.runOtsync(['run', job, '--data-dir', dataDir], { timeoutMs: 120000 });
    assert.equal(again.code, 0, `a third run recognises the committed window: ${again.stderr.slice(-500)}`);
    assert.deepEqual(await L.warehouseCsv(dataDir, "SELECT count(*) AS n FROM dest WHERE pt = 'w0'"), ['n', '12000']);
  });
});
