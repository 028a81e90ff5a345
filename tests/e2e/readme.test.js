'use strict';
// README.md's "Using it" block, exactly as written there, against a fresh otsd: the lines a
// newcomer pastes are the lines this test runs, so README and code cannot drift apart.
//
//   - the block is the first ```sh fence after the marker line "<!-- readme-test: ... -->";
//   - its `otsd ... &` line gives otsd's flags: the test starts otsd with them (as harness.js
//     does: a free loopback port, a temporary data dir instead of the README's --data-dir, the
//     built-in development credentials) and points the embedded `otsstream` data source of a
//     temporary OTSYNC_DATA_DIR at it;
//   - every other line runs, in order, in one `bash -euo pipefail` from the repository root, with
//     the build's otsync and otsd first on PATH.
// Then the official SDK reads the table back and the warehouse partition is checked.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./harness');
const p = require('./pipeline_lib');

const REPO = path.resolve(__dirname, '..', '..');
const MARKER = '<!-- readme-test:';

function readmeBlock() {
  const text = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const marker = text.indexOf(MARKER);
  assert.ok(marker >= 0, `README.md has no "${MARKER}" line`);
  const open = text.indexOf('```sh\n', marker);
  assert.ok(open >= 0, 'no ```sh fence after the marker');
  const close = text.indexOf('\n```', open + 6);
  assert.ok(close >= 0, 'the ```sh fence after the marker is not closed');
  return text.slice(open + 6, close + 1).split('\n');
}

// The README's otsd line -> otsd's flags for this test (--data-dir dropped: harness.js gives a
// temporary one; the trailing & dropped: harness.js runs it in the background).
function otsdFlags(line) {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], 'otsd');
  assert.equal(words[words.length - 1], '&', 'the README starts otsd in the background');
  const flags = [];
  for (let i = 1; i < words.length - 1; i++) {
    if (words[i] === '--data-dir') { i++; continue; }
    if (words[i].startsWith('--data-dir=')) continue;
    flags.push(words[i]);
  }
  return flags;
}

let otsd;
after(async () => { if (otsd) await otsd.dispose(); });

test('README "Using it" runs as written and leaves the changes in the warehouse', async () => {
  const lines = readmeBlock();
  const otsdLines = lines.filter((l) => /^otsd\s/.test(l));
  assert.equal(otsdLines.length, 1, 'the block starts exactly one otsd');
  otsd = await h.startOtsd({ credentials: null, args: otsdFlags(otsdLines[0]) });

  const dataDir = p.tempDir('otsync-readme-');
  const home = p.tempDir('otsync-readme-home-');
  const otsyncBin = process.env.OTSYNC_BIN;
  assert.ok(otsyncBin, 'OTSYNC_BIN is not set');
  const env = {
    PATH: [path.dirname(otsyncBin), path.dirname(process.env.OTSD_BIN), process.env.PATH].join(':'),
    HOME: home,
    OTSYNC_DATA_DIR: dataDir,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0',
  };
  // The embedded `otsstream` points at 127.0.0.1:8800; this otsd serves a free port.
  p.mustSucceed(await p.runOtsync([
    'datasource', 'add', 'otsstream', '--type', 'ots', '--endpoint', otsd.endpoint,
    '--instance', 'local', '--access-id', 'otsync-local-id', '--replace',
  ], { env: { ...env, OTSYNC_ACCESS_KEY: 'otsync-local-secret' } }), 'datasource add');

  const script = lines.filter((l) => !/^otsd\s/.test(l)).join('\n');
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO, env, encoding: 'utf8', timeout: 240000,
  });
  const output = `--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
  assert.equal(run.status, 0, `the README block failed (exit ${run.status})\n${output}`);

  // What `otsync table` wrote, read back with the official SDK.
  const client = otsd.client({ accessKeyId: 'otsync-local-id', secretAccessKey: 'otsync-local-secret' });
  const p1 = await client.getRow({ tableName: 'person', primaryKey: [{ id: 'p1' }], maxVersions: 1 });
  assert.deepEqual(h.attrsOf(p1.row), { name: 'Alice', age: { int: 31 } });
  const p2 = await client.getRow({ tableName: 'person', primaryKey: [{ id: 'p2' }], maxVersions: 1 });
  assert.ok(!p2.row || !p2.row.primaryKey, 'p2 was deleted');
  const described = await client.describeTable({ tableName: 'person' });
  assert.equal(described.streamDetails.enableStream, true);

  // The scan printed the one remaining row; the job exported every change of the window (a PUT
  // is a DR row and a U row per cell, as DataX's otsstreamreader shapes it) and the query showed.
  const scanned = run.stdout.split('\n').filter((l) => l.startsWith('{"pk"')).map((l) => JSON.parse(l));
  assert.deepEqual(scanned, [{ pk: { id: 'p1' }, columns: { name: 'Alice', age: 31 } }], output);
  assert.doesNotMatch(run.stderr, /No changes/, output);
  assert.match(run.stdout, /Bob/, output);
  // Per id in stream order: the partition's file holds the rows in the order they were read.
  const rows = await p.warehouseCsv(dataDir, 'SELECT id, colname, colvalue, optype FROM ' +
    '(SELECT *, row_number() OVER () AS stream_order FROM person) ORDER BY id, stream_order');
  assert.deepEqual(rows, [
    'id,colname,colvalue,optype',
    'p1,,,DR', 'p1,name,Alice,U', 'p1,age,30,U', 'p1,age,31,U',
    'p2,,,DR', 'p2,name,Bob,U', 'p2,age,25,U', 'p2,,,DR',
  ]);
});
