// Prints the rows of one Parquet file as a JSON array of arrays, every value cast to text by the
// DuckDB that ships inside @duckdb/node-api (independent of otsync's own libduckdb), sorted, so
// that the odps writer tests can compare it with the warehouse table.
// Usage: node read_parquet.mjs FILE.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node read_parquet.mjs FILE.parquet');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const quoted = "'" + file.replaceAll("'", "''") + "'";
const reader = await connection.runAndReadAll(
    `SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${quoted}, hive_partitioning = false) ORDER BY ALL`);
process.stdout.write(JSON.stringify(reader.getRows()) + '\n');
