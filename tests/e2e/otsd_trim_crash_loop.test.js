'use strict';
// otsd killed while it trims expired stream records (docs/reliability.md): the retention
// counterpart of otsd_crash_loop.test.js, which runs with the background trim off.
//
// One data directory for the whole run and a table whose stream keeps records for one hour.
// Trial i starts otsd with its clock STEP_MINUTES further ahead than trial i-1's (--clock-offset)
// or, at seeded trials, BACK_MINUTES behind it (every row is written once, so a clock going back
// cannot put a new cell version behind an older one, while the stream's timestamps must still
// increase per shard across the restart). It checks the stream, writes new rows (batches and
// single puts), reads the stream again, at seeded trials splits or merges a shard, and runs a
// trim pass (`otsd admin trim`, --trim-interval=0: no background pass). The pass is where otsd
// dies: at a kill point of a shard's trim (stream.trim.before_commit or .after_commit, at a
// seeded hit), by SIGKILL at a seeded delay while the pass runs, or after a pass that finished
// (then checked before the kill). As the clock gains STEP_MINUTES most trials, passes have
// records to drop, and closed shards expire whole and go.
//
// The check, after every restart and after every pass that finished, with the known records (key,
// timestamp, shard) of every earlier read:
//  - every shard reads, from its trim horizon, a suffix of the records it had: nothing missing
//    in the middle, nothing reordered, nothing new, nothing twice;
//  - no record that was inside the retention when a pass began is gone (its cutoff is at most the
//    clock after the pass returned or died, minus the hour), and a shard is gone only when all its
//    records and its closing are older than that;
//  - every record older than the cutoff of a pass that finished is gone and stays gone (its
//    cutoff is at least the clock before the pass began, minus the hour), and so is a closed shard
//    wholly older; an iterator saved at such a record answers OTSTrimmedDataAccess;
//  - every row written is still there (retention drops records, never rows).
//
// OTSD_TRIM_CRASH_TRIALS (default 12), OTSD_TRIM_CRASH_SEED. The seed fixes the choices, not the
// timing; a failure names its seed and trial.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore } = h;

const TRIALS = Number(process.env.OTSD_TRIM_CRASH_TRIALS || 12);
const SEED = Number(process.env.OTSD_TRIM_CRASH_SEED || 20261207);
const TABLE = 'trim';
const EXPIRATION_HOURS = 1;
const STEP_MINUTES = 20;
const BACK_MINUTES = 10;
const BACK_CHANCE = 0.2;
const BATCHES_PER_TRIAL = 4;
const BATCH_ROWS = 8;
const PUTS_PER_TRIAL = 6;
const KILL_POINT_WAIT_MS = 10000;
const HOUR_US = 3600e6;
const TRIMMED = 'Requested stream data is already trimmed or does not exist.';

let otsd;
after(async () => {
  if (otsd) await otsd.dispose();
});

// The clock of an otsd started with --clock-offset=`offsetMinutes`m (µs), read from this
// process's clock at `nowMs`.
function otsdMicros(offsetMinutes, nowMs) {
  return (nowMs + offsetMinutes * 60000) * 1000;
}

