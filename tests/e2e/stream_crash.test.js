'use strict';
// Crash (issue 3 "How it is checked"): `kill -9` during a concurrent write load on a table with
// a stream (split once under the load). After restart every acknowledged write has exactly one
// stream record, an unacknowledged write has at most one, and no record exists without its row
// change nor a row change without its record: each key's row is what its last record says.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');
const { TableStore } = h;

const FULL = {
  tableName: 'crash', direction: TableStore.Direction.FORWARD,
  inclusiveStartPrimaryKey: [{ k: TableStore.INF_MIN }], exclusiveEndPrimaryKey: [{ k: TableStore.INF_MAX }],
};

describe('stream records across kill -9', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd({ args: ['--durability=wal'] });
    h.enableStreamApis();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('every acknowledged write has exactly one record, and records and rows agree', { timeout: 180000 }, async (t) => {
    let client = otsd.client();
    await h.createTable(client, 'crash', [{ name: 'k', type: 'STRING' }], {},
      { streamSpecification: { enableStream: true, expirationTime: 24 } });
    const streamId = (await client.describeTable({ tableName: 'crash' })).streamDetails.streamId;
    const S0 = (await client.makeRequest('describeStream', { streamId })).shards[0].shardId;

    const load = h.startStreamLoad(() => otsd.client(), 'crash', { writers: 8, keys: 160, seed: 11, stopOnError: true });
    const waitFor = async (n) => {
      const deadline = Date.now() + 15000;
      while (load.acked < n && Date.now() < deadline) await h.sleep(10);
    };
    await waitFor(300);
    const split = await h.adminCall(otsd, 'SplitShard', { table: 'crash', shard_id: S0, key: 'k080' });
    await waitFor(load.acked + 500);
    const failedBefore = load.failures.length;
    const exit = await otsd.kill9();
    assert.equal(exit.signal, 'SIGKILL');
    await load.stop();
    assert.equal(failedBefore, 0, `no write failed before the kill: ${load.failures.slice(0, 2).map((e) => e.message)}`);
    const pendingOrFailed = [...load.ops.values()].flat().filter((o) => o.state !== 'acked').length;
    t.diagnostic(`${load.acked} writes acknowledged before kill -9, ${pendingOrFailed} in flight`);
    assert.ok(load.acked > 500, 'the load made progress');

    await otsd.start();
    client = otsd.client();
    const { shards } = await h.describeStreamAll(client, streamId);
    assert.deepEqual(shards.map((s) => s.shardId), [S0, ...split.children], 'the shards survive the crash');
    const { order, records } = await h.readStreamByLineage(client, streamId, { limit: 500 });
    assert.equal(records.get(S0).closed, true, 'the split parent stays closed');
    const all = order.flatMap((id) => records.get(id).records);
    const got = h.streamOpsByKey(all);

    assert.deepEqual(h.checkShardSequences(shards, records), [], 'sequence info strictly increases in every shard');
    let inflightApplied = 0;
    for (const [key, ops] of load.ops) {
      const rest = ops.filter((o) => o.state !== 'acked');
      // stopOnError: a key's unacknowledged write, if any, is its last one.
      assert.ok(rest.length <= 1 && (rest.length === 0 || ops[ops.length - 1] === rest[0]), `key ${key}: at most its last write unacknowledged`);
      const match = h.matchKeyLog(ops, got.get(key) || []);
      assert.equal(match.problem, null, `key ${key}: exactly one record per acknowledged write, in order, and at most one of the in-flight one`);
      inflightApplied += match.resolved.filter((x) => x.applied).length;
    }
    t.diagnostic(`${inflightApplied} in-flight writes were applied (with their records)`);
    assert.equal([...got.keys()].filter((k) => !load.ops.has(k)).length, 0, 'no record of an unknown key');

    // No record without its row change, no row change without its record.
    const { rows } = await h.scanAll(client, FULL);
    const present = new Map(rows.map((r) => [h.pkOf(r).k, h.attrsOf(r).tok]));
    for (const key of load.ops.keys()) {
      const log = got.get(key) || [];
      const last = log[log.length - 1];
      const want = !last || last.action === 'D' ? undefined : last.tok;
      assert.equal(present.get(key), want, `row ${key} is what its last record says`);
    }

    // Commit timestamps keep increasing after the restart, in the shard that owns the key.
    const low = split.children[0];
    const before = records.get(low).records;
    await client.putRow({ tableName: 'crash', condition: h.IGNORE(), primaryKey: [{ k: 'k000' }], attributeColumns: [{ tok: 'after' }] });
    const again = await h.readShard(client, streamId, low);
    assert.equal(again.records.length, before.length + 1);
    const newest = again.records[again.records.length - 1];
    assert.equal(newest.primaryKey[0].value, 'k000');
    if (before.length > 0) {
      assert.ok(newest.sequence.timestamp > before[before.length - 1].sequence.timestamp, 'timestamps increase across the restart');
    }
  });
});
