'use strict';
// otsd after kill -9 (docs/reliability.md): a seeded crash loop, the counterpart of the
// warehouse's (warehouse_crash_loop.test.js) for the server itself.
//
// One data directory for the whole run. Every trial starts otsd on it (--durability=wal or sync:
// both promise that an acknowledged write survives a kill -9 of the process), checks everything
// written so far, runs the keyed write load of harness.js (puts, updates, deletes, batches; new
// keys every trial and the old ones overwritten), at seeded trials splits or merges a stream shard
// under that load, and is killed: either by SIGKILL after a random delay, or by otsd itself at a
// named kill point of its write path or of a split/merge (OTSD_KILL_POINT, compiled into test
// builds: base/kill_point.h), at a random hit. Every third trial first kills otsd while it starts
// (at a seeded fraction of its last start's duration: in RocksDB's recovery of the log the last
// kill left, the stream log's loading, the reserved space) and then starts it again. The check
// after every restart:
//  - every acknowledged write has its stream record, in issue order per key, exactly once; a write
//    in flight at the kill has at most one record (none when its connection was refused), and
//    what a check found of it (applied or not) stays so in every later check;
//  - no stream record twice, none of a write never issued;
//  - in every shard, sequence info (timestamp, row index) strictly increases in read order, and a
//    child shard's records come after its parents';
//  - a row exists exactly when its key's last record is a put or update, holding that record's
//    token;
//  - every shard survives, an acknowledged split or merge is there, and one killed before (after)
//    its metadata commit is absent (present); a kill after a write's commit leaves that
//    unanswered write there.
// Records are read incrementally (the iterators of the previous check, across the restart); the
// whole stream is read and matched again after trials 10, 20, 40, 80, ..., every 200th and the
// last (so that a long run's full checks cost about as much as its trials).
//
// OTSD_CRASH_TRIALS (kills, default 8), OTSD_CRASH_SEED; with OTSD_CRASH_REPORT=FILE the figures
// and every trial are written to FILE as JSON after every trial and at the end. The seed fixes the
// choices (durability, kill kind, point, hit, delays, splits and merges), not the timing: a
// failure names its seed and trial, and the run that shows it again is the same seed with at
// least that many trials.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const h = require('./harness');
const { TableStore } = h;

const TRIALS = Number(process.env.OTSD_CRASH_TRIALS || 8);
const SEED = Number(process.env.OTSD_CRASH_SEED || 20261203);
const TABLE = 'crash';
const WRITERS = 6;
const FIRST_KEYS = 120;
const NEW_KEYS_PER_TRIAL = 6;
const KEY_WIDTH = 5;
const RESHAPE_CHANCE = 0.3;
const MAX_OPEN_SHARDS = 5;
// How long a trial waits for otsd to reach its armed kill point before killing it anyway.
const KILL_POINT_WAIT_MS = 10000;
const WRITE_POINT_MAX_HIT = 120;
const KILL_POINTS = [
  'store.write.before_commit',
  'store.write.after_commit',
  'stream.reshape.before_commit',
  'stream.reshape.after_commit',
];
const RESHAPE_POINTS = new Set(['stream.reshape.before_commit', 'stream.reshape.after_commit']);
const FULL = {
  tableName: TABLE, direction: TableStore.Direction.FORWARD,
  inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
};

let otsd;
after(async () => {
  if (otsd) await otsd.dispose();
});

function fullCheckAfter(trial) {
  const tens = trial / 10;
  return trial === TRIALS || trial % 200 === 0 || (Number.isInteger(tens) && (tens & (tens - 1)) === 0);
}

function writeReport(report) {
  const file = process.env.OTSD_CRASH_REPORT;
  if (!file) return;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...report, at: new Date().toISOString() }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

// Starts `server` and SIGKILLs it `delayMs` later, whether or not it serves by then. Resolves
// whether it had printed its serving line, and how it exited.
async function killWhileStarting(server, delayMs) {
  let served = false;
  const starting = server.start().then(() => { served = true; }, () => {});
  await h.sleep(delayMs);
  const exit = await server.kill9();
  await starting;
  return { served, exit };
}

// A write that failed at the kill has no answer; an answered error is a finding.
function failedByTheKill(err) {
  return err.code === 'NetworkingError' || /no answer: in flight at the kill|ECONNRESET|ECONNREFUSED|socket hang up/.test(String(err.message));
}

