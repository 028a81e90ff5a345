'use strict';
// The console's warehouse pages against real processes: an otsd on loopback with a stream table,
// `otsync run` jobs landing its rows in two partitions of a warehouse table created through the
// console's API, and `otsync serve` answering the warehouse routes. The API: tables and partitions
// with their row counts and committed windows, a partition's first rows equal to what was written,
// read-only SQL (DELETE, INSERT, DROP refused; no file outside the warehouse readable), a Parquet
// download whose rows `otsync warehouse query` reads back, and no AccessKey secret in any answer.
// Then the page in Debian's chromium (driven by playwright-core; skipped, saying why, when either
// is missing): the tables, a table's partitions, first rows, SQL with its error, Create table with
// a refusal and a success, Download Parquet, and the empty states. Screenshots of each step go to
// $OTSYNC_E2E_ARTIFACTS (CTest: <build>/e2e-artifacts/e2e_console_warehouse).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const L = require('./pipeline_lib');
const { startServe, stopAll, login } = require('./serve_lib');
const B = require('./browser_lib');

const { h } = L;
const PASSWORD = 'e2e-console-warehouse-password-5120';
const SECRET = L.ACCESS_KEY.secret;
const COLUMNS = ['id', 'colname', 'version', 'colvalue', 'optype'];
const FIRST = 'pt=20251101';
const SECOND = 'pt=20251102';
const FIRST_IDS = 25;    // Rows put before the boundary.
const SECOND_IDS = 5;    // Rows put after it.
// The stream's multi-version mode lands each put row as three: the row's own record (no colname,
// no colvalue) and one per attribute column (putRows writes c0 and c1).
const PER_ID = 3;
const FIRST_ROWS = PER_ID * FIRST_IDS;
const SECOND_ROWS = PER_ID * SECOND_IDS;

const shots = new B.Screenshots('otsync-console-warehouse');

let otsd;
let dataDir;
let server;
let session;
const windows = {};
const apiBodies = [];   // Every API answer this test received, for the secret check.

// The colvalue putRows writes for row `j`, column `c`, phase `tag`.
function written(tag, j, c) {
  const base = `${tag}-${j}-${c}-`;
  return base + 'x'.repeat(Math.max(0, 16 - base.length));
}

// [id, colname, colvalue] of every warehouse row the puts of ids from..from+count-1 give, sorted.
function expectedRows(tag, from, count) {
  const rows = [];
  for (let j = from; j < from + count; j++) {
    const id = `id${String(j).padStart(6, '0')}`;
    rows.push([id, null, null]);
    for (let c = 0; c < 2; c++) rows.push([id, `c${c}`, written(tag, j, c)]);
  }
  return rows.sort();
}

// The same as CSV lines (NULL an empty field), sorted.
function expectedCsv(tag, from, count) {
  return expectedRows(tag, from, count).map((r) => r.map((v) => (v === null ? '' : v)).join(',')).sort();
}

async function get(p) {
  const answer = await session.get(p);
  apiBodies.push(answer.body);
  return answer;
}

async function send(method, p, body) {
  const answer = await session.send(method, p, body);
  apiBodies.push(answer.body);
  return answer;
}

// A GET whose body is bytes (the Parquet download).
function getBytes(p) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, method: 'GET', path: p,
      headers: { Host: `127.0.0.1:${server.port}`, Cookie: session.session },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(20000, () => req.destroy(new Error(`GET ${p} timed out`)));
    req.end();
  });
}

function runJob(window, partition) {
  const job = L.streamJob({
    table: 'src',
    statusTable: `status_${partition.replace('=', '_')}`,
    start: window.start,
    end: window.end,
    writer: { plugin: 'odps', parameter: { datasource: 'odps_first', table: 'dest', partition, truncate: true, column: COLUMNS } },
  });
  return L.runOtsync(['run', L.writeJob(dataDir, job), '--data-dir', dataDir]);
}

before(async () => {
  shots.clear();
  otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
  const client = otsd.client();
  await L.createStreamTable(client, 'src');
  const whole = L.wholeWindow();
  await L.putRows(client, 'src', { from: 0, count: FIRST_IDS, tag: 'a' });
  const middle = await L.boundary();
  await L.putRows(client, 'src', { from: 100, count: SECOND_IDS, tag: 'b' });
  windows.first = { start: whole.start, end: middle };
  windows.second = { start: middle, end: whole.end };

  dataDir = await L.otsyncDataDir(otsd);
  const passwordFile = path.join(dataDir, 'admin-password');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  server = await startServe(dataDir, ['--admin-password-file', passwordFile]);
  session = await login(server, PASSWORD);
});

after(async () => {
  await stopAll();
  if (otsd) await otsd.dispose();
});

