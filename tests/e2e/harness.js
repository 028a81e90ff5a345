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
    // Extra environment of the next start (e.g. OTSD_KILL_POINT); tests may change it between starts.
    this.env = options.env || {};
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
    // Tests run many otsd at once on whatever disk the machine has: a small reserve each (the
    // mechanism is the same at any size) unless the test sets its own.
    if (!this.extraArgs.some((arg) => arg.startsWith('--reserved-space'))) args.push('--reserved-space=4m');
    args.push(...this.extraArgs);
    const child = spawn(otsdBinary(), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0', ...this.env },
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

  // Waits up to `timeoutMs` for otsd to exit by itself (e.g. at a kill point). Resolves its
  // {code, signal}, or null when it is still running then (it is left running).
  async waitForExit(timeoutMs) {
    const child = this.child;
    if (!child) return this.lastExit;
    return new Promise((resolve) => {
      const onExit = (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      };
      const timer = setTimeout(() => {
        child.removeListener('exit', onExit);
        resolve(null);
      }, timeoutMs);
      child.once('exit', onExit);
    });
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

// Whether the otsd of OTSD_BIN has kill points (base/kill_point.h): a build without them refuses
// OTSD_KILL_POINT at start (exit status 2, a usage error; the probe's only unusual input is the
// variable).
async function killPointsCompiledIn() {
  const probe = new Otsd({ env: { OTSD_KILL_POINT: 'harness.probe' } });
  try {
    await probe.start();
    return true;
  } catch (err) {
    if (/exited before serving \(code 2,/.test(err.message)) return false;
    throw err;
  } finally {
    await probe.dispose();
  }
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
// (string or RegExp) inside err.message (docs/protocol.md §1.9). Returns the error.
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

// Runs the read `read` (idempotent), once more when it failed with "socket hang up" on a pooled
// connection: Node's agent hands out a kept-alive connection that otsd closed as idle (after
// 10 s) while this process's event loop was busy for longer than that (a long synchronous check,
// a starved process), before the close was noticed. Shown with the official SDK: a read after
// the loop was blocked 11 s fails so, after 4 s it succeeds. A second failure is thrown.
async function readRetryingIdleClose(read) {
  try {
    return await read();
  } catch (err) {
    if (err.code !== 'NetworkingError' || !/socket hang up/.test(String(err.message))) throw err;
    return read();
  }
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

// The V2 request signature of docs/protocol.md §1.3 over the given x-ots-* headers.
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

// The response signature of docs/protocol.md §1.5, computed over the response's x-ots-* headers.
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

// --- stream APIs through makeRequest (docs/protocol.md §5.5) -------------------------------------
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

// --- stream records (docs/protocol.md §3, §3.10) -------------------------------------------------
// The SDK's PlainBuffer reader stops at TAG_EXTENSION, so stream records are parsed here, strictly:
// one header, exactly one row, every cell and row checksum verified, the extension's length
// fields checked, nothing after the row checksum.
const PB = {
  HEADER: 0x75, TAG_ROW_PK: 0x1, TAG_ROW_DATA: 0x2, TAG_CELL: 0x3, TAG_CELL_NAME: 0x4,
  TAG_CELL_VALUE: 0x5, TAG_CELL_TYPE: 0x6, TAG_CELL_TIMESTAMP: 0x7, TAG_DELETE_ROW_MARKER: 0x8,
  TAG_ROW_CHECKSUM: 0x9, TAG_CELL_CHECKSUM: 0x0a, TAG_EXTENSION: 0x0b, TAG_SEQ_INFO: 0x0c,
  TAG_SEQ_INFO_EPOCH: 0x0d, TAG_SEQ_INFO_TS: 0x0e, TAG_SEQ_INFO_ROW_INDEX: 0x0f,
  VT_INTEGER: 0x0, VT_DOUBLE: 0x1, VT_BOOLEAN: 0x2, VT_STRING: 0x3, VT_BLOB: 0x7,
  DELETE_ALL_VERSION: 0x1, DELETE_ONE_VERSION: 0x3,
};
const CRC8_TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = (c & 0x80) ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();
function crc8(crc, bytes) {
  for (const b of bytes) crc = CRC8_TABLE[crc ^ b];
  return crc;
}

// StreamRecord.record bytes -> {primaryKey: [{name, value}], columns: [{name, kind, value, timestamp}],
// deleteMarker, sequence: {epoch, timestamp, rowIndex}}. Values as `val` normalizes them (integers
// {int: n}, binaries {bin: hex}); kind is 'put' | 'deleteOne' | 'deleteAll'; cell timestamps in ms
// (absent = undefined), the sequence timestamp in µs. Throws on anything malformed.
function decodeStreamRecord(bytes) {
  const buf = Buffer.from(bytes);
  let pos = 0;
  const fail = (what) => { throw new Error(`stream record: ${what} at byte ${pos} of ${buf.toString('hex')}`); };
  const need = (n) => { if (pos + n > buf.length) fail(`truncated (need ${n} bytes)`); };
  const u8 = () => { need(1); return buf[pos++]; };
  const u32 = () => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const raw = (n) => { need(n); const v = buf.subarray(pos, pos + n); pos += n; return v; };
  const peek = () => (pos < buf.length ? buf[pos] : -1);
  const expectTag = (tag, what) => { const t = u8(); if (t !== tag) { pos -= 1; fail(`expected ${what} (0x${tag.toString(16)}), got 0x${t.toString(16)}`); } };

  if (u32() !== PB.HEADER) fail('bad header');
  // One cell: returns {name, value, type, timestamp} and checks its checksum.
  const readCell = (isPk) => {
    expectTag(PB.TAG_CELL, 'TAG_CELL');
    expectTag(PB.TAG_CELL_NAME, 'TAG_CELL_NAME');
    const nameBytes = raw(u32());
    let crc = crc8(0, nameBytes);
    const cell = { name: nameBytes.toString('utf8') };
    if (peek() === PB.TAG_CELL_VALUE) {
      pos += 1;
      const len = u32();
      const end = pos + len;
      const vtype = u8();
      crc = crc8(crc, [vtype]);
      if (vtype === PB.VT_INTEGER) {
        if (len !== 9) fail('integer value length');
        const b = raw(8); crc = crc8(crc, b);
        const big = b.readBigInt64LE(0);
        cell.value = { int: Number(big) };
        if (BigInt(cell.value.int) !== big) cell.value = { int: big };
      } else if (vtype === PB.VT_DOUBLE && !isPk) {
        if (len !== 9) fail('double value length');
        const b = raw(8); crc = crc8(crc, b);
        cell.value = b.readDoubleLE(0);
      } else if (vtype === PB.VT_BOOLEAN && !isPk) {
        if (len !== 2) fail('boolean value length');
        const b = u8(); crc = crc8(crc, [b ? 1 : 0]);
        cell.value = b !== 0;
      } else if (vtype === PB.VT_STRING || vtype === PB.VT_BLOB) {
        const lb = raw(4); const n = lb.readUInt32LE(0);
        if (len !== 5 + n) fail('string/blob value length');
        const data = raw(n);
        crc = crc8(crc, lb); crc = crc8(crc, data);
        cell.value = vtype === PB.VT_STRING ? data.toString('utf8') : { bin: data.toString('hex') };
      } else {
        fail(`value type 0x${vtype.toString(16)} in a ${isPk ? 'primary key' : 'data'} cell`);
      }
      if (pos !== end) fail('value length prefix does not match its payload');
    }
    if (!isPk && peek() === PB.TAG_CELL_TYPE) { pos += 1; cell.type = u8(); }
    if (!isPk && peek() === PB.TAG_CELL_TIMESTAMP) {
      pos += 1;
      const b = raw(8); crc = crc8(crc, b);
      cell.timestamp = Number(b.readBigInt64LE(0));
    }
    if (cell.type !== undefined) crc = crc8(crc, [cell.type]);
    expectTag(PB.TAG_CELL_CHECKSUM, 'TAG_CELL_CHECKSUM');
    const sum = u8();
    if (sum !== crc) fail(`cell checksum of ${cell.name}: got 0x${sum.toString(16)}, expected 0x${crc.toString(16)}`);
    cell.crc = crc;
    return cell;
  };

  expectTag(PB.TAG_ROW_PK, 'TAG_ROW_PK');
  const pkCells = [];
  while (peek() === PB.TAG_CELL) pkCells.push(readCell(true));
  if (pkCells.length === 0) fail('no primary key cells');
  const dataCells = [];
  if (peek() === PB.TAG_ROW_DATA) {
    pos += 1;
    while (peek() === PB.TAG_CELL) dataCells.push(readCell(false));
    if (dataCells.length === 0) fail('TAG_ROW_DATA with no cells');
  }
  let deleteMarker = false;
  if (peek() === PB.TAG_DELETE_ROW_MARKER) { pos += 1; deleteMarker = true; }
  expectTag(PB.TAG_EXTENSION, 'TAG_EXTENSION (required in a stream record)');
  if (u32() !== 24) fail('extension length is not 24');
  expectTag(PB.TAG_SEQ_INFO, 'TAG_SEQ_INFO');
  if (u32() !== 19) fail('sequence info length is not 19');
  expectTag(PB.TAG_SEQ_INFO_EPOCH, 'TAG_SEQ_INFO_EPOCH');
  const epoch = u32();
  expectTag(PB.TAG_SEQ_INFO_TS, 'TAG_SEQ_INFO_TS');
  const ts = raw(8).readBigInt64LE(0);
  expectTag(PB.TAG_SEQ_INFO_ROW_INDEX, 'TAG_SEQ_INFO_ROW_INDEX');
  const rowIndex = u32();
  expectTag(PB.TAG_ROW_CHECKSUM, 'TAG_ROW_CHECKSUM');
  let rowCrc = 0;
  for (const c of pkCells) rowCrc = crc8(rowCrc, [c.crc]);
  for (const c of dataCells) rowCrc = crc8(rowCrc, [c.crc]);
  rowCrc = crc8(rowCrc, [deleteMarker ? 1 : 0]);
  const rowSum = u8();
  if (rowSum !== rowCrc) fail(`row checksum: got 0x${rowSum.toString(16)}, expected 0x${rowCrc.toString(16)}`);
  if (pos !== buf.length) fail('bytes after the row checksum (a stream record holds exactly one row)');

  const columns = dataCells.map((c) => {
    let kind;
    if (c.value !== undefined) {
      if (c.type !== undefined) fail(`put cell ${c.name} carries a cell type`);
      if (c.timestamp === undefined) fail(`put cell ${c.name} has no timestamp`);
      kind = 'put';
    } else if (c.type === PB.DELETE_ONE_VERSION) {
      if (c.timestamp === undefined) fail(`delete-one-version cell ${c.name} has no timestamp`);
      kind = 'deleteOne';
    } else if (c.type === PB.DELETE_ALL_VERSION) {
      if (c.timestamp !== undefined) fail(`delete-all-versions cell ${c.name} has a timestamp`);
      kind = 'deleteAll';
    } else {
      fail(`cell ${c.name}: no value and cell type ${c.type}`);
    }
    const out = { name: c.name, kind };
    if (c.value !== undefined) out.value = c.value;
    if (c.timestamp !== undefined) out.timestamp = c.timestamp;
    return out;
  });
  return {
    primaryKey: pkCells.map((c) => ({ name: c.name, value: c.value })),
    columns,
    deleteMarker,
    sequence: { epoch, timestamp: Number(ts), rowIndex },
  };
}

// The stream ActionType values.
const STREAM_ACTION = { PUT_ROW: 1, UPDATE_ROW: 2, DELETE_ROW: 3 };

// A stream call through makeRequest (enables the wrapped encoder/decoder on first use).
function streamCall(client, operation, params) {
  enableStreamApis();
  return client.makeRequest(operation, params);
}

// Whether a decoded protobufjs message carries `field` (absent optional string fields read as ""
// through the prototype).
function hasField(message, field) {
  return Object.prototype.hasOwnProperty.call(message, field);
}

// Every shard of a stream, paging DescribeStream with `shardLimit` (when given). Returns
// {description (first page), shards, pages}.
async function describeStreamAll(client, streamId, shardLimit) {
  const shards = [];
  let pages = 0;
  let first = null;
  let start;
  for (;;) {
    const params = { streamId };
    if (start !== undefined) params.inclusiveStartShardId = start;
    if (shardLimit !== undefined) params.shardLimit = shardLimit;
    const d = await streamCall(client, 'describeStream', params);
    pages += 1;
    if (!first) first = d;
    shards.push(...d.shards.map((s) => ({
      shardId: s.shardId,
      parentId: hasField(s, 'parentId') ? s.parentId : undefined,
      parentSiblingId: hasField(s, 'parentSiblingId') ? s.parentSiblingId : undefined,
    })));
    if (!hasField(d, 'nextShardId')) break;
    start = d.nextShardId;
    if (pages > 10000) throw new Error('describeStream paging does not terminate');
  }
  return { description: first, shards, pages };
}

// Reads a shard from `iterator` (or its oldest retained record) until it ends (closed: no next
// iterator) or is caught up (open: the same iterator back with no records). Returns
// {records: [{actionType, ...decodeStreamRecord}], closed, iterator (the last one, for an open
// shard), calls}.
async function readShard(client, streamId, shardId, { limit, iterator } = {}) {
  let it = iterator;
  if (it === undefined) {
    it = (await streamCall(client, 'getShardIterator', { streamId, shardId })).shardIterator;
  }
  const records = [];
  let calls = 0;
  for (;;) {
    const params = { shardIterator: it };
    if (limit !== undefined) params.limit = limit;
    const r = await streamCall(client, 'getStreamRecord', params);
    calls += 1;
    for (const rec of r.streamRecords) {
      records.push({ actionType: rec.actionType, ...decodeStreamRecord(rec.record) });
    }
    if (!hasField(r, 'nextShardIterator')) return { records, closed: true, iterator: null, calls };
    if (r.streamRecords.length === 0) {
      if (r.nextShardIterator !== it) {
        throw new Error(`shard ${shardId}: no records but a different iterator back`);
      }
      return { records, closed: false, iterator: it, calls };
    }
    it = r.nextShardIterator;
    if (calls > 1000000) throw new Error('getStreamRecord does not terminate');
  }
}

// Reads every shard of a stream to its end, parents (and parent siblings) before children, as
// a consumer must (docs/protocol.md §4.2). Returns {shards, order: [shardId], records: Map
// shardId -> {records, closed, iterator}}. Throws when the lineage names a shard the stream does
// not list, or has a cycle. options.from (Map shardId -> the iterator a former read returned, or
// null for a shard it read to its closed end) resumes a former read: only the records since then
// are returned, and a shard read to its end is not read again (its entry: no records, closed).
async function readStreamByLineage(client, streamId, options = {}) {
  const { shards } = await describeStreamAll(client, streamId, options.shardLimit);
  const from = options.from || new Map();
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const done = new Set();
  const order = [];
  const records = new Map();
  while (done.size < shards.length) {
    const ready = shards.filter((s) => !done.has(s.shardId) &&
      [s.parentId, s.parentSiblingId].every((p) => p === undefined || done.has(p) || !byId.has(p)));
    if (ready.length === 0) throw new Error('stream lineage has a cycle');
    for (const s of ready) {
      const resume = from.get(s.shardId);
      if (resume === null) {
        records.set(s.shardId, { records: [], closed: true, iterator: null, calls: 0 });
      } else {
        records.set(s.shardId, await readShard(client, streamId, s.shardId, { ...options, iterator: resume }));
      }
      done.add(s.shardId);
      order.push(s.shardId);
    }
  }
  return { shards, order, records };
}

// POST /_otsd/admin/<op> with a JSON body, signed with the harness's admin key. Resolves the
// parsed JSON reply; rejects with an Error carrying `status`, `otsCode` and `otsMessage`.
async function adminCall(otsd, op, body = {}, { key = CREDENTIALS.admin_keys[0] } = {}) {
  const api = `_otsd/admin/${op}`;
  const r = await signedPost(otsd.endpoint, api, Buffer.from(JSON.stringify(body)), { key });
  if (r.status === 200) return JSON.parse(r.body.toString('utf8'));
  let otsCode = '';
  let otsMessage = r.body.toString('utf8');
  try {
    const e = decodeError(r.body);
    otsCode = e.code;
    otsMessage = e.message;
  } catch (_) { /* not a protobuf Error */ }
  const err = new Error(`admin ${op} ${JSON.stringify(body)}: HTTP ${r.status} ${otsCode} ${otsMessage}`);
  err.status = r.status;
  err.otsCode = otsCode;
  err.otsMessage = otsMessage;
  throw err;
}

// A seeded pseudo-random generator of numbers in [0, 1) (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- a keyed write load for stream tests ---------------------------------------------------------
// `writers` concurrent writers (one SDK client each) on a table with primary key [{k: STRING}].
// Key i ('k000', 'k001', ...) belongs to writer i % writers, so the writes to one key come from
// one writer, one at a time, and their acknowledgement order is their commit order. Every write
// carries a unique token in column `tok` (none for deletes). Ops: PutRow, UpdateRow (PUT tok,
// DELETE_ALL gone), DeleteRow, and BatchWriteRow of 2-5 distinct keys mixing the three.
//
// load.ops: Map key -> [{action: 'P'|'U'|'D', tok, rowIndex, state: 'pending'|'acked'|'failed',
// failure (the error's message, when failed)}] in issue order. With stopOnError, a writer stops
// at its first failure (crash tests), so the only unacknowledged write of a key is its last one
// in that load. A load may continue an earlier one's ops
// (options.ops: its Map, to which keys are added up to `keys`), with `tokPrefix` keeping tokens
// unique across loads and `tag` stored in every new op; `keyWidth` digits name a key.
// The SDK calls back only on the request's errors: when otsd dies after it began a response,
// the response stream ends without 'end' and the SDK's promise never settles. A write still
// unanswered after this long is treated as in flight at the kill (its outcome unknown), and
// the timer keeps the event loop alive meanwhile.
const WRITE_OUTCOME_DEADLINE_MS = 15000;

function withOutcomeDeadline(promise) {
  let timer;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer: in flight at the kill')), WRITE_OUTCOME_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function streamLoadKey(i, keyWidth = 3) {
  return `k${String(i).padStart(keyWidth, '0')}`;
}

function startStreamLoad(makeClient, table, {
  writers = 6, keys = 240, seed = 1, stopOnError = false, pad = 64, ops = new Map(), tokPrefix = '', tag, keyWidth = 3,
} = {}) {
  const random = rng(seed);
  const keyName = (i) => streamLoadKey(i, keyWidth);
  for (let i = 0; i < keys; i++) if (!ops.has(keyName(i))) ops.set(keyName(i), []);
  const failures = [];
  let stop = false;
  let acked = 0;
  const padding = 'p'.repeat(pad);
  const change = (w, seq, key, action, rowIndex) => {
    const op = { action, tok: action === 'D' ? null : `${tokPrefix}w${w}.${seq}.${rowIndex}`, rowIndex, state: 'pending' };
    if (tag !== undefined) op.tag = tag;
    ops.get(key).push(op);
    return op;
  };
  const rowOf = (op, key) => {
    if (op.action === 'P') return { type: 'PUT', condition: IGNORE(), primaryKey: [{ k: key }], attributeColumns: [{ tok: op.tok }, { pad: padding }] };
    if (op.action === 'U') return { type: 'UPDATE', condition: IGNORE(), primaryKey: [{ k: key }], attributeColumns: [{ PUT: [{ tok: op.tok }] }, { DELETE_ALL: ['gone'] }] };
    return { type: 'DELETE', condition: IGNORE(), primaryKey: [{ k: key }] };
  };
  const loops = [];
  for (let w = 0; w < writers; w++) {
    const mine = [];
    for (let i = w; i < keys; i += writers) mine.push(keyName(i));
    const client = makeClient();
    loops.push((async () => {
      let seq = 0;
      while (!stop) {
        seq += 1;
        const dice = random();
        const pick = () => mine[Math.floor(random() * mine.length)];
        const action = () => { const d = random(); return d < 0.5 ? 'P' : d < 0.8 ? 'U' : 'D'; };
        let pending;
        let request;
        if (dice < 0.8) {
          const key = pick();
          const op = change(w, seq, key, action(), 0);
          pending = [op];
          const r = rowOf(op, key);
          if (op.action === 'P') request = () => client.putRow({ tableName: table, condition: IGNORE(), primaryKey: r.primaryKey, attributeColumns: r.attributeColumns });
          else if (op.action === 'U') request = () => client.updateRow({ tableName: table, condition: IGNORE(), primaryKey: r.primaryKey, updateOfAttributeColumns: r.attributeColumns });
          else request = () => client.deleteRow({ tableName: table, condition: IGNORE(), primaryKey: r.primaryKey });
        } else {
          const n = 2 + Math.floor(random() * 4);
          const chosen = new Set();
          while (chosen.size < Math.min(n, mine.length)) chosen.add(pick());
          const rows = [];
          pending = [];
          [...chosen].forEach((key, j) => {
            const op = change(w, seq, key, action(), j);
            pending.push(op);
            rows.push(rowOf(op, key));
          });
          request = async () => {
            const res = await client.batchWriteRow({ tables: [{ tableName: table, rows }] });
            const bad = res.tables.filter((x) => !x.isOk);
            if (bad.length > 0) throw new Error(`batch rows failed: ${JSON.stringify(bad.map((x) => x.error))}`);
          };
        }
        try {
          await withOutcomeDeadline(request());
          for (const op of pending) op.state = 'acked';
          acked += pending.length;
        } catch (err) {
          for (const op of pending) {
            op.state = 'failed';
            op.failure = String(err.message).slice(0, 200);
          }
          failures.push(err);
          if (stopOnError) break;
        }
      }
    })());
  }
  return {
    ops,
    failures,
    get acked() { return acked; },
    stop: async () => { stop = true; await Promise.all(loops); },
  };
}

// Stream records -> Map key -> [{action, tok, rowIndex}] in the order given, for a table with
// primary key [{k: STRING}] written by startStreamLoad; `withTimestamp` adds each record's
// sequence timestamp.
function streamOpsByKey(records, { withTimestamp = false } = {}) {
  const byKey = new Map();
  const letter = { [STREAM_ACTION.PUT_ROW]: 'P', [STREAM_ACTION.UPDATE_ROW]: 'U', [STREAM_ACTION.DELETE_ROW]: 'D' };
  for (const r of records) {
    const key = r.primaryKey[0].value;
    const tokCell = r.columns.find((c) => c.name === 'tok' && c.kind === 'put');
    if (!byKey.has(key)) byKey.set(key, []);
    const op = { action: letter[r.actionType], tok: tokCell ? tokCell.value : null, rowIndex: r.sequence.rowIndex };
    if (withTimestamp) op.timestamp = r.sequence.timestamp;
    byKey.get(key).push(op);
  }
  return byKey;
}

// Checks one key's stream records (`log`: [{action, tok, rowIndex, timestamp?}] in read order)
// against the writes issued to it (`ops` of startStreamLoad), from `cursor` {op, record} (both 0
// for a whole log) on: every acknowledged write ('acked') has its record, in issue order; a write
// whose outcome is unknown ('pending'/'failed') has at most one; a write found earlier to have
// been applied ('applied') or not ('lost') must stay so; no record is left over (none twice, none
// of an unknown write). A delete has no token, so an unknown delete and a later delete of the key
// look alike: `belongsTo(op, record)`, when given, tells whether a record can be that op's (e.g.
// by the records' timestamps and the times of the otsd processes). Returns {problem (a string,
// or null), cursor (where a later call on longer ops/log continues), resolved: [{op, applied}]
// for the unknown writes decided here, last (the last record matched, or undefined)}.
function matchKeyLog(ops, log, { cursor = { op: 0, record: 0 }, belongsTo } = {}) {
  const same = (o, r) => o.action === r.action && o.tok === r.tok && o.rowIndex === r.rowIndex;
  const show = (o) => `${o.action} ${o.tok} #${o.rowIndex}${o.tag !== undefined ? ` (${o.tag})` : ''}`;
  let i = cursor.op;
  let j = cursor.record;
  const resolved = [];
  let last;
  for (; i < ops.length; i++) {
    const o = ops[i];
    const r = log[j];
    const matches = r !== undefined && same(o, r) && (!belongsTo || belongsTo(o, r));
    if (o.state === 'acked' || o.state === 'applied') {
      if (!matches) {
        return {
          problem: `the ${o.state} write ${show(o)} has no record in its place (found ${r ? show(r) : 'no more records'})`,
          cursor: { op: i, record: j }, resolved, last,
        };
      }
      last = r;
      j += 1;
    } else if (o.state === 'lost') {
      continue;
    } else {
      resolved.push({ op: o, applied: matches });
      if (matches) {
        last = r;
        j += 1;
      }
    }
  }
  if (j < log.length) {
    const r = log[j];
    return { problem: `${log.length - j} record(s) of no write, or twice, from ${show(r)}`, cursor: { op: i, record: j }, resolved, last };
  }
  return { problem: null, cursor: { op: i, record: j }, resolved, last };
}

// Checks that each shard's records (records: Map shardId -> {records}) have strictly increasing
// sequence info (timestamp, then row index) in read order, and that a child's first record
// comes after its parents' last ones. `lastSeen` (Map shardId -> {timestamp, rowIndex}) carries
// the positions over from an earlier read of the same shards and is updated. Returns the
// problems found (strings).
function checkShardSequences(shards, records, lastSeen = new Map()) {
  const problems = [];
  const after = (a, b) => a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.rowIndex > b.rowIndex);
  for (const s of shards) {
    const got = records.get(s.shardId);
    if (!got) continue;
    let prev = lastSeen.get(s.shardId);
    if (prev === undefined && got.records.length > 0) {
      for (const p of [s.parentId, s.parentSiblingId]) {
        const parentLast = p === undefined ? undefined : lastSeen.get(p);
        if (parentLast && !after(got.records[0].sequence, parentLast)) {
          problems.push(`shard ${s.shardId}: its first record ${JSON.stringify(got.records[0].sequence)} is not after its parent ${p}'s last ${JSON.stringify(parentLast)}`);
        }
      }
    }
    for (const r of got.records) {
      if (prev !== undefined && !after(r.sequence, prev)) {
        problems.push(`shard ${s.shardId}: sequence ${JSON.stringify(r.sequence)} after ${JSON.stringify(prev)}`);
      }
      prev = r.sequence;
    }
    if (prev !== undefined) lastSeen.set(s.shardId, prev);
  }
  return problems;
}

// A number field of /proc/<pid>/status (VmRSS in KiB, Threads, …); NaN when it is not there.
function procStatus(pid, field) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`${field}:\\s+(\\d+)`).exec(text);
  return match ? Number(match[1]) : NaN;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  killPointsCompiledIn,
  TableStore,
  withOutcomeDeadline,
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
  readRetryingIdleClose,
  md5b64,
  signRequest,
  responseSignature,
  signedHeaders,
  rawRequest,
  signedPost,
  decodeError,
  pb,
  enableStreamApis,
  decodeStreamRecord,
  STREAM_ACTION,
  streamCall,
  hasField,
  describeStreamAll,
  readShard,
  readStreamByLineage,
  adminCall,
  rng,
  startStreamLoad,
  streamLoadKey,
  streamOpsByKey,
  matchKeyLog,
  checkShardSequences,
  procStatus,
  sleep,
};
