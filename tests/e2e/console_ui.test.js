'use strict';
// The console's pages in a real browser: playwright-core drives Debian's chromium (headless; no
// browser of its own is downloaded) against a real `otsync serve` on loopback, whose data sources
// are tested against a real otsd. It logs in (a wrong password refused), adds a data source (a bad
// name refused with the rule, shown next to the field), edits it (the secret never in the page,
// kept unless replaced), runs Test Connectivity (passing, and failing at the step named), removes
// one after confirming, previews parameters, builds a task in the wizard (and in script mode, the
// seed's script pasted verbatim), runs it now and follows its instance's log, kills and reruns
// it, backfills it after a dry run, follows an ended session back to the login form, and
// logs out. Throughout: no Content-Security-Policy violation or script error, the CSRF header on
// every change, and no response or page holding the AccessKey secret. Screenshots of each step go
// to $OTSYNC_E2E_ARTIFACTS (CTest: <build>/e2e-artifacts/e2e_console_ui).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./pipeline_lib');
const { startServe, stopAll } = require('./serve_lib');
const B = require('./browser_lib');

const { h } = L;
const PASSWORD = 'e2e-console-ui-password-4412';
const SECRET = L.ACCESS_KEY.secret;
const WRONG_SECRET = 'a-wrong-secret-for-the-e2e-test';

const shots = new B.Screenshots('otsync-console-ui');

let otsd;
let server;
let browser;
let page;
const apiBodies = [];          // Every /api/ response body the browser received.
const changes = [];            // {method, url, csrf} of every state-changing /api/ request.
const scriptProblems = [];     // CSP violations and uncaught errors.
let csrfToken = '';

function shot(name) {
  return shots.take(page, name);
}

// The page as HTML, including every input's current value (which outerHTML leaves out).
async function pageWithValues() {
  return page.evaluate(() => document.documentElement.outerHTML + '\n' +
    [...document.querySelectorAll('input, textarea, select')].map((e) => `${e.id}=${e.value}`).join('\n'));
}

async function assertNoSecretOnPage(where) {
  const content = await pageWithValues();
  assert.ok(!content.includes(SECRET), `the AccessKey secret is in the page (${where})`);
  assert.ok(!content.includes(WRONG_SECRET), `the other secret is in the page (${where})`);
}

function row(name) {
  return page.locator(`tr[data-name="${name}"]`);
}

