'use strict';
// Shared by the tests of `otsync serve` (serve_api.test.js, console_ui.test.js): starting the real
// binary (from $OTSYNC_BIN) on a free loopback port and stopping it. Every server still running
// when the test process exits is SIGKILLed.

const { spawn } = require('node:child_process');

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

// Every server started and not yet ended.
function liveServers() {
  return [...servers];
}

module.exports = { startServe, stopServe, liveServers };
