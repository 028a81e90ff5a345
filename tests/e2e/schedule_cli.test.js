'use strict';
// The scheduling commands of the otsync CLI (`otsync task`, `otsync backfill`, `otsync instance`)
// across processes: a real otsd, rows written with the official SDK, a real `otsync serve` whose
// instances are real `otsync run` children writing into the local warehouse, and every step taken
// through the CLI as a script or cron user would.
//
// otsd's clock runs 5 minutes behind, so a write is stamped 5 minutes in the past: the window of
// the documented Tablestore parameters for a minute cycle,
//   startTime=$[yyyymmddhh24miss-6/24/60] endTime=$[yyyymmddhh24miss-5/24/60],
// of the instance scheduled at S holds the writes made in the minute before S — and at S that
// window has just closed on otsd's clock too, as on the real service. Each instance writes the
// partition pt=$[yyyymmddhh24mi] of its scheduling minute (Insert Into, so a window written twice
// would show).
//
// Checked: no server → the clear message; `task run --at` for consecutive scheduling times, and
// the same time again, then the scheduled instance of the next minute; the warehouse holds every
// change exactly once across them (equal to one `otsync run` over the whole span); `backfill
// --dry-run` lists the exact windows and a backfill of the same past range gives the same rows;
// `instance kill` of a slow instance ends it within 10 s with its partition unchanged, `instance
// rerun` runs it again; `otsync serve` SIGKILLed mid-run and restarted loses no instance and runs
// none twice, and `instance log --follow` follows the instance to its end.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');
const S = require('./serve_lib');

const { h } = L;
const TABLE = 'orders';
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];
const MINUTE = 60 * 1000;
const PARAMETERS = 'startTime=$[yyyymmddhh24miss-6/24/60] endTime=$[yyyymmddhh24miss-5/24/60] ' +
  'pt=$[yyyymmddhh24mi]';

let otsd;
let client;
let dataDir;
let passwordFile;
let server;

