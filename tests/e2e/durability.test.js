'use strict';
// Restarts: a clean stop (SIGTERM) and start keeps tables, options and rows; `kill -9` during a
// write load from several concurrent writers loses no acknowledged row.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore, long } = h;

const FULL = (name) => ({
  tableName: name, direction: TableStore.Direction.FORWARD,
  inclusiveStartPrimaryKey: [{ w: TableStore.INF_MIN }, { i: TableStore.INF_MIN }],
  exclusiveEndPrimaryKey: [{ w: TableStore.INF_MAX }, { i: TableStore.INF_MAX }],
});

describe('restart with the data still there', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('SIGTERM stops otsd with status 0 and a restart keeps everything', { timeout: 90000 }, async () => {
    let c = otsd.client();
    await h.createTable(c, 'kept', [{ name: 'w', type: 'STRING' }, { name: 'i', type: 'INTEGER' }],
      { maxVersions: 2, timeToLive: -1 });
    await h.createTable(c, 'dropped', [{ name: 'id', type: 'STRING' }]);
    const base = Date.now() - 10000;
    for (let i = 0; i < 50; i++) {
      await c.putRow({
        tableName: 'kept', condition: h.IGNORE(), primaryKey: [{ w: 'r' }, { i: long(i) }],
        attributeColumns: [{ v: `x${i}`, timestamp: base }],
      });
    }
    await c.updateRow({
      tableName: 'kept', condition: h.EXPECT_EXIST(), primaryKey: [{ w: 'r' }, { i: long(7) }],
      updateOfAttributeColumns: [{ PUT: [{ v: 'newer', timestamp: base + 1000 }] }, { INCREMENT: [{ n: long(3) }] }],
    });
    await c.deleteRow({ tableName: 'kept', condition: h.IGNORE(), primaryKey: [{ w: 'r' }, { i: long(9) }] });
    await c.deleteTable({ tableName: 'dropped' });

    const exit = await otsd.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `clean exit; stderr tail: ${otsd.stderr.slice(-2000)}`);
    await otsd.start();
    c = otsd.client();

    assert.deepEqual((await c.listTable({})).tableNames, ['kept']);
    const d = await c.describeTable({ tableName: 'kept' });
    assert.equal(d.tableOptions.maxVersions, 2);
    assert.deepEqual(d.tableMeta.primaryKey.map((p) => p.name), ['w', 'i']);
    const { rows } = await h.scanAll(c, FULL('kept'));
    assert.equal(rows.length, 49);
    assert.ok(!rows.some((r) => h.pkOf(r).i.int === 9), 'the deleted row stays deleted');
    const seven = await c.getRow({ tableName: 'kept', primaryKey: [{ w: 'r' }, { i: long(7) }], maxVersions: 5 });
    assert.deepEqual(h.versionsOf(seven.row, 'v'), [{ value: 'newer', ts: base + 1000 }, { value: 'x7', ts: base }]);
    assert.deepEqual(h.attrsOf(seven.row).n, { int: 3 });
    // And it still takes writes, twice restarted.
    await c.putRow({ tableName: 'kept', condition: h.EXPECT_NOT_EXIST(), primaryKey: [{ w: 'r' }, { i: long(100) }], attributeColumns: [{ v: 'after' }] });
    await otsd.restart();
    c = otsd.client();
    const g = await c.getRow({ tableName: 'kept', primaryKey: [{ w: 'r' }, { i: long(100) }] });
    assert.deepEqual(h.attrsOf(g.row), { v: 'after' });
  });

  it('two servers cannot share one data directory', { timeout: 60000 }, async () => {
    const second = new h.Otsd();
    second.dataDir = otsd.dataDir;
    let started = false;
    try {
      await second.start();
      started = true;
    } catch (err) {
      assert.match(err.message, /exited before serving/);
    } finally {
      await second.dispose();
    }
    assert.equal(started, false, 'a second otsd on the same --data-dir must refuse to start');
    // The first one is unaffected.
    assert.ok((await otsd.client().listTable({})).tableNames.includes('kept'));
  });
});

// Writers keep writing until told to stop; every acknowledged write is recorded with its value.
function startWriters(client, table, { writers, batchEvery }) {
  const acked = new Map(); // "w/i" -> value
  const failures = [];
  let stop = false;
  const loops = [];
  for (let w = 0; w < writers; w++) {
    loops.push((async () => {
      let i = 0;
      while (!stop) {
        const useBatch = batchEvery > 0 && i % batchEvery === batchEvery - 1;
        if (useBatch) {
          const rows = [];
          for (let j = 0; j < 10; j++) {
            rows.push({
              type: 'PUT', condition: h.IGNORE(), primaryKey: [{ w: `w${w}` }, { i: long(i + j) }],
              attributeColumns: [{ v: `w${w}-${i + j}` }, { pad: 'p'.repeat(100) }],
            });
          }
          try {
            const r = await h.withOutcomeDeadline(client.batchWriteRow({ tables: [{ tableName: table, rows }] }));
            r.tables.forEach((row, j) => {
              if (row.isOk) acked.set(`w${w}/${i + j}`, `w${w}-${i + j}`);
            });
          } catch (err) {
            failures.push(err);
          }
          i += 10;
        } else {
          try {
            await h.withOutcomeDeadline(client.putRow({
              tableName: table, condition: h.IGNORE(), primaryKey: [{ w: `w${w}` }, { i: long(i) }],
              attributeColumns: [{ v: `w${w}-${i}` }, { pad: 'p'.repeat(100) }],
            }));
            acked.set(`w${w}/${i}`, `w${w}-${i}`);
          } catch (err) {
            failures.push(err);
          }
          i += 1;
        }
        if (failures.length > 0 && stop === false && failures.length > 1000) break;
      }
    })());
  }
  return {
    acked,
    failures,
    stop: async () => { stop = true; await Promise.all(loops); },
  };
}

