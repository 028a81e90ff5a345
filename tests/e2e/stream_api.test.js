'use strict';
// The four stream APIs through client.makeRequest with the SDK's own compiled protobuf classes
// (docs/protocol.md §5.5; issue 3 "How it is checked" (b)): ListStream, DescribeStream (paging
// over split and merged shards), GetShardIterator, GetStreamRecord. Records are decoded by
// h.decodeStreamRecord (PlainBuffer + extension, checksums verified) and compared exactly with
// the writes that produced them.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { long, STREAM_ACTION: A } = h;

const T = { timeout: 60000 };
const TRIMMED = 'Requested stream data is already trimmed or does not exist.';

function assertIncreasing(records, what) {
  for (let i = 1; i < records.length; i++) {
    assert.ok(records[i].sequence.timestamp > records[i - 1].sequence.timestamp,
      `${what}: commit timestamps strictly increase (record ${i}: ${records[i - 1].sequence.timestamp} -> ${records[i].sequence.timestamp})`);
  }
}

// A record without its sequence info, for exact comparison.
function shape(r) {
  return { actionType: r.actionType, primaryKey: r.primaryKey, columns: r.columns };
}

function b64urlDecode(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
function b64urlEncode(b) {
  return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('stream APIs through makeRequest', () => {
  let otsd;
  let client;
  let streamId;
  let shardId;
  const call = (op, params) => client.makeRequest(op, params);

  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    h.enableStreamApis();
    await h.createTable(client, 'ops', [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INTEGER' }],
      { maxVersions: 3 }, { streamSpecification: { enableStream: true, expirationTime: 24 } });
    streamId = (await client.describeTable({ tableName: 'ops' })).streamDetails.streamId;
    const ds = await call('describeStream', { streamId });
    assert.equal(ds.shards.length, 1);
    shardId = ds.shards[0].shardId;
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  let all = []; // Every record of 'ops' read in the first test, in order.

  it('every write kind gives exactly its record: actions, PKs, cells, sequence info', T, async () => {
    const ts0 = Date.now() - 5000;
    const pkA = [{ id: 'a' }, { n: long(1) }];
    const PKA = [{ name: 'id', value: 'a' }, { name: 'n', value: { int: 1 } }];
    const expected = [];
    const startUs = Date.now() * 1000;

    // PutRow: every column as a put with its timestamp, the server's where none was given.
    await client.putRow({
      tableName: 'ops', condition: h.IGNORE(), primaryKey: pkA,
      attributeColumns: [{ s: 'x', timestamp: ts0 }, { i: long(5), timestamp: ts0 }, { d: 1.5 }, { b: true },
        { bin: Buffer.from([0, 1, 255]) }],
    });
    const row1 = (await client.getRow({ tableName: 'ops', primaryKey: pkA })).row;
    const serverTs = h.versionsOf(row1, 'd')[0].ts;
    assert.ok(Math.abs(serverTs - Date.now()) < 60000, 'the server stamped d');
    expected.push({
      actionType: A.PUT_ROW, primaryKey: PKA,
      columns: [
        { name: 'b', kind: 'put', value: true, timestamp: h.versionsOf(row1, 'b')[0].ts },
        { name: 'bin', kind: 'put', value: { bin: '0001ff' }, timestamp: h.versionsOf(row1, 'bin')[0].ts },
        { name: 'd', kind: 'put', value: 1.5, timestamp: serverTs },
        { name: 'i', kind: 'put', value: { int: 5 }, timestamp: ts0 },
        { name: 's', kind: 'put', value: 'x', timestamp: ts0 },
      ],
      sortColumns: true,
    });

    // UpdateRow PUT of a second version.
    await client.updateRow({
      tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA,
      updateOfAttributeColumns: [{ PUT: [{ s: 'x2', timestamp: ts0 + 1000 }] }],
    });
    expected.push({ actionType: A.UPDATE_ROW, primaryKey: PKA, columns: [{ name: 's', kind: 'put', value: 'x2', timestamp: ts0 + 1000 }] });

    // UpdateRow PUT + DELETE one version + DELETE_ALL, in request order.
    await client.updateRow({
      tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA,
      updateOfAttributeColumns: [{ PUT: [{ c: 'y', timestamp: ts0 + 2000 }] }, { DELETE: [{ s: ts0 }] }, { DELETE_ALL: ['i'] }],
    });
    expected.push({
      actionType: A.UPDATE_ROW, primaryKey: PKA,
      columns: [
        { name: 'c', kind: 'put', value: 'y', timestamp: ts0 + 2000 },
        { name: 's', kind: 'deleteOne', timestamp: ts0 },
        { name: 'i', kind: 'deleteAll' },
      ],
    });
    const row3 = (await client.getRow({ tableName: 'ops', primaryKey: pkA, maxVersions: 3 })).row;
    assert.deepEqual(h.versionsOf(row3, 's'), [{ value: 'x2', ts: ts0 + 1000 }], 'one version of s deleted');
    assert.deepEqual(h.versionsOf(row3, 'i'), [], 'i deleted');

    // INCREMENT: a put of the resulting value with its timestamp.
    await client.updateRow({
      tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA,
      updateOfAttributeColumns: [{ INCREMENT: [{ k: long(2) }] }],
    });
    await client.updateRow({
      tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA,
      updateOfAttributeColumns: [{ INCREMENT: [{ k: long(40) }] }],
    });
    const row4 = (await client.getRow({ tableName: 'ops', primaryKey: pkA, maxVersions: 3 })).row;
    const kVersions = h.versionsOf(row4, 'k');
    assert.deepEqual(kVersions.map((v) => v.value), [{ int: 42 }, { int: 2 }]);
    expected.push({ actionType: A.UPDATE_ROW, primaryKey: PKA, columns: [{ name: 'k', kind: 'put', value: { int: 2 }, timestamp: kVersions[1].ts }] });
    expected.push({ actionType: A.UPDATE_ROW, primaryKey: PKA, columns: [{ name: 'k', kind: 'put', value: { int: 42 }, timestamp: kVersions[0].ts }] });

    // DeleteRow: the primary key and no columns.
    await client.deleteRow({ tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA });
    expected.push({ actionType: A.DELETE_ROW, primaryKey: PKA, columns: [] });

    // Failed conditional writes add nothing.
    await client.putRow({ tableName: 'ops', condition: h.IGNORE(), primaryKey: [{ id: 'b' }, { n: long(1) }], attributeColumns: [{ v: 'b1' }] });
    const rowB = (await client.getRow({ tableName: 'ops', primaryKey: [{ id: 'b' }, { n: long(1) }] })).row;
    expected.push({
      actionType: A.PUT_ROW, primaryKey: [{ name: 'id', value: 'b' }, { name: 'n', value: { int: 1 } }],
      columns: [{ name: 'v', kind: 'put', value: 'b1', timestamp: h.versionsOf(rowB, 'v')[0].ts }],
    });
    await h.expectOtsError(client.putRow({ tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA, attributeColumns: [{ v: 'no' }] }), 403, 'OTSConditionCheckFail');
    await h.expectOtsError(client.putRow({ tableName: 'ops', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'b' }, { n: long(1) }], attributeColumns: [{ v: 'no' }] }), 403, 'OTSConditionCheckFail');
    await h.expectOtsError(client.updateRow({ tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA, updateOfAttributeColumns: [{ PUT: [{ v: 'no' }] }] }), 403, 'OTSConditionCheckFail');
    await h.expectOtsError(client.deleteRow({ tableName: 'ops', condition: h.EXPECT_EXIST(), primaryKey: pkA }), 403, 'OTSConditionCheckFail');
    const colCond = new h.TableStore.SingleColumnCondition('v', 'other', h.TableStore.ComparatorType.EQUAL);
    await h.expectOtsError(client.updateRow({
      tableName: 'ops', condition: h.condition(h.TableStore.RowExistenceExpectation.IGNORE, colCond),
      primaryKey: [{ id: 'b' }, { n: long(1) }], updateOfAttributeColumns: [{ PUT: [{ v: 'no' }] }],
    }), 403, 'OTSConditionCheckFail');

    // BatchWriteRow: one record per successful row, with the row's index in the request.
    await client.putRow({ tableName: 'ops', condition: h.IGNORE(), primaryKey: [{ id: 'e' }, { n: long(1) }], attributeColumns: [{ v: 'e1', timestamp: ts0 }] });
    expected.push({ actionType: A.PUT_ROW, primaryKey: [{ name: 'id', value: 'e' }, { name: 'n', value: { int: 1 } }], columns: [{ name: 'v', kind: 'put', value: 'e1', timestamp: ts0 }] });
    const bw = await client.batchWriteRow({
      tables: [{
        tableName: 'ops',
        rows: [
          { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'c' }, { n: long(1) }], attributeColumns: [{ v: 'c1', timestamp: ts0 }] },
          { type: 'UPDATE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'ghost' }, { n: long(1) }], attributeColumns: [{ PUT: [{ v: 'no' }] }] },
          { type: 'UPDATE', condition: h.IGNORE(), primaryKey: [{ id: 'b' }, { n: long(1) }], attributeColumns: [{ PUT: [{ w: 'u', timestamp: ts0 }] }, { DELETE_ALL: ['v'] }] },
          { type: 'DELETE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'e' }, { n: long(1) }] },
        ],
      }],
    });
    assert.deepEqual(bw.tables.map((r) => r.isOk), [true, false, true, true]);
    const batchExpected = [
      { actionType: A.PUT_ROW, primaryKey: [{ name: 'id', value: 'c' }, { name: 'n', value: { int: 1 } }], columns: [{ name: 'v', kind: 'put', value: 'c1', timestamp: ts0 }], rowIndex: 0 },
      { actionType: A.UPDATE_ROW, primaryKey: [{ name: 'id', value: 'b' }, { name: 'n', value: { int: 1 } }], columns: [{ name: 'w', kind: 'put', value: 'u', timestamp: ts0 }, { name: 'v', kind: 'deleteAll' }], rowIndex: 2 },
      { actionType: A.DELETE_ROW, primaryKey: [{ name: 'id', value: 'e' }, { name: 'n', value: { int: 1 } }], columns: [], rowIndex: 3 },
    ];
    expected.push(...batchExpected);
    // A whole-request failure (a missing table in the batch) writes nothing.
    await h.expectOtsError(client.batchWriteRow({
      tables: [{ tableName: 'ops', rows: [{ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'z' }, { n: long(1) }], attributeColumns: [{ v: 'no' }] }] },
        { tableName: 'missing_table', rows: [{ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'z' }], attributeColumns: [{ v: 'no' }] }] }],
    }), 404, 'OTSObjectNotExist');
    const endUs = Date.now() * 1000;

    const { records, closed, iterator } = await h.readShard(client, streamId, shardId);
    assert.equal(closed, false, 'the only shard is open');
    assert.ok(typeof iterator === 'string' && iterator.length > 0);
    assert.equal(records.length, expected.length,
      `${expected.length} records expected, got ${records.length}: ${JSON.stringify(records.map(shape))}`);
    records.forEach((r, i) => {
      const e = expected[i];
      const got = shape(r);
      if (e.sortColumns) got.columns = [...got.columns].sort((x, y) => (x.name < y.name ? -1 : 1));
      assert.deepEqual(got, { actionType: e.actionType, primaryKey: e.primaryKey, columns: e.columns }, `record ${i}`);
      assert.equal(r.deleteMarker && r.actionType !== A.DELETE_ROW, false, `record ${i}: a delete marker only on a delete`);
      if (e.rowIndex !== undefined) assert.equal(r.sequence.rowIndex, e.rowIndex, `record ${i}: row index`);
      else assert.equal(r.sequence.rowIndex, 0, `record ${i}: a single-row request has row index 0`);
      assert.ok(r.sequence.timestamp >= startUs - 60e6 && r.sequence.timestamp <= endUs + 60e6,
        `record ${i}: commit timestamp ${r.sequence.timestamp} µs is about now`);
    });
    assertIncreasing(records, 'ops');
    all = records;
  });

  it('limit pages the same records; limit < 1 is OTSParameterInvalid', T, async () => {
    assert.ok(all.length >= 10);
    for (const limit of [1, 2, 3, 7, 1000, 5000]) {
      const { records, calls } = await h.readShard(client, streamId, shardId, { limit });
      assert.deepEqual(records, all, `limit ${limit}`);
      // Full pages, then the last partial page (or none), then the caught-up call.
      assert.equal(calls, Math.ceil(all.length / Math.min(limit, 1000)) + 1, `limit ${limit}: calls`);
    }
    const it0 = (await call('getShardIterator', { streamId, shardId })).shardIterator;
    for (const limit of [0, -1]) {
      await h.expectOtsError(call('getStreamRecord', { shardIterator: it0, limit }), 400, 'OTSParameterInvalid');
    }
    // Without a limit: everything pending comes back in one answer (default 100).
    const r = await call('getStreamRecord', { shardIterator: it0 });
    assert.equal(r.streamRecords.length, all.length);
  });

  it('a caught-up iterator comes back unchanged with no records, and later sees new writes', T, async () => {
    const { iterator } = await h.readShard(client, streamId, shardId);
    for (let i = 0; i < 3; i++) {
      const r = await call('getStreamRecord', { shardIterator: iterator });
      assert.equal(r.streamRecords.length, 0);
      assert.ok(h.hasField(r, 'nextShardIterator'), 'an open shard always gives an iterator');
      assert.equal(r.nextShardIterator, iterator, 'the same iterator string back');
    }
    await client.putRow({ tableName: 'ops', condition: h.IGNORE(), primaryKey: [{ id: 'late' }, { n: long(9) }], attributeColumns: [{ v: 'L' }] });
    const r = await call('getStreamRecord', { shardIterator: iterator });
    assert.equal(r.streamRecords.length, 1);
    const rec = h.decodeStreamRecord(r.streamRecords[0].record);
    assert.equal(r.streamRecords[0].actionType, A.PUT_ROW);
    assert.deepEqual(rec.primaryKey, [{ name: 'id', value: 'late' }, { name: 'n', value: { int: 9 } }]);
    assert.ok(rec.sequence.timestamp > all[all.length - 1].sequence.timestamp);
    assert.notEqual(r.nextShardIterator, iterator);
    const again = await call('getStreamRecord', { shardIterator: r.nextShardIterator });
    assert.equal(again.streamRecords.length, 0);
    assert.equal(again.nextShardIterator, r.nextShardIterator);
    all.push({ actionType: r.streamRecords[0].actionType, ...rec });
  });

  it('iterators are checkpoints: one saved mid-way reads the same records again', T, async () => {
    const it0 = (await call('getShardIterator', { streamId, shardId })).shardIterator;
    const first = await call('getStreamRecord', { shardIterator: it0, limit: 4 });
    const mid = first.nextShardIterator;
    const a = await h.readShard(client, streamId, shardId, { iterator: mid });
    const b = await h.readShard(client, streamId, shardId, { iterator: mid, limit: 2 });
    assert.deepEqual(a.records, all.slice(4));
    assert.deepEqual(b.records, all.slice(4));
    // A second GetShardIterator gives an equivalent starting point.
    const again = await h.readShard(client, streamId, shardId);
    assert.deepEqual(again.records, all);
  });

  it('garbled, forged, or foreign iterators are OTSTrimmedDataAccess, as trimmed ones', T, async () => {
    await h.createTable(client, 'oth', [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INTEGER' }], {},
      { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const othStream = (await client.describeTable({ tableName: 'oth' })).streamDetails.streamId;
    const othShard = (await call('describeStream', { streamId: othStream })).shards[0].shardId;
    const good = (await call('getShardIterator', { streamId, shardId })).shardIterator;
    const bytes = b64urlDecode(good);
    const bad = ['garbage', '', 'AAAA', good.slice(0, -4), `${good}A`, `${good}AAAA`, good.slice(4)];
    // One bit flipped at several places: version byte, ids, position, MAC.
    for (const at of [0, 3, Math.floor(bytes.length / 2), bytes.length - 20, bytes.length - 1]) {
      const copy = Buffer.from(bytes);
      copy[at] ^= 0x01;
      bad.push(b64urlEncode(copy));
    }
    // The same bytes with the other table's stream and shard ids put in (same lengths).
    const swap = (buf, from, to) => {
      const i = buf.indexOf(Buffer.from(from));
      assert.ok(i >= 0, `the iterator carries ${from}`);
      assert.equal(Buffer.byteLength(from), Buffer.byteLength(to), 'ids of the same length');
      const copy = Buffer.from(buf);
      Buffer.from(to).copy(copy, i);
      return copy;
    };
    let forged = swap(bytes, streamId, othStream);
    if (Buffer.byteLength(shardId) === Buffer.byteLength(othShard) && shardId !== othShard) forged = swap(forged, shardId, othShard);
    bad.push(b64urlEncode(forged));
    for (const shardIterator of bad) {
      await h.expectOtsError(call('getStreamRecord', { shardIterator }), 400, 'OTSTrimmedDataAccess');
    }
    // An iterator of another instance is refused here, though valid there.
    const key = h.CREDENTIALS.access_keys[1];
    const second = otsd.client({ accessKeyId: key.id, secretAccessKey: key.secret, instancename: 'second' });
    await h.createTable(second, 'ops', [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INTEGER' }], {},
      { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const sStream = (await second.describeTable({ tableName: 'ops' })).streamDetails.streamId;
    const sShard = (await second.makeRequest('describeStream', { streamId: sStream })).shards[0].shardId;
    const sIt = (await second.makeRequest('getShardIterator', { streamId: sStream, shardId: sShard })).shardIterator;
    assert.equal((await second.makeRequest('getStreamRecord', { shardIterator: sIt })).streamRecords.length, 0);
    await h.expectOtsError(call('getStreamRecord', { shardIterator: sIt }), 400, 'OTSTrimmedDataAccess');
    await h.expectOtsError(second.makeRequest('getStreamRecord', { shardIterator: good }), 400, 'OTSTrimmedDataAccess');
    // The genuine one still works.
    assert.equal((await call('getStreamRecord', { shardIterator: good })).streamRecords.length, all.length);
    // Unknown stream ids.
    await h.expectOtsError(call('getShardIterator', { streamId: 'no_such_stream', shardId }), 404, 'OTSObjectNotExist');
    await h.expectOtsError(call('describeStream', { streamId: 'no_such_stream' }), 404, 'OTSObjectNotExist');
    // The other table's writes never show up in this stream.
    await client.putRow({ tableName: 'oth', condition: h.IGNORE(), primaryKey: [{ id: 'o' }, { n: long(1) }], attributeColumns: [{ v: 'o' }] });
    assert.deepEqual((await h.readShard(client, streamId, shardId)).records, all);
    assert.equal((await h.readShard(client, othStream, othShard)).records.length, 1);
  });

  it('fields the compiled classes lack: GetShardIterator.timestamp seeks; may_more_record (raw protobuf)', T, async () => {
    const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js').main.proto;
    const { Reader } = require('protobufjs/minimal');
    const rawCall = async (api, body) => {
      const r = await h.signedPost(otsd.endpoint, api, body);
      assert.equal(r.status, 200, `${api}: ${r.status} ${r.body.toString('utf8')}`);
      return r.body;
    };
    const iteratorAt = async (timestamp) => {
      const body = h.pb.message(h.pb.bytes(1, streamId), h.pb.bytes(2, shardId), h.pb.int(3, timestamp));
      return protos.GetShardIteratorResponse.decode(await rawCall('GetShardIterator', body)).shardIterator;
    };
    // GetStreamRecordResponse field 4 (may_more_record), absent = undefined.
    const records = async (iterator, limit) => {
      const buf = await rawCall('GetStreamRecord', h.pb.message(h.pb.bytes(1, iterator), h.pb.int(2, limit)));
      const decoded = protos.GetStreamRecordResponse.decode(buf);
      let mayMore;
      const reader = Reader.create(buf);
      while (reader.pos < reader.len) {
        const tag = reader.uint32();
        if (tag >>> 3 === 4 && (tag & 7) === 0) mayMore = reader.bool();
        else reader.skipType(tag & 7);
      }
      return { decoded, mayMore };
    };
    const tsOf = (i) => all[i].sequence.timestamp;
    // Seek to a record's own timestamp: it is the first one read; just after it: the next one.
    for (const i of [0, 3, all.length - 1]) {
      const fromIt = await h.readShard(client, streamId, shardId, { iterator: await iteratorAt(tsOf(i)) });
      assert.deepEqual(fromIt.records, all.slice(i), `timestamp of record ${i}`);
      const after = await h.readShard(client, streamId, shardId, { iterator: await iteratorAt(tsOf(i) + 1) });
      assert.deepEqual(after.records, all.slice(i + 1), `just after record ${i}`);
    }
    // Before everything: the oldest record; far ahead: nothing yet, and the write that comes later.
    assert.deepEqual((await h.readShard(client, streamId, shardId, { iterator: await iteratorAt(1) })).records, all);
    const future = await iteratorAt(tsOf(all.length - 1) + 3600e6);
    assert.deepEqual((await h.readShard(client, streamId, shardId, { iterator: future })).records, []);
    // may_more_record: true while the limit cuts the read short, false once caught up.
    let it = (await call('getShardIterator', { streamId, shardId })).shardIterator;
    const flags = [];
    for (let i = 0; i < all.length; i++) {
      const r = await records(it, 1);
      assert.equal(r.decoded.streamRecords.length, 1);
      flags.push(r.mayMore);
      it = r.decoded.nextShardIterator;
    }
    assert.deepEqual(flags, all.map(() => true), 'limit 1: more each time');
    const end = await records(it, 1);
    assert.equal(end.decoded.streamRecords.length, 0);
    assert.equal(end.mayMore, false, 'caught up: no more');
    const whole = await records((await call('getShardIterator', { streamId, shardId })).shardIterator, 1000);
    assert.equal(whole.decoded.streamRecords.length, all.length);
    assert.equal(whole.mayMore, false, 'everything read at once: no more');
  });

  it('ListStream lists both streams with their creation times', T, async () => {
    const l = await call('listStream', {});
    const byTable = Object.fromEntries(l.streams.map((s) => [s.tableName, s]));
    assert.deepEqual(Object.keys(byTable).sort(), ['ops', 'oth']);
    assert.equal(byTable.ops.streamId, streamId);
    const d = await call('describeStream', { streamId });
    assert.equal(h.num(byTable.ops.creationTime), h.num(d.creationTime));
    assert.deepEqual((await call('listStream', { tableName: 'oth' })).streams.map((s) => s.tableName), ['oth']);
    await h.expectOtsError(call('listStream', { tableName: 'missing' }), 404, 'OTSObjectNotExist');
  });
});

describe('shards after splits and merges', () => {
  let otsd;
  let client;
  let streamId;
  const call = (op, params) => client.makeRequest(op, params);
  const put = (k) => client.putRow({ tableName: 'sp', condition: h.IGNORE(), primaryKey: [{ k }], attributeColumns: [{ v: `v-${k}` }] });
  const shards = {};

  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    h.enableStreamApis();
    await h.createTable(client, 'sp', [{ name: 'k', type: 'STRING' }], {}, { streamSpecification: { enableStream: true, expirationTime: 24 } });
    streamId = (await client.describeTable({ tableName: 'sp' })).streamDetails.streamId;
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('split and merge close the parents and route new writes to the children', T, async () => {
    shards.S0 = (await call('describeStream', { streamId })).shards[0].shardId;
    for (const k of ['a', 'm', 'z']) await put(k);
    const s1 = await h.adminCall(otsd, 'SplitShard', { table: 'sp', shard_id: shards.S0, key: 'h' });
    assert.equal(s1.children.length, 2);
    [shards.L, shards.H] = s1.children;
    for (const k of ['b', 'x']) await put(k);
    const s2 = await h.adminCall(otsd, 'SplitShard', { table: 'sp', shard_id: shards.H, key: 'p' });
    [shards.H1, shards.H2] = s2.children;
    for (const k of ['n', 'q']) await put(k);
    const m = await h.adminCall(otsd, 'MergeShards', { table: 'sp', shard_a: shards.L, shard_b: shards.H1 });
    shards.M = m.child;
    for (const k of ['c', 'o', 'h']) await put(k);
    await client.deleteRow({ tableName: 'sp', condition: h.IGNORE(), primaryKey: [{ k: 'q' }] });

    const ids = Object.values(shards);
    assert.equal(new Set(ids).size, 6, `six distinct shard ids: ${JSON.stringify(shards)}`);

    const { shards: listed, pages } = await h.describeStreamAll(client, streamId);
    assert.equal(pages, 1);
    assert.deepEqual(listed, [
      { shardId: shards.S0, parentId: undefined, parentSiblingId: undefined },
      { shardId: shards.L, parentId: shards.S0, parentSiblingId: undefined },
      { shardId: shards.H, parentId: shards.S0, parentSiblingId: undefined },
      { shardId: shards.H1, parentId: shards.H, parentSiblingId: undefined },
      { shardId: shards.H2, parentId: shards.H, parentSiblingId: undefined },
      { shardId: shards.M, parentId: shards.L, parentSiblingId: shards.H1 },
    ]);

    const keysOf = (r) => r.records.map((x) => (x.actionType === A.DELETE_ROW ? `-${x.primaryKey[0].value}` : x.primaryKey[0].value));
    const read = {};
    for (const [name, id] of Object.entries(shards)) read[name] = await h.readShard(client, streamId, id);
    assert.deepEqual(keysOf(read.S0), ['a', 'm', 'z']);
    assert.deepEqual(keysOf(read.L), ['b']);
    assert.deepEqual(keysOf(read.H), ['x']);
    assert.deepEqual(keysOf(read.H1), ['n']);
    assert.deepEqual(keysOf(read.H2), ['q', '-q']);
    assert.deepEqual(keysOf(read.M), ['c', 'o', 'h']);
    for (const name of ['S0', 'L', 'H', 'H1']) assert.equal(read[name].closed, true, `${name} is closed: no next iterator at its end`);
    for (const name of ['H2', 'M']) assert.equal(read[name].closed, false, `${name} is open`);
    // A child's records come after all of its parents'.
    const last = (n) => read[n].records[read[n].records.length - 1].sequence.timestamp;
    const first = (n) => read[n].records[0].sequence.timestamp;
    for (const [child, parents] of [['L', ['S0']], ['H', ['S0']], ['H1', ['H']], ['H2', ['H']], ['M', ['L', 'H1']]]) {
      for (const p of parents) assert.ok(first(child) > last(p), `${child} starts after ${p} ends`);
    }
    for (const r of Object.values(read)) assertIncreasing(r.records, 'shard');

    // A closed shard read to its end: its last page has no next iterator, with limit too.
    const it0 = (await call('getShardIterator', { streamId, shardId: shards.S0 })).shardIterator;
    const p1 = await call('getStreamRecord', { shardIterator: it0, limit: 2 });
    assert.equal(p1.streamRecords.length, 2);
    assert.ok(h.hasField(p1, 'nextShardIterator'));
    const p2 = await call('getStreamRecord', { shardIterator: p1.nextShardIterator, limit: 2 });
    assert.equal(p2.streamRecords.length, 1);
    if (h.hasField(p2, 'nextShardIterator')) {
      const p3 = await call('getStreamRecord', { shardIterator: p2.nextShardIterator, limit: 2 });
      assert.equal(p3.streamRecords.length, 0);
      assert.ok(!h.hasField(p3, 'nextShardIterator'), 'closed and fully read: no next iterator');
    }
    // Nothing more is ever written to a closed parent.
    await put('a2');
    assert.deepEqual(keysOf(await h.readShard(client, streamId, shards.S0)), ['a', 'm', 'z']);
    assert.deepEqual(keysOf(await h.readShard(client, streamId, shards.M)), ['c', 'o', 'h', 'a2']);
  });

  it('DescribeStream pages with shardLimit / inclusiveStartShardId / nextShardId', T, async () => {
    const { shards: full } = await h.describeStreamAll(client, streamId);
    assert.equal(full.length, 6);
    for (const limit of [1, 2, 3, 4, 5, 6, 7, 100]) {
      const { shards: paged, pages } = await h.describeStreamAll(client, streamId, limit);
      assert.deepEqual(paged, full, `shardLimit ${limit}`);
      assert.equal(pages, Math.max(1, Math.ceil(full.length / limit)), `shardLimit ${limit}: pages`);
    }
    const d = await call('describeStream', { streamId, shardLimit: 2 });
    assert.deepEqual(d.shards.map((s) => s.shardId), full.slice(0, 2).map((s) => s.shardId));
    assert.equal(d.nextShardId, full[2].shardId, 'next_shard_id names the first shard of the next page');
    const from3 = await call('describeStream', { streamId, inclusiveStartShardId: full[3].shardId });
    assert.deepEqual(from3.shards.map((s) => s.shardId), full.slice(3).map((s) => s.shardId));
    assert.ok(!h.hasField(from3, 'nextShardId'));
    const lastPage = await call('describeStream', { streamId, inclusiveStartShardId: full[4].shardId, shardLimit: 2 });
    assert.deepEqual(lastPage.shards.map((s) => s.shardId), full.slice(4).map((s) => s.shardId));
    assert.ok(!h.hasField(lastPage, 'nextShardId'), 'no next_shard_id on the last page');
    assert.equal(lastPage.streamStatus, 2);
    for (const shardLimit of [0, -3]) {
      await h.expectOtsError(call('describeStream', { streamId, shardLimit }), 400, 'OTSParameterInvalid');
    }
  });

  it('lineage order reading covers every write once', T, async () => {
    const { order, records } = await h.readStreamByLineage(client, streamId, { limit: 2 });
    const pos = new Map(order.map((id, i) => [id, i]));
    assert.ok(pos.get(shards.S0) < pos.get(shards.L) && pos.get(shards.L) < pos.get(shards.M) && pos.get(shards.H1) < pos.get(shards.M));
    const keys = [];
    for (const id of order) for (const r of records.get(id).records) keys.push(r.primaryKey[0].value);
    assert.deepEqual([...keys].sort(), ['a', 'a2', 'b', 'c', 'h', 'm', 'n', 'o', 'q', 'q', 'x', 'z']);
  });

  it('admin operations: refused without an admin key; bad splits and merges are refused', T, async () => {
    // A normal access key is not an admin key.
    const err = await h.adminCall(otsd, 'SplitShard', { table: 'sp', shard_id: shards.M, key: 'e' }, { key: h.DEFAULT_KEY })
      .then(() => null, (e) => e);
    assert.ok(err, 'refused');
    assert.equal(err.status, 403);
    assert.equal(err.otsCode, 'OTSAuthFailed');
    const expectRefused = async (op, body) => {
      const e = await h.adminCall(otsd, op, body).then(() => null, (x) => x);
      assert.ok(e, `${op} ${JSON.stringify(body)} is refused`);
      assert.ok(e.status >= 400 && e.status < 500, `${op}: a 4xx (${e.message})`);
    };
    await expectRefused('SplitShard', { table: 'sp', shard_id: shards.S0, key: 'e' });      // closed
    await expectRefused('SplitShard', { table: 'sp', shard_id: shards.M, key: 'z' });       // outside [-inf, p)
    await expectRefused('SplitShard', { table: 'sp', shard_id: 'no-such-shard', key: 'e' });
    await expectRefused('SplitShard', { table: 'sp', shard_id: shards.M, key: 5 });          // wrong type
    await expectRefused('MergeShards', { table: 'sp', shard_a: shards.M, shard_b: shards.S0 }); // closed
    await expectRefused('MergeShards', { table: 'sp', shard_a: shards.M, shard_b: shards.M });
    await expectRefused('SplitShard', { table: 'missing', shard_id: shards.M, key: 'e' });
    // Nothing changed.
    assert.equal((await h.describeStreamAll(client, streamId)).shards.length, 6);
  });
});
