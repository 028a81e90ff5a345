'use strict';
// The scheduler of `otsync serve` across processes: a real otsd (its clock 30 minutes behind, so
// fresh writes are readable), rows written with the official SDK, a real `otsync serve` whose
// instances are real `otsync run` children. A task created over the API runs now and succeeds,
// its log holds the rows the stream writer printed, a progress stream (server-sent events)
// delivers its states, a rerun runs it again; an instance stuck on an endpoint that never answers
// is ended by SIGTERM of the server (and runs again after the restart), then killed over the API
// and `killed` within 10 s; after a SIGKILL of the server the restart ends the orphaned child and
// runs the instance again, once; the guards: 401 without a credential, 403 for a foreign Origin, the
// CSRF header for a browser session. The routes are docs/console-api.md's "Scheduling".

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const L = require('./pipeline_lib');
const S = require('./serve_lib');

const { h } = L;
const TABLE = 'person';

let otsd;
let dataDir;
let server;
let cli;
let holder;  // A TCP server that accepts and never answers.
const heldSockets = new Set();

// A job script reading TABLE (or another data source's table) over the instance's window.
function script(datasource) {
  return {
    type: 'job',
    version: '1.0',
    configuration: {
      reader: {
        plugin: 'otsstream',
        parameter: {
          datasource,
          dataTable: TABLE,
          statusTable: `${TABLE}_status_${datasource}`,
          startTimeString: '${startTime}',
          endTimeString: '${endTime}',
          maxRetries: 0,
          isExportSequenceInfo: false,
        },
      },
      writer: { plugin: 'stream', parameter: { print: true } },
      setting: { speed: { concurrent: 1 } },
    },
  };
}

// A day cycle twelve hours from now (Asia/Shanghai): no scheduled instance during the test.
function farCycle() {
  const shanghaiHour = (new Date().getUTCHours() + 8) % 24;
  return `day ${String((shanghaiHour + 12) % 24).padStart(2, '0')}:00`;
}

function taskForm(name, datasource) {
  return {
    name,
    script: script(datasource),
    // otsd's clock is 30 minutes behind: a window 45 to 10 minutes back holds fresh writes.
    parameters: 'startTime=$[yyyymmddhh24miss-45/24/60] endTime=$[yyyymmddhh24miss-10/24/60]',
    cycle: farCycle(),
    retryCount: 0,
  };
}

async function waitForState(id, states, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let instance;
  while (Date.now() < deadline) {
    const answer = await cli.get(`/api/instances/${id}`);
    assert.equal(answer.status, 200, answer.body);
    instance = answer.json;
    if (states.includes(instance.state)) return instance;
    await h.sleep(100);
  }
  throw new Error(`instance ${id} is ${instance && instance.state}, not ${states} after ${seconds} s`);
}

// Reads a server-sent event stream; `events` fills as they come. close() ends it.
function openEvents(urlPath, headers) {
  const stream = { events: [], status: 0, ended: false, contentType: '' };
  stream.done = new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, method: 'GET', path: urlPath,
      headers: { Host: `127.0.0.1:${server.port}`, ...headers },
    }, (res) => {
      stream.status = res.statusCode;
      stream.contentType = res.headers['content-type'];
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event.event = line.slice(7);
            if (line.startsWith('data: ')) event.data += line.slice(6);
          }
          if (event.data) stream.events.push({ event: event.event, ...JSON.parse(event.data) });
        }
      });
      res.on('end', () => { stream.ended = true; resolve(); });
      // The server stopping cuts the stream short: `aborted` tells it from a clean end.
      res.on('error', () => { stream.aborted = true; resolve(); });
    });
    req.on('error', (err) => (stream.closing || stream.status ? resolve() : reject(err)));
    stream.close = () => { stream.closing = true; req.destroy(); };
    req.end();
  });
  stream.done.catch(() => {});  // Awaited where it matters.
  return stream;
}

async function waitUntil(what, predicate, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await h.sleep(50);
  }
  throw new Error(`not within ${seconds} s: ${what}`);
}

