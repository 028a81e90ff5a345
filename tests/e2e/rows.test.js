'use strict';
// Single-row APIs through the official Node SDK: PutRow, GetRow, UpdateRow (PUT, DELETE one
// version, DELETE_ALL, INCREMENT), DeleteRow; conditions; multi-version reads; returnContent with
// AUTO_INCREMENT primary keys; the error codes of bad rows.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore, long } = h;

const T = { timeout: 30000 };
const CMP = TableStore.ComparatorType;

describe('row APIs', () => {
  let otsd;
  let client;
  before(async () => {
    otsd = await h.startOtsd();
    client = otsd.client();
    await h.createTable(client, 'rows', [{ name: 'id', type: 'STRING' }]);
    await h.createTable(client, 'versions', [{ name: 'id', type: 'STRING' }], { maxVersions: 3 });
    await h.createTable(client, 'composite', [
      { name: 'region', type: 'STRING' }, { name: 'uid', type: 'INTEGER' }, { name: 'blob', type: 'BINARY' },
    ]);
    await h.createTable(client, 'autoinc', [
      { name: 'part', type: 'STRING' }, { name: 'seq', type: 'INTEGER', option: 'AUTO_INCREMENT' },
    ]);
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  const put = (tableName, primaryKey, attributeColumns, extra = {}) =>
    client.putRow({ tableName, condition: h.IGNORE(), primaryKey, attributeColumns, ...extra });
  const get = (tableName, primaryKey, extra = {}) => client.getRow({ tableName, primaryKey, ...extra });

  describe('PutRow / GetRow', () => {
    it('round-trips every value type with server-assigned timestamps', T, async () => {
      const t0 = Date.now();
      const r = await put('rows', [{ id: 'all-types' }], [
        { s: 'hello' }, { i: long(-42) }, { big: TableStore.Long.fromString('9007199254740993') },
        { d: 3.25 }, { b: true }, { f: false }, { bin: Buffer.from([0, 1, 2, 255]) }, { empty: '' },
      ]);
      assert.ok(r.consumed && r.consumed.capacityUnit, 'consumed.capacity_unit present');
      assert.deepEqual(r.row, {}, 'no row without returnContent');
      const g = await get('rows', [{ id: 'all-types' }]);
      assert.deepEqual(h.pkOf(g.row), { id: 'all-types' });
      const got = h.attrsOf(g.row);
      delete got.big;
      assert.deepEqual(got, {
        s: 'hello', i: { int: -42 }, d: 3.25, b: true, f: false, bin: { bin: '000102ff' }, empty: '',
      });
      const big = g.row.attributes.find((c) => c.columnName === 'big').columnValue;
      assert.equal(big.toString(), '9007199254740993', 'int64 beyond 2^53 is exact');
      for (const c of g.row.attributes) {
        const ts = h.num(c.timestamp);
        assert.ok(ts >= t0 - 5000 && ts <= Date.now() + 5000, `timestamp of ${c.columnName} (${ts}) is now in ms`);
      }
      // Columns come back ordered by name.
      const names = g.row.attributes.map((c) => c.columnName);
      assert.deepEqual(names, [...names].sort());
    });

    it('GetRow of a missing row is an empty row', T, async () => {
      const g = await get('rows', [{ id: 'never-written' }]);
      assert.deepEqual(g.row, {});
      assert.ok(g.consumed && g.consumed.capacityUnit);
    });

    it('PutRow replaces the whole row', T, async () => {
      await put('rows', [{ id: 'replace' }], [{ a: 'one' }, { b: 'two' }]);
      await put('rows', [{ id: 'replace' }], [{ c: 'three' }]);
      const g = await get('rows', [{ id: 'replace' }]);
      assert.deepEqual(h.attrsOf(g.row), { c: 'three' });
    });

    it('PutRow with only a primary key creates a row without attributes', T, async () => {
      await put('rows', [{ id: 'pk-only' }], []);
      const g = await get('rows', [{ id: 'pk-only' }]);
      assert.deepEqual(h.pkOf(g.row), { id: 'pk-only' });
      assert.deepEqual(g.row.attributes, []);
    });

    it('columnsToGet returns just those columns', T, async () => {
      await put('rows', [{ id: 'cols' }], [{ a: 'A' }, { b: 'B' }, { c: 'C' }]);
      const g = await get('rows', [{ id: 'cols' }], { columnsToGet: ['c', 'a', 'zz'] });
      assert.deepEqual(h.attrsOf(g.row), { a: 'A', c: 'C' });
    });

    it('a multi-column primary key of every type round-trips', T, async () => {
      const pk = [{ region: 'eu' }, { uid: long(7) }, { blob: Buffer.from('k1') }];
      await put('composite', pk, [{ v: 'x' }]);
      const g = await get('composite', pk);
      assert.deepEqual(h.pkOf(g.row), { region: 'eu', uid: { int: 7 }, blob: { bin: Buffer.from('k1').toString('hex') } });
      assert.deepEqual(h.attrsOf(g.row), { v: 'x' });
      const miss = await get('composite', [{ region: 'eu' }, { uid: long(8) }, { blob: Buffer.from('k1') }]);
      assert.deepEqual(miss.row, {});
    });

    it('an explicit cell timestamp is kept', T, async () => {
      const ts = Date.now() - 60000;
      await put('rows', [{ id: 'ts' }], [{ a: 'x', timestamp: ts }]);
      const g = await get('rows', [{ id: 'ts' }]);
      assert.deepEqual(h.versionsOf(g.row, 'a'), [{ value: 'x', ts }]);
    });
  });

  describe('UpdateRow', () => {
    it('PUT adds and overwrites columns, keeping the others', T, async () => {
      await put('rows', [{ id: 'upd' }], [{ keep: 'k' }, { over: 'old' }]);
      await client.updateRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'upd' }],
        updateOfAttributeColumns: [{ PUT: [{ over: 'new' }, { added: long(1) }] }],
      });
      const g = await get('rows', [{ id: 'upd' }]);
      assert.deepEqual(h.attrsOf(g.row), { keep: 'k', over: 'new', added: { int: 1 } });
    });

    it('UpdateRow with IGNORE on a missing row creates it', T, async () => {
      await client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'upd-new' }],
        updateOfAttributeColumns: [{ PUT: [{ a: 'created' }] }],
      });
      const g = await get('rows', [{ id: 'upd-new' }]);
      assert.deepEqual(h.attrsOf(g.row), { a: 'created' });
    });

    it('DELETE_ALL removes a column; deleting every column removes the row', T, async () => {
      await put('rows', [{ id: 'delall' }], [{ a: 'A' }, { b: 'B' }]);
      await client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'delall' }],
        updateOfAttributeColumns: [{ DELETE_ALL: ['a', 'missing_col'] }],
      });
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'delall' }])).row), { b: 'B' });
      await client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'delall' }],
        updateOfAttributeColumns: [{ DELETE_ALL: ['b'] }],
      });
      assert.deepEqual((await get('rows', [{ id: 'delall' }])).row, {}, 'a row without columns does not exist');
    });

    it('INCREMENT adds to an integer; a missing column counts as 0; returnContent AfterModify', T, async () => {
      await put('rows', [{ id: 'counter' }], [{ n: long(10) }, { other: 'x' }]);
      const r = await client.updateRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'counter' }],
        updateOfAttributeColumns: [{ INCREMENT: [{ n: long(5) }, { fresh: long(-3) }] }],
        returnContent: { returnType: TableStore.ReturnType.AfterModify, returnColumns: ['n', 'fresh'] },
      });
      assert.deepEqual(h.attrsOf(r.row), { n: { int: 15 }, fresh: { int: -3 } });
      const g = await get('rows', [{ id: 'counter' }]);
      assert.deepEqual(h.attrsOf(g.row), { n: { int: 15 }, fresh: { int: -3 }, other: 'x' });
    });

    it('INCREMENT of a non-integer column is 400 OTSParameterInvalid and changes nothing', T, async () => {
      await put('rows', [{ id: 'counter-str' }], [{ n: 'text' }]);
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'counter-str' }],
        updateOfAttributeColumns: [{ INCREMENT: [{ n: long(1) }] }],
      }), 400, 'OTSParameterInvalid');
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'counter-str' }])).row), { n: 'text' });
    });

    it('mixed PUT / DELETE_ALL / INCREMENT in one request apply together', T, async () => {
      await put('rows', [{ id: 'mixed' }], [{ gone: 'g' }, { n: long(1) }]);
      await client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'mixed' }],
        updateOfAttributeColumns: [{ PUT: [{ p: 'v' }] }, { DELETE_ALL: ['gone'] }, { INCREMENT: [{ n: long(2) }] }],
      });
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'mixed' }])).row), { p: 'v', n: { int: 3 } });
    });
  });

  describe('multi-version reads', () => {
    const base = Date.now() - 100000;
    const ts = [base, base + 1000, base + 2000, base + 3000];

    before(async () => {
      // Four versions of v; the table keeps three.
      for (let i = 0; i < ts.length; i++) {
        await client.updateRow({
          tableName: 'versions', condition: h.IGNORE(), primaryKey: [{ id: 'mv' }],
          updateOfAttributeColumns: [{ PUT: [{ v: `v${i}`, timestamp: ts[i] }] }],
        });
      }
      await client.updateRow({
        tableName: 'versions', condition: h.IGNORE(), primaryKey: [{ id: 'mv' }],
        updateOfAttributeColumns: [{ PUT: [{ w: 'only', timestamp: ts[0] }] }],
      });
    });

    it('maxVersions returns the newest versions first, capped by the table max_versions', T, async () => {
      const all = await get('versions', [{ id: 'mv' }], { maxVersions: 10 });
      assert.deepEqual(h.versionsOf(all.row, 'v'), [
        { value: 'v3', ts: ts[3] }, { value: 'v2', ts: ts[2] }, { value: 'v1', ts: ts[1] },
      ]);
      assert.deepEqual(h.versionsOf(all.row, 'w'), [{ value: 'only', ts: ts[0] }]);
      const two = await get('versions', [{ id: 'mv' }], { maxVersions: 2 });
      assert.deepEqual(h.versionsOf(two.row, 'v'), [{ value: 'v3', ts: ts[3] }, { value: 'v2', ts: ts[2] }]);
      const one = await get('versions', [{ id: 'mv' }]);
      assert.deepEqual(h.versionsOf(one.row, 'v'), [{ value: 'v3', ts: ts[3] }]);
    });

    it('timeRange [start, end) selects versions; specificTime selects one', T, async () => {
      const r = await get('versions', [{ id: 'mv' }], {
        maxVersions: 10, timeRange: { startTime: ts[1], endTime: ts[3] },
      });
      assert.deepEqual(h.versionsOf(r.row, 'v'), [{ value: 'v2', ts: ts[2] }, { value: 'v1', ts: ts[1] }]);
      assert.deepEqual(h.versionsOf(r.row, 'w'), [], 'w@ts0 is outside the range');
      const one = await get('versions', [{ id: 'mv' }], { maxVersions: 10, timeRange: { specificTime: ts[2] } });
      assert.deepEqual(h.versionsOf(one.row, 'v'), [{ value: 'v2', ts: ts[2] }]);
      const none = await get('versions', [{ id: 'mv' }], {
        maxVersions: 10, timeRange: { startTime: base - 50000, endTime: base - 40000 },
      });
      assert.deepEqual(none.row, {}, 'no version in range: empty row');
    });

    it('DELETE removes exactly one version', T, async () => {
      await client.updateRow({
        tableName: 'versions', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'mv' }],
        updateOfAttributeColumns: [{ DELETE: [{ v: ts[2] }] }],
      });
      const r = await get('versions', [{ id: 'mv' }], { maxVersions: 10 });
      const got = h.versionsOf(r.row, 'v');
      assert.equal(got[0].value, 'v3');
      assert.ok(!got.some((x) => x.ts === ts[2]), `version ${ts[2]} deleted: ${JSON.stringify(got)}`);
      assert.deepEqual(h.versionsOf(r.row, 'w'), [{ value: 'only', ts: ts[0] }]);
    });

    it('a PUT at an existing timestamp overwrites that version', T, async () => {
      await client.updateRow({
        tableName: 'versions', condition: h.IGNORE(), primaryKey: [{ id: 'mv' }],
        updateOfAttributeColumns: [{ PUT: [{ w: 'again', timestamp: ts[0] }] }],
      });
      const r = await get('versions', [{ id: 'mv' }], { maxVersions: 10 });
      assert.deepEqual(h.versionsOf(r.row, 'w'), [{ value: 'again', ts: ts[0] }]);
    });

    it('a timestamp outside max_time_deviation is rejected with 400', T, async () => {
      // Default deviation is at most days; a 1970 timestamp is out of bounds.
      await h.expectOtsError(put('versions', [{ id: 'ancient' }], [{ v: 'x', timestamp: 1000 }]),
        400, 'OTSParameterInvalid');
      assert.deepEqual((await get('versions', [{ id: 'ancient' }])).row, {});
    });
  });

  describe('DeleteRow', () => {
    it('deletes the row; deleting a missing row with IGNORE is fine', T, async () => {
      await put('rows', [{ id: 'del' }], [{ a: 'A' }]);
      const r = await client.deleteRow({ tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'del' }] });
      assert.ok(r.consumed && r.consumed.capacityUnit);
      assert.deepEqual((await get('rows', [{ id: 'del' }])).row, {});
      await client.deleteRow({ tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'del' }] });
    });
  });

  describe('conditions', () => {
    it('row existence: EXPECT_NOT_EXIST / EXPECT_EXIST fail with 403 OTSConditionCheckFail', T, async () => {
      await client.putRow({
        tableName: 'rows', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'cond' }], attributeColumns: [{ a: '1' }],
      });
      await h.expectOtsError(client.putRow({
        tableName: 'rows', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'cond' }], attributeColumns: [{ a: '2' }],
      }), 403, 'OTSConditionCheckFail');
      await h.expectOtsError(client.putRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'cond-missing' }], attributeColumns: [{ a: '2' }],
      }), 403, 'OTSConditionCheckFail');
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'cond-missing' }],
        updateOfAttributeColumns: [{ PUT: [{ a: 'x' }] }],
      }), 403, 'OTSConditionCheckFail');
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'cond' }],
        updateOfAttributeColumns: [{ PUT: [{ a: 'x' }] }],
      }), 403, 'OTSConditionCheckFail');
      await h.expectOtsError(client.deleteRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'cond-missing' }],
      }), 403, 'OTSConditionCheckFail');
      // Nothing changed by the failed calls.
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'cond' }])).row), { a: '1' });
      assert.deepEqual((await get('rows', [{ id: 'cond-missing' }])).row, {});
      // EXPECT_EXIST passes on an existing row.
      await client.updateRow({
        tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'cond' }],
        updateOfAttributeColumns: [{ PUT: [{ a: '3' }] }],
      });
      await client.deleteRow({ tableName: 'rows', condition: h.EXPECT_EXIST(), primaryKey: [{ id: 'cond' }] });
    });

    it('a failed condition message and status match the service', T, async () => {
      await put('rows', [{ id: 'cond-msg' }], [{ a: '1' }]);
      const err = await h.expectOtsError(client.putRow({
        tableName: 'rows', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'cond-msg' }], attributeColumns: [],
      }), 403, 'OTSConditionCheckFail');
      assert.match(err.message, /Condition check failed/);
      assert.ok(err.headers['x-ots-requestid'], 'error responses carry x-ots-requestid');
    });

    it('SingleColumnCondition on the value decides the write', T, async () => {
      await put('rows', [{ id: 'colcond' }], [{ n: long(5) }, { s: 'abc' }]);
      const eq5 = new TableStore.SingleColumnCondition('n', long(5), CMP.EQUAL);
      await client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, eq5),
        primaryKey: [{ id: 'colcond' }], updateOfAttributeColumns: [{ PUT: [{ s: 'passed' }] }],
      });
      const gt5 = new TableStore.SingleColumnCondition('n', long(5), CMP.GREATER_THAN);
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, gt5),
        primaryKey: [{ id: 'colcond' }], updateOfAttributeColumns: [{ PUT: [{ s: 'failed' }] }],
      }), 403, 'OTSConditionCheckFail');
      const neS = new TableStore.SingleColumnCondition('s', 'passed', CMP.NOT_EQUAL);
      await h.expectOtsError(client.deleteRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, neS),
        primaryKey: [{ id: 'colcond' }],
      }), 403, 'OTSConditionCheckFail');
      const lt = new TableStore.SingleColumnCondition('s', 'zzz', CMP.LESS_THAN);
      const le = new TableStore.SingleColumnCondition('n', long(5), CMP.LESS_EQUAL);
      const ge = new TableStore.SingleColumnCondition('n', long(6), CMP.GREATER_EQUAL);
      await client.putRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, lt),
        primaryKey: [{ id: 'colcond' }], attributeColumns: [{ n: long(5) }, { s: 'lt-ok' }],
      });
      await client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, le),
        primaryKey: [{ id: 'colcond' }], updateOfAttributeColumns: [{ PUT: [{ le: 'ok' }] }],
      });
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, ge),
        primaryKey: [{ id: 'colcond' }], updateOfAttributeColumns: [{ PUT: [{ ge: 'no' }] }],
      }), 403, 'OTSConditionCheckFail');
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'colcond' }])).row), { n: { int: 5 }, s: 'lt-ok', le: 'ok' });
    });

    it('passIfMissing decides when the column is absent', T, async () => {
      await put('rows', [{ id: 'missing-col' }], [{ a: 'x' }]);
      const passIfMissing = new TableStore.SingleColumnCondition('nothere', 'v', CMP.EQUAL, true);
      await client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, passIfMissing),
        primaryKey: [{ id: 'missing-col' }], updateOfAttributeColumns: [{ PUT: [{ b: 'passed' }] }],
      });
      const failIfMissing = new TableStore.SingleColumnCondition('nothere', 'v', CMP.EQUAL, false);
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, failIfMissing),
        primaryKey: [{ id: 'missing-col' }], updateOfAttributeColumns: [{ PUT: [{ c: 'failed' }] }],
      }), 403, 'OTSConditionCheckFail');
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'missing-col' }])).row), { a: 'x', b: 'passed' });
    });

    it('CompositeCondition AND / OR / NOT', T, async () => {
      await put('rows', [{ id: 'comp' }], [{ n: long(10) }, { s: 'red' }]);
      const nGt5 = () => new TableStore.SingleColumnCondition('n', long(5), CMP.GREATER_THAN);
      const sBlue = () => new TableStore.SingleColumnCondition('s', 'blue', CMP.EQUAL);
      const and = new TableStore.CompositeCondition(TableStore.LogicalOperator.AND);
      and.addSubCondition(nGt5());
      and.addSubCondition(sBlue());
      const or = new TableStore.CompositeCondition(TableStore.LogicalOperator.OR);
      or.addSubCondition(nGt5());
      or.addSubCondition(sBlue());
      const not = new TableStore.CompositeCondition(TableStore.LogicalOperator.NOT);
      not.addSubCondition(sBlue());
      const notOr = new TableStore.CompositeCondition(TableStore.LogicalOperator.NOT);
      notOr.addSubCondition(or);
      const upd = (cond, col) => client.updateRow({
        tableName: 'rows', condition: h.condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, cond),
        primaryKey: [{ id: 'comp' }], updateOfAttributeColumns: [{ PUT: [{ [col]: 'set' }] }],
      });
      await h.expectOtsError(upd(and, 'and_col'), 403, 'OTSConditionCheckFail');
      await upd(or, 'or_col');
      await upd(not, 'not_col');
      await h.expectOtsError(upd(notOr, 'notor_col'), 403, 'OTSConditionCheckFail');
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'comp' }])).row),
        { n: { int: 10 }, s: 'red', or_col: 'set', not_col: 'set' });
    });

    it('latestVersionOnly=false matches any retained version', T, async () => {
      const base = Date.now() - 50000;
      await client.updateRow({
        tableName: 'versions', condition: h.IGNORE(), primaryKey: [{ id: 'lvo' }],
        updateOfAttributeColumns: [{ PUT: [{ c: 'old', timestamp: base }] }],
      });
      await client.updateRow({
        tableName: 'versions', condition: h.IGNORE(), primaryKey: [{ id: 'lvo' }],
        updateOfAttributeColumns: [{ PUT: [{ c: 'new', timestamp: base + 1000 }] }],
      });
      const latestOnly = new TableStore.SingleColumnCondition('c', 'old', CMP.EQUAL, false, true);
      await h.expectOtsError(client.updateRow({
        tableName: 'versions', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, latestOnly),
        primaryKey: [{ id: 'lvo' }], updateOfAttributeColumns: [{ PUT: [{ x: '1' }] }],
      }), 403, 'OTSConditionCheckFail');
      const anyVersion = new TableStore.SingleColumnCondition('c', 'old', CMP.EQUAL, false, false);
      await client.updateRow({
        tableName: 'versions', condition: h.condition(TableStore.RowExistenceExpectation.IGNORE, anyVersion),
        primaryKey: [{ id: 'lvo' }], updateOfAttributeColumns: [{ PUT: [{ x: '2' }] }],
      });
      assert.equal(h.attrsOf((await get('versions', [{ id: 'lvo' }])).row).x, '2');
    });
  });

  describe('returnContent and AUTO_INCREMENT', () => {
    it('returnContent Primarykey on PutRow returns the primary key', T, async () => {
      const r = await put('rows', [{ id: 'rc' }], [{ a: 'x' }],
        { returnContent: { returnType: TableStore.ReturnType.Primarykey } });
      assert.deepEqual(h.pkOf(r.row), { id: 'rc' });
    });

    it('AUTO_INCREMENT generates strictly increasing keys, returned through returnContent', T, async () => {
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const r = await client.putRow({
          tableName: 'autoinc', condition: h.IGNORE(),
          primaryKey: [{ part: 'p1' }, { seq: TableStore.PK_AUTO_INCR }],
          attributeColumns: [{ i: long(i) }],
          returnContent: { returnType: TableStore.ReturnType.Primarykey },
        });
        const pk = h.pkOf(r.row);
        assert.equal(pk.part, 'p1');
        assert.ok(pk.seq && typeof pk.seq.int === 'number', `generated seq returned: ${JSON.stringify(pk)}`);
        seen.push({ seq: r.row.primaryKey[1].value, i });
      }
      for (let k = 1; k < seen.length; k++) {
        assert.ok(seen[k].seq.toNumber() > seen[k - 1].seq.toNumber(), 'strictly increasing');
      }
      for (const { seq, i } of seen) {
        const g = await get('autoinc', [{ part: 'p1' }, { seq }]);
        assert.deepEqual(h.attrsOf(g.row), { i: { int: i } });
      }
      // Another partition key gets its own keys, also readable.
      const r2 = await client.putRow({
        tableName: 'autoinc', condition: h.IGNORE(),
        primaryKey: [{ part: 'p2' }, { seq: TableStore.PK_AUTO_INCR }], attributeColumns: [{ x: 'y' }],
        returnContent: { returnType: TableStore.ReturnType.Primarykey },
      });
      const g2 = await get('autoinc', [{ part: 'p2' }, { seq: r2.row.primaryKey[1].value }]);
      assert.deepEqual(h.attrsOf(g2.row), { x: 'y' });
    });

    it('AUTO_INCREMENT with a condition other than IGNORE is rejected', T, async () => {
      await h.expectOtsError(client.putRow({
        tableName: 'autoinc', condition: h.EXPECT_NOT_EXIST(),
        primaryKey: [{ part: 'p1' }, { seq: TableStore.PK_AUTO_INCR }], attributeColumns: [{ x: 'y' }],
      }), 400, 'OTSParameterInvalid');
    });

    it('UpdateRow and a BatchWriteRow UPDATE take PK_AUTO_INCR too: a new row; DeleteRow does not', T, async () => {
      const updated = await client.updateRow({
        tableName: 'autoinc', condition: h.IGNORE(),
        primaryKey: [{ part: 'p3' }, { seq: TableStore.PK_AUTO_INCR }],
        updateOfAttributeColumns: [{ PUT: [{ u: 'one' }] }],
        returnContent: { returnType: TableStore.ReturnType.Primarykey },
      });
      const first = updated.row.primaryKey[1].value;
      assert.deepEqual(h.attrsOf((await get('autoinc', [{ part: 'p3' }, { seq: first }])).row), { u: 'one' });
      const batch = await client.batchWriteRow({ tables: [{ tableName: 'autoinc', rows: [{
        type: 'UPDATE', condition: h.IGNORE(), primaryKey: [{ part: 'p3' }, { seq: TableStore.PK_AUTO_INCR }],
        attributeColumns: [{ PUT: [{ u: 'two' }] }], returnContent: { returnType: TableStore.ReturnType.Primarykey },
      }] }] });
      const row = batch.tables[0];
      assert.equal(row.isOk, true, JSON.stringify(row));
      const second = row.primaryKey[1].value;
      assert.ok(second.toNumber() > first.toNumber(), 'a later key');
      assert.deepEqual(h.attrsOf((await get('autoinc', [{ part: 'p3' }, { seq: second }])).row), { u: 'two' });
      await h.expectOtsError(client.updateRow({
        tableName: 'autoinc', condition: h.EXPECT_EXIST(),
        primaryKey: [{ part: 'p3' }, { seq: TableStore.PK_AUTO_INCR }], updateOfAttributeColumns: [{ PUT: [{ u: 'x' }] }],
      }), 400, 'OTSParameterInvalid');
      await h.expectOtsError(client.deleteRow({
        tableName: 'autoinc', condition: h.IGNORE(), primaryKey: [{ part: 'p3' }, { seq: TableStore.PK_AUTO_INCR }],
      }), 400, 'OTSInvalidPK');
    });

    it('a placeholder in a non-AUTO_INCREMENT column is rejected', T, async () => {
      await h.expectOtsError(put('rows', [{ id: TableStore.PK_AUTO_INCR }], [{ a: 'x' }]),
        400, /OTSParameterInvalid|OTSInvalidPK/);
    });
  });

  describe('TTL, table options and read filters', () => {
    it('cells older than time_to_live are not returned', T, async () => {
      await h.createTable(client, 'ttl', [{ name: 'id', type: 'STRING' }],
        { timeToLive: 86400, maxVersions: 3, maxTimeDeviation: 86400 * 3 });
      const now = Date.now();
      await client.updateRow({
        tableName: 'ttl', condition: h.IGNORE(), primaryKey: [{ id: 'r' }],
        updateOfAttributeColumns: [{ PUT: [{ old: 'expired', timestamp: now - 2 * 86400 * 1000 }] }],
      });
      await client.updateRow({
        tableName: 'ttl', condition: h.IGNORE(), primaryKey: [{ id: 'r' }],
        updateOfAttributeColumns: [{ PUT: [{ fresh: 'alive', timestamp: now - 1000 }] }],
      });
      await client.updateRow({
        tableName: 'ttl', condition: h.IGNORE(), primaryKey: [{ id: 'only-old' }],
        updateOfAttributeColumns: [{ PUT: [{ old: 'expired', timestamp: now - 2 * 86400 * 1000 }] }],
      });
      const g = await get('ttl', [{ id: 'r' }], { maxVersions: 3 });
      assert.deepEqual(h.attrsOf(g.row), { fresh: 'alive' });
      assert.deepEqual((await get('ttl', [{ id: 'only-old' }])).row, {}, 'a row with only expired cells is absent');
      const range = await h.scanAll(client, {
        tableName: 'ttl', direction: TableStore.Direction.FORWARD,
        inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
      });
      assert.deepEqual(range.rows.map((r) => h.pkOf(r).id), ['r']);
    });

    it('lowering max_versions with updateTable limits what reads return', T, async () => {
      await h.createTable(client, 'shrink', [{ name: 'id', type: 'STRING' }], { maxVersions: 5 });
      const base = Date.now() - 20000;
      for (let i = 0; i < 4; i++) {
        await client.updateRow({
          tableName: 'shrink', condition: h.IGNORE(), primaryKey: [{ id: 'r' }],
          updateOfAttributeColumns: [{ PUT: [{ v: `v${i}`, timestamp: base + i * 1000 }] }],
        });
      }
      assert.equal(h.versionsOf((await get('shrink', [{ id: 'r' }], { maxVersions: 10 })).row, 'v').length, 4);
      await client.updateTable({ tableName: 'shrink', tableOptions: { maxVersions: 2 } });
      const versions = h.versionsOf((await get('shrink', [{ id: 'r' }], { maxVersions: 10 })).row, 'v');
      assert.deepEqual(versions.map((x) => x.value), ['v3', 'v2']);
    });

    it('a column filter on GetRow and GetRange selects rows', T, async () => {
      await h.createTable(client, 'filtered', [{ name: 'id', type: 'STRING' }]);
      for (let i = 0; i < 6; i++) {
        await put('filtered', [{ id: `r${i}` }], [{ n: long(i) }, { parity: i % 2 === 0 ? 'even' : 'odd' }]);
      }
      const even = new TableStore.SingleColumnCondition('parity', 'even', CMP.EQUAL, false);
      const g = await get('filtered', [{ id: 'r1' }], { columnFilter: even });
      assert.deepEqual(g.row, {}, 'r1 is odd: filtered out');
      const g2 = await get('filtered', [{ id: 'r2' }], { columnFilter: even });
      assert.deepEqual(h.attrsOf(g2.row), { n: { int: 2 }, parity: 'even' });
      const big = new TableStore.CompositeCondition(TableStore.LogicalOperator.AND);
      big.addSubCondition(new TableStore.SingleColumnCondition('n', long(1), CMP.GREATER_THAN, false));
      big.addSubCondition(even);
      const { rows } = await h.scanAll(client, {
        tableName: 'filtered', direction: TableStore.Direction.FORWARD, columnFilter: big, limit: 2,
        inclusiveStartPrimaryKey: [{ id: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
      });
      assert.deepEqual(rows.map((r) => h.pkOf(r).id), ['r2', 'r4']);
    });

    it('DeleteRow with returnContent Primarykey returns the key', T, async () => {
      await put('rows', [{ id: 'del-rc' }], [{ a: 'x' }]);
      const r = await client.deleteRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'del-rc' }],
        returnContent: { returnType: TableStore.ReturnType.Primarykey },
      });
      assert.deepEqual(h.pkOf(r.row), { id: 'del-rc' });
    });
  });

  describe('concurrent writers on one row', () => {
    it('parallel INCREMENTs are atomic', T, async () => {
      await put('rows', [{ id: 'hot' }], [{ n: long(0) }]);
      const clients = Array.from({ length: 4 }, () => otsd.client());
      const ops = [];
      for (let i = 0; i < 40; i++) {
        ops.push(clients[i % clients.length].updateRow({
          tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'hot' }],
          updateOfAttributeColumns: [{ INCREMENT: [{ n: long(1) }] }],
        }));
      }
      const results = await Promise.allSettled(ops);
      const failed = results.filter((r) => r.status === 'rejected');
      // The service may answer a conflict with OTSRowOperationConflict; count only successes.
      for (const f of failed) assert.match(String(f.reason.message), /OTSRowOperationConflict/);
      const g = await get('rows', [{ id: 'hot' }]);
      assert.deepEqual(h.attrsOf(g.row), { n: { int: 40 - failed.length } });
    });

    it('of parallel EXPECT_NOT_EXIST puts exactly one wins', T, async () => {
      const ops = Array.from({ length: 12 }, (_, i) => client.putRow({
        tableName: 'rows', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ id: 'race' }], attributeColumns: [{ winner: long(i) }],
      }));
      const results = await Promise.allSettled(ops);
      const won = results.map((r, i) => (r.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
      assert.equal(won.length, 1, `exactly one winner, got ${won}`);
      for (const r of results.filter((x) => x.status === 'rejected')) {
        assert.equal(r.reason.code, 403);
        assert.match(String(r.reason.message), /OTSConditionCheckFail/);
      }
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'race' }])).row), { winner: { int: won[0] } });
    });
  });

  describe('error codes', () => {
    it('a missing table is 404 OTSObjectNotExist for every row API', T, async () => {
      await h.expectOtsError(get('nope', [{ id: 'a' }]), 404, 'OTSObjectNotExist');
      await h.expectOtsError(put('nope', [{ id: 'a' }], [{ a: 'b' }]), 404, 'OTSObjectNotExist');
      await h.expectOtsError(client.updateRow({
        tableName: 'nope', condition: h.IGNORE(), primaryKey: [{ id: 'a' }], updateOfAttributeColumns: [{ PUT: [{ a: 'b' }] }],
      }), 404, 'OTSObjectNotExist');
      await h.expectOtsError(client.deleteRow({ tableName: 'nope', condition: h.IGNORE(), primaryKey: [{ id: 'a' }] }),
        404, 'OTSObjectNotExist');
    });

    it('a primary key of the wrong type is rejected with 400', T, async () => {
      await h.expectOtsError(put('rows', [{ id: long(1) }], [{ a: 'b' }]), 400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(get('rows', [{ id: Buffer.from('a') }]), 400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(get('composite', [{ region: 'eu' }, { uid: 'seven' }, { blob: Buffer.from('k') }]),
        400, /OTSInvalidPK|OTSParameterInvalid/);
    });

    it('a primary key with the wrong number or names of columns is rejected with 400', T, async () => {
      await h.expectOtsError(put('rows', [{ id: 'a' }, { extra: 'b' }], [{ a: 'b' }]), 400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(get('composite', [{ region: 'eu' }, { uid: long(1) }]), 400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(put('rows', [{ other_name: 'a' }], [{ a: 'b' }]), 400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(client.deleteRow({ tableName: 'composite', condition: h.IGNORE(), primaryKey: [{ region: 'x' }] }),
        400, /OTSInvalidPK|OTSParameterInvalid/);
      await h.expectOtsError(put('composite', [{ uid: long(1) }, { region: 'eu' }, { blob: Buffer.from('k') }], [{ a: 'b' }]),
        400, /OTSInvalidPK|OTSParameterInvalid/, undefined);
    });

    it('bad attribute column names are 400 OTSParameterInvalid and write nothing', T, async () => {
      for (const name of ['1abc', 'has-dash', 'with space', 'a'.repeat(256)]) {
        await h.expectOtsError(put('rows', [{ id: 'badcol' }], [{ [name]: 'v' }]), 400, 'OTSParameterInvalid');
      }
      await h.expectOtsError(client.updateRow({
        tableName: 'rows', condition: h.IGNORE(), primaryKey: [{ id: 'badcol' }],
        updateOfAttributeColumns: [{ PUT: [{ 'bad!': 'v' }] }],
      }), 400, 'OTSParameterInvalid');
      assert.deepEqual((await get('rows', [{ id: 'badcol' }])).row, {});
    });

    it('an oversized cell value is rejected with 400', T, async () => {
      const big = 'x'.repeat(2 * 1024 * 1024 + 1);
      await h.expectOtsError(put('rows', [{ id: 'bigcell' }], [{ a: big }]), 400,
        /OTSParameterInvalid|OTSOutOfRowSizeLimit/);
      await h.expectOtsError(put('rows', [{ id: 'x'.repeat(1025) }], [{ a: 'v' }]), 400,
        /OTSParameterInvalid|OTSInvalidPK/);
      assert.deepEqual((await get('rows', [{ id: 'bigcell' }])).row, {});
    });

    it('the server still serves after all these errors', T, async () => {
      await put('rows', [{ id: 'after-errors' }], [{ ok: true }]);
      assert.deepEqual(h.attrsOf((await get('rows', [{ id: 'after-errors' }])).row), { ok: true });
    });
  });
});
