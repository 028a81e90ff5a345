'use strict';
// The console's source tables and runs in a real browser: playwright-core drives Debian's
// chromium (headless) against a real `otsync serve` whose `ots` data source is a real otsd
// (its clock 30 minutes behind, so that fresh writes are already readable). It
//  - lists the source's tables with their Stream: a table without one is shown as such, and
//    "Enable Stream" (confirmed, with its retention) turns it on — checked with the official SDK's
//    DescribeTable — before rows are written;
//  - builds a task in the wizard, whose source table is a pick from that list (a table without
//    Stream warned about, with the button) and whose primary-key columns come from the table
//    picked, in key order (never over what was typed);
//  - runs it now with custom parameter values covering the rows' window (a value that does not
//    resolve refused next to its field), follows the instance to 100 % and succeeded while a
//    second tab's instance list follows it live (server-sent events, no reload), and finds the
//    rows in the partition with `otsync warehouse query`;
//  - runs a rate-limited task into the same partition, kills it from the browser (killed within
//    10 s) and finds the partition exactly as before;
//  - and never sees the AccessKey secret in a page or an API answer.
// Skipped, saying why, when chromium or playwright-core is missing. Screenshots of each step go to
// $OTSYNC_E2E_ARTIFACTS (CTest: <build>/e2e-artifacts/e2e_console_runs).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');
const { startServe, stopAll, login } = require('./serve_lib');
const B = require('./browser_lib');

const { h } = L;
const PASSWORD = 'e2e-console-runs-password-5127';
const SECRET = L.ACCESS_KEY.secret;
const SOURCE = 'e2e_src';
const TABLE = 'orders';
const PLAIN_TABLE = 'no_stream';
// A table with the otsstream reader's status-table key: checkpoints, not a source of changes.
const STATUS_TABLE = 'orders_status';
// A table with a two-column key: picking it fills the wizard's primary key in key order.
const LINES_TABLE = 'order_lines';
const ROWS = 1500;
const COLUMNS = 'id, colname, version, colvalue, optype';

const shots = new B.Screenshots('otsync-console-runs');

let otsd;
let client;
let server;
let dataDir;
let browser;
let page;       // The tab that acts.
let listPage;   // A second tab on the instance list, never reloaded.
let rowsWindow; // The rows' window, as the task's parameters write it (Asia/Shanghai wall clock).
let slowWindow; // The same rows in a window a minute longer: not one the warehouse already holds.
let partitionAfterRun;
const apiBodies = [];
const scriptProblems = [];

function shot(name, which = page) {
  return shots.take(which, name);
}

function watch(tab) {
  tab.setDefaultTimeout(20000);
  B.watchScriptProblems(tab, scriptProblems);
  tab.on('response', async (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/api/') || url.pathname === '/api/events') return;
    try {
      apiBodies.push({ path: url.pathname, body: await response.text() });
    } catch (_) {
      // A streamed or dropped body: nothing to check.
    }
  });
}

async function assertNoSecretOnPage(tab, where) {
  const content = await tab.evaluate(() => document.documentElement.outerHTML + '\n' +
    [...document.querySelectorAll('input, textarea, select')].map((e) => `${e.id}=${e.value}`).join('\n'));
  assert.ok(!content.includes(SECRET), `the AccessKey secret is in the page (${where})`);
}

// "yyyymmddhh24miss" of `millis` on the Asia/Shanghai wall clock (the tasks' zone).
function compact(millis) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(millis)).map((p) => [p.type, p.value]));
  return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
}

async function partitionRows() {
  const lines = await L.warehouseCsv(dataDir, `SELECT ${COLUMNS} FROM dest WHERE pt = 'p1' ORDER BY ALL`);
  return lines.slice(1);
}

async function describeStream(table) {
  const described = await client.describeTable({ tableName: table });
  return described.streamDetails || {};
}

