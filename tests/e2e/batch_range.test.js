'use strict';
// BatchGetRow, BatchWriteRow (per-row results, partial failures, limits) and GetRange (both
// directions, INF_MIN/INF_MAX, limit and paging through next_start_primary_key, columns,
// versions) through the official Node SDK.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore, long } = h;

const T = { timeout: 60000 };
const FWD = TableStore.Direction.FORWARD;
const BWD = TableStore.Direction.BACKWARD;

// Rows of the 'grid' table: k in k00..k19, n in NS. 60 rows.
const KS = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);
const NS = [-5, 0, 3];

function gridKey(row) {
  const pk = h.pkOf(row);
  return `${pk.k}/${pk.n.int}`;
}

describe('batch and range APIs', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    await h.createTable(client, 'grid', [{ name: 'k', type: 'STRING' }, { name: 'n', type: 'INTEGER' }], { maxVersions: 3 });
    await h.createTable(client, 'b1', [{ name: 'id', type: 'STRING' }]);
    await h.createTable(client, 'b2', [{ name: 'id', type: 'INTEGER' }]);
    await h.createTable(client, 'ordering', [{ name: 'k', type: 'STRING' }]);
    await h.createTable(client, 'ordering_int', [{ name: 'k', type: 'INTEGER' }]);
    await h.createTable(client, 'ordering_bin', [{ name: 'k', type: 'BINARY' }]);
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  describe('BatchWriteRow', () => {
    it('fills the grid table in batches of PUT rows; every row is ok', T, async () => {
      const rows = [];
      for (const k of KS) {
        for (const n of NS) {
          rows.push({
            type: 'PUT', condition: h.IGNORE(), primaryKey: [{ k }, { n: long(n) }],
            attributeColumns: [{ a: `${k}:${n}` }, { num: long(n * 10) }],
          });
        }
      }
      for (let i = 0; i < rows.length; i += 25) {
        const r = await client.batchWriteRow({ tables: [{ tableName: 'grid', rows: rows.slice(i, i + 25) }] });
        assert.equal(r.tables.length, Math.min(25, rows.length - i));
        for (const row of r.tables) {
          assert.equal(row.isOk, true, JSON.stringify(row));
          assert.equal(row.tableName, 'grid');
        }
      }
    });

    it('applies PUT / UPDATE / DELETE across two tables with per-row partial failures', T, async () => {
      await client.putRow({ tableName: 'b1', condition: h.IGNORE(), primaryKey: [{ id: 'exists' }], attributeColumns: [{ v: 'old' }] });
      await client.putRow({ tableName: 'b1', condition: h.IGNORE(), primaryKey: [{ id: 'exists2' }], attributeColumns: [{ v: 'old2' }] });
      await client.putRow({ tableName: 'b1', condition: h.IGNORE(), primaryKey: [{ id: 'to-delete' }], attributeColumns: [{ v: 'x' }] });
      await client.putRow({ tableName: 'b2', condition: h.IGNORE(), primaryKey: [{ id: long(1) }], attributeColumns: [{ c: long(1) }] });
      const r = await client.batchWriteRow({
        tables: [
          {
            tableName: 'b1',
            rows: [
              { type: 'PUT', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'new' }], attributeColumns: [{ v: 'n' }] },
              { type: 'PUT', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'exists' }], attributeColumns: [{ v: 'overwritten' }] },
              // (one row appears at most once per request: the service rejects duplicates)
              { type: 'UPDATE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'exists2' }], attributeColumns: [{ PUT: [{ w: 'added' }] }] },
              { type: 'UPDATE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'ghost' }], attributeColumns: [{ PUT: [{ w: 'no' }] }] },
              { type: 'DELETE', condition: h.IGNORE(), primaryKey: [{ id: 'to-delete' }] },
              { type: 'DELETE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'ghost2' }] },
            ],
          },
          {
            tableName: 'b2',
            rows: [
              { type: 'UPDATE', condition: h.EXPECT_EXIST(), primaryKey: [{ id: long(1) }], attributeColumns: [{ INCREMENT: [{ c: long(41) }] }] },
              { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: long(2) }], attributeColumns: [{ c: long(2) }] },
            ],
          },
        ],
      });
      const results = r.tables.map((x) => [x.tableName, x.isOk, x.errorCode]);
      assert.deepEqual(results, [
        ['b1', true, null],
        ['b1', false, 'OTSConditionCheckFail'],
        ['b1', true, null],
        ['b1', false, 'OTSConditionCheckFail'],
        ['b1', true, null],
        ['b1', false, 'OTSConditionCheckFail'],
        ['b2', true, null],
        ['b2', true, null],
      ]);
      for (const x of r.tables.filter((y) => !y.isOk)) {
        assert.match(x.errorMessage, /Condition check failed/);
      }
      const g = await client.batchGetRow({
        tables: [
          { tableName: 'b1', primaryKey: [[{ id: 'new' }], [{ id: 'exists' }], [{ id: 'exists2' }], [{ id: 'ghost' }], [{ id: 'to-delete' }], [{ id: 'ghost2' }]] },
          { tableName: 'b2', primaryKey: [[{ id: long(1) }], [{ id: long(2) }]] },
        ],
      });
      assert.equal(g.tables.length, 2);
      const b1 = g.tables[0].map((x) => (x.attributes ? h.attrsOf({ attributes: x.attributes }) : null));
      assert.deepEqual(b1, [{ v: 'n' }, { v: 'old' }, { v: 'old2', w: 'added' }, null, null, null]);
      const b2 = g.tables[1].map((x) => (x.attributes ? h.attrsOf({ attributes: x.attributes }) : null));
      assert.deepEqual(b2, [{ c: { int: 42 } }, { c: { int: 2 } }]);
    });

    it('returnContent Primarykey per row', T, async () => {
      const r = await client.batchWriteRow({
        tables: [{
          tableName: 'b1',
          rows: [{
            type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'rc' }], attributeColumns: [{ v: 'x' }],
            returnContent: { returnType: TableStore.ReturnType.Primarykey },
          }],
        }],
      });
      assert.equal(r.tables[0].isOk, true);
      assert.deepEqual(h.pkOf({ primaryKey: r.tables[0].primaryKey }), { id: 'rc' });
    });

    // The service documents these as whole-request failures (BatchWriteRow API reference:
    // "An error is returned if ... a specified table does not exist ... a primary key column with
    // an invalid type ... an attribute column name conflicts with a primary key column name ...
    // rows with identical primary keys in one table ... a table without row operations").
    it('a missing table fails the whole request with 404 and writes nothing', T, async () => {
      await h.expectOtsError(client.batchWriteRow({
        tables: [
          { tableName: 'b1', rows: [{ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'with-missing' }], attributeColumns: [{ v: '1' }] }] },
          { tableName: 'no_such_table', rows: [{ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'x' }], attributeColumns: [{ v: '1' }] }] },
        ],
      }), 404, 'OTSObjectNotExist');
      const g = await client.getRow({ tableName: 'b1', primaryKey: [{ id: 'with-missing' }] });
      assert.deepEqual(g.row, {});
    });

    it('a wrong primary key type in one row fails the whole request with 400', T, async () => {
      await h.expectOtsError(client.batchWriteRow({
        tables: [{
          tableName: 'b1',
          rows: [
            { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'pk-ok' }], attributeColumns: [{ v: '1' }] },
            { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: long(5) }], attributeColumns: [{ v: '1' }] },
          ],
        }],
      }), 400, /OTSInvalidPK|OTSParameterInvalid/);
      assert.deepEqual((await client.getRow({ tableName: 'b1', primaryKey: [{ id: 'pk-ok' }] })).row, {});
    });

    it('an attribute column named like a primary key column fails the request with 400', T, async () => {
      await h.expectOtsError(client.batchWriteRow({
        tables: [{
          tableName: 'b1',
          rows: [{ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'pk-name' }], attributeColumns: [{ id: 'clash' }] }],
        }],
      }), 400, 'OTSParameterInvalid');
    });

    it('the same table twice, or a table without rows, fails the request with 400', T, async () => {
      const row = (id) => ({ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id }], attributeColumns: [{ v: '1' }] });
      await h.expectOtsError(client.batchWriteRow({
        tables: [{ tableName: 'b1', rows: [row('twice-1')] }, { tableName: 'b1', rows: [row('twice-2')] }],
      }), 400, 'OTSParameterInvalid');
      await h.expectOtsError(client.batchWriteRow({
        tables: [{ tableName: 'b1', rows: [row('empty-other')] }, { tableName: 'b2', rows: [] }],
      }), 400, 'OTSParameterInvalid');
      assert.deepEqual((await client.getRow({ tableName: 'b1', primaryKey: [{ id: 'twice-1' }] })).row, {});
    });

    it('more than 200 rows in one request is 400 OTSParameterInvalid and writes nothing', T, async () => {
      const rows = Array.from({ length: 201 }, (_, i) => ({
        type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: `limit-${i}` }], attributeColumns: [{ v: 'x' }],
      }));
      await h.expectOtsError(client.batchWriteRow({ tables: [{ tableName: 'b1', rows }] }), 400, 'OTSParameterInvalid');
      const g = await client.getRow({ tableName: 'b1', primaryKey: [{ id: 'limit-0' }] });
      assert.deepEqual(g.row, {});
      // Exactly 200 is fine.
      const r = await client.batchWriteRow({ tables: [{ tableName: 'b1', rows: rows.slice(0, 200) }] });
      assert.equal(r.tables.length, 200);
      assert.ok(r.tables.every((x) => x.isOk));
    });

    it('the same row twice in one request is rejected', T, async () => {
      await h.expectOtsError(client.batchWriteRow({
        tables: [{
          tableName: 'b1',
          rows: [
            { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'dup' }], attributeColumns: [{ v: '1' }] },
            { type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: 'dup' }], attributeColumns: [{ v: '2' }] },
          ],
        }],
      }), 400, 'OTSParameterInvalid');
    });
  });

  describe('BatchGetRow', () => {
    it('returns rows in request order, empty for missing rows, honouring columnsToGet', T, async () => {
      const r = await client.batchGetRow({
        tables: [{
          tableName: 'grid',
          primaryKey: [[{ k: 'k03' }, { n: long(0) }], [{ k: 'k99' }, { n: long(0) }], [{ k: 'k00' }, { n: long(-5) }]],
          columnsToGet: ['a'],
        }],
      });
      assert.equal(r.tables.length, 1);
      const rows = r.tables[0];
      assert.equal(rows.length, 3);
      assert.ok(rows.every((x) => x.isOk));
      assert.deepEqual(h.pkOf({ primaryKey: rows[0].primaryKey }), { k: 'k03', n: { int: 0 } });
      assert.deepEqual(h.attrsOf({ attributes: rows[0].attributes }), { a: 'k03:0' });
      assert.equal(rows[1].primaryKey, null, 'missing row: no primary key');
      assert.equal(rows[1].attributes, null);
      assert.deepEqual(h.attrsOf({ attributes: rows[2].attributes }), { a: 'k00:-5' });
    });

    // Whole-request failures per the BatchGetRow API reference.
    it('a missing table fails the whole request with 404 OTSObjectNotExist', T, async () => {
      await h.expectOtsError(client.batchGetRow({
        tables: [
          { tableName: 'grid', primaryKey: [[{ k: 'k01' }, { n: long(3) }]] },
          { tableName: 'no_such_table', primaryKey: [[{ id: 'x' }]] },
        ],
      }), 404, 'OTSObjectNotExist');
    });

    it('a wrong primary key type in one row fails the whole request with 400', T, async () => {
      await h.expectOtsError(client.batchGetRow({
        tables: [{ tableName: 'grid', primaryKey: [[{ k: 'k01' }, { n: long(3) }], [{ k: long(1) }, { n: long(3) }]] }],
      }), 400, /OTSInvalidPK|OTSParameterInvalid/);
    });

    it('the same table twice fails the request with 400', T, async () => {
      await h.expectOtsError(client.batchGetRow({
        tables: [
          { tableName: 'grid', primaryKey: [[{ k: 'k01' }, { n: long(3) }]] },
          { tableName: 'grid', primaryKey: [[{ k: 'k02' }, { n: long(3) }]] },
        ],
      }), 400, 'OTSParameterInvalid');
    });

    it('rows of two tables come back per table in request order', T, async () => {
      const r = await client.batchGetRow({
        tables: [
          { tableName: 'b2', primaryKey: [[{ id: long(2) }], [{ id: long(1) }]] },
          { tableName: 'grid', primaryKey: [[{ k: 'k01' }, { n: long(3) }]] },
        ],
      });
      assert.equal(r.tables.length, 2);
      assert.deepEqual(r.tables[0].map((x) => [x.tableName, h.pkOf({ primaryKey: x.primaryKey }).id.int]), [['b2', 2], ['b2', 1]]);
      assert.deepEqual(h.attrsOf({ attributes: r.tables[1][0].attributes }), { a: 'k01:3', num: { int: 30 } });
    });

    it('more than 100 rows is 400 OTSParameterInvalid', T, async () => {
      const keys = Array.from({ length: 101 }, (_, i) => [{ k: `q${i}` }, { n: long(0) }]);
      await h.expectOtsError(client.batchGetRow({ tables: [{ tableName: 'grid', primaryKey: keys }] }), 400, 'OTSParameterInvalid');
      const r = await client.batchGetRow({ tables: [{ tableName: 'grid', primaryKey: keys.slice(0, 100) }] });
      assert.equal(r.tables[0].length, 100);
    });
  });

  describe('GetRange', () => {
    const ALL_FWD = KS.flatMap((k) => NS.map((n) => `${k}/${n}`));
    const ALL_BWD = [...ALL_FWD].reverse();

    it('FORWARD over INF_MIN..INF_MAX returns every row in key order', T, async () => {
      const r = await client.getRange({
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }, { n: TableStore.INF_MAX }],
      });
      assert.deepEqual(r.rows.map(gridKey), ALL_FWD);
      assert.equal(r.nextStartPrimaryKey, null);
      assert.deepEqual(h.attrsOf(r.rows[0]), { a: 'k00:-5', num: { int: -50 } });
      assert.ok(r.consumed && r.consumed.capacityUnit);
    });

    it('BACKWARD over INF_MAX..INF_MIN returns every row in reverse order', T, async () => {
      const r = await client.getRange({
        tableName: 'grid', direction: BWD,
        inclusiveStartPrimaryKey: [{ k: TableStore.INF_MAX }, { n: TableStore.INF_MAX }],
        exclusiveEndPrimaryKey: [{ k: TableStore.INF_MIN }, { n: TableStore.INF_MIN }],
      });
      assert.deepEqual(r.rows.map(gridKey), ALL_BWD);
      assert.equal(r.nextStartPrimaryKey, null);
    });

    for (const [dir, expected] of [[FWD, ALL_FWD], [BWD, ALL_BWD]]) {
      for (const limit of [1, 7, 30, 59, 60]) {
        it(`${dir} paging with limit ${limit} through nextStartPrimaryKey`, T, async () => {
          const lo = [{ k: TableStore.INF_MIN }, { n: TableStore.INF_MIN }];
          const hi = [{ k: TableStore.INF_MAX }, { n: TableStore.INF_MAX }];
          const { rows, pages } = await h.scanAll(client, {
            tableName: 'grid', direction: dir, limit,
            inclusiveStartPrimaryKey: dir === FWD ? lo : hi,
            exclusiveEndPrimaryKey: dir === FWD ? hi : lo,
          });
          assert.deepEqual(rows.map(gridKey), expected);
          const minPages = Math.ceil(expected.length / limit);
          assert.ok(pages >= minPages && pages <= minPages + 1, `pages ${pages} for limit ${limit}`);
        });
      }
    }

    it('each page holds at most limit rows and the next start is the next real key', T, async () => {
      const r = await client.getRange({
        tableName: 'grid', direction: FWD, limit: 4,
        inclusiveStartPrimaryKey: [{ k: 'k05' }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }, { n: TableStore.INF_MAX }],
      });
      assert.deepEqual(r.rows.map(gridKey), ['k05/-5', 'k05/0', 'k05/3', 'k06/-5']);
      assert.deepEqual(h.pkOf({ primaryKey: r.nextStartPrimaryKey }), { k: 'k06', n: { int: 0 } });
      const b = await client.getRange({
        tableName: 'grid', direction: BWD, limit: 2,
        inclusiveStartPrimaryKey: [{ k: 'k05' }, { n: TableStore.INF_MAX }],
        exclusiveEndPrimaryKey: [{ k: TableStore.INF_MIN }, { n: TableStore.INF_MIN }],
      });
      assert.deepEqual(b.rows.map(gridKey), ['k05/3', 'k05/0']);
      assert.deepEqual(h.pkOf({ primaryKey: b.nextStartPrimaryKey }), { k: 'k05', n: { int: -5 } });
    });

    it('bounds are inclusive at the start and exclusive at the end, both directions', T, async () => {
      const f = await h.scanAll(client, {
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: 'k03' }, { n: long(0) }],
        exclusiveEndPrimaryKey: [{ k: 'k05' }, { n: long(0) }],
      });
      assert.deepEqual(f.rows.map(gridKey), ['k03/0', 'k03/3', 'k04/-5', 'k04/0', 'k04/3', 'k05/-5']);
      const b = await h.scanAll(client, {
        tableName: 'grid', direction: BWD,
        inclusiveStartPrimaryKey: [{ k: 'k05' }, { n: long(0) }],
        exclusiveEndPrimaryKey: [{ k: 'k03' }, { n: long(0) }],
      });
      assert.deepEqual(b.rows.map(gridKey), ['k05/0', 'k05/-5', 'k04/3', 'k04/0', 'k04/-5', 'k03/3']);
      // INF_MIN / INF_MAX inside the second column select one k.
      const one = await h.scanAll(client, {
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: 'k07' }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: 'k07' }, { n: TableStore.INF_MAX }],
      });
      assert.deepEqual(one.rows.map(gridKey), ['k07/-5', 'k07/0', 'k07/3']);
      // An empty range between two real keys.
      const none = await client.getRange({
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: 'k07a' }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: 'k08' }, { n: TableStore.INF_MIN }],
      });
      assert.deepEqual(none.rows, []);
      assert.equal(none.nextStartPrimaryKey, null);
    });

    it('start after end (FORWARD) or before end (BACKWARD) is 400 OTSParameterInvalid', T, async () => {
      await h.expectOtsError(client.getRange({
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: 'k09' }, { n: long(0) }],
        exclusiveEndPrimaryKey: [{ k: 'k01' }, { n: long(0) }],
      }), 400, 'OTSParameterInvalid');
      await h.expectOtsError(client.getRange({
        tableName: 'grid', direction: BWD,
        inclusiveStartPrimaryKey: [{ k: 'k01' }, { n: long(0) }],
        exclusiveEndPrimaryKey: [{ k: 'k09' }, { n: long(0) }],
      }), 400, 'OTSParameterInvalid');
    });

    it('columnsToGet and maxVersions / timeRange apply to ranges', T, async () => {
      const base = Date.now() - 30000;
      for (let i = 0; i < 3; i++) {
        await client.updateRow({
          tableName: 'grid', condition: h.EXPECT_EXIST(), primaryKey: [{ k: 'k10' }, { n: long(0) }],
          updateOfAttributeColumns: [{ PUT: [{ ver: `v${i}`, timestamp: base + i * 1000 }] }],
        });
      }
      const r = await client.getRange({
        tableName: 'grid', direction: FWD, maxVersions: 3, columnsToGet: ['ver'],
        inclusiveStartPrimaryKey: [{ k: 'k10' }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: 'k10' }, { n: TableStore.INF_MAX }],
      });
      assert.deepEqual(r.rows.map(gridKey), ['k10/0'], 'rows without the requested columns are skipped');
      assert.deepEqual(h.versionsOf(r.rows[0], 'ver').map((x) => x.value), ['v2', 'v1', 'v0']);
      assert.deepEqual(r.rows[0].attributes.map((c) => c.columnName), ['ver', 'ver', 'ver']);
      const t = await client.getRange({
        tableName: 'grid', direction: FWD, maxVersions: 3, columnsToGet: ['ver'],
        timeRange: { startTime: base + 1000, endTime: base + 2000 },
        inclusiveStartPrimaryKey: [{ k: 'k10' }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: 'k10' }, { n: TableStore.INF_MAX }],
      });
      assert.deepEqual(h.versionsOf(t.rows[0], 'ver'), [{ value: 'v1', ts: base + 1000 }]);
    });

    it('keys sort as the service sorts: bytes for STRING/BINARY, signed for INTEGER', T, async () => {
      const strs = ['b', 'B', 'a', 'aa', '', 'Z', '0', '~', 'a b'];
      const ints = [5, -1, 0, -9007199254740991, 9007199254740991, 42, -42];
      const bins = [[0x80], [0x00], [0x7f], [0xff, 0x00], [0x00, 0x00], [0x01]];
      const nonEmpty = strs.filter((s) => s !== '');
      for (const s of nonEmpty) {
        await client.putRow({ tableName: 'ordering', condition: h.IGNORE(), primaryKey: [{ k: s }], attributeColumns: [{ v: long(1) }] });
      }
      for (const i of ints) {
        await client.putRow({ tableName: 'ordering_int', condition: h.IGNORE(), primaryKey: [{ k: long(i) }], attributeColumns: [{ v: long(1) }] });
      }
      for (const b of bins) {
        await client.putRow({ tableName: 'ordering_bin', condition: h.IGNORE(), primaryKey: [{ k: Buffer.from(b) }], attributeColumns: [{ v: long(1) }] });
      }
      const scan = async (tableName) => (await h.scanAll(client, {
        tableName, direction: FWD,
        inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
      })).rows.map((r) => h.pkOf(r).k);
      const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      assert.deepEqual(await scan('ordering'), [...nonEmpty].sort(byteOrder));
      assert.deepEqual((await scan('ordering_int')).map((x) => x.int), [...ints].sort((a, b) => a - b));
      assert.deepEqual((await scan('ordering_bin')).map((x) => x.bin),
        bins.map((b) => Buffer.from(b)).sort(Buffer.compare).map((b) => b.toString('hex')));
    });

    it('a missing table is 404 OTSObjectNotExist; a wrong PK type is 400', T, async () => {
      await h.expectOtsError(client.getRange({
        tableName: 'nope', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
      }), 404, 'OTSObjectNotExist');
      await h.expectOtsError(client.getRange({
        tableName: 'grid', direction: FWD,
        inclusiveStartPrimaryKey: [{ k: long(1) }, { n: TableStore.INF_MIN }],
        exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }, { n: TableStore.INF_MAX }],
      }), 400, /OTSInvalidPK|OTSParameterInvalid/);
    });

    it('a large table pages by the service limit when no limit is given', { timeout: 120000 }, async () => {
      await h.createTable(client, 'big', [{ name: 'id', type: 'INTEGER' }]);
      const total = 5200;
      for (let i = 0; i < total; i += 200) {
        const rows = [];
        for (let j = i; j < Math.min(i + 200, total); j++) {
          rows.push({ type: 'PUT', condition: h.IGNORE(), primaryKey: [{ id: long(j) }], attributeColumns: [{ v: long(j) }] });
        }
        const r = await client.batchWriteRow({ tables: [{ tableName: 'big', rows }] });
        assert.ok(r.tables.every((x) => x.isOk));
      }
      const first = await client.getRange({
        tableName: 'big', direction: FWD,
        inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
      });
      assert.ok(first.rows.length <= 5000, `at most 5000 rows per page, got ${first.rows.length}`);
      assert.ok(first.nextStartPrimaryKey, 'a next start key when rows remain');
      const { rows } = await h.scanAll(client, {
        tableName: 'big', direction: FWD,
        inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
      });
      assert.equal(rows.length, total);
      rows.forEach((r, i) => assert.equal(h.pkOf(r).id.int, i));
    });
  });
});