// Wall clock of Asia/Shanghai (the tasks' zone): "YYYY-MM-DD HH:MM:SS".
function shanghai(ms) {
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
// The partition an instance scheduled at `ms` writes: yyyymmddhh24mi.
function partitionOf(ms) {
  return shanghai(ms).replace(/[-: ]/g, '').slice(0, 12);
}
function minuteOf(ms) {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function cli(args, options = {}) {
  return L.runOtsync([...args, '--data-dir', dataDir], { timeoutMs: 60000, ...options });
}
async function cliOk(args, what, options) {
  return L.mustSucceed(await cli(args, options), what || args.slice(0, 2).join(' '));
}
async function cliJson(args) {
  const run = await cliOk([...args, '--format', 'json']);
  return JSON.parse(run.stdout);
}

function script({ statusTable, dest, speed = {} }) {
  return {
    type: 'job',
    version: '1.0',
    configuration: {
      reader: {
        plugin: 'otsstream',
        parameter: {
          datasource: 'otsstream',
          dataTable: TABLE,
          statusTable,
          startTimeString: '${startTime}',
          endTimeString: '${endTime}',
          maxRetries: 2,
          isExportSequenceInfo: false,
        },
      },
      writer: {
        plugin: 'odps',
        parameter: { datasource: 'odps_first', table: dest, partition: 'pt=${pt}', truncate: false, column: COLUMNS },
      },
      setting: { speed: { concurrent: 1, ...speed } },
    },
  };
}

function writeScript(name, job) {
  const file = path.join(dataDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(job, null, 2));
  return file;
}

// A day cycle twelve hours from now: a task only run by hand during the test.
function farCycle() {
  const shanghaiHour = (new Date().getUTCHours() + 8) % 24;
  return `daily at ${String((shanghaiHour + 12) % 24).padStart(2, '0')}:00`;
}

// Waits until the wall clock is at least `seconds` into a minute after `after` (a minute's start)
// that has at least `room` seconds left; returns that minute's start.
async function settleInMinute(seconds, room, after = 0) {
  for (;;) {
    const now = Date.now();
    const into = (now % MINUTE) / 1000;
    if (minuteOf(now) > after && into >= seconds && 60 - into >= room) return minuteOf(now);
    const wait = minuteOf(now) > after && into < seconds ? (seconds - into) * 1000 : (60 - into + seconds) * 1000;
    await h.sleep(wait + 50);
  }
}

// Writes with the SDK and checks they all fell into `minute` (otsd stamps them 5 minutes back).
async function inOneMinute(minute, write) {
  await write();
  assert.equal(minuteOf(Date.now()), minute, 'the writes of a phase must stay inside one minute');
}

async function instances(task, extra = []) {
  return (await cliJson(['instance', 'list', task, '--limit', '1000', ...extra])).instances;
}

// Polls `check` until it returns something true; `check` may set `seen.last` for the message.
async function waitFor(what, check, seconds) {
  const deadline = Date.now() + seconds * 1000;
  const seen = { last: undefined };
  while (Date.now() < deadline) {
    const result = await check(seen);
    if (result) return result;
    await h.sleep(250);
  }
  throw new Error(`not within ${seconds} s: ${what}; last seen ${JSON.stringify(seen.last)}`);
}

async function rows(dest, where = 'TRUE') {
  const lines = await L.warehouseCsv(dataDir, `SELECT ${COLUMNS.join(', ')} FROM ${dest} WHERE ${where} ORDER BY ALL`);
  return lines.slice(1);
}

async function startServer() {
  server = await S.startServe(dataDir, ['--admin-password-file', passwordFile, '--max-running', '4']);
  return server;
}

before(async () => {
  otsd = await h.startOtsd({ args: ['--clock-offset=-5m'] });
  client = otsd.client();
  await L.createStreamTable(client, TABLE);
  dataDir = await L.otsyncDataDir(otsd);
  for (const dest of ['orders_at', 'orders_backfill', 'orders_kill', 'orders_ref']) {
    L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
      `${dest}(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)`]),
    'create-table');
  }
  passwordFile = path.join(dataDir, 'admin-password');
  fs.writeFileSync(passwordFile, `${S.PASSWORD}\n`, { mode: 0o600 });
});

after(async () => {
  await S.stopAll();
  if (otsd) await otsd.dispose();
});

test('no server running: every command says so and how to start one', async () => {
  const empty = L.tempDir('otsync-no-serve-');
  for (const args of [['task', 'list'], ['backfill', 'x', '--from', '2025-01-01 00:00', '--to', '2025-01-01 01:00']]) {
    const run = await L.runOtsync([...args, '--data-dir', empty]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, `otsync: no otsync serve is running for ${empty} (start one with: otsync serve --data-dir ${empty})\n`);
  }
});