// Runs the task `name` from its "Run at…" panel with custom values; resolves the instance id.
async function runWithCustomValues(name, values) {
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: `Run ${name} as of a time` }).click();
  const panel = page.getByRole('group', { name: `Run ${name} as of a scheduling time` });
  await panel.getByLabel('Custom parameter values for this run').check();
  // Prefilled from the preview of "now".
  await page.waitForFunction(() => /^\d{14}$/.test(document.querySelector('#run-param-startTime').value));
  for (const [parameter, value] of Object.entries(values)) {
    await panel.locator(`#run-param-${parameter}`).fill(value);
  }
  await panel.getByRole('button', { name: 'Run with these values' }).click();
  const heading = page.getByRole('heading', { name: new RegExp(`Instance \\d+ of ${name}`) });
  await heading.waitFor();
  return Number(/Instance (\d+)/.exec(await heading.innerText())[1]);
}

if (B.SKIP) {
  test('source tables and runs in the console', { skip: B.SKIP }, () => {});
} else {
  before(async () => {
    shots.clear();
    otsd = await h.startOtsd({ args: [L.OTSD_CLOCK_OFFSET] });
    client = otsd.client();
    await h.createTable(client, TABLE, [{ name: 'id', type: 'STRING' }], { maxVersions: 1 });
    await h.createTable(client, PLAIN_TABLE, [{ name: 'id', type: 'STRING' }], { maxVersions: 1 });
    await h.createTable(client, STATUS_TABLE, [
      { name: 'StreamId', type: 'STRING' }, { name: 'StatusType', type: 'STRING' },
      { name: 'StatusValue', type: 'STRING' }], { maxVersions: 1 });
    await h.createTable(client, LINES_TABLE, [{ name: 'order_id', type: 'STRING' }, { name: 'line', type: 'INTEGER' }],
      { maxVersions: 1 });
    dataDir = L.tempDir('otsync-console-runs-');
    L.mustSucceed(await L.runOtsync(['warehouse', 'create-table', '--data-dir', dataDir,
      'dest(id STRING, colname STRING, version BIGINT, colvalue STRING, optype STRING) PARTITIONED BY (pt STRING)']),
    'warehouse create-table');
    const passwordFile = path.join(dataDir, 'admin-password');
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    server = await startServe(dataDir, ['--admin-password-file', passwordFile]);
    const api = await login(server, PASSWORD);
    const added = await api.send('POST', '/api/datasources', {
      type: 'ots', name: SOURCE, endpoint: otsd.endpoint, instance: h.DEFAULT_INSTANCE,
      accessId: L.ACCESS_KEY.id, accessKey: SECRET,
    });
    assert.equal(added.status, 201, added.body);

    browser = await B.launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    watch(page);
    await page.goto(server.url + '/');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Data sources' }).waitFor();
  });

  after(async () => {
    if (browser) await browser.close();
    await stopAll();
    if (otsd) await otsd.dispose();
  });

  test('the source\'s tables show their Stream, and Enable Stream turns it on', async () => {
    await page.getByRole('button', { name: `Tables of ${SOURCE}` }).click();
    const panel = page.locator(`[data-tables-for="${SOURCE}"]`);
    const orders = panel.locator(`tr[data-table="${TABLE}"]`);
    await orders.waitFor();
    assert.equal(await orders.locator('[data-stream]').getAttribute('data-stream'), 'off');
    assert.match(await orders.innerText(), /Stream off\s+—/i);
    const statusRow = panel.locator(`tr[data-table="${STATUS_TABLE}"]`);
    assert.equal(await statusRow.locator('[data-status-table]').count(), 1);
    assert.equal(await statusRow.getByRole('button').count(), 0);  // No Enable Stream for it.
    await shot('tables-stream-off');

    await orders.getByRole('button', { name: `Enable Stream on ${TABLE}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Enable Stream on ${TABLE}?` });
    await confirm.waitFor();
    assert.equal(await confirm.getByLabel('Retention in hours').inputValue(), '24');
    await confirm.getByLabel('Retention in hours').fill('36');
    await shot('enable-stream-confirm');
    await confirm.getByRole('button', { name: 'Yes, enable Stream' }).click();
    await orders.locator('[data-stream="on"]').waitFor();
    assert.match(await orders.innerText(), /Stream on\s+36 hours/i);
    await panel.getByText(`Stream is on for ${TABLE}, keeping changes for 36 hours.`).waitFor();
    await shot('tables-stream-on');
    const stream = await describeStream(TABLE);
    assert.equal(stream.enableStream, true, JSON.stringify(stream));
    assert.equal(Number(stream.expirationTime), 36);
    assert.equal((await describeStream(PLAIN_TABLE)).enableStream, false);
    await assertNoSecretOnPage(page, 'the tables panel');

    // The rows, written once the Stream is on: their window is [now - 45 min, now - 10 min) of
    // this machine's clock (otsd stamps them 30 minutes back).
    await L.putRows(client, TABLE, { count: ROWS, columns: 2, valueBytes: 100, tag: 'r' });
    const whole = L.wholeWindow();
    rowsWindow = { startTime: compact(whole.start), endTime: compact(whole.end) };
    slowWindow = { startTime: compact(whole.start - 60000), endTime: compact(whole.end) };
  });

  test('the wizard picks the source table from the list and warns about one without Stream', async () => {
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByLabel('Task name').fill('orders_sync');
    await page.locator('#t-reader-datasource').selectOption(SOURCE);
    const pick = page.locator('select#t-reader-dataTable');
    await pick.waitFor();
    assert.match(await pick.innerText(), new RegExp(`${TABLE} — Stream on, 36 h`));
    assert.doesNotMatch(await pick.innerText(), new RegExp(STATUS_TABLE));
    await pick.selectOption(PLAIN_TABLE);
    const warning = page.locator('.stream-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), new RegExp(`The Stream of ${PLAIN_TABLE} is off`));
    assert.equal(await warning.getByRole('button', { name: `Enable Stream on ${PLAIN_TABLE}` }).count(), 1);
    await shot('wizard-table-without-stream');

    // The primary key comes from the table picked, in key order, with its types beside it.
    const primaryKey = page.locator('#t-primaryKey');
    const keyHint = page.locator('#t-primaryKey-hint');
    await pick.selectOption(LINES_TABLE);
    assert.equal(await primaryKey.inputValue(), 'order_id, line');
    assert.equal(await keyHint.innerText(), `From ${LINES_TABLE}'s primary key: order_id (STRING), line (INTEGER)`);
    await shot('wizard-primary-key-from-table');
    // What a person typed stays over another pick; an emptied field is filled again.
    await primaryKey.fill('order_id');
    await pick.selectOption(TABLE);
    assert.equal(await primaryKey.inputValue(), 'order_id');
    assert.doesNotMatch(await keyHint.innerText(), /From /);
    await primaryKey.fill('');
    await pick.selectOption(LINES_TABLE);
    assert.equal(await primaryKey.inputValue(), 'order_id, line');

    await pick.selectOption(TABLE);
    await warning.waitFor({ state: 'detached' });
    // Not typed: the key of the table picked replaced the earlier pick's.
    assert.equal(await primaryKey.inputValue(), 'id');
    assert.equal(await keyHint.innerText(), `From ${TABLE}'s primary key: id (STRING)`);

    await page.locator('#t-writer-datasource').selectOption('odps_first');
    // The field mapping is checked against the destination table's own columns.
    await page.locator('#t-writer-table').fill('no_such_table');
    await page.locator('.destination-check').filter({ hasText: 'create the table on the Warehouse page' }).waitFor();
    await page.locator('#t-writer-table').fill('dest');
    await page.locator('#t-writer-partition').fill('pt=p1');
    await page.getByLabel('Destination columns').fill(COLUMNS.replace('colvalue', 'value'));
    await page.locator('.destination-check').filter({ hasText: 'Table dest has no column value' }).waitFor();
    // ["*"] is every column of the table in its order: the mapping shows them.
    await page.getByLabel('Destination columns').fill('*');
    await page.locator('.destination-check').filter({ hasText: 'Every destination column is a column of table dest' }).waitFor();
    const starTargets = await page.locator('table[aria-label="Field mapping"] tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual(starTargets, COLUMNS.split(/[\s,]+/).filter(Boolean));
    await page.getByLabel('Destination columns').fill(COLUMNS);
    await page.locator('.destination-check').filter({ hasText: 'Every destination column is a column of table dest' }).waitFor();
    // The warehouse's tables are offered for the destination table, with their partitioning.
    assert.equal(await page.locator('#t-writer-tables option[value="dest"]').count(), 1);
    // A daily cycle at 00:30 Shanghai time: no scheduled instance comes during the test.
    await page.locator('#t-cycle').fill('day 00:30');
    // Leaves the field: its suggestion list, still open, would take the next click.
    await page.locator('#t-cycle').blur();
    await shot('wizard-table-with-stream');
    // The seed's "Save and Run": Run saves the task, then asks for this run's parameters.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const saved = page.locator('tr[data-task="orders_sync"]');
    await saved.or(page.locator('form [role="alert"]:not(:empty)')).first().waitFor().catch(() => shot('task-not-saved'));
    assert.equal(await saved.count(), 1, server.stderr.split('\n').slice(-8).join('\n'));
    const runPanel = page.getByRole('group', { name: 'Run orders_sync as of a scheduling time' });
    await runPanel.waitFor();
    await page.locator('p.notice').filter({ hasText: /^Saved task orders_sync\..*Set the parameters of this run and start it below\.$/s }).waitFor();
    await shot('task-saved');
    await runPanel.getByRole('button', { name: 'Cancel' }).click();
    await runPanel.waitFor({ state: 'detached' });
  });

  test('run now with custom values: refused naming the parameter, then 100 %, live in the list, rows in the partition', async () => {
    listPage = await page.context().newPage();
    watch(listPage);
    await listPage.goto(server.url + '/#/instances');
    await listPage.locator('.live-state[data-live="true"]').waitFor();
    await listPage.evaluate(() => { window.notReloaded = true; });

    // A value that does not resolve is refused beside its field, and nothing runs.
    await page.getByRole('button', { name: 'Run orders_sync as of a time' }).click();
    const panel = page.getByRole('group', { name: 'Run orders_sync as of a scheduling time' });
    await panel.getByLabel('Custom parameter values for this run').check();
    await page.waitForFunction(() => /^\d{14}$/.test(document.querySelector('#run-param-endTime').value));
    await panel.locator('#run-param-startTime').fill('$[bogus]');
    await panel.getByRole('button', { name: 'Run with these values' }).click();
    await panel.locator('.field.invalid .field-error').filter({ hasText: 'parameter startTime' }).waitFor();
    await shot('run-custom-refused');
    await panel.getByRole('button', { name: 'Cancel' }).click();

    const id = await runWithCustomValues('orders_sync', rowsWindow);
    const started = Date.now();
    // The other tab's list shows the new instance within about a second, without a reload.
    const listed = listPage.locator(`tr[data-instance="${id}"]`);
    await listed.waitFor({ timeout: 5000 });
    const shownAfter = Date.now() - started;
    assert.ok(shownAfter < 2500, `the instance list showed instance ${id} after ${shownAfter} ms`);

    await page.locator('h1 .badge.succeeded').waitFor({ timeout: 90000 });
    await page.locator('.percent[data-percent="100"]').waitFor({ timeout: 10000 });
    const detail = await page.locator('.detail').innerText();
    assert.match(detail, new RegExp(`startTime=${rowsWindow.startTime} endTime=${rowsWindow.endTime}`));
    assert.match(await page.locator('.custom-values').innerText(), new RegExp(`startTime=${rowsWindow.startTime} endTime=${rowsWindow.endTime}`));
    // What landed, on the instance's own page: the first rows of the partition it wrote.
    const landed = page.getByRole('table', { name: 'Rows in the partition' });
    await landed.waitFor({ timeout: 10000 });
    assert.match(await page.locator('#landed-title').innerText(), /First rows in partition pt=p1 of dest/);
    const firstRows = await landed.locator('tbody tr').allInnerTexts();
    assert.equal(firstRows.length, 10);
    assert.match(firstRows[0], /^id000000\t/);
    assert.ok(firstRows.some((row) => /^id000000\tc0\t\d+\tr-0-0-/.test(row)), firstRows.join('\n'));
    await shot('run-custom-succeeded');
    await listed.locator('.badge.succeeded').waitFor({ timeout: 5000 });
    assert.match(await listed.innerText(), /custom values/);
    assert.equal(await listPage.evaluate(() => window.notReloaded), true, 'the instance list was reloaded');
    await shot('instances-live-succeeded', listPage);

    partitionAfterRun = await partitionRows();
    // Every put row's two columns, each as one change record (version, value, optype).
    for (const column of ['c0', 'c1']) {
      const changes = partitionAfterRun.filter((line) => line.split(',')[1] === column);
      assert.equal(changes.length, ROWS, `${changes.length} changes of ${column} in pt=p1`);
      assert.equal(new Set(changes.map((line) => line.split(',')[0])).size, ROWS);
    }
    assert.ok(partitionAfterRun.some((line) => line.startsWith('id000000,c0,') && line.includes('r-0-0-')),
      partitionAfterRun.slice(0, 3).join('\n'));
  });

  test('a slow run killed from the browser is killed within 10 s and leaves the partition as it was', async () => {
    const api = await login(server, PASSWORD);
    const script = {
      type: 'job',
      version: '1.0',
      configuration: {
        reader: {
          plugin: 'otsstream',
          parameter: {
            datasource: SOURCE, dataTable: TABLE, statusTable: 'slow_status',
            startTimeString: '${startTime}', endTimeString: '${endTime}', isExportSequenceInfo: false,
          },
        },
        writer: {
          plugin: 'odps',
          parameter: {
            datasource: 'odps_first', table: 'dest', partition: 'pt=p1', truncate: true,
            column: COLUMNS.split(', '),
          },
        },
        // About 20 KB/s: the window's ~400 KB take some 20 seconds.
        setting: { speed: { concurrent: 1, mbps: 0.02 } },
      },
    };
    const created = await api.send('POST', '/api/tasks', {
      name: 'orders_slow', script: JSON.stringify(script, null, 2), cycle: 'day 00:30',
      parameters: 'startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]', retryCount: 0,
    });
    assert.equal(created.status, 201, created.body);

    const id = await runWithCustomValues('orders_slow', slowWindow);
    await listPage.locator(`tr[data-instance="${id}"]`).waitFor({ timeout: 5000 });
    await page.locator('h1 .badge.running').waitFor({ timeout: 30000 });
    await page.waitForTimeout(2000);   // Reading, far from its commit.
    await shot('slow-run-running');
    await page.getByRole('button', { name: `Kill instance ${id}` }).click();
    const asked = Date.now();
    await page.locator('h1 .badge.killed').waitFor({ timeout: 10000 });
    const killedAfter = Date.now() - asked;
    assert.ok(killedAfter <= 10000, `killed after ${killedAfter} ms`);
    await shot('slow-run-killed');
    await listPage.locator(`tr[data-instance="${id}"] .badge.killed`).waitFor({ timeout: 5000 });
    assert.equal(await listPage.evaluate(() => window.notReloaded), true, 'the instance list was reloaded');
    await shot('instances-live-killed', listPage);

    assert.deepEqual(await partitionRows(), partitionAfterRun, 'the killed run changed pt=p1');
  });

  test('throughout: no secret in a page or an API answer, no script error', async () => {
    await assertNoSecretOnPage(page, 'the end');
    await assertNoSecretOnPage(listPage, 'the instance list');
    assert.ok(apiBodies.length > 10);
    for (const { path: p, body } of apiBodies) {
      assert.ok(!body.includes(SECRET), `${p} answered the secret`);
    }
    assert.deepEqual(scriptProblems, []);
    assert.ok(!server.stderr.includes(SECRET) && !server.stderr.includes(PASSWORD));
  });
}
