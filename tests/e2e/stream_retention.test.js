'use strict';
// Retention (issue 3 item 5, docs/protocol.md §4.6): otsd is restarted with --clock-offset moved
// forward past a 24 h expiration and `admin Trim` runs a pass at once (--trim-interval=0: no
// background pass). Trimmed positions answer OTSTrimmedDataAccess with the service's message; a
// fully expired closed shard disappears; a checkpoint at the trim horizon stays valid;
// GetShardIterator then starts at the oldest retained record; a stream with a longer expiration
// keeps its records.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');

const TRIMMED = 'Requested stream data is already trimmed or does not exist.';
const T = { timeout: 120000 };

describe('stream retention with the clock moved forward', () => {
  let otsd;
  let client;
  const ids = {};
  const its = {};
  const call = (op, params) => client.makeRequest(op, params);
  const put = (table, k) => client.putRow({ tableName: table, condition: h.IGNORE(), primaryKey: [{ k }], attributeColumns: [{ v: `v-${k}` }] });
  const keys = (records) => records.map((r) => r.primaryKey[0].value);
  const restartWithOffset = async (offset) => {
    otsd.extraArgs = ['--trim-interval=0', `--clock-offset=${offset}`];
    const exit = await otsd.restart();
    assert.deepEqual(exit, { code: 0, signal: null });
    client = otsd.client();
  };
  const expectTrimmed = (promise) => h.expectOtsError(promise, 400, 'OTSTrimmedDataAccess', TRIMMED);

  before(async () => {
    otsd = await h.startOtsd({ args: ['--trim-interval=0'] });
    client = otsd.client();
    h.enableStreamApis();
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('phase 1 (now): records, a split, saved iterators; a trim pass removes nothing', T, async () => {
    const pk = [{ name: 'k', type: 'STRING' }];
    await h.createTable(client, 'ret', pk, {}, { streamSpecification: { enableStream: true, expirationTime: 24 } });
    await h.createTable(client, 'week', pk, {}, { streamSpecification: { enableStream: true, expirationTime: 168 } });
    ids.ret = (await client.describeTable({ tableName: 'ret' })).streamDetails.streamId;
    ids.week = (await client.describeTable({ tableName: 'week' })).streamDetails.streamId;
    ids.S0 = (await call('describeStream', { streamId: ids.ret })).shards[0].shardId;
    ids.W = (await call('describeStream', { streamId: ids.week })).shards[0].shardId;
    for (const k of ['a', 'b', 'c', 'd', 'e', 'n', 'o', 'p']) await put('ret', k);
    for (const k of ['w1', 'w2', 'w3']) await put('week', k);
    its.S0 = (await call('getShardIterator', { streamId: ids.ret, shardId: ids.S0 })).shardIterator;
    its.S0mid = (await call('getStreamRecord', { shardIterator: its.S0, limit: 3 })).nextShardIterator;
    [ids.L, ids.H] = (await h.adminCall(otsd, 'SplitShard', { table: 'ret', shard_id: ids.S0, key: 'm' })).children;
    for (const k of ['b2', 'c2']) await put('ret', k);
    its.L = (await call('getShardIterator', { streamId: ids.ret, shardId: ids.L })).shardIterator;
    const l = await h.readShard(client, ids.ret, ids.L);
    assert.deepEqual(keys(l.records), ['b2', 'c2']);
    its.Lend = l.iterator;
    const hh = await h.readShard(client, ids.ret, ids.H);
    assert.deepEqual(hh.records, []);
    its.Hend = hh.iterator;

    const stats = await h.adminCall(otsd, 'Trim', {});
    assert.deepEqual(stats, { shards_trimmed: 0, shards_removed: 0 }, 'nothing is older than 24 h yet');
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.S0, { iterator: its.S0 })).records), ['a', 'b', 'c', 'd', 'e', 'n', 'o', 'p']);
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.S0, { iterator: its.S0mid })).records), ['d', 'e', 'n', 'o', 'p']);
  });

  it('phase 2 (+25 h): before the pass everything is readable; after it the old records are gone', T, async () => {
    await restartWithOffset('25h');
    // Iterators survive the restart and nothing is trimmed until a pass runs.
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.S0, { iterator: its.S0mid })).records), ['d', 'e', 'n', 'o', 'p']);
    const newUs = Date.now() * 1000 + 25 * 3600e6;
    await put('ret', 'd2');
    await put('ret', 'x2');
    await put('week', 'w4');
    const lNow = await h.readShard(client, ids.ret, ids.L, { iterator: its.Lend });
    assert.deepEqual(keys(lNow.records), ['d2']);
    assert.ok(Math.abs(lNow.records[0].sequence.timestamp - newUs) < 600e6, 'records are stamped by the moved clock');

    const stats = await h.adminCall(otsd, 'Trim', {});
    assert.deepEqual(stats, { shards_trimmed: 1, shards_removed: 1 },
      'L loses its old records, the closed and fully expired S0 goes, H and the 168 h stream keep theirs');

    // Trimmed positions: the service's error and message.
    await expectTrimmed(call('getStreamRecord', { shardIterator: its.S0 }));
    await expectTrimmed(call('getStreamRecord', { shardIterator: its.S0mid }));
    await expectTrimmed(call('getStreamRecord', { shardIterator: its.L }));
    await expectTrimmed(call('getShardIterator', { streamId: ids.ret, shardId: ids.S0 }));
    // The removed shard is no longer listed.
    const { shards } = await h.describeStreamAll(client, ids.ret);
    assert.deepEqual(shards.map((s) => s.shardId), [ids.L, ids.H]);

    // A new iterator starts at the oldest retained record; the checkpoint at the horizon stays valid.
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.L)).records), ['d2']);
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.L, { iterator: its.Lend })).records), ['d2']);
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.H, { iterator: its.Hend })).records), ['x2']);
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.H)).records), ['x2']);
    // Reading by lineage works with the parent gone.
    const byLineage = await h.readStreamByLineage(client, ids.ret);
    assert.deepEqual(byLineage.order, [ids.L, ids.H]);
    // The 168 h stream keeps everything.
    assert.deepEqual(keys((await h.readShard(client, ids.week, ids.W)).records), ['w1', 'w2', 'w3', 'w4']);
    // Rows are not touched by stream retention.
    const g = await client.getRow({ tableName: 'ret', primaryKey: [{ k: 'a' }] });
    assert.deepEqual(h.attrsOf(g.row), { v: 'v-a' });
    // A second pass finds nothing more to do.
    assert.deepEqual(await h.adminCall(otsd, 'Trim', {}), { shards_trimmed: 0, shards_removed: 0 });
  });

  it('phase 3 (+50 h): a fully trimmed open shard reads empty from a new iterator and takes new records', T, async () => {
    const itL = (await call('getShardIterator', { streamId: ids.ret, shardId: ids.L })).shardIterator;
    await restartWithOffset('50h');
    const stats = await h.adminCall(otsd, 'Trim', {});
    assert.equal(stats.shards_removed, 0, 'open shards are never removed');
    assert.equal(stats.shards_trimmed, 2, 'L and H lose their +25 h records');
    await expectTrimmed(call('getStreamRecord', { shardIterator: itL }));
    const fresh = await h.readShard(client, ids.ret, ids.L);
    assert.deepEqual(fresh.records, [], 'nothing retained');
    assert.equal(fresh.closed, false);
    await put('ret', 'b3');
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.L, { iterator: fresh.iterator })).records), ['b3']);
    assert.deepEqual(keys((await h.readShard(client, ids.ret, ids.L)).records), ['b3']);
    assert.deepEqual(keys((await h.readShard(client, ids.week, ids.W)).records), ['w1', 'w2', 'w3', 'w4']);
  });

  it('phase 4 (+170 h): the 168 h stream trims what is older than 168 h', T, async () => {
    await restartWithOffset('170h');
    const stats = await h.adminCall(otsd, 'Trim', {});
    assert.deepEqual(stats, { shards_trimmed: 2, shards_removed: 0 }, 'W (w1..w3 are 170 h old) and L (b3)');
    assert.deepEqual(keys((await h.readShard(client, ids.week, ids.W)).records), ['w4'], 'w4 is 145 h old: kept');
    assert.deepEqual((await h.readShard(client, ids.ret, ids.L)).records, []);
  });
});
