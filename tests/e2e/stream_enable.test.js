'use strict';
// Stream enabling through the official Node SDK (issue 3 item 1, docs/protocol.md §4.1):
// CreateTable and UpdateTable with streamSpecification, DescribeTable.stream_details, ListStream,
// a new stream id on re-enabling, the old stream's data gone, and the 1..168 hour range of
// expiration_time.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');

const T = { timeout: 30000 };
const PK = [{ name: 'id', type: 'STRING' }];

// Whatever unit a time field uses (s, ms or µs), it must be about `nowMs`.
function assertAboutNow(value, nowMs, what) {
  const v = h.num(value);
  assert.ok(typeof v === 'number' && v > 0, `${what} is set (${v})`);
  const ms = v > 1e14 ? v / 1000 : v > 1e11 ? v : v * 1000;
  assert.ok(Math.abs(ms - nowMs) < 600000, `${what} ${v} is about now (${nowMs} ms)`);
}

describe('stream enabling', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    h.enableStreamApis();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  const listStream = (params) => client.makeRequest('listStream', params);

  it('createTable with streamSpecification: describeTable, ListStream and DescribeStream agree', T, async () => {
    const now = Date.now();
    await h.createTable(client, 'enabled', PK, {}, { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const d = await client.describeTable({ tableName: 'enabled' });
    const sd = d.streamDetails;
    assert.equal(sd.enableStream, true);
    assert.equal(sd.expirationTime, 24);
    assert.equal(typeof sd.streamId, 'string');
    assert.ok(sd.streamId.length > 0, 'a stream id');
    assertAboutNow(sd.lastEnableTime, now, 'last_enable_time');

    const l = await listStream({ tableName: 'enabled' });
    assert.equal(l.streams.length, 1);
    assert.equal(l.streams[0].streamId, sd.streamId);
    assert.equal(l.streams[0].tableName, 'enabled');
    assert.equal(h.num(l.streams[0].creationTime), h.num(sd.lastEnableTime), 'creation_time = last_enable_time');

    const ds = await client.makeRequest('describeStream', { streamId: sd.streamId });
    assert.equal(ds.streamId, sd.streamId);
    assert.equal(ds.tableName, 'enabled');
    assert.equal(ds.expirationTime, 24);
    assert.equal(h.num(ds.creationTime), h.num(sd.lastEnableTime));
    assert.equal(ds.streamStatus, 2, 'STREAM_ACTIVE');
    assert.equal(ds.shards.length, 1, 'a fresh table has one shard');
    assert.ok(!h.hasField(ds.shards[0], 'parentId'), 'the first shard has no parent');
    assert.ok(!h.hasField(ds, 'nextShardId'));
  });

  it('a table created without a stream has none: enableStream false, no id, ListStream empty', T, async () => {
    await h.createTable(client, 'plain', PK);
    const d = await client.describeTable({ tableName: 'plain' });
    assert.equal(d.streamDetails.enableStream, false);
    assert.ok(!d.streamDetails.streamId, 'no stream id');
    assert.deepEqual((await listStream({ tableName: 'plain' })).streams, []);
    // ListStream without a table name lists the instance's streams only.
    const all = await listStream({});
    assert.deepEqual(all.streams.map((s) => s.tableName), ['enabled']);
    // Another instance sees none of them.
    const key = h.CREDENTIALS.access_keys[1];
    const other = otsd.client({ accessKeyId: key.id, secretAccessKey: key.secret, instancename: 'second' });
    assert.deepEqual((await other.makeRequest('listStream', {})).streams, []);
    const sid = (await client.describeTable({ tableName: 'enabled' })).streamDetails.streamId;
    await h.expectOtsError(other.makeRequest('describeStream', { streamId: sid }), 404, 'OTSObjectNotExist');
  });

  it('updateTable disables: no stream, ListStream empty, the old stream and its iterators are gone', T, async () => {
    const before = (await client.describeTable({ tableName: 'enabled' })).streamDetails;
    await client.putRow({ tableName: 'enabled', condition: h.IGNORE(), primaryKey: [{ id: 'r1' }], attributeColumns: [{ a: 'x' }] });
    const shardId = (await client.makeRequest('describeStream', { streamId: before.streamId })).shards[0].shardId;
    const it0 = (await client.makeRequest('getShardIterator', { streamId: before.streamId, shardId })).shardIterator;
    const r = await client.makeRequest('getStreamRecord', { shardIterator: it0 });
    assert.equal(r.streamRecords.length, 1, 'the put is in the stream');

    const u = await client.updateTable({ tableName: 'enabled', tableOptions: {}, streamSpecification: { enableStream: false } });
    assert.equal(u.streamDetails.enableStream, false);
    const d = await client.describeTable({ tableName: 'enabled' });
    assert.equal(d.streamDetails.enableStream, false);
    assert.ok(!d.streamDetails.streamId, 'no stream id once disabled');
    assert.deepEqual((await listStream({ tableName: 'enabled' })).streams, []);
    assert.deepEqual((await listStream({})).streams, []);
    await h.expectOtsError(client.makeRequest('describeStream', { streamId: before.streamId }), 404, 'OTSObjectNotExist');
    await h.expectOtsError(client.makeRequest('getStreamRecord', { shardIterator: it0 }), 400,
      'OTSTrimmedDataAccess', 'Requested stream data is already trimmed or does not exist.');
    // The rows stay.
    const g = await client.getRow({ tableName: 'enabled', primaryKey: [{ id: 'r1' }] });
    assert.deepEqual(h.attrsOf(g.row), { a: 'x' });
  });

  it('enabling again starts a new stream id with an empty log', T, async () => {
    const old = (await client.describeTable({ tableName: 'plain' })).streamDetails;
    assert.equal(old.enableStream, false);
    // 'enabled' had stream id X; enable it again.
    const ids = [];
    for (let round = 0; round < 2; round++) {
      await client.updateTable({ tableName: 'enabled', tableOptions: {}, streamSpecification: { enableStream: true, expirationTime: 48 } });
      const d = await client.describeTable({ tableName: 'enabled' });
      assert.equal(d.streamDetails.enableStream, true);
      assert.equal(d.streamDetails.expirationTime, 48);
      ids.push(d.streamDetails.streamId);
      const l = await listStream({ tableName: 'enabled' });
      assert.deepEqual(l.streams.map((s) => s.streamId), [d.streamDetails.streamId]);
      // Nothing from before the enable is in the new stream.
      const ds = await client.makeRequest('describeStream', { streamId: d.streamDetails.streamId });
      assert.equal(ds.expirationTime, 48);
      const { records, closed } = await h.readShard(client, d.streamDetails.streamId, ds.shards[0].shardId);
      assert.equal(closed, false);
      assert.deepEqual(records, [], 'a new stream starts empty');
      await client.updateTable({ tableName: 'enabled', tableOptions: {}, streamSpecification: { enableStream: false } });
    }
    assert.notEqual(ids[0], ids[1], 'each enable gives a new stream id');
    const first = (await client.describeTable({ tableName: 'enabled' })).streamDetails;
    assert.equal(first.enableStream, false);
  });

  it('expiration_time 0, 169 or negative is OTSParameterInvalid on createTable and updateTable', T, async () => {
    for (const expirationTime of [0, 169, -1]) {
      await h.expectOtsError(
        h.createTable(client, `bad_exp_${expirationTime < 0 ? 'neg' : expirationTime}`, PK, {},
          { streamSpecification: { enableStream: true, expirationTime } }),
        400, 'OTSParameterInvalid');
      await h.expectOtsError(
        client.updateTable({ tableName: 'plain', tableOptions: {}, streamSpecification: { enableStream: true, expirationTime } }),
        400, 'OTSParameterInvalid');
    }
    // Nothing was created or enabled by the refused requests.
    const tables = (await client.listTable({})).tableNames;
    assert.ok(!tables.some((t) => t.startsWith('bad_exp')), `no table created: ${tables}`);
    assert.equal((await client.describeTable({ tableName: 'plain' })).streamDetails.enableStream, false);
    assert.deepEqual((await listStream({ tableName: 'plain' })).streams, []);
    // The bounds themselves are accepted.
    for (const expirationTime of [1, 168]) {
      await h.createTable(client, `ok_exp_${expirationTime}`, PK, {}, { streamSpecification: { enableStream: true, expirationTime } });
      const d = await client.describeTable({ tableName: `ok_exp_${expirationTime}` });
      assert.equal(d.streamDetails.expirationTime, expirationTime);
    }
  });

  it('deleteTable drops its stream', T, async () => {
    const sid = (await client.describeTable({ tableName: 'ok_exp_1' })).streamDetails.streamId;
    await client.deleteTable({ tableName: 'ok_exp_1' });
    assert.ok(!(await listStream({})).streams.some((s) => s.streamId === sid));
    await h.expectOtsError(client.makeRequest('describeStream', { streamId: sid }), 404, 'OTSObjectNotExist');
  });
});

// The service reports a new stream as STREAM_ENABLING for a moment, and its SDK tests poll until
// STREAM_ACTIVE; an otsd started with --stream-enabling-period does the same.
describe('stream enabling period', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd({ args: ['--stream-enabling-period=3s'] });
    client = otsd.client();
    h.enableStreamApis();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('DescribeStream says STREAM_ENABLING, then STREAM_ACTIVE; records written meanwhile are kept', T, async () => {
    const enabledAt = Date.now();
    await h.createTable(client, 'warming', PK, {}, { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const streamId = (await client.describeTable({ tableName: 'warming' })).streamDetails.streamId;
    const first = await client.makeRequest('describeStream', { streamId });
    assert.equal(first.streamStatus, 1, 'STREAM_ENABLING right after enabling');
    await client.putRow({
      tableName: 'warming', condition: h.IGNORE(),
      primaryKey: [{ id: 'early' }], attributeColumns: [{ v: 'written while enabling' }],
    });
    let status = first.streamStatus;
    while (status !== 2 && Date.now() - enabledAt < 15000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await client.makeRequest('describeStream', { streamId })).streamStatus;
    }
    assert.equal(status, 2, 'STREAM_ACTIVE after the period');
    assert.ok(Date.now() - enabledAt >= 2900, 'not before the period is over');
    const shard = (await client.makeRequest('describeStream', { streamId })).shards[0].shardId;
    const iterator = (await client.makeRequest('getShardIterator', { streamId, shardId: shard })).shardIterator;
    const records = await client.makeRequest('getStreamRecord', { shardIterator: iterator });
    assert.equal(records.streamRecords.length, 1, 'the row written while enabling has its record');
  });
});