// Whether `pid` runs (a zombie, which no one may reap in a container, counts as ended).
function processAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (_) {
    return false;
  }
}

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  dataDir = await L.otsyncDataDir(otsd);
  const client = otsd.client();
  await L.createStreamTable(client, TABLE);
  await L.putRows(client, TABLE, { count: 5, tag: 'sched' });

  holder = net.createServer((socket) => {
    heldSockets.add(socket);
    socket.on('close', () => heldSockets.delete(socket));
  });
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));

  const passwordFile = path.join(dataDir, 'admin-password');
  fs.writeFileSync(passwordFile, `${S.PASSWORD}\n`, { mode: 0o600 });
  server = await S.startServe(dataDir, ['--admin-password-file', passwordFile, '--max-running', '2']);
  cli = S.cliClient(server, dataDir);
  const stuck = await cli.send('POST', '/api/datasources', {
    name: 'stuck', type: 'ots', endpoint: `http://127.0.0.1:${holder.address().port}`,
    instance: h.DEFAULT_INSTANCE, accessId: L.ACCESS_KEY.id, accessKey: L.ACCESS_KEY.secret,
  });
  assert.equal(stuck.status, 201, stuck.body);
});

after(async () => {
  await S.stopAll();
  for (const socket of heldSockets) socket.destroy();
  if (holder) holder.close();
  if (otsd) await otsd.dispose();
});

test('the scheduling routes need a credential, a local Origin, and a browser the CSRF header', async () => {
  for (const [method, p] of [['GET', '/api/tasks'], ['POST', '/api/tasks'], ['GET', '/api/instances'],
    ['POST', '/api/instances/1/kill'], ['GET', '/api/events'], ['POST', '/api/backfills/plan']]) {
    const answer = await S.request(server, method, p);
    assert.equal(answer.status, 401, `${method} ${p}`);
    assert.equal(answer.json.error.code, 'unauthenticated');
  }
  const foreign = await S.request(server, 'GET', '/api/tasks', {
    headers: { Authorization: `Bearer ${cli.token}`, Origin: 'http://evil.example' },
  });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error.code, 'forbidden');

  const browser = await S.login(server);
  const noCsrf = await S.request(server, 'POST', '/api/tasks', {
    body: taskForm('csrf_probe', 'otsstream'), headers: { Cookie: browser.session, Origin: server.url },
  });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.json.error.code, 'csrf_mismatch');
  assert.equal((await browser.get('/api/tasks/csrf_probe')).status, 404);
});