test('stream trimming across kill -9: nothing retained is lost, nothing trimmed comes back', { timeout: 600000 }, async (t) => {
  const random = h.rng(SEED);
  const withKillPoints = await h.killPointsCompiledIn();
  otsd = new h.Otsd();
  h.enableStreamApis();
  let client = null;
  let streamId = null;

  const known = new Map(); // key -> {timestamp, rowIndex, shard}
  const byShard = new Map(); // shard id -> [key] in read order
  const closedBefore = new Map(); // closed shard id -> an upper bound of its closing time (µs)
  let liveFloor = -Infinity; // records at or after it were inside the retention of every pass
  let goneBelow = -Infinity; // records before it were outside the retention of a finished pass
  const savedIterators = []; // {shard, iterator, key}: at a record, for the trimmed-iterator check
  const usedKeys = new Set();
  const figures = { trials: 0, recordsWritten: 0, passesFinished: 0, killsAtPoints: 0, killsWhileTrimming: 0, killsAfterPass: 0, clockSteppedBack: 0, trimmedSeen: 0, shardsRemoved: 0 };
  const problems = [];
  const problem = (trial, what) => problems.push(`seed ${SEED} trial ${trial}: ${what}`);

  const newKey = () => {
    for (;;) {
      const key = `k${Math.floor(random() * 0x100000000).toString(16).padStart(8, '0')}`;
      if (!usedKeys.has(key)) {
        usedKeys.add(key);
        return key;
      }
    }
  };

  // Reads every shard from its trim horizon and checks the invariants above. With `written`
  // (the keys written since the last check, all acknowledged), those must appear once each, after
  // the suffix of what a shard had; they are added to the known records.
  const check = async (trial, label, written = []) => {
    // Every shard from its trim horizon, parents first: in each, sequence info strictly
    // increases, and a child's first record comes after its parents' last ones.
    const { shards, records } = await h.readStreamByLineage(client, streamId);
    for (const found of h.checkShardSequences(shards, records)) problem(trial, `${label}: ${found}`);
    const present = new Set(shards.map((s) => s.shardId));
    const pending = new Set(written);
    for (const s of shards) {
      const read = records.get(s.shardId);
      const had = byShard.get(s.shardId) || [];
      const keys = read.records.map((r) => r.primaryKey[0].value);
      // The records it had that are still there: a suffix, starting where the first one read is.
      let first = keys.length > 0 ? had.indexOf(keys[0]) : had.length;
      if (first < 0) first = had.length; // nothing it had is left: all that is read must be new
      const kept = had.slice(first);
      for (let i = 0; i < keys.length; ++i) {
        const key = keys[i];
        const record = read.records[i];
        if (i < kept.length) {
          if (key !== kept[i]) {
            problem(trial, `${label}: shard ${s.shardId} reads ${key} where it had ${kept[i]} (position ${first + i})`);
            break;
          }
          const k = known.get(key);
          if (k.timestamp !== record.sequence.timestamp || k.rowIndex !== record.sequence.rowIndex) {
            problem(trial, `${label}: ${key} has sequence ${JSON.stringify(record.sequence)}, was ${JSON.stringify(k)}`);
          }
        } else if (pending.delete(key)) {
          const last = had.length > 0 ? known.get(had[had.length - 1]) : null;
          if (last && !(record.sequence.timestamp > last.timestamp ||
              (record.sequence.timestamp === last.timestamp && record.sequence.rowIndex > last.rowIndex))) {
            problem(trial, `${label}: new ${key} of shard ${s.shardId} has sequence ${JSON.stringify(record.sequence)}, not after its last record's ${JSON.stringify(last)}`);
          }
          known.set(key, { timestamp: record.sequence.timestamp, rowIndex: record.sequence.rowIndex, shard: s.shardId });
          had.push(key);
        } else {
          problem(trial, `${label}: shard ${s.shardId} reads ${key}, ${known.has(key) ? `read before at its position ${had.indexOf(key)} of shard ${known.get(key).shard}` : 'never written'}`);
        }
      }
      if (keys.length < kept.length) problem(trial, `${label}: shard ${s.shardId} lost ${kept.length - keys.length} records at its end (${kept[keys.length]} first)`);
      byShard.set(s.shardId, had);
      for (let i = 0; i < first; ++i) {
        if (known.get(had[i]).timestamp >= liveFloor) problem(trial, `${label}: ${had[i]} of shard ${s.shardId} is gone, inside the retention of every pass`);
      }
      for (const key of kept.slice(0, keys.length)) {
        if (known.get(key).timestamp < goneBelow) problem(trial, `${label}: ${key} of shard ${s.shardId} is read, older than the cutoff of a finished pass`);
      }
    }
    for (const key of pending) problem(trial, `${label}: the acknowledged write of ${key} has no record`);
    for (const [shard, keys] of byShard) {
      if (present.has(shard)) continue;
      const closed = closedBefore.get(shard);
      const newest = Math.max(closed === undefined ? Infinity : closed, ...keys.map((k) => known.get(k).timestamp));
      if (newest >= liveFloor) problem(trial, `${label}: shard ${shard} is gone, but it was open or had records inside the retention of every pass`);
    }
    for (const [shard, closed] of closedBefore) {
      if (!present.has(shard)) continue;
      const keys = byShard.get(shard) || [];
      const newest = Math.max(closed, ...keys.map((k) => known.get(k).timestamp));
      if (newest < goneBelow) problem(trial, `${label}: closed shard ${shard} is still there, wholly older than the cutoff of a finished pass`);
    }
    for (const saved of savedIterators) {
      if (known.get(saved.key).timestamp >= goneBelow || saved.checked) continue;
      try {
        await client.makeRequest('getStreamRecord', { shardIterator: saved.iterator, limit: 1 });
        problem(trial, `${label}: an iterator at trimmed ${saved.key} still reads`);
      } catch (err) {
        if (!String(err.message).includes('OTSTrimmedDataAccess') || !String(err.message).includes(TRIMMED)) {
          problem(trial, `${label}: an iterator at trimmed ${saved.key}: ${err.message}`);
        }
        figures.trimmedSeen += 1;
      }
      saved.checked = true;
    }
    const { rows } = await h.scanAll(client, {
      tableName: TABLE, direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
    });
    const expectedRows = known.size + pending.size;
    if (rows.length !== expectedRows) problem(trial, `${label}: ${rows.length} rows, ${expectedRows} written`);
    return shards;
  };

  let shards = [];
  let lastPassMs = 20;
  let offsetMinutes = 0;
  for (let trial = 1; trial <= TRIALS; ++trial) {
    figures.trials = trial;
    const mode = !withKillPoints ? (random() < 0.8 ? 'sigkill' : 'finish')
      : ['stream.trim.before_commit', 'stream.trim.after_commit', 'sigkill', 'finish'][Math.floor(random() * 4)];
    const hit = 1 + Math.floor(random() * 2);
    const killDelay = Math.floor(random() * lastPassMs * 1.5);
    if (trial > 1) {
      const back = random() < BACK_CHANCE;
      offsetMinutes += back ? -BACK_MINUTES : STEP_MINUTES;
      if (back) figures.clockSteppedBack += 1;
    }
    otsd.extraArgs = ['--durability=wal', '--trim-interval=0', `--clock-offset=${offsetMinutes}m`];
    otsd.env = mode.startsWith('stream.') ? { OTSD_KILL_POINT: `${mode}:${hit}` } : {};
    await otsd.start();
    client = otsd.client();
    if (trial === 1) {
      await h.createTable(client, TABLE, [{ name: 'k', type: 'STRING' }], {},
        { streamSpecification: { enableStream: true, expirationTime: EXPIRATION_HOURS } });
      streamId = (await client.describeTable({ tableName: TABLE })).streamDetails.streamId;
    } else {
      shards = await check(trial, 'after the restart');
    }

    // Writes, then a read that learns where their records are.
    const written = [];
    for (let b = 0; b < BATCHES_PER_TRIAL; ++b) {
      const rows = [];
      for (let r = 0; r < BATCH_ROWS; ++r) {
        const key = newKey();
        written.push(key);
        rows.push({ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ k: key }], attributeColumns: [{ trial }, { pad: 'x'.repeat(40) }] });
      }
      const reply = await client.batchWriteRow({ tables: [{ tableName: TABLE, rows }] });
      for (const row of reply.tables) assert.equal(row.isOk, true, `trial ${trial}: a batch row failed: ${JSON.stringify(row.error)}`);
    }
    for (let p = 0; p < PUTS_PER_TRIAL; ++p) {
      const key = newKey();
      written.push(key);
      await client.putRow({ tableName: TABLE, condition: h.IGNORE(), primaryKey: [{ k: key }], attributeColumns: [{ trial }] });
    }
    figures.recordsWritten += written.length;
    shards = await check(trial, 'after the writes', written);
    if (trial === 1) {
      const shard = shards[0].shardId;
      const iterator = (await client.makeRequest('getShardIterator', { streamId, shardId: shard })).shardIterator;
      savedIterators.push({ shard, iterator, key: byShard.get(shard)[0] });
    }

    // A split of an open shard (at the median of its keys) every third trial, a merge of two open
    // siblings the next.
    const open = shards.filter((s) => !closedBefore.has(s.shardId));
    if (trial % 3 === 1 && trial > 1 && open.length < 4) {
      const target = open[Math.floor(random() * open.length)];
      const keys = (byShard.get(target.shardId) || []).slice().sort();
      const splitKey = keys.length >= 2 ? keys[Math.floor(keys.length / 2)] : null;
      if (splitKey !== null && splitKey !== keys[0]) {
        await h.adminCall(otsd, 'SplitShard', { table: TABLE, shard_id: target.shardId, key: splitKey });
        closedBefore.set(target.shardId, otsdMicros(offsetMinutes, Date.now() + 1));
      }
    } else if (trial % 3 === 2 && open.length >= 2) {
      const description = (await h.describeStreamAll(client, streamId)).shards;
      const siblings = description.filter((s) => s.parentId !== undefined && !closedBefore.has(s.shardId));
      const pair = siblings.filter((s) => s.parentId === siblings[0].parentId);
      if (pair.length === 2) {
        await h.adminCall(otsd, 'MergeShards', { table: TABLE, shard_a: pair[0].shardId, shard_b: pair[1].shardId });
        for (const s of pair) closedBefore.set(s.shardId, otsdMicros(offsetMinutes, Date.now() + 1));
      }
    }

    // The trim pass, and the kill.
    const begun = Date.now();
    const pass = h.withOutcomeDeadline(h.adminCall(otsd, 'Trim', {}));
    let killer = null;
    if (mode === 'sigkill') killer = h.sleep(killDelay).then(() => otsd.kill9());
    let stats = null;
    try {
      stats = await pass;
    } catch (err) {
      if (err.status !== undefined) throw new Error(`seed ${SEED} trial ${trial}: the trim pass answered ${err.message}`);
    }
    const ended = Date.now();
    liveFloor = Math.max(liveFloor, otsdMicros(offsetMinutes, ended + 1) - EXPIRATION_HOURS * HOUR_US);
    if (killer) await killer;
    if (stats !== null) {
      // Answered, so committed: its cutoff holds from now on, across the kill too.
      lastPassMs = Math.max(5, ended - begun);
      goneBelow = Math.max(goneBelow, otsdMicros(offsetMinutes, begun) - EXPIRATION_HOURS * HOUR_US);
      figures.passesFinished += 1;
      figures.shardsRemoved += stats.shards_removed;
    }
    if (stats !== null && otsd.child) {
      // No kill yet (a kill point armed for a later hit than came, or none armed).
      shards = await check(trial, 'after a finished pass');
      await otsd.kill9();
    } else if (stats === null && mode.startsWith('stream.')) {
      const exit = await otsd.waitForExit(KILL_POINT_WAIT_MS);
      assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, `seed ${SEED} trial ${trial}: otsd at ${mode}:${hit}`);
      figures.killsAtPoints += 1;
    } else if (stats === null) {
      figures.killsWhileTrimming += 1;
    } else {
      figures.killsAfterPass += 1;
    }
    if (problems.length > 0) break;
  }
  // The last check, on a clean start.
  otsd.env = {};
  otsd.extraArgs = ['--durability=wal', '--trim-interval=0', `--clock-offset=${offsetMinutes + STEP_MINUTES}m`];
  await otsd.start();
  client = otsd.client();
  await check(TRIALS + 1, 'at the end');

  t.diagnostic(JSON.stringify(figures));
  assert.deepEqual(problems, []);
  if (TRIALS >= 8) {
    // Long enough for every kind of check to have come (the CI sample has 24 trials).
    assert.ok(figures.passesFinished > 0, 'some pass finished, so that its cutoff was checked');
    assert.ok(figures.trimmedSeen > 0, 'the saved iterator was seen trimmed');
    if (withKillPoints) assert.ok(figures.killsAtPoints > 0, 'some kill came at a trim kill point');
  }
});
