'use strict';
// Shared by the console_*.test.js files that drive the console in a browser: playwright-core
// with Debian's chromium (headless; no browser of its own is ever downloaded), the reason such a
// test is skipped when either is missing, and numbered screenshots of each step.
//
//   const B = require('./browser_lib');
//   if (B.SKIP) test('...', { skip: B.SKIP }, () => {});
//   const shots = new B.Screenshots('otsync-console-x');  // in before: shots.clear()
//   const browser = await B.launch();
//   B.watchScriptProblems(page, problems);
//   await shots.take(page, 'login');                      // 01-login.png

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// $CHROMIUM_BIN when set, else Debian's chromium; null when none is installed.
function chromiumPath() {
  const candidates = process.env.CHROMIUM_BIN ? [process.env.CHROMIUM_BIN] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((candidate) => fs.existsSync(candidate)) || null;
}

function playwright() {
  try {
    return require('playwright-core');
  } catch (_) {
    return null;
  }
}

const CHROMIUM = chromiumPath();
const PLAYWRIGHT = playwright();
// Why a browser test cannot run on this machine; false when it can.
const SKIP = !CHROMIUM ? 'chromium is not installed (scripts/setup.sh installs Debian\'s chromium package)'
  : !PLAYWRIGHT ? 'playwright-core is not installed in tests/e2e/node_modules (run scripts/setup.sh)' : false;

// A headless chromium; only when SKIP is false.
function launch() {
  return PLAYWRIGHT.chromium.launch({ executablePath: CHROMIUM, headless: true });
}

// Collects into `problems` what the page's scripts could not do: Content-Security-Policy
// violations (as chromium logs them) and uncaught errors.
function watchScriptProblems(page, problems) {
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
}

// Full-page screenshots numbered in the order taken ("01-login.png", "02-..."), in
// $OTSYNC_E2E_ARTIFACTS (CTest: <build>/e2e-artifacts/<test>), else in <tmp>/<fallback>.
class Screenshots {
  constructor(fallback) {
    this.dir = process.env.OTSYNC_E2E_ARTIFACTS || path.join(os.tmpdir(), fallback);
    this.count = 0;
  }

  // Empties the folder, so that it holds this run's screenshots only.
  clear() {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
  }

  // Resolves to the file written.
  async take(page, name) {
    this.count += 1;
    const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}

module.exports = { SKIP, launch, watchScriptProblems, Screenshots };