test('tasks, consecutive runs, backfill, kill, rerun and a SIGKILLed server through the CLI', async (t) => {
  await startServer();
  const started = Date.now();

  // Phase A in minute MA, phase B in the next one (MB): 60 new rows; then 20 overwritten, 10
  // deleted, 20 new.
  const MA = await settleInMinute(1, 15);
  await inOneMinute(MA, () => L.putRows(client, TABLE, { from: 0, count: 60, tag: 'a' }));
  const MB = await settleInMinute(1, 15, MA);
  assert.equal(MB, MA + MINUTE, 'phase B in the minute after phase A');
  await inOneMinute(MB, async () => {
    await L.putRows(client, TABLE, { from: 0, count: 20, tag: 'b' });
    await L.deleteRows(client, TABLE, Array.from({ length: 10 }, (_, i) => 50 + i));
    await L.putRows(client, TABLE, { from: 60, count: 20, tag: 'b' });
  });
  const S1 = MA + MINUTE;  // Its window holds phase A; it has come: MB started.

  // --- kill: a slow instance of phase A's window, killed, rerun, the server SIGKILLed ---------
  const killScript = writeScript('kill', script({ statusTable: 'status_kill', dest: 'orders_kill', speed: { throttle: true, mbps: 0.0003 } }));
  await cliOk(['task', 'create', 'orders_kill', '--script', killScript, '--cycle', farCycle(),
    '--params', PARAMETERS, '--retries', '0']);
  const slow = await cliOk(['task', 'run', 'orders_kill', '--at', shanghai(S1), '--format', 'json']);
  const slowId = JSON.parse(slow.stdout).id;
  await waitFor('the slow instance runs', async (seen) => {
    const [instance] = await instances('orders_kill');
    seen.last = instance;
    return instance.state === 'running' && instance.progress ? instance : null;
  }, 30);
  const shown = await cliOk(['instance', 'show', String(slowId)]);
  assert.match(shown.stdout, /\| running +\|/);
  assert.match(shown.stdout, /^progress: +\d+ records, \d+ bytes, /m, 'the live progress of the running instance');
  assert.match(shown.stdout, /^log: .*orders_kill.*\.log$/m);
  await h.sleep(500);
  const killAsked = Date.now();
  const killed = await cliOk(['instance', 'kill', String(slowId), '--wait']);
  const killMs = Date.now() - killAsked;
  assert.match(killed.stdout, /killed/);
  assert.ok(killMs < 10000, `killed within 10 s (took ${killMs} ms)`);
  assert.deepEqual(await rows('orders_kill'), [], 'the killed instance left its partition as it was');
  t.diagnostic(`kill took ${killMs} ms`);

  const rerun = await cliOk(['instance', 'rerun', String(slowId)]);
  assert.match(rerun.stdout, /waiting|running/);
  await waitFor('the rerun runs', async (seen) => {
    const [instance] = await instances('orders_kill');
    seen.last = instance;
    return instance.state === 'running' && instance.startedMillis > killAsked ? instance : null;
  }, 30);
  const beforeCrash = await instances('', []);
  process.kill(server.child.pid, 'SIGKILL');
  await server.exited;
  const stale = await cli(['instance', 'list']);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /^otsync: no otsync serve is running for .*which has ended .*start one with: otsync serve --data-dir /);
  await startServer();
  const followed = await cli(['instance', 'log', String(slowId), '--follow'], { timeoutMs: 120000 });
  assert.equal(followed.code, 0, `log --follow ends with the instance, succeeded\n${followed.stdout}\n${followed.stderr}`);
  assert.match(followed.stdout, /killed|kill/i, 'the log tells of the kill');
  const afterCrash = await instances('', []);
  for (const instance of beforeCrash) {
    assert.ok(afterCrash.some((i) => i.id === instance.id), `instance ${instance.id} survived the SIGKILL`);
  }
  const killTask = afterCrash.filter((i) => i.task === 'orders_kill');
  assert.deepEqual(killTask.map((i) => [i.id, i.state]), [[slowId, 'succeeded']], 'one instance, run to its end once');

  // --- consecutive scheduling times by hand, then the scheduled minute --------------------------
  // Created after MB + 1 minute: its first scheduled instance comes later, so the times run by
  // hand have no scheduled instance.
  await waitFor('minute MB over', async () => Date.now() >= MB + MINUTE + 1000, 70);
  const S0 = MA;
  const S2 = MB + MINUTE;
  const minuteScript = writeScript('minute', script({ statusTable: 'status_minute', dest: 'orders_at' }));
  const created = await cliOk(['task', 'create', 'orders_minute', '--script', minuteScript, '--cycle', 'every minute',
    '--param', 'startTime=$[yyyymmddhh24miss-6/24/60]', '--param', 'endTime=$[yyyymmddhh24miss-5/24/60]',
    '--param', 'pt=$[yyyymmddhh24mi]', '--self-dependent']);
  assert.match(created.stdout, /Created task 'orders_minute': cycle 'minute 1 00:00-23:59'/);
  assert.match(created.stdout, /Next instance: .*, window \[/);
  const backfillScript = writeScript('backfill', script({ statusTable: 'status_backfill', dest: 'orders_backfill' }));
  await cliOk(['task', 'create', 'orders_backfill', '--script', backfillScript, '--cycle', '1m', '--params', PARAMETERS]);
  const listed = await cliOk(['task', 'list']);
  assert.match(listed.stdout, /orders_minute\s+\| minute 1 00:00-23:59 \| Asia\/Shanghai/);

  // Phase C lands in the window of the next scheduled instance (self-dependent: it runs after
  // the instances run by hand below, whose scheduling times are earlier).
  const MC = await settleInMinute(0, 5);
  await inOneMinute(MC, () => L.putRows(client, TABLE, { from: 100, count: 10, tag: 'c' }));
  const S3 = MC + MINUTE;

  // --- backfill of the past range [S0, S2 + 1 minute) ---------------------------------------------
  const from = shanghai(S0);
  const to = shanghai(S2 + MINUTE);
  const plan = await cliOk(['backfill', 'orders_backfill', '--from', from, '--to', to, '--dry-run']);
  const planLines = plan.stdout.split('\n');
  assert.match(planLines[0], new RegExp(`^Backfill of task orders_backfill over scheduling times \\[${from}, ${to}\\) \\(Asia/Shanghai\\): 3 instances, 3 to run$`));
  for (const at of [S0, S1, S2]) {
    assert.ok(plan.stdout.includes(`${shanghai(at)} | `) &&
      plan.stdout.includes(`[${shanghai(at - 6 * MINUTE)}, ${shanghai(at - 5 * MINUTE)}) | yes`), `${shanghai(at)} listed with its window\n${plan.stdout}`);
  }
  const planJson = JSON.parse((await cliOk(['backfill', 'orders_backfill', '--from', from, '--to', to, '--dry-run', '--format', 'json'])).stdout);
  assert.deepEqual(planJson.instances.map((i) => [i.schedulingEpoch * 1000, i.windowStartMillis, i.windowEndMillis]),
    [S0, S1, S2].map((at) => [at, at - 6 * MINUTE, at - 5 * MINUTE]));
  assert.equal((await instances('orders_backfill', ['--state', 'waiting'])).filter((i) => i.kind === 'backfill').length, 0, 'a dry run creates nothing');
  const startedBackfill = await cliOk(['backfill', 'orders_backfill', '--from', from, '--to', to, '--parallel', '1']);
  const backfillId = /^Backfill (\d+) of task 'orders_backfill'.*: 3 instances \(/.exec(startedBackfill.stdout);
  assert.ok(backfillId, startedBackfill.stdout);
  // Meanwhile, consecutive scheduling times by hand, S2 twice.
  const manual = [];
  for (const at of [S0, S1, S2, S2]) {
    const run = await cli(['task', 'run', 'orders_minute', '--at', shanghai(at), '--wait'], { timeoutMs: 90000 });
    assert.equal(run.code, 0, `task run --at ${shanghai(at)} --wait\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, new RegExp(`as scheduled at ${shanghai(at)} \\(Asia/Shanghai\\), window \\[${shanghai(at - 6 * MINUTE)}, ${shanghai(at - 5 * MINUTE)}\\)`));
    assert.match(run.stdout, /succeeded/);
    manual.push(run);
  }
  const phaseA = await rows('orders_at', `pt = '${partitionOf(S1)}'`);
  const phaseB = await rows('orders_at', `pt = '${partitionOf(S2)}'`);
  assert.equal(phaseA.length, 60 * 3, 'phase A: 60 puts, a DR row and two cells each');
  assert.equal(phaseB.length, 40 * 3 + 10, 'phase B: 40 puts and 10 deletes, the window run twice written once');
  assert.deepEqual(await rows('orders_at', `pt = '${partitionOf(S0)}'`), []);
  assert.deepEqual(await rows('orders_kill'), phaseA, 'the killed, rerun and restarted instance wrote its window once');

  await waitFor('the backfill finished', async () => {
    const list = await instances('orders_backfill', ['--backfill', backfillId[1]]);
    if (list.some((i) => i.state === 'failed' || i.state === 'killed')) throw new Error(JSON.stringify(list));
    return list.length === 3 && list.every((i) => i.state === 'succeeded');
  }, 90);
  for (const at of [S0, S1, S2]) {
    assert.deepEqual(await rows('orders_backfill', `pt = '${partitionOf(at)}'`), await rows('orders_at', `pt = '${partitionOf(at)}'`),
      `the backfill's ${shanghai(at)} equals the instances run by hand`);
  }

  // --- the scheduled instance of S3 runs by itself ---------------------------------------------
  const scheduled = await waitFor(`the scheduled instance of ${shanghai(S3)}`, async () => {
    const list = await instances('orders_minute');
    const found = list.find((i) => i.kind === 'scheduled' && i.schedulingEpoch * 1000 === S3);
    if (found && (found.state === 'failed' || found.state === 'killed')) throw new Error(JSON.stringify(found));
    return found && found.state === 'succeeded' ? found : null;
  }, 100);
  assert.equal(scheduled.windowEndMillis, S3 - 5 * MINUTE);
  assert.equal((await rows('orders_at', `pt = '${partitionOf(S3)}'`)).length, 10 * 3, 'phase C in the scheduled instance');

  // Every change exactly once: the partitions together equal one run over the whole span.
  const reference = writeScript('reference', script({ statusTable: 'status_ref', dest: 'orders_ref' }));
  L.mustSucceed(await L.runOtsync(['run', reference, '--data-dir', dataDir,
    '-p', `startTime=${shanghai(S0 - 6 * MINUTE).replace(/[-: ]/g, '')}`,
    '-p', `endTime=${shanghai(S3 - 5 * MINUTE).replace(/[-: ]/g, '')}`, '-p', 'pt=ref']), 'reference run');
  const all = await rows('orders_at');
  assert.equal(all.length, 60 * 3 + 40 * 3 + 10 + 10 * 3);
  assert.deepEqual(all, await rows('orders_ref'), 'the instances together hold every change exactly once');

  // No scheduled time twice, none lost; the task's instances as a table.
  const final = await instances('orders_minute');
  const scheduledTimes = final.filter((i) => i.kind === 'scheduled').map((i) => i.schedulingEpoch);
  assert.equal(new Set(scheduledTimes).size, scheduledTimes.length, 'one scheduled instance per time');
  for (let k = 1; k < scheduledTimes.length; k++) assert.equal(scheduledTimes[k] - scheduledTimes[k - 1], 60, 'consecutive minutes');
  const table = await cliOk(['instance', 'list', 'orders_minute']);
  assert.match(table.stdout, /^ID +\| TASK +\| KIND +\| STATE +\| SCHEDULED +\| WINDOW +\| ATTEMPT \| EXIT\n/);
  assert.match(table.stdout, /\| manual +\| succeeded/);

  const show = await cliOk(['task', 'show', 'orders_minute', '--next', '2']);
  assert.match(show.stdout, /^name: +orders_minute\n/);
  assert.match(show.stdout, /self-dependent: +yes/);
  assert.ok(!/[0-9a-f]{64}/.test([show.stdout, table.stdout, ...manual.map((r) => r.stdout + r.stderr)].join('\n')), 'no token printed');
  await cliOk(['task', 'remove', 'orders_kill']);
  assert.doesNotMatch((await cliOk(['task', 'list'])).stdout, /orders_kill/);
  t.diagnostic(`the scenario took ${Math.round((Date.now() - started) / 1000)} s`);
  assert.equal((await S.stopServe(server)).code, 0);
});