describe('AUTO_INCREMENT across kill -9', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('keys generated after a crash are greater than every key handed out before it', { timeout: 60000 }, async () => {
    let c = otsd.client();
    await h.createTable(c, 'ai', [{ name: 'p', type: 'STRING' }, { name: 'seq', type: 'INTEGER', option: 'AUTO_INCREMENT' }]);
    const putOne = async (client, v) => {
      const r = await client.putRow({
        tableName: 'ai', condition: h.IGNORE(), primaryKey: [{ p: 'x' }, { seq: TableStore.PK_AUTO_INCR }],
        attributeColumns: [{ v }], returnContent: { returnType: TableStore.ReturnType.Primarykey },
      });
      return BigInt(r.row.primaryKey[1].value.toString());
    };
    const before = [];
    for (let i = 0; i < 5; i++) before.push(await putOne(c, `before-${i}`));
    await otsd.kill9();
    await otsd.start();
    c = otsd.client();
    const afterKey = await putOne(c, 'after');
    const maxBefore = before.reduce((a, b) => (a > b ? a : b));
    assert.ok(afterKey > maxBefore, `key after the crash ${afterKey} > ${maxBefore}`);
    const { rows } = await h.scanAll(c, {
      tableName: 'ai', direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ p: TableStore.INF_MIN }, { seq: TableStore.INF_MIN }],
      exclusiveEndPrimaryKey: [{ p: TableStore.INF_MAX }, { seq: TableStore.INF_MAX }],
    });
    assert.deepEqual(rows.map((r) => h.attrsOf(r).v), ['before-0', 'before-1', 'before-2', 'before-3', 'before-4', 'after']);
  });
});

describe('kill -9 during a write load', () => {
  for (const durability of ['wal', 'sync']) {
    let otsd;
    describe(`--durability=${durability}`, () => {
      before(async () => {
        otsd = await h.startOtsd({ args: [`--durability=${durability}`] });
      });
      after(async () => {
        if (otsd) await otsd.dispose();
      });

      it('every acknowledged row is present after kill -9 and restart', { timeout: 120000 }, async (t) => {
        const setup = otsd.client();
        await h.createTable(setup, 'load', [{ name: 'w', type: 'STRING' }, { name: 'i', type: 'INTEGER' }]);
        // Separate clients (agents are shared process-wide, connections are many).
        const load = startWriters(otsd.client(), 'load', { writers: 6, batchEvery: 5 });
        // Let the load run until a good number of rows is acknowledged (or 8 s pass).
        const deadline = Date.now() + 8000;
        while (load.acked.size < 1500 && Date.now() < deadline) await h.sleep(50);
        const preKillFailures = load.failures.length;
        const exit = await otsd.kill9();
        assert.equal(exit.signal, 'SIGKILL');
        await load.stop();
        const acked = new Map(load.acked);
        assert.equal(preKillFailures, 0, `no write failed before the kill: ${load.failures.slice(0, 3).map((e) => e.message)}`);
        assert.ok(acked.size > 50, `the load made progress before the kill (${acked.size} rows)`);
        t.diagnostic(`${acked.size} rows acknowledged before kill -9; ${load.failures.length - preKillFailures} writes in flight or refused after it`);

        await otsd.start();
        const c = otsd.client();
        const { rows } = await h.scanAll(c, FULL('load'));
        const present = new Map(rows.map((r) => {
          const pk = h.pkOf(r);
          return [`${pk.w}/${pk.i.int}`, h.attrsOf(r).v];
        }));
        const lost = [];
        for (const [key, value] of acked) {
          if (present.get(key) !== value) lost.push(key);
        }
        assert.deepEqual(lost.slice(0, 20), [], `${lost.length} of ${acked.size} acknowledged rows lost`);
        // Rows that were in flight may or may not be there, but nothing else may appear.
        for (const [key, value] of present) {
          const [w, i] = key.split('/');
          assert.equal(value, `${w}-${i}`, `row ${key} holds what was written`);
        }
        // The restarted server takes writes again.
        await c.putRow({ tableName: 'load', condition: h.IGNORE(), primaryKey: [{ w: 'after' }, { i: long(0) }], attributeColumns: [{ v: 'ok' }] });
      });
    });
  }
});
