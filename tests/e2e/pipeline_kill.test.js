'use strict';
// Invariant 4 and issue 5 "across a kill -9 at random points": `otsync run` (otsstream reader ->
// odps writer into the DuckDB warehouse) is SIGKILLed at seeded random moments, then run again.
// After the rerun, the destination equals what one clean run leaves, and the next window then
// continues the chain with nothing lost and nothing twice — for truncate true ("Insert
// Overwrite", one partition per window) and false ("Insert Into", every window appended to one
// partition).
//
// Three windows W0 | W1 | W2 over puts, overwrites and deletes. A reference chain runs them
// cleanly. Each killed chain (its own status table, its own partitions) runs every window as:
// a run killed after a random delay, the rerun, the comparison with the reference. The rate
// limit stretches a run over about a second, so that the kills land before, during and after
// the reading, during the commit and after it. OTSYNC_KILL_SEED changes the seed.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./pipeline_lib');

const { h } = L;
const TABLE = 'src';
const SEED = Number(process.env.OTSYNC_KILL_SEED || 20240611);
const CHAINS_PER_MODE = 4;  // x 3 windows x 2 modes = 24 kills.
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];

let otsd;
let windows;  // [{start, end}] x 3
const lanes = {};  // mode -> {dataDir}

function partitionOf(mode, chain, k) {
  return mode === 'overwrite' ? `pt=${chain}_w${k}` : `pt=${chain}`;
}

function job(mode, chain, k) {
  return L.streamJob({
    table: TABLE,
    statusTable: `status_${mode}_${chain}`,
    start: windows[k].start,
    end: windows[k].end,
    maxRetries: 2,
    speed: { mbps: 0.25, concurrent: 2 },
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

// Every row of the chain's partitions, the partition value renamed to the window, sorted.
async function dump(mode, chain) {
  const rows = await L.warehouseCsv(lanes[mode].dataDir,
    `SELECT pt, ${COLUMNS.join(', ')} FROM dest WHERE pt = '${chain}' OR pt LIKE '${chain}\\_w%' ESCAPE '\\' ` +
    `ORDER BY ALL`);
  return rows.slice(1).map((line) => line.replace(new RegExp(`^"?${chain}`), 'CHAIN')).sort();
}

async function runWindow(mode, chain, k, options = {}) {
  return L.runOtsync(['run', L.writeJob(lanes[mode].dataDir, job(mode, chain, k)), '--data-dir',
    lanes[mode].dataDir], options);
}

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  const client = otsd.client();
  await L.createStreamTable(client, TABLE);
  const whole = L.wholeWindow();
  // W0: 900 new rows. W1: 300 overwritten, 200 new, 40 deleted. W2: 300 overwritten again,
  // 20 deleted, 300 new.
  await L.putRows(client, TABLE, { from: 0, count: 900, columns: 2, valueBytes: 40, tag: 'a' });
  const b1 = await L.boundary();
  await L.putRows(client, TABLE, { from: 600, count: 500, columns: 2, valueBytes: 40, tag: 'b' });
  await L.deleteRows(client, TABLE, Array.from({ length: 40 }, (_, i) => i * 7));
  const b2 = await L.boundary();
  await L.putRows(client, TABLE, { from: 100, count: 300, columns: 2, valueBytes: 40, tag: 'c' });
  await L.deleteRows(client, TABLE, Array.from({ length: 20 }, (_, i) => 1000 + i));
  await L.putRows(client, TABLE, { from: 1100, count: 300, columns: 2, valueBytes: 40, tag: 'd' });
  windows = [{ start: whole.start, end: b1 }, { start: b1, end: b2 }, { start: b2, end: whole.end }];

  for (const mode of ['overwrite', 'append']) {
    const dataDir = await L.otsyncDataDir(otsd);
    L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
      'dest(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)']),
    'create-table');
    lanes[mode] = { dataDir };
  }
});

after(async () => {
  if (otsd) await otsd.dispose();
});

for (const mode of ['overwrite', 'append']) {
  test(`kill -9 at seeded random points, truncate ${mode === 'overwrite'}: each rerun leaves exactly one clean run's rows and the chain continues`, async (t) => {
    // The reference chain, and how long each of its windows takes.
    const reference = [];
    const durations = [];
    for (let k = 0; k < windows.length; k++) {
      const run = L.mustSucceed(await runWindow(mode, 'ref', k), `reference W${k}`);
      durations.push(run.ms);
      reference.push(await dump(mode, 'ref'));
    }
    assert.ok(reference[0].length > 2000, `W0 holds the puts (${reference[0].length} rows)`);
    assert.ok(reference[2].length > reference[1].length || mode === 'overwrite');
    t.diagnostic(`seed ${SEED}; clean window runs: ${durations.map((d) => Math.round(d)).join(', ')} ms`);

    const random = L.rng(SEED + (mode === 'overwrite' ? 0 : 1000));
    const outcomes = { killed: 0, finished: 0, recognised: 0 };
    for (let chain = 0; chain < CHAINS_PER_MODE; chain++) {
      const name = `c${chain}`;
      for (let k = 0; k < windows.length; k++) {
        // Up to 1.2x a clean run: some kills land after the commit or after the whole job.
        const delay = Math.floor(random() * durations[k] * 1.2);
        const killed = await runWindow(mode, name, k, { killAfterMs: delay });
        if (killed.signal === 'SIGKILL') {
          outcomes.killed += 1;
        } else {
          outcomes.finished += 1;
          assert.equal(killed.code, 0, `${name} W${k}: a run that was not killed must succeed\n${killed.stderr.slice(-2000)}`);
          // A reference run slowed by a busy machine stretches the delays past most runs; a run
          // that finished first is the better measure of how long this window takes now.
          durations[k] = Math.min(durations[k], killed.ms);
        }
        const rerun = L.mustSucceed(await runWindow(mode, name, k), `${name} W${k} rerun after a kill at ${delay} ms`);
        if (/already holds/.test(rerun.stderr)) outcomes.recognised += 1;
        assert.deepEqual(await dump(mode, name), reference[k],
          `${name} W${k} (kill at ${delay} ms, seed ${SEED}): the destination equals one clean run\n${rerun.stderr.slice(-1500)}`);
      }
    }
    t.diagnostic(`${outcomes.killed} runs killed, ${outcomes.finished} finished before their kill, ` +
      `${outcomes.recognised} reruns found the window already committed`);
    assert.ok(outcomes.killed >= 6, `at least half of the runs were really killed (${outcomes.killed})`);
  });
}
