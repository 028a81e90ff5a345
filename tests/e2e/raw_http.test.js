'use strict';
// What the SDK cannot send, over node's http module: methods, unknown APIs, malformed protobuf,
// broken PlainBuffer checksums, header problems, oversized bodies, a stalled client; the response
// headers and the response signature of docs/protocol.md §1.5. After each, otsd must still serve.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const h = require('./harness');
const { TableStore } = h;
const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto;

const T = { timeout: 30000 };

function encode(type, props) {
  return Buffer.from(type.encode(type.create(props)).finish());
}

function assertError(res, status, code, messagePart) {
  const where = `(status ${res.status}, body ${JSON.stringify(res.body.toString('latin1'))})`;
  assert.equal(res.status, status, `HTTP status ${where}`);
  let err;
  try {
    err = h.decodeError(res.body);
  } catch (e) {
    assert.fail(`the body is not a protobuf Error: ${e.message} ${where}`);
  }
  assert.equal(err.code, code, `error code ${where}`);
  if (messagePart) {
    const ok = messagePart instanceof RegExp ? messagePart.test(err.message) : String(err.message).includes(messagePart);
    assert.ok(ok, `message ${JSON.stringify(err.message)} should contain ${messagePart}`);
  }
  assert.ok(res.headers['x-ots-requestid'], 'x-ots-requestid on errors');
  return err;
}