// The open shards' key ranges, as the harness last knew them (null: INF_MIN / INF_MAX).
class ShardModel {
  constructor(firstShard) {
    this.shards = new Map([[firstShard, { start: null, end: null, open: true }]]);
  }

  open() {
    return [...this.shards].filter(([, s]) => s.open).map(([id, s]) => ({ id, ...s }))
      .sort((a, b) => (a.start === null ? -1 : b.start === null ? 1 : a.start < b.start ? -1 : 1));
  }

  // A split or merge of the open shards, or null when none can be made.
  plan(random, keyCount) {
    const open = this.open();
    if (open.length >= 2 && (open.length >= MAX_OPEN_SHARDS || random() < 0.4)) {
      const i = Math.floor(random() * (open.length - 1));
      return { kind: 'merge', parents: [open[i].id, open[i + 1].id] };
    }
    const shard = open[Math.floor(random() * open.length)];
    const inside = [];
    for (let i = 0; i < keyCount; i++) {
      const key = h.streamLoadKey(i, KEY_WIDTH);
      if ((shard.start === null || key > shard.start) && (shard.end === null || key < shard.end)) inside.push(key);
    }
    if (inside.length === 0) return null;
    return { kind: 'split', parents: [shard.id], key: inside[Math.floor(random() * inside.length)] };
  }

  // Takes in the shards otsd lists now; `reshapes` are the splits and merges asked for since the
  // last call. Returns the problems found.
  reconcile(listed, reshapes) {
    const problems = [];
    const ids = new Set(listed.map((s) => s.shardId));
    for (const id of this.shards.keys()) if (!ids.has(id)) problems.push(`shard ${id} is gone`);
    for (const s of listed) {
      if (this.shards.has(s.shardId)) continue;
      const parent = this.shards.get(s.parentId);
      if (!parent) {
        problems.push(`shard ${s.shardId} has an unknown parent ${s.parentId}`);
        continue;
      }
      if (s.parentSiblingId !== undefined) {
        const sibling = this.shards.get(s.parentSiblingId);
        if (!sibling) {
          problems.push(`shard ${s.shardId} has an unknown parent sibling ${s.parentSiblingId}`);
          continue;
        }
        this.shards.set(s.shardId, { start: parent.start, end: sibling.end, open: true });
        sibling.open = false;
      } else {
        const split = reshapes.find((r) => r.kind === 'split' && r.parents[0] === s.parentId);
        if (!split) {
          problems.push(`shard ${s.shardId}: a split of ${s.parentId} that was never asked for`);
          continue;
        }
        // Children are listed in creation order, the lower range first.
        const lower = ![...this.shards.values()].some((c) => c.parent === s.parentId);
        this.shards.set(s.shardId, lower
          ? { start: parent.start, end: split.key, open: true, parent: s.parentId }
          : { start: split.key, end: parent.end, open: true, parent: s.parentId });
      }
      parent.open = false;
    }
    for (const r of reshapes) {
      const children = listed.filter((s) => s.parentId === r.parents[0] &&
        (r.kind === 'merge' ? s.parentSiblingId === r.parents[1] : s.parentSiblingId === undefined));
      r.applied = children.length > 0;
      if (r.acked && JSON.stringify(children.map((c) => c.shardId)) !== JSON.stringify(r.children)) {
        problems.push(`the acknowledged ${r.kind} of ${r.parents.join('+')} made ${JSON.stringify(r.children)}, otsd lists ${JSON.stringify(children.map((c) => c.shardId))}`);
      }
      if (r.killedAt === 'stream.reshape.before_commit' && r.applied) {
        problems.push(`the ${r.kind} killed before its metadata commit is there`);
      }
      if (r.killedAt === 'stream.reshape.after_commit' && !r.applied) {
        problems.push(`the ${r.kind} killed after its metadata commit is missing`);
      }
    }
    return problems;
  }
}

