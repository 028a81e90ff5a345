'use strict';
// Access keys and instances through the official Node SDK: wrong secret, unknown access key,
// unknown instance, an instance the key may not use -> 403 OTSAuthFailed that leaks nothing;
// the built-in development credentials when otsd runs without --credentials.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./harness');

const T = { timeout: 30000 };

function assertLeaksNothing(err) {
  const text = `${err.message} ${JSON.stringify(err.headers || {})}`;
  for (const key of [...h.CREDENTIALS.access_keys, ...h.CREDENTIALS.admin_keys]) {
    assert.ok(!text.includes(key.secret), 'no secret in the error');
  }
  assert.ok(!text.includes('wrong-secret'), 'the presented secret is not echoed');
  // An auth failure is not signed: the key itself is in doubt (docs/protocol.md §1.5).
  assert.equal(err.headers && err.headers.authorization, undefined, 'no authorization header on OTSAuthFailed');
}

describe('authentication', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd();
    await h.createTable(otsd.client(), 'auth_t', [{ name: 'id', type: 'STRING' }]);
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('the configured key works', T, async () => {
    const r = await otsd.client().listTable({});
    assert.deepEqual(r.tableNames, ['auth_t']);
  });

  it('a wrong secret is 403 OTSAuthFailed, for reads and writes', T, async () => {
    const c = otsd.client({ secretAccessKey: 'wrong-secret' });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
    assertLeaksNothing(await h.expectOtsError(c.putRow({
      tableName: 'auth_t', condition: h.IGNORE(), primaryKey: [{ id: 'x' }], attributeColumns: [{ a: 'b' }],
    }), 403, 'OTSAuthFailed'));
    const g = await otsd.client().getRow({ tableName: 'auth_t', primaryKey: [{ id: 'x' }] });
    assert.deepEqual(g.row, {}, 'the rejected write did not happen');
  });

  it('an unknown access key id is 403 OTSAuthFailed', T, async () => {
    const c = otsd.client({ accessKeyId: 'no-such-key', secretAccessKey: 'wrong-secret' });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
  });

  it('a key id of another key with this key secret is 403 OTSAuthFailed', T, async () => {
    const c = otsd.client({ accessKeyId: h.CREDENTIALS.access_keys[1].id });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
  });

  it('an unknown instance is 403 OTSAuthFailed', T, async () => {
    const c = otsd.client({ instancename: 'no_such_instance' });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
  });

  it('an instance the key is not granted is 403 OTSAuthFailed', T, async () => {
    const c = otsd.client({ instancename: 'second' });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
  });

  it('instances are separate namespaces', T, async () => {
    const second = otsd.client({
      accessKeyId: h.CREDENTIALS.access_keys[1].id,
      secretAccessKey: h.CREDENTIALS.access_keys[1].secret,
      instancename: 'second',
    });
    assert.deepEqual((await second.listTable({})).tableNames, []);
    await h.createTable(second, 'auth_t', [{ name: 'other', type: 'INTEGER' }]);
    const d = await second.describeTable({ tableName: 'auth_t' });
    assert.equal(d.tableMeta.primaryKey[0].name, 'other');
    const d1 = await otsd.client().describeTable({ tableName: 'auth_t' });
    assert.equal(d1.tableMeta.primaryKey[0].name, 'id');
  });

  it('the admin key cannot be used as a data-plane key with a wrong secret', T, async () => {
    const c = otsd.client({ accessKeyId: h.CREDENTIALS.admin_keys[0].id, secretAccessKey: 'wrong-secret' });
    assertLeaksNothing(await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed'));
  });

  it('the server logs never contain a secret', T, async () => {
    for (const key of [...h.CREDENTIALS.access_keys, ...h.CREDENTIALS.admin_keys]) {
      assert.ok(!otsd.stderr.includes(key.secret), `secret of ${key.id} not in otsd's stderr`);
    }
  });
});

describe('development credentials (no --credentials)', () => {
  let otsd;
  before(async () => {
    otsd = await h.startOtsd({ credentials: null });
  });
  after(async () => {
    if (otsd) await otsd.dispose();
  });

  it('instance local with otsync-local-id / otsync-local-secret works', T, async () => {
    const c = otsd.client({ accessKeyId: 'otsync-local-id', secretAccessKey: 'otsync-local-secret', instancename: 'local' });
    await h.createTable(c, 'dev_t', [{ name: 'id', type: 'STRING' }]);
    await c.putRow({ tableName: 'dev_t', condition: h.IGNORE(), primaryKey: [{ id: 'a' }], attributeColumns: [{ v: 'b' }] });
    const g = await c.getRow({ tableName: 'dev_t', primaryKey: [{ id: 'a' }] });
    assert.deepEqual(h.attrsOf(g.row), { v: 'b' });
  });

  it('a wrong secret is still rejected', T, async () => {
    const c = otsd.client({ accessKeyId: 'otsync-local-id', secretAccessKey: 'wrong-secret', instancename: 'local' });
    await h.expectOtsError(c.listTable({}), 403, 'OTSAuthFailed');
  });

  it('the e2e keys are unknown here', T, async () => {
    await h.expectOtsError(otsd.client().listTable({}), 403, 'OTSAuthFailed');
  });
});
