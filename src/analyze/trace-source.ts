/**
 * Opens a trace file through the trace reader (src/trace/reader.ts, owned by the trace part).
 * Loaded dynamically with the documented contract so analyze builds while the reader is in
 * progress; switch to a static import once it has landed.
 */
import type { TraceBatch } from '../trace/batch.js';

export interface OpenedTrace {
  metadata: { schemaVersion: number; wallClockAnchorNs: bigint; keyValue: Record<string, string> };
  numRows: number;
  batches(options?: { columns?: string[] }): AsyncIterable<TraceBatch>;
}

interface ReaderModule {
  openTrace(path: string): Promise<OpenedTrace>;
}

const READER_MODULE = '../trace/reader.js';

export async function openTraceFile(path: string): Promise<OpenedTrace> {
  const reader = (await import(READER_MODULE)) as ReaderModule;
  return reader.openTrace(path);
}