test('a table created through the API receives two partitions from real jobs', async () => {
  const empty = await get('/api/warehouses/odps_first/tables');
  assert.equal(empty.status, 200, empty.body);
  assert.equal(empty.json.exists, false);
  assert.deepEqual(empty.json.tables, []);

  const created = await send('POST', '/api/warehouses/odps_first/tables', {
    name: 'dest',
    columns: [{ name: 'id', type: 'STRING' }, { name: 'colname', type: 'STRING' }, { name: 'version', type: 'BIGINT' },
      { name: 'colvalue', type: 'STRING' }, { name: 'optype', type: 'STRING' }],
    partitionColumns: [{ name: 'pt', type: 'STRING' }],
  });
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json.table.spec,
    'dest(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)');
  const again = await send('POST', '/api/warehouses/odps_first/tables', { spec: 'dest(id STRING)' });
  assert.equal(again.status, 409, again.body);
  assert.equal(again.json.error.message, 'table dest already exists');

  L.mustSucceed(await runJob(windows.first, FIRST), 'the job of the first partition');
  L.mustSucceed(await runJob(windows.second, SECOND), 'the job of the second partition');
});

test('tables and partitions carry their row counts and committed windows', async () => {
  const listed = await get('/api/warehouses/odps_first/tables');
  assert.equal(listed.status, 200, listed.body);
  assert.equal(listed.json.exists, true);
  assert.equal(listed.json.project, 'odps_first');
  assert.equal(listed.json.tables.length, 1);
  const [table] = listed.json.tables;
  assert.equal(table.name, 'dest');
  assert.equal(table.partitionCount, 2);
  assert.equal(table.rows, FIRST_ROWS + SECOND_ROWS);
  assert.deepEqual(table.partitionColumns, [{ name: 'pt', type: 'STRING' }]);

  const described = await get('/api/warehouses/odps_first/tables/dest');
  assert.equal(described.status, 200, described.body);
  const partitions = described.json.partitions;
  assert.deepEqual(partitions.map((p) => [p.spec, p.rows]), [[FIRST, FIRST_ROWS], [SECOND, SECOND_ROWS]]);
  assert.equal(partitions[0].windowCount, 1);
  assert.equal(partitions[0].windows[0].sourceTable, 'src');
  assert.equal(partitions[0].windows[0].startMillis, windows.first.start);
  assert.equal(partitions[0].windows[0].endMillis, windows.first.end);
  assert.equal(partitions[0].windows[0].rows, FIRST_ROWS);
  assert.equal(partitions[1].windows[0].startMillis, windows.second.start);

  const unknown = await get('/api/warehouses/nosuch/tables');
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error.message, /nosuch/);
  const ots = await get('/api/warehouses/otsstream/tables');
  assert.equal(ots.status, 400);
  assert.match(ots.json.error.message, /data source 'otsstream' is of type ots; the warehouse pages need an odps data source/);
});

test('the first rows of a partition are the rows that were written', async () => {
  const first = await get(`/api/warehouses/odps_first/tables/dest/rows?partition=${encodeURIComponent(FIRST)}&limit=1000`);
  assert.equal(first.status, 200, first.body);
  assert.deepEqual(first.json.columns.map((c) => c.name), COLUMNS);
  assert.equal(first.json.columns[2].numeric, true);
  const rows = first.json.rows.map((r) => [r[0], r[1], r[3]]).sort();
  assert.deepEqual(rows, expectedRows('a', 0, FIRST_IDS));
  // As `otsync warehouse query` prints them, every column.
  const csv = (await L.warehouseCsv(dataDir, `SELECT ${COLUMNS.join(', ')} FROM dest WHERE pt = '20251101'`)).slice(1).sort();
  assert.deepEqual(first.json.rows.map((r) => r.map((v) => (v === null ? '' : v)).join(',')).sort(), csv);

  const second = await get(`/api/warehouses/odps_first/tables/dest/rows?partition=${encodeURIComponent(SECOND)}`);
  assert.deepEqual(second.json.rows.map((r) => [r[0], r[1], r[3]]).sort(), expectedRows('b', 100, SECOND_IDS));
  const limited = await get(`/api/warehouses/odps_first/tables/dest/rows?partition=${encodeURIComponent(FIRST)}&limit=3`);
  assert.equal(limited.json.rows.length, 3);

  const none = await get('/api/warehouses/odps_first/tables/dest/rows');
  assert.equal(none.status, 400);
  assert.match(none.json.error.message, /^partition: table dest is partitioned/);
  const missing = await get('/api/warehouses/odps_first/tables/dest/rows?partition=pt%3D19990101');
  assert.equal(missing.status, 404);
  assert.match(missing.json.error.message, /partition pt=19990101 of table dest does not exist; its partitions: pt=20251101, pt=20251102/);
  const tooMany = await get(`/api/warehouses/odps_first/tables/dest/rows?partition=${encodeURIComponent(FIRST)}&limit=5000`);
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.json.error.message, /^limit: expected an integer 1\.\.1000/);
});

