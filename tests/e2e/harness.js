'use strict';
// Test harness for the cross-process tests: starts a real otsd on a free loopback port with a
// fresh data directory and a credentials file written here, and hands out official-SDK clients.
//
//   const h = await startOtsd();          // otsd from $OTSD_BIN
//   const c = h.client();                 // TableStore.Client with maxRetries 0
//   await h.restart(); await h.kill9(); await h.stop();
//
// Every otsd started here is SIGKILLed when the test process exits, whatever happens, and its
// temporary directory is removed.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const TableStore = require('tablestore');

const READY_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 15000;
const REQUEST_TIMEOUT_MS = 20000;
const SERVING_LINE = /^otsd: serving (http:\/\/127\.0\.0\.1:(\d+))\s*$/;

// The keys every harness-started otsd knows (unless a test passes its own credentials).
const CREDENTIALS = {
  instances: ['local', 'second'],
  access_keys: [
    { id: 'e2e-access-id', secret: 'e2e-access-secret-0123456789', instances: ['local'] },
    { id: 'e2e-second-id', secret: 'e2e-second-secret-9876543210', instances: ['second'] },
  ],
  admin_keys: [{ id: 'e2e-admin-id', secret: 'e2e-admin-secret-abcdef' }],
};
const DEFAULT_KEY = CREDENTIALS.access_keys[0];
const DEFAULT_INSTANCE = 'local';

// --- process bookkeeping: no otsd survives the test process ---------------------------------
const liveChildren = new Set();
const tempDirs = new Set();
function killAll() {
  for (const child of liveChildren) {
    try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* already gone */ }
  }
  liveChildren.clear();
  for (const dir of tempDirs) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch (_) { /* best effort */ }
  }
  tempDirs.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => { killAll(); process.exit(128 + (signal === 'SIGINT' ? 2 : 15)); });
}