test(`${TRIALS} kill -9s of otsd under a write load, at random moments and at its kill points, lose, duplicate and reorder nothing`, { timeout: 6 * 3600 * 1000 }, async (t) => {
  const started = Date.now();
  const random = h.rng(SEED);
  const pointsCompiledIn = await h.killPointsCompiledIn();
  if (!pointsCompiledIn) t.diagnostic('this otsd has no kill points: every kill is at a random moment');
  const figures = {
    seed: SEED, trials: TRIALS, done: 0, otsd: process.env.OTSD_BIN, killPointsCompiledIn: pointsCompiledIn,
    durability: { wal: 0, sync: 0 }, randomKills: 0, pointKills: {}, pointMissed: {},
    splits: 0, merges: 0, reshapesAcked: 0, reshapesInFlightApplied: 0, reshapesInFlightLost: 0,
    ackedWrites: 0, inFlightWrites: 0, refusedWrites: 0, inFlightApplied: 0, inFlightLost: 0,
    startupKills: { beforeServing: 0, afterServing: 0 },
    checks: 0, fullChecks: 0, keys: 0, rows: 0, recordsRead: 0, problems: 0, ms: 0,
  };
  for (const point of KILL_POINTS) { figures.pointKills[point] = 0; figures.pointMissed[point] = 0; }
  const trials = [];
  const report = (finished) => writeReport({ ...figures, ms: Date.now() - started, finished, trialsRun: trials });

  otsd = new h.Otsd();
  const ops = new Map(); // key -> every write ever issued to it (harness.startStreamLoad's ops)
  const processStart = []; // trial -> Date.now() in µs just before its otsd started
  let lastStartMs = 50; // how long the last start took until otsd served
  let streamId;
  let model;
  let reshapes = []; // asked for since the last check
  // Incremental reading and matching state, carried from check to check.
  let iterators = new Map();
  let lastSeen = new Map();
  let cursors = new Map();
  let lastRecord = new Map();

  // A record of a write of trial n carries a timestamp from the life of trial n's otsd.
  const belongsTo = (op, record) => record.timestamp >= processStart[op.tag] &&
    (processStart[op.tag + 1] === undefined || record.timestamp < processStart[op.tag + 1]);

  const check = async (full) => {
    const client = otsd.client();
    const problems = [];
    const { shards } = await h.describeStreamAll(client, streamId);
    problems.push(...model.reconcile(shards, reshapes));
    for (const r of reshapes) {
      if (!r.acked) figures[r.applied ? 'reshapesInFlightApplied' : 'reshapesInFlightLost'] += 1;
    }
    reshapes = [];
    if (full) {
      iterators = new Map();
      lastSeen = new Map();
      cursors = new Map();
      lastRecord = new Map();
    }
    const read = await h.readStreamByLineage(client, streamId, { limit: 1000, from: iterators });
    problems.push(...h.checkShardSequences(read.shards, read.records, lastSeen));
    for (const [id, r] of read.records) iterators.set(id, r.closed ? null : r.iterator);
    const all = read.order.flatMap((id) => read.records.get(id).records);
    const got = h.streamOpsByKey(all, { withTimestamp: true });
    for (const key of got.keys()) if (!ops.has(key)) problems.push(`records of key ${key}, never written`);
    let applied = 0;
    let lost = 0;
    for (const [key, keyOps] of ops) {
      const cursor = { op: (cursors.get(key) || { op: 0 }).op, record: 0 };
      const match = h.matchKeyLog(keyOps, got.get(key) || [], { cursor, belongsTo });
      if (match.problem) problems.push(`key ${key}: ${match.problem}`);
      for (const { op, applied: yes } of match.resolved) {
        if (yes && /ECONNREFUSED/.test(op.failure)) problems.push(`key ${key}: the write ${op.tok} (trial ${op.tag}) was refused at connect, yet applied`);
        op.state = yes ? 'applied' : 'lost';
        if (yes) applied += 1; else lost += 1;
      }
      cursors.set(key, { op: match.cursor.op });
      if (match.last !== undefined) lastRecord.set(key, match.last);
    }
    // After the matching above, which a full check runs for seconds without yielding.
    const { rows } = await h.readRetryingIdleClose(() => h.scanAll(client, FULL));
    const present = new Map(rows.map((r) => [h.pkOf(r).k, h.attrsOf(r).tok]));
    for (const key of present.keys()) if (!ops.has(key)) problems.push(`row ${key}, never written`);
    for (const key of ops.keys()) {
      const last = lastRecord.get(key);
      const want = last === undefined || last.action === 'D' ? undefined : last.tok;
      if (present.get(key) !== want) problems.push(`row ${key} holds ${present.get(key)}, its last record says ${want}`);
    }
    figures.checks += 1;
    if (full) figures.fullChecks += 1;
    figures.inFlightApplied += applied;
    figures.inFlightLost += lost;
    figures.keys = ops.size;
    figures.rows = rows.length;
    figures.recordsRead += all.length;
    figures.problems += problems.length;
    return { full, records: all.length, rows: rows.length, inFlightApplied: applied, inFlightLost: lost, problems: problems.slice(0, 20) };
  };

  const failWith = (trial, what, problems) => {
    report(false);
    assert.fail(`seed ${SEED} trial ${trial}: ${what}:\n  ${problems.join('\n  ')}\n` +
      `(again: OTSD_CRASH_SEED=${SEED} OTSD_CRASH_TRIALS=${trial + 1}; the seed fixes the choices, not the timing)\n` +
      `--- otsd stderr ---\n${otsd.stderr.slice(-3000)}`);
  };

  for (let trial = 0; trial <= TRIALS; trial++) {
    const last = trial === TRIALS;
    const entry = { trial };
    // This trial's choices, all drawn here so that a trial's draws do not depend on timing.
    const durability = (Math.floor(trial / 2) + Math.floor(trial / 8)) % 2 === 0 ? 'wal' : 'sync';
    const point = pointsCompiledIn && trial % 2 === 1 ? KILL_POINTS[Math.floor(trial / 2) % KILL_POINTS.length] : null;
    const hit = point === null ? 0 : RESHAPE_POINTS.has(point) ? 1 : 1 + Math.floor(random() * WRITE_POINT_MAX_HIT);
    const killDelay = 150 + Math.floor(random() * 1350);
    const reshapeWanted = (point !== null && RESHAPE_POINTS.has(point)) || random() < RESHAPE_CHANCE;
    const reshapeDelay = Math.floor(random() * (point === null ? killDelay : 800));
    const reshapeDraws = [random(), random(), random()];
    const loadSeed = Math.floor(random() * 2 ** 31);
    const startupKill = trial > 0 && trial % 3 === 1;
    const startupKillFraction = random();

    otsd.extraArgs = [`--durability=${durability}`, '--trim-interval=0'];
    processStart[trial] = Date.now() * 1000;
    if (startupKill) {
      const delayMs = Math.floor(startupKillFraction * lastStartMs);
      otsd.env = {};
      const killed = await killWhileStarting(otsd, delayMs);
      entry.startupKill = { delayMs, served: killed.served };
      figures.startupKills[killed.served ? 'afterServing' : 'beforeServing'] += 1;
      if (!killed.exit || killed.exit.signal !== 'SIGKILL') {
        failWith(trial, 'killed while starting', [`otsd exited with ${JSON.stringify(killed.exit)}, not by SIGKILL`]);
      }
    }
    otsd.env = last || point === null ? {} : { OTSD_KILL_POINT: `${point}:${hit}` };
    const startBegan = Date.now();
    await otsd.start();
    lastStartMs = Date.now() - startBegan;
    if (trial === 0) {
      const client = otsd.client();
      await h.createTable(client, TABLE, [{ name: 'k', type: 'STRING' }], {},
        { streamSpecification: { enableStream: true, expirationTime: 24 } });
      streamId = (await client.describeTable({ tableName: TABLE })).streamDetails.streamId;
      model = new ShardModel((await h.describeStreamAll(client, streamId)).shards[0].shardId);
    } else {
      const checked = await check(fullCheckAfter(trial));
      const killed = trials[trial - 1];
      // The write that reached store.write.after_commit was committed and never answered.
      if (killed.kill === 'store.write.after_commit' && killed.pointReached && checked.inFlightApplied === 0) {
        checked.problems.push('killed after a commit, yet no unanswered write is there');
        figures.problems += 1;
      }
      Object.assign(killed, { check: checked });
      if (checked.problems.length > 0) failWith(trial - 1, 'the check after the restart found', checked.problems);
    }
    if (last) break;

    figures.durability[durability] += 1;
    Object.assign(entry, { durability, kill: point === null ? 'random' : point, hit, killDelay });
    const keys = FIRST_KEYS + NEW_KEYS_PER_TRIAL * trial;
    const load = h.startStreamLoad(() => otsd.client(), TABLE, {
      writers: WRITERS, keys, seed: loadSeed, stopOnError: true, ops, tokPrefix: `t${trial}.`, tag: trial, keyWidth: KEY_WIDTH,
    });
    const loadStart = Date.now();
    let reshape = null;
    let reshapeDone = Promise.resolve();
    if (reshapeWanted) {
      let i = 0;
      const plan = model.plan(() => reshapeDraws[i++ % reshapeDraws.length], keys);
      if (plan !== null) {
        reshape = { ...plan, acked: false };
        reshapes.push(reshape);
        figures[plan.kind === 'split' ? 'splits' : 'merges'] += 1;
        reshapeDone = (async () => {
          await h.sleep(reshapeDelay);
          try {
            const body = plan.kind === 'split'
              ? { table: TABLE, shard_id: plan.parents[0], key: plan.key }
              : { table: TABLE, shard_a: plan.parents[0], shard_b: plan.parents[1] };
            const reply = await h.withOutcomeDeadline(h.adminCall(otsd, plan.kind === 'split' ? 'SplitShard' : 'MergeShards', body));
            reshape.acked = true;
            reshape.children = plan.kind === 'split' ? reply.children : [reply.child];
            figures.reshapesAcked += 1;
          } catch (err) {
            if (err.status !== undefined) reshape.refused = err.message; // answered: a finding below
          }
        })();
      }
    }

    let exit;
    if (point === null) {
      await h.sleep(killDelay);
      exit = await otsd.kill9();
      figures.randomKills += 1;
      entry.killedAfterMs = Date.now() - loadStart;
    } else {
      exit = await otsd.waitForExit(KILL_POINT_WAIT_MS);
      entry.killedAfterMs = Date.now() - loadStart;
      if (exit === null) {
        exit = await otsd.kill9();
        figures.pointMissed[point] += 1;
        entry.pointReached = false;
      } else {
        figures.pointKills[point] += 1;
        entry.pointReached = true;
        if (reshape && RESHAPE_POINTS.has(point)) reshape.killedAt = point;
      }
    }
    await load.stop();
    await reshapeDone;
    const writes = [...ops.values()].flat().filter((o) => o.tag === trial);
    entry.acked = writes.filter((o) => o.state === 'acked').length;
    entry.inFlight = writes.length - entry.acked;
    entry.refused = writes.filter((o) => /ECONNREFUSED/.test(o.failure)).length;
    entry.reshape = reshape && { kind: reshape.kind, parents: reshape.parents, key: reshape.key, acked: reshape.acked };
    figures.ackedWrites += entry.acked;
    figures.inFlightWrites += entry.inFlight;
    figures.refusedWrites += entry.refused;
    trials.push(entry);
    const answered = load.failures.filter((e) => !failedByTheKill(e)).map((e) => `a write failed with an answer: ${e.message}`);
    if (reshape && reshape.refused) answered.push(`the ${reshape.kind} was refused: ${reshape.refused}`);
    if (exit.signal !== 'SIGKILL') answered.push(`otsd exited with ${JSON.stringify(exit)}, not by SIGKILL`);
    if (answered.length > 0) failWith(trial, 'before the kill', answered);
    figures.done = trial + 1;
    report(false);
  }

  // The restarted otsd still takes writes, and a clean stop after all this exits 0.
  await otsd.client().putRow({ tableName: TABLE, condition: h.IGNORE(), primaryKey: [{ k: 'after' }], attributeColumns: [{ tok: 'ok' }] });
  assert.deepEqual(await otsd.stop(), { code: 0, signal: null }, `clean exit; stderr tail: ${otsd.stderr.slice(-2000)}`);

  figures.ms = Date.now() - started;
  t.diagnostic(JSON.stringify(figures));
  report(true);
  assert.equal(figures.problems, 0);
  assert.ok(figures.ackedWrites > TRIALS * 20, `the load made progress (${figures.ackedWrites} acknowledged writes)`);
  if (pointsCompiledIn && TRIALS >= 2 * KILL_POINTS.length) {
    for (const p of KILL_POINTS) assert.ok(figures.pointKills[p] > 0, `the kill point ${p} was hit`);
  }
  if (TRIALS >= 8) assert.ok(figures.durability.wal > 0 && figures.durability.sync > 0, 'both durability modes ran');
  if (TRIALS >= 2) {
    assert.ok(figures.startupKills.beforeServing + figures.startupKills.afterServing > 0, 'otsd was killed while starting');
  }
});
