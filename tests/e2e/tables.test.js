'use strict';
// Table APIs through the official Node SDK: CreateTable (with options), ListTable,
// DescribeTable fields, UpdateTable, DeleteTable, and their error codes.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore } = h;

const T = { timeout: 30000 };

describe('table APIs', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('listTable on a fresh instance is empty', T, async () => {
    const r = await client.listTable({});
    assert.deepEqual(r.tableNames, []);
  });

  it('createTable with options, then describeTable returns every field', T, async () => {
    const before = Date.now();
    await client.createTable({
      tableMeta: {
        tableName: 'described',
        primaryKey: [
          { name: 'pk_str', type: 'STRING' },
          { name: 'pk_int', type: 'INTEGER' },
          { name: 'pk_bin', type: 'BINARY' },
        ],
      },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: 86400 * 3, maxVersions: 4, maxTimeDeviation: 7200 },
    });
    const d = await client.describeTable({ tableName: 'described' });
    assert.equal(d.tableMeta.tableName, 'described');
    assert.deepEqual(
      d.tableMeta.primaryKey.map((p) => [p.name, p.type]),
      [['pk_str', TableStore.PrimaryKeyType.STRING], ['pk_int', TableStore.PrimaryKeyType.INTEGER],
        ['pk_bin', TableStore.PrimaryKeyType.BINARY]],
    );
    assert.equal(d.tableStatus, 1, 'table_status ACTIVE');
    assert.equal(d.tableOptions.timeToLive, 86400 * 3);
    assert.equal(d.tableOptions.maxVersions, 4);
    assert.equal(h.num(d.tableOptions.deviationCellVersionInSec), 7200);
    const cu = d.reservedThroughputDetails.capacityUnit;
    assert.equal(cu.read, 0);
    assert.equal(cu.write, 0);
    const lastIncrease = h.num(d.reservedThroughputDetails.lastIncreaseTime);
    assert.ok(typeof lastIncrease === 'number', 'last_increase_time present');
    // Seconds or milliseconds since the epoch: either way it is about "now", not 0.
    const lastIncreaseMs = lastIncrease < 1e11 ? lastIncrease * 1000 : lastIncrease;
    assert.ok(Math.abs(lastIncreaseMs - before) < 600000, `last_increase_time ${lastIncrease} is about now`);
    assert.ok(d.streamDetails, 'stream_details is always sent');
    assert.equal(d.streamDetails.enableStream, false);
  });

  it('createTable defaults: TTL -1 and the deviation default are reported', T, async () => {
    await h.createTable(client, 'defaults', [{ name: 'id', type: 'STRING' }], { timeToLive: -1, maxVersions: 1 });
    const d = await client.describeTable({ tableName: 'defaults' });
    assert.equal(d.tableOptions.timeToLive, -1);
    assert.equal(d.tableOptions.maxVersions, 1);
    assert.ok(h.num(d.tableOptions.deviationCellVersionInSec) > 0, 'deviation_cell_version_in_sec is populated');
  });

  it('createTable with streamSpecification shows in describeTable', T, async () => {
    await h.createTable(client, 'streamed', [{ name: 'id', type: 'STRING' }], {}, {
      streamSpecification: { enableStream: true, expirationTime: 24 },
    });
    const d = await client.describeTable({ tableName: 'streamed' });
    assert.equal(d.streamDetails.enableStream, true);
    assert.equal(d.streamDetails.expirationTime, 24);
    assert.ok(d.streamDetails.streamId && d.streamDetails.streamId.length > 0, 'stream id');
    assert.ok(h.num(d.streamDetails.lastEnableTime) > 0, 'last_enable_time');
  });

  it('createTable with an AUTO_INCREMENT column reports the option', T, async () => {
    await h.createTable(client, 'autoinc_meta', [
      { name: 'part', type: 'STRING' },
      { name: 'seq', type: 'INTEGER', option: 'AUTO_INCREMENT' },
    ]);
    const d = await client.describeTable({ tableName: 'autoinc_meta' });
    assert.equal(d.tableMeta.primaryKey[1].name, 'seq');
    assert.equal(d.tableMeta.primaryKey[1].option, TableStore.PrimaryKeyOption.AUTO_INCREMENT);
    // protobufjs reports an absent enum as its prototype default, so test presence.
    assert.ok(!Object.prototype.hasOwnProperty.call(d.tableMeta.primaryKey[0], 'option'),
      'no option sent for the first column');
    assert.ok(Object.prototype.hasOwnProperty.call(d.tableMeta.primaryKey[1], 'option'));
  });

  it('listTable lists every created table', T, async () => {
    const r = await client.listTable({});
    for (const name of ['described', 'defaults', 'streamed', 'autoinc_meta']) {
      assert.ok(r.tableNames.includes(name), `${name} in ${r.tableNames}`);
    }
  });

  it('createTable of an existing table is 409 OTSObjectAlreadyExist', T, async () => {
    await h.expectOtsError(
      h.createTable(client, 'defaults', [{ name: 'id', type: 'STRING' }]),
      409, 'OTSObjectAlreadyExist');
  });

  it('describeTable / updateTable / deleteTable of a missing table is 404 OTSObjectNotExist', T, async () => {
    await h.expectOtsError(client.describeTable({ tableName: 'nope' }), 404, 'OTSObjectNotExist');
    await h.expectOtsError(client.updateTable({ tableName: 'nope', tableOptions: { maxVersions: 2 } }),
      404, 'OTSObjectNotExist');
    await h.expectOtsError(client.deleteTable({ tableName: 'nope' }), 404, 'OTSObjectNotExist');
  });

  it('updateTable changes options; describeTable reflects them', T, async () => {
    const u = await client.updateTable({
      tableName: 'defaults',
      tableOptions: { maxVersions: 5, timeToLive: 86400 * 10 },
    });
    assert.equal(u.tableOptions.maxVersions, 5);
    assert.equal(u.tableOptions.timeToLive, 86400 * 10);
    assert.ok(u.reservedThroughputDetails && u.reservedThroughputDetails.capacityUnit);
    assert.ok(u.streamDetails, 'UpdateTableResponse.stream_details is always sent');
    const d = await client.describeTable({ tableName: 'defaults' });
    assert.equal(d.tableOptions.maxVersions, 5);
    assert.equal(d.tableOptions.timeToLive, 86400 * 10);
  });

  it('updateTable with only a stream spec (empty table options) is accepted', T, async () => {
    await client.updateTable({
      tableName: 'defaults',
      tableOptions: {},
      streamSpecification: { enableStream: true, expirationTime: 12 },
    });
    const d = await client.describeTable({ tableName: 'defaults' });
    assert.equal(d.streamDetails.enableStream, true);
    assert.equal(d.streamDetails.expirationTime, 12);
    assert.equal(d.tableOptions.maxVersions, 5, 'options untouched');
    await client.updateTable({
      tableName: 'defaults', tableOptions: {}, streamSpecification: { enableStream: false },
    });
    const d2 = await client.describeTable({ tableName: 'defaults' });
    assert.equal(d2.streamDetails.enableStream, false);
  });

  it('deleteTable removes the table and its rows', T, async () => {
    await h.createTable(client, 'doomed', [{ name: 'id', type: 'STRING' }]);
    await client.putRow({
      tableName: 'doomed', condition: h.IGNORE(), primaryKey: [{ id: 'x' }], attributeColumns: [{ a: 'b' }],
    });
    await client.deleteTable({ tableName: 'doomed' });
    const r = await client.listTable({});
    assert.ok(!r.tableNames.includes('doomed'));
    await h.expectOtsError(client.describeTable({ tableName: 'doomed' }), 404, 'OTSObjectNotExist');
    await h.expectOtsError(client.getRow({ tableName: 'doomed', primaryKey: [{ id: 'x' }] }), 404, 'OTSObjectNotExist');
    // Re-creating gives an empty table: the old rows are gone.
    await h.createTable(client, 'doomed', [{ name: 'id', type: 'STRING' }]);
    const g = await client.getRow({ tableName: 'doomed', primaryKey: [{ id: 'x' }] });
    assert.deepEqual(g.row, {});
  });

  it('invalid table names are 400 OTSParameterInvalid', T, async () => {
    for (const name of ['1starts_with_digit', 'has-dash', 'has space', 'x'.repeat(256)]) {
      await h.expectOtsError(h.createTable(client, name, [{ name: 'id', type: 'STRING' }]),
        400, 'OTSParameterInvalid');
    }
    const r = await client.listTable({});
    assert.ok(!r.tableNames.some((n) => n.includes('-') || n.includes(' ')));
  });

  it('invalid primary key schemas are rejected with 400', T, async () => {
    // five PK columns (the limit is four)
    await h.expectOtsError(h.createTable(client, 'too_many_pk', [
      { name: 'a', type: 'STRING' }, { name: 'b', type: 'STRING' }, { name: 'c', type: 'STRING' },
      { name: 'd', type: 'STRING' }, { name: 'e', type: 'STRING' },
    ]), 400, 'OTSParameterInvalid');
    // no PK column at all
    await h.expectOtsError(h.createTable(client, 'no_pk', []), 400, 'OTSParameterInvalid');
    // a bad PK column name
    await h.expectOtsError(h.createTable(client, 'bad_pk_name', [{ name: '9lives', type: 'STRING' }]),
      400, 'OTSParameterInvalid');
    // duplicated PK column names
    await h.expectOtsError(h.createTable(client, 'dup_pk', [
      { name: 'a', type: 'STRING' }, { name: 'a', type: 'INTEGER' },
    ]), 400, 'OTSParameterInvalid');
    // AUTO_INCREMENT on the first (partition) column
    await h.expectOtsError(h.createTable(client, 'autoinc_first', [
      { name: 'a', type: 'INTEGER', option: 'AUTO_INCREMENT' }, { name: 'b', type: 'STRING' },
    ]), 400, 'OTSParameterInvalid');
    const r = await client.listTable({});
    for (const n of ['too_many_pk', 'no_pk', 'bad_pk_name', 'dup_pk', 'autoinc_first']) {
      assert.ok(!r.tableNames.includes(n), `${n} must not have been created`);
    }
  });

  it('invalid table options are 400 OTSParameterInvalid', T, async () => {
    await h.expectOtsError(h.createTable(client, 'bad_ttl', [{ name: 'id', type: 'STRING' }], { timeToLive: 0 }),
      400, 'OTSParameterInvalid');
    await h.expectOtsError(h.createTable(client, 'bad_versions', [{ name: 'id', type: 'STRING' }], { maxVersions: -3 }),
      400, 'OTSParameterInvalid');
    await h.expectOtsError(client.updateTable({ tableName: 'defaults', tableOptions: { timeToLive: -5 } }),
      400, 'OTSParameterInvalid');
  });
});
