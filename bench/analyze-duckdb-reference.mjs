#!/usr/bin/env node
// node bench/analyze-duckdb-reference.mjs TRACE.parquet — DuckDB's own time for the aggregation
// issue 16 names (per op: count, sum of bytes, p50/p99 duration; top 20 paths by time), as a
// whole process, for bench/analyze.mjs to compare `interposer analyze` against.
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const src = `read_parquet('${file.replaceAll("'", "''")}')`;
const ops = await conn.runAndReadAll(
  `SELECT op, count(*), sum(bytes), quantile_disc(duration_ns, [0.5, 0.99]) FROM ${src} GROUP BY op`,
);
const paths = await conn.runAndReadAll(
  `SELECT path, sum(duration_ns) AS t FROM ${src} GROUP BY path ORDER BY t DESC LIMIT 20`,
);
process.stdout.write(`${ops.getRows().length} ops, ${paths.getRows().length} paths\n`);
