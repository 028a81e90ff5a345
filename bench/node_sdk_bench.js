// The official Tablestore Node.js SDK (tablestore@5.6.5, from tests/e2e/node_modules) reading
// the very table the C++ benchmark just read, on the same otsd in the same run, so that
// bench/run.sh can print the SDK's rate beside the C++ client's (docs/benchmarks.md).
//
//   node bench/node_sdk_bench.js scan   --endpoint=URL --table=NAME --rows=N [--repetitions=3]
//       getRange paged through the whole table (the SDK's default page, otsd's 5000 rows), each
//       page decoded by the SDK into row objects, as its users receive them. Fails unless
//       exactly N rows come back.
//   node bench/node_sdk_bench.js stream --endpoint=URL --table=NAME --records=N [--repetitions=3]
//       the first N records of the table's one shard: GetShardIterator, then GetStreamRecord
//       (limit 1000) after GetStreamRecord through the SDK's own protobuf classes. The records'
//       rows stay undecoded: the SDK's PlainBuffer reader stops at the sequence-info extension
//       every stream record carries ("Expect TAG_ROW_CHECKSUM but it was 11"), so the SDK side
//       does less work per record than the C++ client, which decodes every row.
//
// Prints one markdown table row: | what | median rate | the timed repetitions' rates |, after
// one untimed repetition.
// Credentials: the bench defaults (instance "local", otsync-local-id; the secret from
// OTSYNC_ACCESS_KEY_SECRET or otsync-local-secret), as bench/bench_support.cc.
'use strict';

const path = require('path');

const modules = path.join(__dirname, '..', 'tests', 'e2e', 'node_modules');
const TableStore = require(path.join(modules, 'tablestore'));
const protos = require(path.join(modules, 'tablestore', 'lib', 'protocol',
  'tablestore_compiled_proto.js')).main.proto;

function parseFlags(argv) {
  const flags = { repetitions: 3 };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}`);
    flags[match[1]] = match[2];
  }
  for (const name of ['endpoint', 'table']) {
    if (!flags[name]) throw new Error(`--${name} is required`);
  }
  flags.repetitions = Number(flags.repetitions);
  return flags;
}

function makeClient(endpoint) {
  return new TableStore.Client({
    accessKeyId: 'otsync-local-id',
    secretAccessKey: process.env.OTSYNC_ACCESS_KEY_SECRET || 'otsync-local-secret',
    endpoint,
    instancename: 'local',
    maxRetries: 0,
    httpOptions: { timeout: 60000 },
  });
}

// The SDK (5.6.5) has no stream methods of its own; its generated protobuf classes do have the
// stream messages, so the stream operations are sent through its makeRequest with them.
const STREAM_MESSAGES = {
  listStream: 'ListStream',
  describeStream: 'DescribeStream',
  getShardIterator: 'GetShardIterator',
  getStreamRecord: 'GetStreamRecord',
};
function enableStreamMessages() {
  const encode = TableStore.encoder.encode;
  const decode = TableStore.decoder.decode;
  TableStore.encoder.encode = function (operation, params) {
    const name = STREAM_MESSAGES[operation];
    return name ? protos[`${name}Request`].create(params || {}) : encode.call(this, operation, params);
  };
  TableStore.decoder.decode = function (operation, body) {
    const name = STREAM_MESSAGES[operation];
    return name ? protos[`${name}Response`].decode(body) : decode.call(this, operation, body);
  };
}

async function scanOnce(client, table) {
  let start = [{ pk: TableStore.INF_MIN }];
  let rows = 0;
  for (;;) {
    const page = await client.getRange({
      tableName: table,
      direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: start,
      exclusiveEndPrimaryKey: [{ pk: TableStore.INF_MAX }],
      maxVersions: 1,
    });
    rows += page.rows.length;
    if (!page.nextStartPrimaryKey) return rows;
    start = page.nextStartPrimaryKey.map((column) => ({ [column.name]: column.value }));
  }
}

async function streamOnce(client, table, wanted) {
  const streams = await client.makeRequest('listStream', { tableName: table });
  if (streams.streams.length !== 1) throw new Error(`table ${table} has no stream`);
  const { streamId } = streams.streams[0];
  const description = await client.makeRequest('describeStream', { streamId });
  const shardId = description.shards[0].shardId;
  let iterator = (await client.makeRequest('getShardIterator', { streamId, shardId })).shardIterator;
  let records = 0;
  while (records < wanted) {
    const answer = await client.makeRequest('getStreamRecord', { shardIterator: iterator, limit: 1000 });
    for (const record of answer.streamRecords) {
      if (!record.record || record.record.length === 0) throw new Error('a record without its row');
    }
    records += answer.streamRecords.length;
    if (answer.streamRecords.length === 0 || !answer.nextShardIterator) break;
    iterator = answer.nextShardIterator;
  }
  if (records < wanted) throw new Error(`the shard held ${records} records, ${wanted} wanted`);
  return records;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  const flags = parseFlags(rest);
  const client = makeClient(flags.endpoint);
  const rates = [];
  let label;
  // Repetition 0 is not timed: it warms up V8's JIT and opens the connections.
  for (let repetition = 0; repetition <= flags.repetitions; repetition++) {
    const started = process.hrtime.bigint();
    let count;
    if (mode === 'scan') {
      label = 'official Node SDK: getRange paged through the same table, rows decoded, rows/s';
      count = await scanOnce(client, flags.table);
      if (count !== Number(flags.rows)) throw new Error(`getRange saw ${count} rows, not ${flags.rows}`);
    } else if (mode === 'stream') {
      enableStreamMessages();
      label = `official Node SDK: GetStreamRecord through its protobuf classes, rows not decoded, the first ${flags.records} records, records/s`;
      count = await streamOnce(client, flags.table, Number(flags.records));
    } else {
      throw new Error('mode: scan or stream');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (repetition > 0) rates.push(count / seconds);
  }
  const format = (rate) => Math.round(rate).toLocaleString('en-US');
  console.log(`| ${label} | ${format(median(rates))} | ${rates.map(format).join(' · ')} |`);
}

main().catch((error) => {
  console.error(`node_sdk_bench: ${error.stack || error}`);
  process.exit(1);
});