function otsdBinary() {
  const bin = process.env.OTSD_BIN;
  if (!bin) throw new Error('OTSD_BIN is not set (the path of the otsd binary; CTest sets it)');
  if (!fs.existsSync(bin)) throw new Error(`OTSD_BIN=${bin} does not exist`);
  return bin;
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

class Otsd {
  constructor(options = {}) {
    this.options = options;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'otsd-e2e-'));
    tempDirs.add(this.root);
    this.dataDir = path.join(this.root, 'data');
    this.credentials = options.credentials === undefined ? CREDENTIALS : options.credentials;
    this.credentialsFile = null;
    if (this.credentials !== null) {
      this.credentialsFile = path.join(this.root, 'credentials.json');
      fs.writeFileSync(this.credentialsFile, JSON.stringify(this.credentials, null, 2), { mode: 0o600 });
    }
    this.extraArgs = options.args || [];
    this.child = null;
    this.endpoint = null;
    this.port = null;
    this.stderr = '';
    this.lastExit = null;
  }

  async start() {
    if (this.child) throw new Error('otsd already running');
    const args = ['--listen=127.0.0.1:0', `--data-dir=${this.dataDir}`];
    if (this.credentialsFile) args.push(`--credentials=${this.credentialsFile}`);
    args.push(...this.extraArgs);
    const child = spawn(otsdBinary(), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0' },
    });
    this.child = child;
    liveChildren.add(child);
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      this.lastExit = { code, signal };
      if (this.child === child) this.child = null;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
      if (this.stderr.length > 200000) this.stderr = this.stderr.slice(-100000);
      if (process.env.OTSD_E2E_VERBOSE) process.stderr.write(chunk);
    });

    const endpoint = await new Promise((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        fail(new Error(`otsd did not print its serving line within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const onData = (chunk) => {
        stdout += chunk;
        let newline;
        while ((newline = stdout.indexOf('\n')) >= 0) {
          const line = stdout.slice(0, newline);
          stdout = stdout.slice(newline + 1);
          const m = SERVING_LINE.exec(line);
          if (m) {
            clearTimeout(timer);
            child.removeListener('exit', onExit);
            resolve({ url: m[1], port: Number(m[2]) });
            return;
          }
        }
      };
      const onExit = (code, signal) => {
        fail(new Error(`otsd exited before serving (code ${code}, signal ${signal})`));
      };
      const fail = (err) => {
        clearTimeout(timer);
        child.stdout.removeListener('data', onData);
        child.removeListener('exit', onExit);
        try { process.kill(child.pid, 'SIGKILL'); } catch (_) { /* gone */ }
        err.message += `\n--- otsd stderr ---\n${this.stderr.slice(-4000)}`;
        reject(err);
      };
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
    this.endpoint = endpoint.url;
    this.port = endpoint.port;
    return this;
  }

  // SIGTERM, wait for a clean exit. Returns {code, signal}.
  async stop() {
    const child = this.child;
    if (!child) return this.lastExit;
    process.kill(child.pid, 'SIGTERM');
    const result = await waitForExit(child, STOP_TIMEOUT_MS);
    this.child = null;
    return result;
  }

  // SIGKILL, no chance to flush anything.
  async kill9() {
    const child = this.child;
    if (!child) return this.lastExit;
    process.kill(child.pid, 'SIGKILL');
    const result = await waitForExit(child, STOP_TIMEOUT_MS);
    this.child = null;
    return result;
  }

  // Stops (cleanly unless told otherwise) and starts again on the same data directory. The port
  // may change: take new clients afterwards.
  async restart({ kill = false } = {}) {
    const exit = kill ? await this.kill9() : await this.stop();
    await this.start();
    return exit;
  }

  // Stops and removes the temporary directory. For `after` hooks.
  async dispose() {
    try {
      if (this.child) await this.kill9();
    } finally {
      try { fs.rmSync(this.root, { recursive: true, force: true }); } catch (_) { /* best effort */ }
      tempDirs.delete(this.root);
    }
  }

  clientConfig(overrides = {}) {
    return {
      accessKeyId: DEFAULT_KEY.id,
      secretAccessKey: DEFAULT_KEY.secret,
      endpoint: this.endpoint,
      instancename: DEFAULT_INSTANCE,
      maxRetries: 0,
      httpOptions: { timeout: REQUEST_TIMEOUT_MS },
      ...overrides,
    };
  }

  // A fresh official-SDK client for the current endpoint.
  client(overrides = {}) {
    return new TableStore.Client(this.clientConfig(overrides));
  }
}

async function startOtsd(options = {}) {
  const otsd = new Otsd(options);
  try {
    await otsd.start();
  } catch (err) {
    await otsd.dispose();
    throw err;
  }
  return otsd;
}

// --- helpers for assertions -----------------------------------------------------------------

// Number from a JS number, an Int64LE (SDK rows) or a Long (protobufjs int64 fields).
function num(v) {
  if (v === null || v === undefined) return v;
  if (typeof v === 'number') return v;
  if (typeof v.toNumber === 'function') return v.toNumber();
  if (typeof v === 'string') return Number(v);
  return v;
}

function long(n) {
  return TableStore.Long.fromNumber(n);
}

// Normalizes a cell value for deepEqual: Int64 -> {int: n}, Buffer -> {bin: hex}, others as is.
function val(v) {
  if (v === null || v === undefined) return v;
  if (Buffer.isBuffer(v)) return { bin: v.toString('hex') };
  if (typeof v === 'object' && typeof v.toNumber === 'function') return { int: v.toNumber() };
  return v;
}

// [{name, value}] primary key of a decoded row -> {name: normalized value}.
function pkOf(row) {
  const out = {};
  for (const c of row.primaryKey || []) out[c.name] = val(c.value);
  return out;
}

// The newest value per column of a decoded row -> {name: normalized value}. Versions of one
// column arrive newest first, so the first one wins.
function attrsOf(row) {
  const out = {};
  for (const c of row.attributes || []) {
    if (!(c.columnName in out)) out[c.columnName] = val(c.columnValue);
  }
  return out;
}

// Every version of a column, in the order received: [{value, ts}].
function versionsOf(row, column) {
  return (row.attributes || [])
    .filter((c) => c.columnName === column)
    .map((c) => ({ value: val(c.columnValue), ts: num(c.timestamp) }));
}

// Decoded PK [{name, value}] -> the [{name: value}] form the SDK accepts as input.
function pkInput(primaryKey) {
  return primaryKey.map((c) => ({ [c.name]: c.value }));
}

// Awaits a promise that must fail with an OTS error: err.code = HTTP status and the OTS code
// (string or RegExp) inside err.message (reference §1.9). Returns the error.
async function expectOtsError(promise, status, code, messagePart) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    const where = `(got code=${err.code}, message=${JSON.stringify(String(err.message))})`;
    if (err.code !== status) {
      throw new Error(`expected HTTP status ${status} ${where}`);
    }
    const message = String(err.message);
    if (code instanceof RegExp ? !code.test(message) : !message.includes(code)) {
      throw new Error(`expected error code ${code} in the message ${where}`);
    }
    if (messagePart !== undefined) {
      const ok = messagePart instanceof RegExp ? messagePart.test(message) : message.includes(messagePart);
      if (!ok) throw new Error(`expected ${messagePart} in the message ${where}`);
    }
    return err;
  }
  throw new Error(`expected an error ${status} ${code}, but the call succeeded: ${JSON.stringify(result && typeof result === "object" ? { ...result } : result)}`);
}

function condition(existence, columnCondition = null) {
  return new TableStore.Condition(existence, columnCondition);
}
const IGNORE = () => condition(TableStore.RowExistenceExpectation.IGNORE);
const EXPECT_EXIST = () => condition(TableStore.RowExistenceExpectation.EXPECT_EXIST);
const EXPECT_NOT_EXIST = () => condition(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST);

async function createTable(client, tableName, primaryKey, tableOptions = {}, extra = {}) {
  return client.createTable({
    tableMeta: { tableName, primaryKey },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1, ...tableOptions },
    ...extra,
  });
}

// Reads a whole range with paging, returning every row and the number of pages.
async function scanAll(client, params) {
  const rows = [];
  let pages = 0;
  let start = params.inclusiveStartPrimaryKey;
  for (;;) {
    const r = await client.getRange({ ...params, inclusiveStartPrimaryKey: start });
    pages += 1;
    rows.push(...r.rows);
    if (!r.nextStartPrimaryKey) break;
    start = pkInput(r.nextStartPrimaryKey);
    if (pages > 100000) throw new Error('getRange paging does not terminate');
  }
  return { rows, pages };
}

// --- raw HTTP (for what the SDK cannot send) -------------------------------------------------

function md5b64(body) {
  return crypto.createHash('md5').update(body).digest('base64');
}

// The V2 request signature of reference §1.3 over the given x-ots-* headers.
function signRequest(api, headers, secret) {
  const canonical = Object.keys(headers)
    .map((k) => [k.toLowerCase(), String(headers[k]).trim()])
    .filter(([k]) => k.startsWith('x-ots-') && k !== 'x-ots-signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  const stringToSign = `/${api}\nPOST\n\n${canonical}`;
  return crypto.createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

// The response signature of reference §1.5, computed over the response's x-ots-* headers.
function responseSignature(api, headers, secret) {
  const canonical = Object.keys(headers)
    .map((k) => [k.toLowerCase(), String(headers[k])])
    .filter(([k]) => k.startsWith('x-ots-') && k !== 'x-ots-signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  return crypto.createHmac('sha1', secret).update(canonical + '/' + api, 'utf8').digest('base64');
}

// Properly signed OTS headers for POST /<api> with the given body. `tweak(headers)` may alter
// them before signing; `after(headers)` after signing.
function signedHeaders(api, body, options = {}) {
  const key = options.key || DEFAULT_KEY;
  const headers = {
    'x-ots-date': options.date || new Date().toISOString(),
    'x-ots-apiversion': '2015-12-31',
    'x-ots-accesskeyid': key.id,
    'x-ots-instancename': options.instance || DEFAULT_INSTANCE,
    'x-ots-contentmd5': md5b64(body),
  };
  if (options.tweak) options.tweak(headers);
  headers['x-ots-signature'] = signRequest(api, headers, key.secret);
  if (options.after) options.after(headers);
  return headers;
}

// One HTTP request over a fresh connection; resolves {status, headers, body(Buffer)}.
function rawRequest(endpoint, { method = 'POST', path: urlPath, headers = {}, body = Buffer.alloc(0) }) {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path: urlPath,
      headers: { ...headers, 'content-length': body.length },
      agent: false,
      timeout: REQUEST_TIMEOUT_MS,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`raw ${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// Signed POST /<api> with `body`; options as for signedHeaders.
function signedPost(endpoint, api, body, options = {}) {
  return rawRequest(endpoint, { path: `/${api}`, headers: signedHeaders(api, body, options), body });
}

// The protobuf `Error{code, message}` of an error body.
function decodeError(body) {
  const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto;
  return protos.Error.decode(body);
}

// --- stream APIs through makeRequest (reference §5.6) -------------------------------------------
// The SDK has no stream calls, but ships their protobuf classes. Wrapping the SDK's encode/decode
// lets client.makeRequest('listStream', params) post a signed /ListStream like any other call.
const STREAM_OPERATIONS = {
  listStream: 'ListStream',
  describeStream: 'DescribeStream',
  getShardIterator: 'GetShardIterator',
  getStreamRecord: 'GetStreamRecord',
  computeSplitPointsBySize: 'ComputeSplitPointsBySize',
};
let streamApisEnabled = false;
function enableStreamApis() {
  if (streamApisEnabled) return;
  streamApisEnabled = true;
  const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto;
  const encode = TableStore.encoder.encode;
  const decode = TableStore.decoder.decode;
  TableStore.encoder.encode = function (operation, params) {
    const name = STREAM_OPERATIONS[operation];
    if (name) return protos[`${name}Request`].create(params || {});
    return encode.call(this, operation, params);
  };
  TableStore.decoder.decode = function (operation, body) {
    const name = STREAM_OPERATIONS[operation];
    if (name) return protos[`${name}Response`].decode(body);
    return decode.call(this, operation, body);
  };
}

// A minimal protobuf writer, for messages the SDK's generated encoders refuse to build (they
// encode required message fields unconditionally and throw when one is missing).
const pb = {
  varint(n) {
    const out = [];
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    return Buffer.from(out);
  },
  int(field, n) {
    return Buffer.concat([pb.varint((field << 3) | 0), pb.varint(n)]);
  },
  bytes(field, data) {
    const buf = Buffer.isBuffer(data) || data instanceof Uint8Array ? Buffer.from(data) : Buffer.from(String(data), 'utf8');
    return Buffer.concat([pb.varint((field << 3) | 2), pb.varint(buf.length), buf]);
  },
  message(...parts) {
    return Buffer.concat(parts);
  },
};

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  TableStore,
  CREDENTIALS,
  DEFAULT_KEY,
  DEFAULT_INSTANCE,
  Otsd,
  startOtsd,
  num,
  long,
  val,
  pkOf,
  attrsOf,
  versionsOf,
  pkInput,
  expectOtsError,
  condition,
  IGNORE,
  EXPECT_EXIST,
  EXPECT_NOT_EXIST,
  createTable,
  scanAll,
  md5b64,
  signRequest,
  responseSignature,
  signedHeaders,
  rawRequest,
  signedPost,
  decodeError,
  pb,
  enableStreamApis,
  sleep,
};
