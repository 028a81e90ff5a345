'use strict';
// The exit status contract of the `otsync` binary, end to end (issue 4: "every malformed script
// in a table of broken scripts gets its specific error and exit code 2"): each broken script
// below exits 2 with its own message naming the key path and what was expected, reads nothing,
// and prints no secret. The unit tests (tools/otsync/cli_test, sync/job_script_test) hold the
// bigger table; this one proves the real binary, its argument handling and its data dir.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');

const { h } = L;

let otsd;
let dataDir;

const READER = {
  plugin: 'otsstream',
  parameter: {
    datasource: 'otsstream', dataTable: 'src', statusTable: 'status', startTimestampMillis: '${start}',
    endTimestampMillis: '${end}',
  },
};
const STREAM_WRITER = { plugin: 'stream', parameter: {} };

function script(configuration) {
  return { type: 'job', version: '1.0', configuration };
}
function withReaderParameter(changes) {
  const parameter = { ...READER.parameter, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete parameter[key];
  return script({ reader: { ...READER, parameter }, writer: STREAM_WRITER });
}

// [name, script (object or raw text), message pattern]
const CASES = [
  ['not JSON', '{"type": "job", "configuration": {', /job script is not valid JSON: line 1, column \d+/],
  ['no reader', script({ writer: STREAM_WRITER }), /configuration\.reader: missing the key/],
  ['unknown reader plugin', script({ reader: { plugin: 'mysql', parameter: {} }, writer: STREAM_WRITER }),
    /configuration\.reader\.plugin: unsupported reader plugin "mysql"/],
  ['unresolved variable', withReaderParameter({ endTimestampMillis: '${later}' }),
    /configuration\.reader\.parameter\.endTimestampMillis: unresolved variable \$\{later\}, give its value with -p later=/],
  ['missing dataTable', withReaderParameter({ dataTable: undefined }),
    /configuration\.reader\.parameter\.dataTable: missing the key/],
  ['unknown data source', withReaderParameter({ datasource: 'nosuch' }),
    /configuration\.reader\.parameter\.datasource: no data source named "nosuch"/],
  ['bad startTimeString', withReaderParameter({ startTimestampMillis: undefined, endTimestampMillis: undefined,
    startTimeString: '2024-01-01', endTimeString: '20240101010000' }),
  /configuration\.reader\.parameter\.startTimeString: Can't parse startTimeString: 2024-01-01/],
  ['mbps 0', script({ reader: READER, writer: STREAM_WRITER, setting: { speed: { mbps: 0 } } }),
    /configuration\.setting\.speed\.mbps: expected a rate in MB\/s greater than 0/],
  ['errorLimit not a number', script({ reader: READER, writer: STREAM_WRITER, setting: { errorLimit: { record: 'many' } } }),
    /configuration\.setting\.errorLimit\.record: expected an integer, got "many"/],
  ['odps without truncate', script({ reader: READER,
    writer: { plugin: 'odps', parameter: { datasource: 'odps_first', table: 'dest', partition: 'pt=1', column: ['*'] } } }),
  /configuration\.writer\.parameter\.truncate: missing the key/],
  // A window the source refuses is a configuration error too: its end must be <= now - 5 min.
  ['window end too late', withReaderParameter({ endTimestampMillis: '${tooLate}' }), /endTimestampMillis|end time|5 min|now/i],
];

before(async () => {
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  await L.createStreamTable(otsd.client(), 'src');
  dataDir = await L.otsyncDataDir(otsd);
});

after(async () => {
  if (otsd) await otsd.dispose();
});

test('every broken script exits 2 with its specific message', async (t) => {
  const window = L.wholeWindow();
  const params = ['-p', `start=${window.start}`, '-p', `end=${window.end}`, '-p', `tooLate=${Date.now()}`];
  for (const [name, body, pattern] of CASES) {
    const file = path.join(dataDir, `broken-${name.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    const run = await L.runOtsync(['run', file, '--data-dir', dataDir, ...params]);
    const message = run.stderr.trim().split('\n').slice(-3).join(' | ');
    assert.equal(run.code, 2, `${name}: exit status (stderr: ${message})`);
    assert.match(run.stderr, pattern, `${name}: message`);
    assert.equal(run.stdout, '', `${name}: no rows`);
    assert.doesNotMatch(run.stderr, new RegExp(L.ACCESS_KEY.secret), `${name}: no secret`);
    t.diagnostic(`${name}: ${message}`);
  }
});

// A destination table that does not exist is found before any record is read and named with the
// command that creates it: a bad configuration (exit 2), as a missing source table is.
test('a missing odps destination table: exit 2, the create-table command is named, nothing is read', async () => {
  const window = L.wholeWindow();
  const file = path.join(dataDir, 'missing-table.json');
  fs.writeFileSync(file, JSON.stringify(script({ reader: READER,
    writer: { plugin: 'odps', parameter: { datasource: 'odps_first', table: 'nosuch', partition: 'pt=1', column: ['*'], truncate: true } } })));
  const run = await L.runOtsync(['run', file, '--data-dir', dataDir, '-p', `start=${window.start}`, '-p', `end=${window.end}`]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /table nosuch does not exist[\s\S]*otsync warehouse create-table/);
});

test('command-line errors exit 2; a good script exits 0', async () => {
  const missing = await L.runOtsync(['run', path.join(dataDir, 'no-such-job.json'), '--data-dir', dataDir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read job script .*no-such-job\.json/);
  const noJob = await L.runOtsync(['run', '--data-dir', dataDir]);
  assert.equal(noJob.code, 2);
  const badParam = await L.runOtsync(['run', path.join(dataDir, 'x.json'), '-p', 'novalue', '--data-dir', dataDir]);
  assert.equal(badParam.code, 2);

  const window = L.wholeWindow();
  const good = path.join(dataDir, 'good.json');
  fs.writeFileSync(good, JSON.stringify(script({ reader: READER, writer: STREAM_WRITER })));
  L.mustSucceed(await L.runOtsync(['run', good, '--data-dir', dataDir, '-p', `start=${window.start}`, '-p', `end=${window.end}`]),
    'the good script');
});
