'use strict';
// `otsync serve` (src/console/) as a separate process on loopback: the login, the session
// cookie and the CSRF header, the CLI's bearer token, the DNS-rebinding guard (foreign Origin and
// Host), data sources whose AccessKey is never sent back, Test Connectivity against a real otsd
// naming the step that failed, logout, a clean stop on SIGTERM, serve.json and its stale form,
// the refusal of a non-loopback address, and a generated first password. No secret (the admin
// password, the AccessKey, the CLI token, a session id) may appear in anything the server prints.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');

const { h } = L;
const { PASSWORD, startServe, stopServe, stopAll, request, login, freePort } = require('./serve_lib');

function mode(file) {
  return fs.statSync(file).mode & 0o777;
}

let otsd;
let dataDir;
let passwordFile;
let server;

before(async () => {
  otsd = await h.startOtsd();
  dataDir = L.tempDir('otsync-serve-');
  passwordFile = path.join(dataDir, 'admin-password');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  server = await startServe(dataDir, ['--admin-password-file', passwordFile]);
});
after(async () => {
  await stopAll();
  if (otsd) await otsd.dispose();
});

test('serve.json names the server; the secrets files are private and hold no clear password', () => {
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'serve.json'), 'utf8'));
  assert.equal(state.pid, server.child.pid);
  assert.equal(state.url, server.url);
  const consoleDir = path.join(dataDir, 'console');
  assert.equal(mode(consoleDir), 0o700);
  assert.equal(mode(path.join(consoleDir, 'admin.json')), 0o600);
  assert.equal(mode(path.join(consoleDir, 'cli.token')), 0o600);
  const admin = fs.readFileSync(path.join(consoleDir, 'admin.json'), 'utf8');
  assert.match(JSON.parse(admin).password_hash, /^scrypt\$15\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
  assert.ok(!admin.includes(PASSWORD));
});

test('without a login: health answers, everything else is 401 with the JSON error shape', async () => {
  const health = await request(server, 'GET', '/api/health');
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });
  assert.match(health.headers['content-security-policy'], /default-src 'self'/);
  assert.match(health.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.doesNotMatch(health.headers['content-security-policy'], /unsafe-/);
  assert.equal(health.headers['x-content-type-options'], 'nosniff');
  for (const [method, p] of [['GET', '/api/datasources'], ['GET', '/api/session'],
    ['POST', '/api/datasources/otsstream/test'], ['POST', '/api/params/preview']]) {
    const answer = await request(server, method, p);
    assert.equal(answer.status, 401, `${method} ${p}`);
    assert.equal(answer.json.error.code, 'unauthenticated');
    assert.equal(typeof answer.json.error.message, 'string');
  }
  const page = await request(server, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
});

test('a foreign Origin or Host is 403, even with the right password', async () => {
  const foreign = await request(server, 'POST', '/api/login', {
    body: { password: PASSWORD }, headers: { Origin: 'http://evil.example' },
  });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error.code, 'forbidden');
  assert.equal(foreign.headers['set-cookie'], undefined);
  const rebound = await request(server, 'GET', '/api/health', { headers: { Host: `evil.example:${server.port}` } });
  assert.equal(rebound.status, 403);
  const browser = await login(server);
  const crossSite = await request(server, 'GET', '/api/datasources', {
    headers: { Cookie: browser.session, Origin: 'http://127.0.0.1:1' },
  });
  assert.equal(crossSite.status, 403);
});

test('login, data sources without their key, Test Connectivity against otsd, logout', async () => {
  const wrong = await request(server, 'POST', '/api/login', { body: { password: 'not-the-password' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error.code, 'wrong_password');

  const browser = await login(server);
  assert.match(browser.cookie, /; HttpOnly/);
  assert.match(browser.cookie, /; SameSite=Strict/);

  const form = {
    name: 'e2e_source', type: 'ots', endpoint: otsd.endpoint, instance: h.DEFAULT_INSTANCE,
    accessId: L.ACCESS_KEY.id, accessKey: L.ACCESS_KEY.secret, description: 'the harness otsd',
  };
  const noCsrf = await request(server, 'POST', '/api/datasources', { body: form, headers: { Cookie: browser.session } });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.json.error.code, 'csrf_mismatch');

  const created = await browser.send('POST', '/api/datasources', form);
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json.accessKey, '********');
  assert.equal(created.json.accessKeySet, true);
  const badName = await browser.send('POST', '/api/datasources', { ...form, name: '9lives' });
  assert.equal(badName.status, 400);
  assert.match(badName.json.error.message, /must begin with a letter/);

  const list = await browser.get('/api/datasources');
  assert.equal(list.status, 200);
  const names = list.json.datasources.map((d) => d.name);
  assert.deepEqual(names, ['e2e_source', 'odps_first', 'otsstream']);
  const one = await browser.get('/api/datasources/e2e_source');
  assert.equal(one.json.endpoint, otsd.endpoint);
  for (const answer of [created, list, one]) assert.ok(!answer.body.includes(L.ACCESS_KEY.secret));

  // An edit without a key keeps it: the test still passes afterwards.
  const edited = await browser.send('PUT', '/api/datasources/e2e_source', { ...form, accessKey: '', description: 'edited' });
  assert.equal(edited.status, 200, edited.body);
  const passed = await browser.send('POST', '/api/datasources/e2e_source/test');
  assert.equal(passed.status, 200);
  assert.equal(passed.json.ok, true, passed.body);
  assert.match(passed.json.message, /reached instance local/);

  const wrongKey = await browser.send('POST', '/api/datasources', { ...form, name: 'wrong_key', accessKey: 'not-the-secret-at-all' });
  assert.equal(wrongKey.status, 201);
  const refused = await browser.send('POST', '/api/datasources/wrong_key/test');
  assert.deepEqual([refused.json.ok, refused.json.step], [false, 'authenticate'], refused.body);
  const unknownInstance = await browser.send('POST', '/api/datasources', { ...form, name: 'no_instance', instance: 'nosuch' });
  assert.equal(unknownInstance.status, 201);
  const noInstance = await browser.send('POST', '/api/datasources/no_instance/test');
  assert.deepEqual([noInstance.json.ok, noInstance.json.step], [false, 'instance'], noInstance.body);
  const closedPort = await freePort();
  await browser.send('POST', '/api/datasources', { ...form, name: 'nobody_home', endpoint: `http://127.0.0.1:${closedPort}` });
  const unreachable = await browser.send('POST', '/api/datasources/nobody_home/test');
  assert.deepEqual([unreachable.json.ok, unreachable.json.step], [false, 'connect'], unreachable.body);

  const preview = await browser.send('POST', '/api/params/preview', {
    parameters: 'startTime=$[yyyymmddhh24miss-10/24/60] pt=${bdp.system.bizdate}', at: '2025-11-01 02:30:45',
  });
  assert.equal(preview.status, 200, preview.body);
  assert.deepEqual(preview.json.instances[0].values,
    [{ name: 'startTime', value: '20251101022045' }, { name: 'pt', value: '20251031' }]);

  const removed = await browser.send('DELETE', '/api/datasources/nobody_home');
  assert.equal(removed.status, 200);

  const logout = await browser.send('POST', '/api/logout');
  assert.equal(logout.status, 200);
  const after = await browser.get('/api/datasources');
  assert.equal(after.status, 401);
});

