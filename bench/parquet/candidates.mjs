/**
 * One entry per Parquet library: write(ctx, path) writes ctx.batches (TraceBatches) to `path`
 * and may return a note; read(ctx, path) reads every column back and returns the row count.
 * Conversion from TraceBatch into the library's input is part of the write cost: the recorder
 * would have to pay it too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROW_GROUP = 131_072;

/** Full-length JS arrays per column: bigint | number | string | null. */
function columnArrays(ctx) {
  const out = {};
  for (const def of ctx.trace.COLUMNS) {
    const arr = new Array(ctx.rows);
    let at = 0;
    for (const b of ctx.batches) {
      const col = b.columns[def.name];
      for (let i = 0; i < b.length; i++, at++) {
        if (col.kind === 'string') arr[at] = col.indices[i] < 0 ? null : col.dictionary[col.indices[i]];
        else arr[at] = col.valid && col.valid[i] === 0 ? null : col.values[i];
      }
    }
    out[def.name] = arr;
  }
  return out;
}

async function hyparquetCount(path) {
  const { parquetRead } = await import('hyparquet');
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  let rows = 0;
  await parquetRead({
    file,
    onChunk: (chunk) => {
      if (chunk.columnName === 'seq') rows += chunk.rowEnd - chunk.rowStart;
    },
  });
  return rows;
}

export const ours = {
  async write(ctx, path) {
    const w = await ctx.trace.TraceWriter.open({ path, wallClockAnchorNs: 0n, rowGroupRows: ROW_GROUP });
    for (const b of ctx.batches) await w.write(b);
    await w.close();
    return 'DELTA_BINARY_PACKED ints, RLE_DICTIONARY strings, uncompressed; streaming + crash journal';
  },
  async read(ctx, path) {
    const t = await ctx.trace.openTrace(path);
    let rows = 0;
    for await (const b of t.batches()) rows += b.length;
    return rows;
  },
  readOtherName: 'hyparquet reads it at',
  readOther: (_ctx, path) => hyparquetCount(path),
};

export const hyparquetWriter = {
  async write(ctx, path) {
    const { parquetWriteFile } = await import('hyparquet-writer');
    const cols = columnArrays(ctx);
    const columnData = ctx.trace.COLUMNS.map((def) => ({
      name: def.name,
      data: cols[def.name],
      type: def.type === 'int64' ? 'INT64' : def.type === 'int32' ? 'INT32' : 'STRING',
      nullable: def.nullable,
    }));
    parquetWriteFile({ filename: path, columnData, codec: 'SNAPPY', rowGroupSize: ROW_GROUP });
    return 'SNAPPY, library defaults; whole table in memory (no streaming API)';
  },
  read: (_ctx, path) => hyparquetCount(path),
};

/** Packs a 0/1 validity array into an Arrow bitmap. */
function bitmap(valid, length) {
  const bits = new Uint8Array(Math.ceil(length / 8));
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (valid[i]) bits[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return { bits, nulls };
}

export const parquetWasm = {
  async write(ctx, path) {
    const arrow = await import('apache-arrow');
    const wasm = await import('parquet-wasm');
    const { writeFileSync } = await import('node:fs');
    const n = ctx.rows;
    const vectors = {};
    for (const def of ctx.trace.COLUMNS) {
      let values;
      const valid = new Uint8Array(n).fill(1);
      let at = 0;
      if (def.type === 'string') {
        // Producer dictionaries only grow: the last batch's dictionary covers every index.
        const dictionary = ctx.batches[ctx.batches.length - 1].columns[def.name].dictionary;
        values = new Int32Array(n);
        for (const b of ctx.batches) {
          const idx = b.columns[def.name].indices;
          values.set(idx.subarray(0, b.length), at);
          for (let i = 0; i < b.length; i++) {
            if (idx[i] >= 0) continue;
            valid[at + i] = 0;
            values[at + i] = 0;
          }
          at += b.length;
        }
        const { bits, nulls } = bitmap(valid, n);
        const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
        const dict = arrow.vectorFromArray([...dictionary], new arrow.Utf8());
        vectors[def.name] = arrow.makeVector(
          arrow.makeData({
            type,
            length: n,
            nullCount: nulls,
            nullBitmap: nulls ? bits : null,
            data: values,
            dictionary: dict,
          }),
        );
        continue;
      }
      values = def.type === 'int64' ? new BigInt64Array(n) : new Int32Array(n);
      for (const b of ctx.batches) {
        const col = b.columns[def.name];
        values.set(col.values.subarray(0, b.length), at);
        if (col.valid) valid.set(col.valid.subarray(0, b.length), at);
        at += b.length;
      }
      const { bits, nulls } = bitmap(valid, n);
      const type = def.type === 'int64' ? new arrow.Int64() : new arrow.Int32();
      vectors[def.name] = arrow.makeVector(
        arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls ? bits : null, data: values }),
      );
    }
    const table = new arrow.Table(vectors);
    const ipc = arrow.tableToIPC(table, 'stream');
    const props = new wasm.WriterPropertiesBuilder()
      .setCompression(wasm.Compression.SNAPPY)
      .setMaxRowGroupSize(ROW_GROUP)
      .build();
    writeFileSync(path, wasm.writeParquet(wasm.Table.fromIPCStream(ipc), props));
    return 'SNAPPY, dictionary on; Arrow table built in memory, copied into wasm (no streaming)';
  },
  async read(_ctx, path) {
    const arrow = await import('apache-arrow');
    const wasm = await import('parquet-wasm');
    const t = wasm.readParquet(readFileSync(path));
    return arrow.tableFromIPC(t.intoIPCStream()).numRows;
  },
};

