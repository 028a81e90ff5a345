'use strict';
// Lineage under load (issue 3 "How it is checked"): concurrent Node SDK writers on many keys
// while the test splits and merges the stream's shards through the admin endpoint. Reading every
// shard to its end, parents (and parent siblings) before children, yields every acknowledged
// change exactly once, and per primary key in commit order.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore } = h;

describe('stream lineage under a concurrent write load', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd();
    h.enableStreamApis();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('splits and merges during the load lose, duplicate and reorder nothing', { timeout: 180000 }, async (t) => {
    const client = otsd.client();
    await h.createTable(client, 'load', [{ name: 'k', type: 'STRING' }], {},
      { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const streamId = (await client.describeTable({ tableName: 'load' })).streamDetails.streamId;
    const S0 = (await client.makeRequest('describeStream', { streamId })).shards[0].shardId;

    const load = h.startStreamLoad(() => otsd.client(), 'load', { writers: 6, keys: 240, seed: 7 });
    const settle = async (n) => {
      const target = load.acked + n;
      const deadline = Date.now() + 10000;
      while (load.acked < target && Date.now() < deadline) await h.sleep(10);
    };
    const lineage = []; // [child, [parents...]] as the admin calls report them
    const split = async (shard, key) => {
      await settle(150);
      const r = await h.adminCall(otsd, 'SplitShard', { table: 'load', shard_id: shard, key });
      assert.equal(r.children.length, 2);
      for (const c of r.children) lineage.push([c, [shard]]);
      return r.children;
    };
    const merge = async (a, b) => {
      await settle(150);
      const r = await h.adminCall(otsd, 'MergeShards', { table: 'load', shard_a: a, shard_b: b });
      lineage.push([r.child, [a, b]]);
      return r.child;
    };
    let adminError = null;
    try {
      const [A, B] = await split(S0, 'k120');
      const [A1, A2] = await split(A, 'k060');
      const [B1, B2] = await split(B, 'k180');
      const C = await merge(A2, B1);          // k060..k180
      const [C1, C2] = await split(C, 'k100');
      const D = await merge(A1, C1);          // ..k100
      await merge(C2, B2);                    // k100..
      await split(D, 'k030');
      await settle(150);
    } catch (err) {
      adminError = err;
    }
    await load.stop();
    if (adminError) throw adminError;
    assert.deepEqual(load.failures.map((e) => e.message).slice(0, 3), [], 'no write failed');
    t.diagnostic(`${load.acked} acknowledged changes, ${lineage.length} shard changes`);
    assert.ok(load.acked > 500, `the load made progress (${load.acked})`);

    // The stream lists every shard with the lineage the admin calls reported.
    const { shards } = await h.describeStreamAll(client, streamId, 3);
    assert.equal(shards.length, 1 + lineage.length);
    const listed = new Map(shards.map((s) => [s.shardId, s]));
    for (const [child, parents] of lineage) {
      const s = listed.get(child);
      assert.ok(s, `child ${child} is listed`);
      assert.deepEqual([s.parentId, s.parentSiblingId].filter((x) => x !== undefined), parents, `lineage of ${child}`);
    }

    const { order, records } = await h.readStreamByLineage(client, streamId, { limit: 97 });
    const position = new Map(order.map((id, i) => [id, i]));
    const parentsOf = new Map(lineage);
    const closedShards = new Set(lineage.flatMap(([, parents]) => parents));
    const all = [];
    for (const id of order) {
      const r = records.get(id);
      assert.equal(r.closed, closedShards.has(id), `shard ${id}: closed exactly when it has children`);
      for (let i = 1; i < r.records.length; i++) {
        assert.ok(r.records[i].sequence.timestamp > r.records[i - 1].sequence.timestamp, `shard ${id}: timestamps increase`);
      }
      for (const p of parentsOf.get(id) || []) {
        assert.ok(position.get(p) < position.get(id), 'parents read first');
        const pr = records.get(p).records;
        if (pr.length > 0 && r.records.length > 0) {
          assert.ok(r.records[0].sequence.timestamp > pr[pr.length - 1].sequence.timestamp,
            `shard ${id} starts after its parent ${p} ends`);
        }
      }
      for (const rec of r.records) {
        // The exact cells of each kind of change.
        const names = rec.columns.map((c) => `${c.name}:${c.kind}`);
        if (rec.actionType === h.STREAM_ACTION.PUT_ROW) assert.deepEqual([...names].sort(), ['pad:put', 'tok:put']);
        else if (rec.actionType === h.STREAM_ACTION.UPDATE_ROW) assert.deepEqual(names, ['tok:put', 'gone:deleteAll']);
        else assert.deepEqual(names, []);
        all.push(rec);
      }
    }
    // Children got records: the splits and merges happened under load.
    const withRecords = order.filter((id) => records.get(id).records.length > 0).length;
    assert.ok(withRecords >= 6, `records in ${withRecords} shards`);

    assert.equal(all.length, load.acked, 'one record per acknowledged change');
    const got = h.streamOpsByKey(all);
    let checkedKeys = 0;
    for (const [key, ops] of load.ops) {
      const expected = ops.map((o) => ({ action: o.action, tok: o.tok, rowIndex: o.rowIndex }));
      assert.deepEqual(got.get(key) || [], expected, `key ${key}: every change once, in commit order`);
      if (expected.length > 0) checkedKeys += 1;
    }
    assert.ok(checkedKeys > 200, `${checkedKeys} keys written`);
    assert.equal([...got.keys()].filter((k) => !load.ops.has(k)).length, 0, 'no record of an unknown key');

    // The rows agree with each key's last record.
    const { rows } = await h.scanAll(client, {
      tableName: 'load', direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
    });
    const present = new Map(rows.map((r) => [h.pkOf(r).k, h.attrsOf(r).tok]));
    for (const [key, ops] of got) {
      const last = ops[ops.length - 1];
      assert.equal(present.get(key), last.action === 'D' ? undefined : last.tok, `row ${key} matches its last record`);
    }
    for (const key of present.keys()) assert.ok(got.has(key), `row ${key} has records`);
  });
});