test('the CLI token of cli.token signs requests in without a password or CSRF header', async () => {
  const token = fs.readFileSync(path.join(dataDir, 'console', 'cli.token'), 'utf8').trim();
  assert.match(token, /^[0-9a-f]{64}$/);
  const session = await request(server, 'GET', '/api/session', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(session.status, 200);
  assert.equal(session.json.credential, 'cli_token');
  const wrong = await request(server, 'GET', '/api/session', { headers: { Authorization: `Bearer ${'0'.repeat(64)}` } });
  assert.equal(wrong.status, 401);
});

test('a second server on the same data dir is refused; SIGTERM stops cleanly; nothing secret was printed', async () => {
  const second = await L.runOtsync(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /already runs/);

  const token = fs.readFileSync(path.join(dataDir, 'console', 'cli.token'), 'utf8').trim();
  const exit = await stopServe(server);
  assert.deepEqual(exit, { code: 0, signal: null }, server.stderr);
  assert.ok(!fs.existsSync(path.join(dataDir, 'serve.json')), 'serve.json removed');
  assert.match(server.stderr, /POST \/api\/login 200/);
  const printed = server.stdout + server.stderr;
  for (const secret of [PASSWORD, L.ACCESS_KEY.secret, 'not-the-secret-at-all', token]) {
    assert.ok(!printed.includes(secret), `the server printed a secret:\n${printed}`);
  }
  assert.doesNotMatch(printed, /otsync_session=/);
});

test('a listen address other machines reach needs --allow-remote, and says why', async () => {
  const refused = await L.runOtsync(['serve', '--listen', '0.0.0.0:0', '--data-dir', dataDir]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refusing to listen on 0\.0\.0\.0:0/);
  assert.match(refused.stderr, /plain HTTP/);
  assert.match(refused.stderr, /--allow-remote/);
});

test('--max-running outside 1 to 256 and --log-retention-days outside 0 to 36500 are refused with the range', async () => {
  for (const value of ['0', '257']) {
    const refused = await L.runOtsync(['serve', '--max-running', value, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`--max-running: expected 1 to 256, got ${value}`));
  }
  for (const value of ['-1', '36501']) {
    const refused = await L.runOtsync(['serve', '--log-retention-days', value, '--data-dir', dataDir]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr,
      new RegExp(`--log-retention-days: expected 0 \\(keep forever\\) to 36500, got ${value}`));
  }
});

test('a first start without a password file generates one, shown once; a killed server leaves a stale serve.json that the next start recognises', async () => {
  const freshDir = L.tempDir('otsync-serve-fresh-');
  const first = await startServe(freshDir);
  const passwordPath = path.join(freshDir, 'console', 'initial-password');
  assert.match(first.stdout, /admin password was generated and written to .*initial-password/);
  assert.equal(mode(passwordPath), 0o600);
  const generated = fs.readFileSync(passwordPath, 'utf8').trim();
  assert.equal(generated.length, 20);
  await login(first, generated);

  await stopServe(first, 'SIGKILL');
  assert.ok(fs.existsSync(path.join(freshDir, 'serve.json')), 'left behind by SIGKILL');
  const again = await startServe(freshDir);
  assert.doesNotMatch(again.stdout, /generated/, 'the stored password is kept');
  await login(again, generated);
  assert.equal((await stopServe(again)).code, 0);
  for (const s of [first, again]) assert.ok(!(s.stdout + s.stderr).includes(generated));
});