test('SQL is read-only, confined to the warehouse, and bounded', async () => {
  const counted = await send('POST', '/api/warehouses/odps_first/query',
    { sql: 'SELECT pt, count(*) AS n FROM dest GROUP BY pt ORDER BY pt' });
  assert.equal(counted.status, 200, counted.body);
  assert.deepEqual(counted.json.rows, [['20251101', String(FIRST_ROWS)], ['20251102', String(SECOND_ROWS)]]);
  assert.equal(counted.json.truncated, false);

  for (const sql of ['DELETE FROM dest', "INSERT INTO dest VALUES ('x', 'c', 1, 'v', 'U', '1')", 'DROP VIEW dest']) {
    const refused = await send('POST', '/api/warehouses/odps_first/query', { sql });
    assert.equal(refused.status, 400, `${sql}: ${refused.body}`);
    assert.match(refused.json.error.message, /the warehouse is read-only here/, sql);
  }
  const outside = await send('POST', '/api/warehouses/odps_first/query',
    { sql: `SELECT content FROM read_text('${path.join(dataDir, 'datasources.json')}')` });
  assert.equal(outside.status, 400, outside.body);
  assert.match(outside.json.error.message, /^query failed: /);
  const copy = await send('POST', '/api/warehouses/odps_first/query', { sql: `COPY dest TO '${path.join(dataDir, 'leak.csv')}'` });
  assert.equal(copy.status, 400, copy.body);
  assert.ok(!fs.existsSync(path.join(dataDir, 'leak.csv')));

  const many = await send('POST', '/api/warehouses/odps_first/query', { sql: 'SELECT range FROM range(5000)' });
  assert.equal(many.status, 200, many.body);
  assert.equal(many.json.rows.length, 1000);
  assert.equal(many.json.truncated, true);
  assert.equal(many.json.totalRows, 5000);
  const broken = await send('POST', '/api/warehouses/odps_first/query', { sql: 'SELEKT 1' });
  assert.equal(broken.status, 400);
  assert.match(broken.json.error.message, /^query failed: Parser Error/);
});

test('a partition downloads as a Parquet file with its rows, and nothing is left behind', async () => {
  const answer = await getBytes(`/api/warehouses/odps_first/tables/dest/export?partition=${encodeURIComponent(FIRST)}&compression=zstd`);
  assert.equal(answer.status, 200, answer.body.toString('utf8'));
  assert.equal(answer.headers['content-type'], 'application/vnd.apache.parquet');
  assert.equal(answer.headers['content-disposition'], 'attachment; filename="dest_pt=20251101.parquet"');
  assert.equal(answer.body.subarray(0, 4).toString('latin1'), 'PAR1');
  assert.ok(!answer.body.includes(Buffer.from(SECRET)));
  const file = path.join(dataDir, 'download.parquet');
  fs.writeFileSync(file, answer.body);
  const read = (await L.warehouseCsv(dataDir, `SELECT id, colname, colvalue FROM read_parquet('${file}')`)).slice(1).sort();
  assert.deepEqual(read, expectedCsv('a', 0, FIRST_IDS));

  const whole = await get('/api/warehouses/odps_first/tables/dest/export');
  assert.equal(whole.status, 400);
  assert.match(whole.json.error.message, /a download is one Parquet file/);
  assert.deepEqual(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('otsync-export-')
    && fs.statSync(path.join(os.tmpdir(), name)).mtimeMs > Date.now() - 60000), []);
});

test('no API answer holds the AccessKey secret', () => {
  assert.ok(apiBodies.length > 15);
  for (const body of apiBodies) assert.ok(!body.includes(SECRET), `an answer holds the secret: ${body.slice(0, 200)}`);
});

