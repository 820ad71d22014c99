import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll(process.argv[2].replaceAll('T', `read_parquet('${process.argv[3] ?? '/tmp/pf/t.parquet'}')`));
console.table(r.getRowObjects());