function assertSignedResponse(res, api) {
  assert.equal(res.headers['x-ots-contentmd5'], h.md5b64(res.body), 'x-ots-contentmd5 is the MD5 of the body');
  assert.ok(res.headers['x-ots-requestid'], 'x-ots-requestid');
  assert.match(res.headers['x-ots-date'] || '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$/, 'x-ots-date with a fraction');
  assert.ok(Math.abs(Date.parse(res.headers['x-ots-date']) - Date.now()) < 60000, 'x-ots-date is now');
  assert.equal(res.headers['x-ots-contenttype'], 'protocol buffer');
  const expected = `OTS ${h.DEFAULT_KEY.id}:${h.responseSignature(api, res.headers, h.DEFAULT_KEY.secret)}`;
  assert.equal(res.headers.authorization, expected,
               'response signature per docs/protocol.md §1.5');
}

describe('raw HTTP', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    await h.createTable(client, 'raw_t', [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INTEGER' }]);
    await client.putRow({
      tableName: 'raw_t', condition: h.IGNORE(), primaryKey: [{ id: 'keep' }, { n: h.long(1) }], attributeColumns: [{ v: 'kept' }],
    });
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  async function stillServes() {
    const r = await client.getRow({ tableName: 'raw_t', primaryKey: [{ id: 'keep' }, { n: h.long(1) }] });
    assert.deepEqual(h.attrsOf(r.row), { v: 'kept' });
  }

  it('a signed ListTable succeeds with every response header and a valid response signature', T, async () => {
    const res = await h.signedPost(otsd.endpoint, 'ListTable', Buffer.alloc(0));
    assert.equal(res.status, 200);
    assert.deepEqual(protos.ListTableResponse.decode(res.body).tableNames, ['raw_t']);
    assertSignedResponse(res, 'ListTable');
  });

  it('error responses other than OTSAuthFailed are signed too', T, async () => {
    const body = encode(protos.DescribeTableRequest, { tableName: 'missing' });
    const res = await h.signedPost(otsd.endpoint, 'DescribeTable', body);
    assertError(res, 404, 'OTSObjectNotExist');
    assertSignedResponse(res, 'DescribeTable');
  });

  it('GET is 405 OTSMethodNotAllowed', T, async () => {
    const res = await h.rawRequest(otsd.endpoint, { method: 'GET', path: '/ListTable' });
    assert.equal(res.status, 405);
    if (res.body.length > 0) assert.equal(h.decodeError(res.body).code, 'OTSMethodNotAllowed');
    const put = await h.rawRequest(otsd.endpoint, {
      method: 'PUT', path: '/ListTable', headers: h.signedHeaders('ListTable', Buffer.alloc(0)),
    });
    assert.equal(put.status, 405);
    await stillServes();
  });

  it('an unknown API is 400 "Unsupported operation"', T, async () => {
    const res = await h.signedPost(otsd.endpoint, 'NoSuchOperation', Buffer.alloc(0));
    assertError(res, 400, 'OTSParameterInvalid', 'Unsupported operation');
    const nested = await h.rawRequest(otsd.endpoint, {
      path: '/a/b/ListTable', headers: h.signedHeaders('a/b/ListTable', Buffer.alloc(0)),
    });
    assert.equal(nested.status, 400);
    await stillServes();
  });

  it('garbage protobuf bodies (signed) are 400 OTSParameterInvalid', T, async () => {
    const garbage = [
      Buffer.from([0x0a, 0x05, 0x61, 0x62]), // field 1, length 5, only 2 bytes
      Buffer.from([0x0f, 0x01, 0x02]), // wire type 7 does not exist
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // varint overflow
      Buffer.from('this is not protobuf at all, just text', 'utf8'),
      Buffer.alloc(0), // every required field missing
    ];
    for (const api of ['PutRow', 'GetRow', 'GetRange', 'BatchWriteRow', 'CreateTable', 'UpdateRow', 'DeleteRow']) {
      for (const body of garbage) {
        if (api === 'BatchWriteRow' && body.length === 0) continue; // an empty batch is a different case
        const res = await h.signedPost(otsd.endpoint, api, body);
        assertError(res, 400, 'OTSParameterInvalid');
      }
    }
    await stillServes();
  });

  // libprotobuf (in builds without NDEBUG) logs a line per string field with invalid UTF-8; otsd
  // lets at most one such line a minute through, so a client looping on them cannot flood its log.
  it('requests with invalid UTF-8 table names are refused without flooding the log', T, async () => {
    const before = (otsd.stderr.match(/invalid UTF-8/g) || []).length;
    for (let i = 0; i < 5; i += 1) {
      const body = h.pb.message(h.pb.bytes(1, Buffer.from([0xff, 0xfe, 0x61 + i])));
      const res = await h.signedPost(otsd.endpoint, 'DescribeTable', body);
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    }
    await stillServes();
    const after = (otsd.stderr.match(/invalid UTF-8/g) || []).length;
    assert.ok(after - before <= 1, `${after - before} log lines about invalid UTF-8:\n${otsd.stderr.slice(-2000)}`);
  });

  it('a PutRow missing a required field names the field', T, async () => {
    const row = TableStore.PlainBufferBuilder.serializeForPutRow([{ id: 'x' }, { n: h.long(1) }], [{ v: 'y' }]);
    // PutRowRequest{table_name=1, row=2} without condition=3.
    const body = h.pb.message(h.pb.bytes(1, 'raw_t'), h.pb.bytes(2, row));
    const res = await h.signedPost(otsd.endpoint, 'PutRow', body);
    assertError(res, 400, 'OTSParameterInvalid', /condition/i);
    const noTable = h.pb.message(h.pb.bytes(2, row), h.pb.bytes(3, h.pb.int(1, 0)));
    assertError(await h.signedPost(otsd.endpoint, 'PutRow', noTable), 400, 'OTSParameterInvalid', /table_name|table name/i);
    await stillServes();
  });

  // Node leaves out the condition when none was given (docs/protocol.md §2.4).
  it('a BatchWriteRow row without a condition is treated as IGNORE', T, async () => {
    const rowChange = TableStore.PlainBufferBuilder.serializeForPutRow([{ id: 'nocond' }, { n: h.long(1) }], [{ v: 'nc' }]);
    // RowInBatchWriteRowRequest{type=1 PUT, row_change=2}, no condition=3.
    const row = h.pb.message(h.pb.int(1, 1), h.pb.bytes(2, rowChange));
    const table = h.pb.message(h.pb.bytes(1, 'raw_t'), h.pb.bytes(2, row));
    const body = h.pb.bytes(1, table);
    const res = await h.signedPost(otsd.endpoint, 'BatchWriteRow', body);
    assert.equal(res.status, 200, res.body.toString('latin1'));
    const r = protos.BatchWriteRowResponse.decode(res.body);
    assert.equal(r.tables[0].rows[0].isOk, true, JSON.stringify(r.tables[0].rows[0]));
    const g = await client.getRow({ tableName: 'raw_t', primaryKey: [{ id: 'nocond' }, { n: h.long(1) }] });
    assert.deepEqual(h.attrsOf(g.row), { v: 'nc' });
  });

  it('a broken PlainBuffer row checksum or cell checksum is 400 OTSParameterInvalid and writes nothing', T, async () => {
    const row = Buffer.from(TableStore.PlainBufferBuilder.serializeForPutRow([{ id: 'crc' }, { n: h.long(1) }], [{ v: 'y' }]));
    // Row checksum: the last byte (no trailing zeros for these cells).
    assert.equal(row[row.length - 2], 0x09, 'TAG_ROW_CHECKSUM before the last byte');
    const badRow = Buffer.from(row);
    badRow[badRow.length - 1] ^= 0x5a;
    // Cell checksum of the attribute cell: the byte after the last TAG_CELL_CHECKSUM (0x0a).
    const badCell = Buffer.from(row);
    badCell[badCell.length - 3] ^= 0x33;
    assert.equal(badCell[badCell.length - 4], 0x0a, 'TAG_CELL_CHECKSUM');
    for (const broken of [badRow, badCell]) {
      const body = encode(protos.PutRowRequest, {
        tableName: 'raw_t', row: broken, condition: { rowExistence: 0 },
      });
      const res = await h.signedPost(otsd.endpoint, 'PutRow', body);
      assertError(res, 400, 'OTSParameterInvalid', /checksum/i);
    }
    // A broken header.
    const badHeader = Buffer.from(row);
    badHeader[0] = 0x76;
    const res = await h.signedPost(otsd.endpoint, 'PutRow', encode(protos.PutRowRequest, {
      tableName: 'raw_t', row: badHeader, condition: { rowExistence: 0 },
    }));
    assertError(res, 400, 'OTSParameterInvalid');
    // A truncated row.
    const res2 = await h.signedPost(otsd.endpoint, 'PutRow', encode(protos.PutRowRequest, {
      tableName: 'raw_t', row: row.subarray(0, row.length - 9), condition: { rowExistence: 0 },
    }));
    assertError(res2, 400, 'OTSParameterInvalid');
    const g = await client.getRow({ tableName: 'raw_t', primaryKey: [{ id: 'crc' }, { n: h.long(1) }] });
    assert.deepEqual(g.row, {});
    // The intact row is accepted.
    const ok = await h.signedPost(otsd.endpoint, 'PutRow', encode(protos.PutRowRequest, {
      tableName: 'raw_t', row, condition: { rowExistence: 0 },
    }));
    assert.equal(ok.status, 200, ok.body.toString('latin1'));
  });

  it('DeleteRow without the delete marker is 400 OTSParameterInvalid', T, async () => {
    const body = encode(protos.DeleteRowRequest, {
      tableName: 'raw_t',
      primaryKey: TableStore.PlainBufferBuilder.serializePrimaryKey([{ id: 'keep' }, { n: h.long(1) }]),
      condition: { rowExistence: 0 },
    });
    const res = await h.signedPost(otsd.endpoint, 'DeleteRow', body);
    assertError(res, 400, 'OTSParameterInvalid');
    await stillServes();
  });

  it('cell operations in a PutRow are 400 OTSParameterInvalid', T, async () => {
    const rowChange = TableStore.PlainBufferBuilder.serializeForUpdateRow(
      [{ id: 'keep' }, { n: h.long(1) }], [{ DELETE_ALL: ['v'] }]);
    const body = encode(protos.PutRowRequest, { tableName: 'raw_t', row: rowChange, condition: { rowExistence: 0 } });
    const res = await h.signedPost(otsd.endpoint, 'PutRow', body);
    assertError(res, 400, 'OTSParameterInvalid');
    await stillServes();
  });

  it('header problems: MD5, signature, date, missing headers', T, async () => {
    const body = encode(protos.DescribeTableRequest, { tableName: 'raw_t' });
    // MD5 of another body (signed consistently): 403 OTSAuthFailed.
    assertError(await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
      tweak: (hd) => { hd['x-ots-contentmd5'] = h.md5b64(Buffer.from('other')); },
    }), 403, 'OTSAuthFailed');
    // Signature of something else.
    assertError(await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
      after: (hd) => { hd['x-ots-signature'] = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='; },
    }), 403, 'OTSAuthFailed');
    // A header changed after signing.
    assertError(await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
      after: (hd) => { hd['x-ots-date'] = new Date(Date.now() + 1000).toISOString(); },
    }), 403, 'OTSAuthFailed');
    // Signed for another API.
    const other = h.signedHeaders('ListTable', body);
    assertError(await h.rawRequest(otsd.endpoint, { path: '/DescribeTable', headers: other, body }), 403, 'OTSAuthFailed');
    // Date one hour off: 403.
    assertError(await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
      date: new Date(Date.now() - 3600 * 1000).toISOString(),
    }), 403, 'OTSAuthFailed');
    // Five minutes off is within the skew window (the service and the Python SDK allow 15).
    const skewed = await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
      date: new Date(Date.now() - 5 * 60 * 1000).toISOString(),
    });
    assert.equal(skewed.status, 200, skewed.body.toString('latin1'));
    // A date that does not parse: 400.
    assertError(await h.signedPost(otsd.endpoint, 'DescribeTable', body, { date: 'yesterday' }), 400, 'OTSParameterInvalid');
    // Lenient date forms are accepted: no fraction? Go's odd fraction digits.
    const now = new Date();
    const goStyle = now.toISOString().replace(/\.\d+Z$/, '.123456Z');
    const ok = await h.signedPost(otsd.endpoint, 'DescribeTable', body, { date: goStyle });
    assert.equal(ok.status, 200, ok.body.toString('latin1'));
    // Each required header missing: 400 OTSParameterInvalid naming it (or 403 for auth headers).
    for (const name of ['x-ots-date', 'x-ots-accesskeyid', 'x-ots-contentmd5', 'x-ots-signature', 'x-ots-instancename']) {
      const res = await h.signedPost(otsd.endpoint, 'DescribeTable', body, {
        tweak: (hd) => { if (name !== 'x-ots-signature') delete hd[name]; },
        after: (hd) => { if (name === 'x-ots-signature') delete hd[name]; },
      });
      assert.ok(res.status === 400 || res.status === 403, `missing ${name}: status ${res.status}`);
      const err = h.decodeError(res.body);
      if (res.status === 400) {
        assert.equal(err.code, 'OTSParameterInvalid');
        assert.ok(err.message.includes(name), `message ${err.message} names ${name}`);
      } else {
        assert.equal(err.code, 'OTSAuthFailed');
      }
    }
    await stillServes();
  });

  it('a body over the request limit is 413 OTSRequestBodyTooLarge', T, async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 0x41);
    let res;
    try {
      res = await h.signedPost(otsd.endpoint, 'PutRow', body);
    } catch (err) {
      // The server may close the connection before reading the whole body; it must have answered
      // 413 first, which node reports only if it read it. Treat a reset as a failure to answer.
      assert.fail(`no 413 answer before the connection closed: ${err.message}`);
    }
    assertError(res, 413, 'OTSRequestBodyTooLarge');
    await stillServes();
  });

  it('a stalled client with a half-sent body does not block the others', T, async () => {
    const url = new URL(otsd.endpoint);
    const sockets = [];
    try {
      for (let i = 0; i < 3; i++) {
        const s = net.connect(Number(url.port), '127.0.0.1');
        s.on('error', () => {});
        await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
        s.write('POST /PutRow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789');
        sockets.push(s);
      }
      const started = Date.now();
      for (let i = 0; i < 20; i++) await stillServes();
      assert.ok(Date.now() - started < 15000, 'served promptly while others stall');
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('ComputeSplitPointsBySize answers with the schema and a consistent location list', T, async () => {
    const body = encode(protos.ComputeSplitPointsBySizeRequest, { tableName: 'raw_t', splitSize: 1 });
    const res = await h.signedPost(otsd.endpoint, 'ComputeSplitPointsBySize', body);
    assert.equal(res.status, 200, res.body.toString('latin1'));
    const r = protos.ComputeSplitPointsBySizeResponse.decode(res.body);
    assert.deepEqual(r.schema.map((s) => [s.name, s.type]), [['id', 2], ['n', 1]]);
    const repeats = r.locations.reduce((sum, l) => sum + h.num(l.repeat), 0);
    assert.ok(r.locations.length >= 1, 'at least one location');
    assert.ok(repeats <= r.splitPoints.length + 1, `sum of repeat ${repeats} <= split points + 1`);
    const missing = await h.signedPost(otsd.endpoint, 'ComputeSplitPointsBySize',
      encode(protos.ComputeSplitPointsBySizeRequest, { tableName: 'nope', splitSize: 1 }));
    assertError(missing, 404, 'OTSObjectNotExist');
  });

  it('keep-alive: many SDK calls over the same agent, then the server still serves', T, async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => client.listTable({})));
    assert.ok(results.every((r) => r.tableNames.includes('raw_t')));
    await stillServes();
  });

  it('requests on a keep-alive connection are answered without Nagle / delayed-ACK stalls', T, async () => {
    // A response written as two segments (headers, then body) without TCP_NODELAY waits for the
    // client's delayed ACK: ~40 ms per request on a reused connection. Fresh connections hide it.
    await client.describeTable({ tableName: 'raw_t' });
    const n = 20;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await client.describeTable({ tableName: 'raw_t' });
    const avgMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;
    const body = encode(protos.DescribeTableRequest, { tableName: 'raw_t' });
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await h.signedPost(otsd.endpoint, 'DescribeTable', body);
    const freshMs = Number(process.hrtime.bigint() - t1) / 1e6 / n;
    assert.ok(avgMs < 20, `keep-alive DescribeTable takes ${avgMs.toFixed(1)} ms on average ` +
      `(a fresh connection per request: ${freshMs.toFixed(1)} ms)`);
  });
});