function parquetjsSchema(ParquetSchema, COLUMNS, compression) {
  const fields = {};
  for (const def of COLUMNS) {
    fields[def.name] = {
      type: def.type === 'int64' ? 'INT64' : def.type === 'int32' ? 'INT32' : 'UTF8',
      optional: def.nullable,
      compression,
    };
  }
  return new ParquetSchema(fields);
}

async function parquetjsWrite(lib, ctx, path, toInt64) {
  const schema = parquetjsSchema(lib.ParquetSchema, ctx.trace.COLUMNS, 'SNAPPY');
  const writer = await lib.ParquetWriter.openFile(schema, path);
  writer.setRowGroupSize(ROW_GROUP);
  const defs = ctx.trace.COLUMNS;
  for (const b of ctx.batches) {
    for (let i = 0; i < b.length; i++) {
      const row = {};
      for (const def of defs) {
        const col = b.columns[def.name];
        if (col.kind === 'string') {
          const idx = col.indices[i];
          if (idx >= 0) row[def.name] = col.dictionary[idx];
        } else if (!col.valid || col.valid[i] !== 0) {
          row[def.name] = col.kind === 'int64' ? toInt64(col.values[i]) : col.values[i];
        }
      }
      await writer.appendRow(row);
    }
  }
  await writer.close();
}

async function parquetjsRead(lib, path) {
  const reader = await lib.ParquetReader.openFile(path);
  const cursor = reader.getCursor();
  let rows = 0;
  while (await cursor.next()) rows++;
  await reader.close();
  return rows;
}

export const parquetjsLite = {
  slow: true,
  async write(ctx, path) {
    const lib = ctx.require('parquetjs-lite');
    // parquetjs-lite encodes INT64 from JS numbers: values above 2^53 would lose precision.
    await parquetjsWrite(lib, ctx, path, (v) => Number(v));
    return 'SNAPPY, PLAIN; row objects; INT64 via Number (lossy > 2^53)';
  },
  read: (ctx, path) => parquetjsRead(ctx.require('parquetjs-lite'), path),
};

function loadDsnp(ctx) {
  const dir = process.env.DSNP_PARQUETJS ?? join('/tmp/dsnp/node_modules/@dsnp/parquetjs');
  try {
    return ctx.require(dir);
  } catch (err) {
    throw new Error(`not installed (${dir}): ${err.message.split('\n')[0]}`);
  }
}

export const dsnpParquetjs = {
  slow: true,
  async write(ctx, path) {
    const lib = loadDsnp(ctx);
    await parquetjsWrite(lib, ctx, path, (v) => v);
    return 'SNAPPY, PLAIN; row objects; installed aside (not a dependency)';
  },
  read: (ctx, path) => parquetjsRead(loadDsnp(ctx), path),
};
