/** `exportTrace`: streams one trace file into Perfetto JSON or CSV, batch by batch. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';
import { openTrace } from '../trace/reader.js';
import { COLUMN_NAMES } from '../trace/schema.js';
import { CsvEncoder } from './csv.js';
import { filterColumns, selectRows, type ExportFilter } from './filter.js';
import { PERFETTO_COLUMNS, PerfettoEncoder, type ClockMode, type PerfettoCounts } from './perfetto.js';
import { openFileSink, stdoutSink, type TextSink } from './sink.js';

export type ExportFormat = 'perfetto' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['perfetto', 'csv'];

export interface ExportOptions {
  format: ExportFormat;
  input: string;
  /** Output file; undefined or "-" writes to `stdout`. */
  output?: string;
  /** CSV only: columns to write, in order (default: all, in schema order). */
  columns?: readonly string[];
  filter?: ExportFilter;
  /** Perfetto only: timestamp base (default "relative"). */
  clock?: ClockMode;
  /** Where "-" goes (default process.stdout). */
  stdout?: Writable;
}

export interface ExportResult {
  rowsRead: number;
  rowsExported: number;
  /** Perfetto only: events written by kind. */
  perfetto?: PerfettoCounts;
}

async function openSink(options: ExportOptions): Promise<TextSink> {
  const { output } = options;
  if (output === undefined || output === '-') return stdoutSink(options.stdout);
  if (resolve(output) === resolve(options.input)) {
    throw new UserError(`export: output ${output} is the input trace; choose another file`);
  }
  const existing = await stat(output).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError(`export: cannot write ${output}: is a directory`);
  return openFileSink(output);
}

interface Encoder {
  begin(): Promise<void>;
  writeBatch(batch: Parameters<PerfettoEncoder['writeBatch']>[0], rows: Uint32Array): Promise<void>;
}

export async function exportTrace(options: ExportOptions): Promise<ExportResult> {
  const trace = await openTrace(options.input);
  const filter = options.filter ?? {};
  const exported = options.format === 'csv' ? [...(options.columns ?? COLUMN_NAMES)] : [...PERFETTO_COLUMNS];
  const read = [...new Set([...exported, ...filterColumns(filter)])];

  const sink = await openSink(options);
  let perfetto: PerfettoEncoder | undefined;
  let csv: CsvEncoder | undefined;
  let encoder: Encoder;
  if (options.format === 'csv') {
    encoder = csv = new CsvEncoder(sink, exported);
  } else {
    perfetto = new PerfettoEncoder(sink, {
      clock: options.clock ?? 'relative',
      wallClockAnchorNs: trace.metadata.wallClockAnchorNs,
      traceMetadata: trace.metadata.keyValue,
    });
    encoder = perfetto;
  }

  let rowsRead = 0;
  let rowsExported = 0;
  try {
    await encoder.begin();
    for await (const batch of trace.batches({ columns: read })) {
      const rows = selectRows(batch, filter);
      rowsRead += batch.length;
      rowsExported += rows.length;
      await encoder.writeBatch(batch, rows);
      if (sink.readerGone) break;
    }
    const result: ExportResult = { rowsRead, rowsExported };
    if (csv) await csv.end();
    if (perfetto) {
      result.perfetto = await perfetto.end({
        'interposer.export.source_file': options.input,
        'interposer.export.rows': rowsExported,
      });
    }
    await sink.close();
    return result;
  } catch (err) {
    await sink.abort();
    throw err;
  }
}
