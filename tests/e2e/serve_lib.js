'use strict';
// Shared by serve_*.test.js: `otsync serve` (from $OTSYNC_BIN) as a separate process on a free
// loopback port, plain HTTP requests to it, a signed-in browser (cookie + CSRF header) and the
// CLI's bearer token. Every server started here is SIGKILLed when the test process exits.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const PASSWORD = 'e2e-console-password-7781';
const SERVING_LINE = /^otsync serve: serving (http:\/\/127\.0\.0\.1:(\d+)) /m;

const servers = new Set();
process.on('exit', () => {
  for (const server of servers) {
    try { process.kill(server.child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
  }
});

// Starts `otsync serve` on a free loopback port; resolves once it prints its serving line.
function startServe(dataDir, extraArgs = []) {
  const bin = process.env.OTSYNC_BIN;
  if (!bin) throw new Error('OTSYNC_BIN is not set (the path of the otsync binary; CTest sets it)');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: dataDir, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0' },
  });
  const server = { child, stdout: '', stderr: '', port: 0, url: '', exit: null };
  servers.add(server);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => { server.stderr += c; });
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      servers.delete(server);
      server.exit = { code, signal };
      resolve(server.exit);
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otsync serve did not start\n${server.stderr}`)), 30000);
    child.stdout.on('data', (c) => {
      server.stdout += c;
      const m = SERVING_LINE.exec(server.stdout);
      if (m && !server.port) {
        clearTimeout(timer);
        server.url = m[1];
        server.port = Number(m[2]);
        resolve(server);
      }
    });
    server.exited.then((exit) => {
      clearTimeout(timer);
      if (!server.port) reject(new Error(`otsync serve exited ${JSON.stringify(exit)}\n${server.stdout}\n${server.stderr}`));
    });
  });
}

async function stopServe(server, signal = 'SIGTERM') {
  if (server.exit) return server.exit;
  process.kill(server.child.pid, signal);
  return server.exited;
}

// One HTTP request; resolves {status, headers, body, json}.
function request(server, method, urlPath, { body, headers = {} } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const allHeaders = { Host: `127.0.0.1:${server.port}`, ...headers };
  if (payload !== undefined) {
    allHeaders['Content-Type'] = 'application/json';
    allHeaders['Content-Length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: urlPath, headers: allHeaders }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(20000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// A browser that logged in: its cookie, and the CSRF header on changes.
async function login(server, password = PASSWORD) {
  const answer = await request(server, 'POST', '/api/login', { body: { password } });
  assert.equal(answer.status, 200, answer.body);
  const cookie = answer.headers['set-cookie'][0];
  const session = cookie.split(';')[0];
  return {
    cookie,
    session,
    csrf: answer.json.csrfToken,
    get: (p) => request(server, 'GET', p, { headers: { Cookie: session } }),
    send: (method, p, body) => request(server, method, p, {
      body, headers: { Cookie: session, 'X-CSRF-Token': answer.json.csrfToken, Origin: server.url },
    }),
  };
}

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// A client that signs with the CLI token of <dataDir>/console/cli.token.
function cliClient(server, dataDir) {
  const token = fs.readFileSync(path.join(dataDir, 'console', 'cli.token'), 'utf8').trim();
  const headers = { Authorization: `Bearer ${token}` };
  return {
    token,
    get: (p) => request(server, 'GET', p, { headers }),
    send: (method, p, body) => request(server, method, p, { body, headers }),
  };
}

async function stopAll() {
  for (const server of [...servers]) await stopServe(server, 'SIGKILL');
}

module.exports = { PASSWORD, SERVING_LINE, startServe, stopServe, stopAll, request, login, cliClient, freePort };