test('a task created over the API runs now, succeeds, and its log holds the rows; events follow it; a rerun runs it again', async () => {
  const created = await cli.send('POST', '/api/tasks', taskForm('person_sync', 'otsstream'));
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json.task.name, 'person_sync');
  assert.ok(created.json.warnings.some((w) => /lose data/i.test(w)), JSON.stringify(created.json.warnings));
  const again = await cli.send('POST', '/api/tasks', taskForm('person_sync', 'otsstream'));
  assert.equal(again.status, 409);

  const preview = await cli.get('/api/tasks/person_sync/preview?count=2');
  assert.equal(preview.status, 200, preview.body);
  assert.equal(preview.json.instances.length, 2);
  assert.match(preview.json.instances[0].schedulingTime, /^\d{4}-\d\d-\d\d \d\d:00:00$/);

  const events = openEvents('/api/events?task=person_sync', { Authorization: `Bearer ${cli.token}` });
  await waitUntil('the event stream answered', () => events.status !== 0, 10);
  assert.equal(events.status, 200);
  assert.match(events.contentType, /^text\/event-stream/);

  const run = await cli.send('POST', '/api/tasks/person_sync/run', {});
  assert.equal(run.status, 201, run.body);
  assert.equal(run.json.kind, 'manual');
  const id = run.json.id;
  const done = await waitForState(id, ['succeeded', 'failed', 'killed'], 40);
  const log = await cli.get(`/api/instances/${id}/log`);
  assert.equal(done.state, 'succeeded', `${done.summary}\n${log.json && log.json.data}`);
  assert.equal(done.exitStatus, 0);
  assert.equal(done.progress.type, 'final');
  assert.equal(done.progress.status, 'succeeded');
  assert.equal(log.status, 200);
  assert.equal(log.json.finished, true);
  assert.equal(log.json.nextOffset, log.json.size);
  assert.match(log.json.data, /=== attempt 1 of instance/);
  for (let i = 0; i < 5; i++) assert.ok(log.json.data.includes(`id${String(i).padStart(6, '0')}`), `row ${i} in the log`);
  const tail = await cli.get(`/api/instances/${id}/log?offset=${log.json.size - 10}&maxBytes=4`);
  assert.equal(tail.json.data, log.json.data.slice(-10, -6));

  await waitUntil('the events of the run', () => events.events.some((e) => e.id === id && e.state === 'succeeded'), 10);
  const states = events.events.filter((e) => e.id === id).map((e) => e.state);
  assert.ok(states.includes('running'), JSON.stringify(states));
  assert.ok(events.events.every((e) => e.event === 'instance' && e.task === 'person_sync'));
  events.close();

  // A finished instance's own stream: its state, then the end.
  const own = openEvents(`/api/instances/${id}/progress`, { Authorization: `Bearer ${cli.token}` });
  await own.done;
  assert.ok(own.ended && !own.aborted);
  assert.deepEqual(own.events.map((e) => e.state), ['succeeded']);

  const rerun = await cli.send('POST', `/api/instances/${id}/rerun`);
  assert.equal(rerun.status, 200, rerun.body);
  assert.equal(rerun.json.state, 'waiting');
  const second = await waitForState(id, ['succeeded', 'failed', 'killed'], 40);
  assert.equal(second.state, 'succeeded', second.summary);
  assert.deepEqual(second.parameters, done.parameters);
  const log2 = await cli.get(`/api/instances/${id}/log`);
  assert.match(log2.json.data, /rerun requested/);
  assert.ok(!log2.json.data.includes(L.ACCESS_KEY.secret), 'the AccessKey in the instance log');

  const listed = await cli.get('/api/instances?task=person_sync&state=succeeded');
  assert.deepEqual(listed.json.instances.map((i) => i.id), [id]);
});

test('SIGTERM ends a running child with the server; after the restart it runs again, and a kill over the API ends it within 10 s', async () => {
  const created = await cli.send('POST', '/api/tasks', taskForm('stuck_sync', 'stuck'));
  assert.equal(created.status, 201, created.body);
  const run = await cli.send('POST', '/api/tasks/stuck_sync/run', {});
  assert.equal(run.status, 201, run.body);
  const id = run.json.id;
  const running = await waitForState(id, ['running'], 20);
  assert.ok(processAlive(running.pid));

  const listening = openEvents('/api/events', { Authorization: `Bearer ${cli.token}` });
  await waitUntil('the event stream answered', () => listening.status === 200, 10);
  const stopped = Date.now();
  const first = server;
  assert.deepEqual(await S.stopServe(server, 'SIGTERM'), { code: 0, signal: null });
  await listening.done;  // An open stream does not hold the server up; it ends with it.
  assert.ok(Date.now() - stopped < 10000, `the server took ${Date.now() - stopped} ms to stop`);
  await waitUntil('the child is gone', () => !processAlive(running.pid), 5);
  assert.ok(!fs.existsSync(path.join(dataDir, 'serve.json')));
  for (const secret of [S.PASSWORD, L.ACCESS_KEY.secret, cli.token]) {
    assert.ok(!first.stdout.includes(secret) && !first.stderr.includes(secret), 'a secret in the server output');
  }

  server = await S.startServe(dataDir);
  cli = S.cliClient(server, dataDir);
  const again = await waitForState(id, ['running'], 20);
  assert.notEqual(again.pid, running.pid);
  const log = await cli.get(`/api/instances/${id}/log`);
  assert.match(log.json.data, /scheduler stopped/);

  const own = openEvents(`/api/instances/${id}/progress`, { Authorization: `Bearer ${cli.token}` });
  // The stream opens with the instance's state; a kill sent before that arrived could finish
  // first (seen on a loaded machine), and the stream would open on 'killed'.
  await waitUntil('the progress stream sent the current state', () => own.events.length > 0, 10);
  const killedAt = Date.now();
  const kill = await cli.send('POST', `/api/instances/${id}/kill`);
  assert.equal(kill.status, 200, kill.body);
  const killed = await waitForState(id, ['killed', 'failed', 'succeeded'], 10);
  assert.equal(killed.state, 'killed');
  assert.ok(Date.now() - killedAt < 10000);
  assert.ok(!processAlive(again.pid));
  await own.done;  // The instance's stream ends once it is finished.
  assert.ok(own.ended && !own.aborted);
  assert.equal(own.events[0].state, 'running');
  assert.equal(own.events[own.events.length - 1].state, 'killed');

  const twice = await cli.send('POST', `/api/instances/${id}/kill`);
  assert.equal(twice.status, 409);
  assert.equal(twice.json.error.code, 'conflict');
  assert.equal((await cli.send('DELETE', '/api/tasks/stuck_sync')).status, 200);
});