if (B.SKIP) {
  test('the console in a browser', { skip: B.SKIP }, () => {});
} else {
  before(async () => {
    shots.clear();
    otsd = await h.startOtsd();
    const dataDir = L.tempDir('otsync-console-ui-');
    const passwordFile = path.join(dataDir, 'admin-password');
    fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    server = await startServe(dataDir, ['--admin-password-file', passwordFile]);
    browser = await B.launch();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
    page.setDefaultTimeout(20000);
    B.watchScriptProblems(page, scriptProblems);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/') && request.method() !== 'GET' && url.pathname !== '/api/login') {
        changes.push({ method: request.method(), path: url.pathname, csrf: request.headers()['x-csrf-token'] });
      }
    });
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (!url.pathname.startsWith('/api/')) return;
      try {
        const body = await response.text();
        apiBodies.push({ path: url.pathname, body });
        if (url.pathname === '/api/login' && response.status() === 200) csrfToken = JSON.parse(body).csrfToken;
      } catch (_) {
        // A response whose body the browser already dropped (a navigation): nothing to check.
      }
    });
  });

  after(async () => {
    if (browser) await browser.close();
    await stopAll();
    if (otsd) await otsd.dispose();
  });

  test('the login form refuses a wrong password and signs in with the right one', async () => {
    await page.goto(server.url + '/');
    await page.getByLabel('Admin password').waitFor();
    await shot('login');
    await page.getByLabel('Admin password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-error').filter({ hasText: 'Wrong password' }).waitFor();
    await shot('login-wrong-password');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Data sources' }).waitFor();
    assert.match(await page.locator('.account').innerText(), /Signed in until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Europe\/Berlin/);
    assert.ok(csrfToken.length > 0, 'the login answered a CSRF token');
    await shot('datasources-after-login');
  });

  test('adding a data source: a bad name is refused next to its field, then the source is listed', async () => {
    await page.getByRole('button', { name: 'Add data source' }).click();
    await page.getByLabel('Data source name').fill('9lives');
    await page.getByLabel('Description').fill('the e2e otsd');
    await page.getByLabel('Endpoint').fill(otsd.endpoint);
    await page.getByLabel('Table Store instance ID').fill(h.DEFAULT_INSTANCE);
    await page.getByLabel('AccessKey ID').fill(L.ACCESS_KEY.id);
    await page.getByLabel('AccessKey secret').fill(SECRET);
    await page.getByRole('button', { name: 'Complete', exact: true }).click();
    const nameError = page.locator('#ds-name-error');
    await nameError.filter({ hasText: 'must begin with a letter' }).waitFor();
    assert.match(await nameError.innerText(), /letters, digits and underscores/);
    assert.equal(await page.getByLabel('Data source name').getAttribute('aria-invalid'), 'true');
    await shot('datasource-bad-name');

    await page.getByLabel('Data source name').fill('e2e_source');
    await page.getByLabel('Endpoint').fill('ftp://nowhere');
    await page.getByRole('button', { name: 'Test Connectivity', exact: true }).click();
    await page.locator('#ds-endpoint-error').filter({ hasText: 'http://example.com' }).waitFor();
    await shot('datasource-bad-endpoint');

    // The seed's order: Test Connectivity on the form as typed (nothing stored yet), then Complete.
    await page.getByLabel('Endpoint').fill(otsd.endpoint);
    await page.getByRole('button', { name: 'Test Connectivity', exact: true }).click();
    const formResult = page.locator('form .form-test-result .test-result[data-ok]');
    await formResult.waitFor();
    assert.equal(await formResult.getAttribute('data-ok'), 'true', await formResult.innerText());
    assert.match(await formResult.innerText(), /Connectivity passed/);
    assert.equal(await row('e2e_source').count(), 0, 'a test stores nothing');
    assert.equal((await formResult.innerText()).includes(SECRET), false, 'the secret in the test result');
    await shot('datasource-form-tested');
    await page.getByRole('button', { name: 'Complete', exact: true }).click();
    await row('e2e_source').waitFor();
    assert.match(await row('e2e_source').innerText(), /Table Store \(OTS\)/);
    assert.match(await row('e2e_source').innerText(), new RegExp(L.ACCESS_KEY.id));
    await assertNoSecretOnPage('after adding');
    await shot('datasource-added');
  });

  test('Test Connectivity passes against the real otsd', async () => {
    await row('e2e_source').getByRole('button', { name: /Test connectivity/ }).click();
    const result = page.locator('tr[data-result-for="e2e_source"] .test-result[data-ok]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
    assert.match(await result.innerText(), /Connectivity passed/);
    await shot('datasource-test-passed');
  });

  test('editing keeps the stored secret out of the page and keeps it unless replaced', async () => {
    await row('e2e_source').getByRole('button', { name: /Edit/ }).click();
    const key = page.getByLabel('AccessKey secret');
    assert.equal(await key.inputValue(), '');
    assert.match(await key.getAttribute('placeholder'), /stored; leave empty to keep/);
    assert.equal(await page.getByLabel('Data source name').getAttribute('readonly'), '');
    await assertNoSecretOnPage('the edit form');
    await shot('datasource-edit');
    await page.getByLabel('Description').fill('the e2e otsd, edited');
    await page.getByRole('button', { name: 'Save and test connectivity' }).click();
    await page.getByText('Saved data source e2e_source.').waitFor();
    await row('e2e_source').filter({ hasText: 'the e2e otsd, edited' }).waitFor();
    const result = page.locator('tr[data-result-for="e2e_source"] .test-result[data-ok]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), 'true', 'the kept secret still signs: ' + await result.innerText());
    await assertNoSecretOnPage('after editing');

    // A wrong secret typed in replaces the stored one: the test now fails at the signature.
    await row('e2e_source').getByRole('button', { name: /Edit/ }).click();
    await page.getByLabel('AccessKey secret').fill(WRONG_SECRET);
    await page.getByRole('button', { name: 'Save and test connectivity' }).click();
    await page.getByText('Saved data source e2e_source.').waitFor();
    const refused = page.locator('tr[data-result-for="e2e_source"] .test-result[data-ok="false"]');
    await refused.waitFor();
    assert.equal(await refused.getAttribute('data-step'), 'authenticate');
    assert.match(await refused.innerText(), /AccessKey ID or secret was refused/);
    await assertNoSecretOnPage('after a wrong secret');
    await shot('datasource-test-wrong-key');

    // And the right one again.
    await row('e2e_source').getByRole('button', { name: /Edit/ }).click();
    await page.getByLabel('AccessKey secret').fill(SECRET);
    await page.getByRole('button', { name: 'Save and test connectivity' }).click();
    await page.getByText('Saved data source e2e_source.').waitFor();
    await page.locator('tr[data-result-for="e2e_source"] .test-result[data-ok="true"]').waitFor();
  });

  test('Test Connectivity names the step: nothing listening at the endpoint, an unknown instance', async () => {
    await page.getByRole('button', { name: 'Add data source' }).click();
    await page.getByLabel('Data source name').fill('nobody_home');
    await page.getByLabel('Endpoint').fill('http://127.0.0.1:1');
    await page.getByLabel('Table Store instance ID').fill(h.DEFAULT_INSTANCE);
    await page.getByLabel('AccessKey ID').fill(L.ACCESS_KEY.id);
    await page.getByLabel('AccessKey secret').fill(SECRET);
    await page.getByRole('button', { name: 'Save and test connectivity' }).click();
    const unreachable = page.locator('tr[data-result-for="nobody_home"] .test-result[data-ok="false"]');
    await unreachable.waitFor();
    assert.equal(await unreachable.getAttribute('data-step'), 'connect');
    assert.match(await unreachable.innerText(), /Could not reach the endpoint/);

    await row('nobody_home').getByRole('button', { name: /Edit/ }).click();
    await page.getByLabel('Endpoint').fill(otsd.endpoint);
    await page.getByLabel('Table Store instance ID').fill('nosuchinstance');
    await page.getByRole('button', { name: 'Save and test connectivity' }).click();
    const unknown = page.locator('tr[data-result-for="nobody_home"] .test-result[data-step="instance"]');
    await unknown.waitFor();
    await shot('datasource-test-unknown-instance');
  });

  test('removing asks first, then removes', async () => {
    await row('nobody_home').getByRole('button', { name: /Remove/ }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove nobody_home?' });
    await confirm.waitFor();
    await shot('datasource-remove-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await row('nobody_home').count(), 1);
    await row('nobody_home').getByRole('button', { name: /Remove/ }).click();
    await page.getByRole('alertdialog', { name: 'Remove nobody_home?' }).getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByText('Removed data source nobody_home.').waitFor();
    await row('nobody_home').waitFor({ state: 'detached' });
    assert.equal(await row('e2e_source').count(), 1);
  });

  test('the parameter preview resolves the seed\'s expressions', async () => {
    await page.getByRole('link', { name: 'Parameters' }).click();
    await page.getByLabel('Parameters', { exact: true }).fill('startTime=$[yyyymmddhh24miss-10/24/60] pt=${bdp.system.bizdate}');
    await page.getByLabel('First scheduling time').fill('2025-11-01 02:30:45');
    await page.getByLabel('Time zone').fill('Asia/Shanghai');
    await page.getByLabel('Instances', { exact: true }).fill('2');
    await page.getByLabel('Minutes between instances').fill('5');
    await page.getByRole('button', { name: 'Preview' }).click();
    const table = page.getByRole('table', { name: 'Parameter values' });
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /Scheduling time \(Asia\/Shanghai\)/i);
    assert.match(text, /2025-11-01 02:30:45\s+20251031\s+20251101022045\s+20251031/);
    assert.match(text, /2025-11-01 02:35:45\s+20251031\s+20251101022545\s+20251031/);
    await shot('parameters-preview');

    await page.getByLabel('Parameters', { exact: true }).fill('startTime=$[yyyymmddhh24miss-10/24/60 pt=x');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#pp-parameters-error').filter({ hasText: 'startTime' }).waitFor();
    await shot('parameters-error');
  });

  test('a task built in the wizard, switched to script and back, previewed and saved', async () => {
    const toScript = async () => {
      await page.getByRole('button', { name: 'Switch to Script Mode' }).click();
      await page.getByRole('alertdialog', { name: 'Switch to script mode?' }).getByRole('button', { name: 'OK' }).click();
    };
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByText('No tasks yet.').waitFor();
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByLabel('Task name').fill('person_sync');
    await page.locator('#t-reader-datasource').selectOption('e2e_source');
    await page.getByLabel('Table', { exact: true }).first().fill('person');
    assert.equal(await page.getByLabel('Maximum retries').inputValue(), '30');
    assert.equal(await page.getByLabel('State table').inputValue(), 'TableStoreStreamReaderStatusTable');
    await page.locator('#t-writer-datasource').selectOption('odps_first');
    await page.locator('#t-writer-table').fill('person');
    await page.getByLabel('Destination columns').fill('id, colname, version, colvalue, optype, sequenceinfo');
    // The seed's six columns against a reader without sequence information: explained before saving.
    await page.getByText('The reader emits 5 columns').waitFor();
    await page.getByLabel('Export sequence information').check();
    assert.equal(await page.getByText('The reader emits 5 columns').count(), 0);
    await page.getByLabel('Concurrent jobs').fill('7');
    await page.getByLabel('Transmission Rate (MB/s)').fill('7');
    // The seed's names of the channel's fields and of the destination's partition.
    for (const label of ['Number of concurrent jobs', 'If there are more than', 'Partition information']) {
      assert.equal(await page.getByLabel(label).count(), 1, label);
    }
    await shot('task-wizard');

    // Switching asks first, as DataWorks does; Cancel keeps the wizard.
    await page.getByRole('button', { name: 'Switch to Script Mode' }).click();
    await page.getByRole('alertdialog', { name: 'Switch to script mode?' }).getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByLabel('Job script').count(), 0);
    await toScript();
    const script = JSON.parse(await page.getByLabel('Job script').inputValue());
    assert.equal(script.configuration.reader.plugin, 'otsstream');
    assert.deepEqual(script.configuration.reader.parameter, {
      datasource: 'e2e_source', dataTable: 'person', startTimeString: '${startTime}', endTimeString: '${endTime}',
      statusTable: 'TableStoreStreamReaderStatusTable', maxRetries: 30, isExportSequenceInfo: true,
    });
    assert.deepEqual(script.configuration.writer.parameter.column, ['id', 'colname', 'version', 'colvalue', 'optype', 'sequenceinfo']);
    assert.equal(script.configuration.writer.parameter.truncate, true);
    assert.deepEqual(script.configuration.setting.speed, { concurrent: 7, mbps: 7 });
    await shot('task-script');

    // The seed's script, pasted verbatim (comments, trailing commas, "Configuration " with its
    // space), maps back to the wizard.
    const seed = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'seed_job.json'), 'utf8')
      .replace('"datasource": "otsstream"', '"datasource": "e2e_source"');
    await page.getByLabel('Job script').fill(seed);
    await page.getByRole('button', { name: 'Switch to Wizard Mode' }).click();
    assert.equal(await page.getByLabel('Concurrent jobs').inputValue(), '7');
    assert.equal(await page.locator('#t-reader-datasource').inputValue(), 'e2e_source');
    assert.equal(await page.getByLabel('Export sequence information').isChecked(), false);

    // Row mode: the chosen columns are what the reader emits (no primary-key field, no
    // colname/version/...), checked against the destination's columns, and the script says so.
    await page.locator('#t-reader-mode').selectOption('single_version_and_update_only');
    await page.locator('#t-reader-columns').fill('id, name, age');
    assert.equal(await page.locator('#t-primaryKey').count(), 0);
    await page.getByText('The reader emits 3 columns').waitFor();
    const readerColumns = await page.locator('table[aria-label="Field mapping"] tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(readerColumns.slice(0, 4), ['id', 'name', 'age', '— (nothing)']);
    await shot('task-row-mode');
    await toScript();
    const rowScript = JSON.parse(await page.getByLabel('Job script').inputValue());
    assert.equal(rowScript.configuration.reader.parameter.mode, 'single_version_and_update_only');
    assert.deepEqual(rowScript.configuration.reader.parameter.column, [{ name: 'id' }, { name: 'name' }, { name: 'age' }]);
    await page.getByRole('button', { name: 'Switch to Wizard Mode' }).click();
    assert.equal(await page.locator('#t-reader-mode').inputValue(), 'single_version_and_update_only');
    assert.equal(await page.locator('#t-reader-columns').inputValue(), 'id, name, age');

    // A script that is not JSON stays in script mode and says where.
    await toScript();
    await page.getByLabel('Job script').fill('{\n  "type": "job",\n  "configuration" {}\n}');
    await page.getByRole('button', { name: 'Switch to Wizard Mode' }).click();
    await page.locator('#t-script-error').filter({ hasText: 'line 3' }).waitFor();
    await page.getByLabel('Job script').fill(seed);
    await page.getByRole('button', { name: 'Switch to Wizard Mode' }).click();

    await page.getByRole('button', { name: 'Preview the next 10 instances' }).click();
    const next = page.getByRole('table', { name: 'Next instances' });
    await next.waitFor();
    assert.equal(await next.locator('tbody tr').count(), 10);
    await shot('task-preview');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('tr[data-task="person_sync"]').waitFor();
    assert.match(await page.locator('tr[data-task="person_sync"]').innerText(), /minute 5 00:00-23:59/);
    await shot('tasks');
  });

  test('run now opens the instance: its state, its log with the first error, kill and rerun', async () => {
    const progressStream = page.waitForRequest((request) => /\/api\/instances\/\d+\/progress$/.test(request.url()));
    await page.getByRole('button', { name: 'Run person_sync now' }).click();
    await page.getByRole('heading', { name: /Instance \d+ of person_sync/ }).waitFor();
    await progressStream;   // The instance page listens to its server-sent events.
    // The otsd has no table "person": the attempt fails and its log says so.
    const log = page.getByLabel('Instance log');
    await log.filter({ hasText: 'failed' }).waitFor({ timeout: 60000 });
    assert.equal(await page.getByRole('button', { name: 'Jump to first error' }).isDisabled(), false);
    await page.getByLabel('Search').fill('attempt 1');
    await page.locator('pre.log .log-match').first().waitFor();
    await shot('instance-log');
    const kill = page.getByRole('button', { name: /^Kill instance/ });
    if (await kill.count()) {
      await kill.click();
      await page.locator('h1 .badge.killed').waitFor({ timeout: 30000 });
    } else {
      await page.locator('h1 .badge.failed').waitFor();
    }
    await page.getByRole('button', { name: /^Rerun instance/ }).click();
    await page.locator('h1 .badge.waiting, h1 .badge.running, h1 .badge.failed').first().waitFor();
    await page.getByRole('link', { name: 'All instances' }).click();
    const list = page.getByRole('table', { name: 'Instances' });
    await list.waitFor();
    assert.match(await list.innerText(), /person_sync/);
    await shot('instances');
    await page.locator('#f-state').selectOption('succeeded');
    await page.getByText('No instances match.').waitFor();
    await page.locator('#f-state').selectOption('');
  });

  test('run at a chosen scheduling time shows the values it gets before it starts', async () => {
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Run person_sync as of a time' }).click();
    const panel = page.getByRole('group', { name: 'Run person_sync as of a scheduling time' });
    await panel.getByLabel(/Scheduling time/).fill('yesterday');
    await panel.getByRole('button', { name: 'Run', exact: true }).click();
    await panel.getByText('Write the scheduling time as YYYY-MM-DD HH:MM:SS').waitFor();
    // Twenty minutes ago, off the 5-minute cycle: on a cycle time this manual instance would stand
    // in the backfill's range below (which plans the last half hour), and the backfill would then
    // run one instance fewer than its dry run lists, one minute in five.
    let atMillis = Date.now() - 20 * 60000;
    if (new Date(atMillis).getUTCMinutes() % 5 === 0) atMillis -= 60000;
    const at = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(new Date(atMillis)) + ':00';
    await panel.getByLabel(/Scheduling time/).fill(at);
    await panel.getByRole('button', { name: 'Show the values' }).click();
    const values = panel.locator('.run-values');
    await values.waitFor();
    assert.match(await values.innerText(), /startTime=\d{14} endTime=\d{14}/);
    await shot('task-run-at');
    await panel.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { name: /Instance \d+ of person_sync/ }).waitFor();
    assert.match(await page.locator('.detail').innerText(), new RegExp(at.replace(/[-:]/g, '.') + ' Asia/Shanghai'));
  });

  test('a backfill shows its dry run before it starts', async () => {
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'Backfill person_sync' }).click();
    await page.getByLabel('Range').selectOption('times');
    // The last half hour of scheduling times in the task's zone, to 10 minutes ago.
    const wallClock = (millis) => new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).format(new Date(millis));
    const now = Date.now();
    await page.getByLabel('From (included)').fill(wallClock(now - 30 * 60000));
    await page.getByLabel('To (excluded)').fill(wallClock(now - 10 * 60000));
    assert.equal(await page.getByRole('button', { name: /^Start backfill/ }).isDisabled(), true, 'no start before a dry run');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const plan = page.getByRole('table', { name: 'Backfill dry run' });
    await plan.waitFor();
    const rows = await plan.locator('tbody tr').count();
    assert.ok(rows >= 3 && rows <= 4, `${rows} instances in 20 minutes of a 5-minute cycle`);
    await shot('backfill-dry-run');
    await page.getByRole('button', { name: `Start backfill (${rows} instance${rows === 1 ? '' : 's'})` }).click();
    await page.getByText(/Started backfill \d+: \d+ instance/).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('an ended session goes back to the login form, and a login brings the page back', async () => {
    // On a page that asks nothing by itself until a click (the instances page polls, and would
    // notice on its own within two seconds).
    await page.getByRole('link', { name: 'Data sources' }).click();
    await row('e2e_source').waitFor();
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByText('Your session has ended').waitFor();
    await page.getByLabel('Admin password').waitFor();
    await shot('session-ended');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-task="person_sync"]').waitFor();
  });

  test('logging out ends the session on the server', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You have logged out.').waitFor();
    await shot('logged-out');
    const status = await page.evaluate(async () => (await fetch('/api/datasources')).status);
    assert.equal(status, 401);
  });

  test('throughout: the CSRF header on every change, no secret sent back, no CSP violation', () => {
    assert.ok(changes.length >= 8, `state changes seen: ${changes.length}`);
    for (const change of changes) {
      assert.ok(change.csrf && change.csrf.length >= 32, `${change.method} ${change.path} without X-CSRF-Token`);
    }
    assert.ok(apiBodies.length > 10);
    for (const { path: p, body } of apiBodies) {
      assert.ok(!body.includes(SECRET) && !body.includes(WRONG_SECRET), `${p} answered the secret`);
    }
    assert.deepEqual(scriptProblems, []);
    assert.ok(!server.stderr.includes(SECRET) && !server.stderr.includes(PASSWORD));
  });
}