if (B.SKIP) {
  test('the warehouse page in a browser', { skip: B.SKIP }, () => {});
} else {
  test('the warehouse page in a browser', async () => {
    const browser = await B.launch();
    const scriptProblems = [];
    const browserBodies = [];
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Asia/Shanghai', acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(20000);
      B.watchScriptProblems(page, scriptProblems);
      page.on('response', async (response) => {
        const url = new URL(response.url());
        if (!url.pathname.startsWith('/api/') || url.pathname.endsWith('/export')) return;
        try { browserBodies.push(await response.text()); } catch (_) { /* dropped by a navigation */ }
      });
      const shot = (name) => shots.take(page, name);

      await page.goto(server.url + '/#/warehouse');
      await page.getByLabel('Admin password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Warehouse', level: 1 }).waitFor();
      const tableRow = page.locator('tr[data-table="dest"]');
      await tableRow.waitFor();
      assert.match(await tableRow.innerText(), /dest/);
      assert.match(await tableRow.innerText(), new RegExp(`\\b${FIRST_ROWS + SECOND_ROWS}\\b`));
      assert.match(await tableRow.innerText(), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Asia\/Shanghai/);
      await shot('tables');

      await tableRow.getByRole('button', { name: 'Open table dest' }).click();
      const firstRow = page.locator(`tr[data-partition="${FIRST}"]`);
      await firstRow.waitFor();
      assert.match(await firstRow.innerText(), new RegExp(`\\b${FIRST_ROWS}\\b`));
      assert.match(await firstRow.innerText(), /1 window/);
      assert.match(await page.locator(`tr[data-partition="${SECOND}"]`).innerText(), new RegExp(`\\b${SECOND_ROWS}\\b`));
      assert.match(page.url(), /#\/warehouse\/odps_first\/dest$/);
      await shot('partitions');

      await firstRow.getByRole('button', { name: `First rows of ${FIRST}` }).click();
      const rowsTable = page.getByRole('table', { name: 'First rows' });
      await rowsTable.waitFor();
      assert.equal(await rowsTable.locator('tbody tr').count(), 20);
      assert.match(await rowsTable.innerText(), /id000000/);
      await shot('first-rows');

      const download = page.waitForEvent('download');
      await firstRow.getByRole('link', { name: `Download Parquet of ${FIRST}` }).click();
      const saved = path.join(dataDir, 'browser-download.parquet');
      const file = await download;
      assert.equal(file.suggestedFilename(), 'dest_pt=20251101.parquet');
      await file.saveAs(saved);
      assert.equal(fs.readFileSync(saved).subarray(0, 4).toString('latin1'), 'PAR1');

      const sqlBox = page.locator('#wh-sql');
      await sqlBox.fill('SELECT pt, count(*) AS n FROM dest GROUP BY pt ORDER BY pt');
      await page.getByRole('button', { name: 'Run query' }).click();
      const result = page.getByRole('table', { name: 'Query result' });
      await result.waitFor();
      assert.match(await result.innerText(), new RegExp(`20251101\\s+${FIRST_ROWS}`));
      await shot('query');
      await sqlBox.fill('DELETE FROM dest');
      await page.getByRole('button', { name: 'Run query' }).click();
      await page.locator('[data-query-error]').filter({ hasText: 'read-only' }).waitFor();
      await shot('query-refused');

      await page.getByRole('button', { name: 'Back to the tables' }).click();
      await page.getByRole('button', { name: 'Create table' }).click();
      await page.getByLabel('Table name').fill('person');
      await page.getByLabel('Column 1 name', { exact: true }).fill('id');
      await page.getByRole('button', { name: 'Add column' }).click();
      await page.getByLabel('Column 2 name', { exact: true }).fill('age');
      await page.getByLabel('Column 2 type', { exact: true }).fill('NUMBER');
      await page.getByRole('button', { name: 'Create table', exact: true }).last().click();
      await page.locator('.error[role="alert"]').filter({ hasText: 'Column 2 type: unknown column type "NUMBER"' }).waitFor();
      assert.equal(await page.getByLabel('Column 2 type', { exact: true }).getAttribute('aria-invalid'), 'true');
      await shot('create-table-refused');
      await page.getByLabel('Column 2 type', { exact: true }).fill('BIGINT');
      await page.getByRole('button', { name: 'Create table', exact: true }).last().click();
      await page.getByText('Created table person: person(id STRING, age BIGINT) PARTITIONED BY (pt STRING)').waitFor();
      await page.locator('tr[data-table="person"]').waitFor();
      await shot('create-table-done');

      await page.locator('tr[data-table="person"]').getByRole('button', { name: 'Open table person' }).click();
      await page.getByText('No rows yet.').waitFor();
      await shot('table-without-rows');

      // A warehouse data source whose folder does not exist yet, then none at all.
      assert.equal((await send('POST', '/api/datasources', {
        type: 'odps', name: 'fresh_wh', warehouse: path.join(dataDir, 'fresh-warehouse'), project: 'fresh',
      })).status, 201);
      await page.goto(server.url + '/#/warehouse/fresh_wh');
      await page.getByText('No tables in this warehouse yet.').waitFor();
      assert.equal(await page.getByLabel('Warehouse data source').inputValue(), 'fresh_wh');
      await shot('empty-warehouse');
      for (const name of ['fresh_wh', 'odps_first']) {
        assert.equal((await send('DELETE', `/api/datasources/${name}`)).status, 200);
      }
      await page.reload();
      await page.getByText('No warehouse data source yet.').waitFor();
      await shot('no-warehouse-source');

      assert.deepEqual(scriptProblems, []);
      assert.ok(browserBodies.length > 5);
      for (const body of browserBodies) assert.ok(!body.includes(SECRET), 'an answer to the browser holds the secret');
    } finally {
      await browser.close();
    }
  });
}