test('after a SIGKILL of the server, the restart ends the orphaned child and runs the instance again, once', async () => {
  const created = await cli.send('POST', '/api/tasks', taskForm('orphan_sync', 'stuck'));
  assert.equal(created.status, 201, created.body);
  const run = await cli.send('POST', '/api/tasks/orphan_sync/run', {});
  const id = run.json.id;
  const running = await waitForState(id, ['running'], 20);

  await S.stopServe(server, 'SIGKILL');
  assert.ok(processAlive(running.pid), 'the child outlives a SIGKILLed server');
  server = await S.startServe(dataDir);
  cli = S.cliClient(server, dataDir);
  await waitUntil('the orphaned child is gone', () => !processAlive(running.pid), 10);
  const again = await waitForState(id, ['running'], 20);
  assert.notEqual(again.pid, running.pid);
  assert.equal(again.attempt, 1);  // The interrupted attempt is not counted.
  const all = await cli.get('/api/instances?task=orphan_sync');
  assert.deepEqual(all.json.instances.map((i) => i.id), [id]);

  assert.equal((await cli.send('POST', `/api/instances/${id}/kill`)).status, 200);
  assert.equal((await waitForState(id, ['killed'], 10)).state, 'killed');
});

test('a backfill plan is a dry run; starting it creates exactly the planned instances', async () => {
  const now = Math.floor(Date.now() / 1000);
  const day = 86400;
  const body = { task: 'person_sync', from: now - 3 * day, to: now, parallelism: 2 };
  const plan = await cli.send('POST', '/api/backfills/plan', body);
  assert.equal(plan.status, 200, plan.body);
  assert.equal(plan.json.instances.length, 3);
  assert.ok(plan.json.instances.every((i) => i.runs));
  const started = await cli.send('POST', '/api/backfills', { ...body, parallelism: 0 });
  assert.equal(started.status, 400);
  assert.match(started.json.error.message, /parallelism/);
  // Started for real in a frozen task, so that nothing runs: its instances wait.
  assert.equal((await cli.send('POST', '/api/tasks/person_sync/freeze')).status, 200);
  const real = await cli.send('POST', '/api/backfills', body);
  assert.equal(real.status, 201, real.body);
  assert.equal(real.json.instanceIds.length, 3);
  const listed = await cli.get(`/api/instances?backfill=${real.json.backfill.id}`);
  assert.deepEqual(listed.json.instances.map((i) => i.id), real.json.instanceIds);
  assert.ok(listed.json.instances.every((i) => i.kind === 'backfill' && i.state === 'waiting'));
  for (const instanceId of real.json.instanceIds) {
    assert.equal((await cli.send('POST', `/api/instances/${instanceId}/kill`)).json.state, 'killed');
  }
});
