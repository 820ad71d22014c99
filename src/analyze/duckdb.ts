/**
 * DuckDB's Node API, imported statically so that the bundle carries its JavaScript: loaded from
 * node_modules, its 124 CommonJS files took 63 ms to resolve and compile one by one. Its native
 * binding (@duckdb/node-bindings) stays outside the bundle. sql-engine.ts import()s this module
 * on first use, so nothing else in the CLI loads DuckDB.
 */
export { DuckDBInstance } from '@duckdb/node-api';
