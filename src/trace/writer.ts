/**
 * TraceWriter: streams TraceBatches into a Parquet trace file, one row group at a time.
 *
 * - Memory is bounded: rows are buffered until `rowGroupRows` (or `flushIntervalMs` passes),
 *   then encoded and appended; at most two row groups are in memory (one filling, one being
 *   written), plus one small serialized RowGroup struct per row group for the footer.
 * - Crash safety: after each row group is appended, its metadata is appended to the journal
 *   `<path>.inprogress` (see journal.ts). If the process dies, `recoverTrace`/`interposer
 *   recover` writes the footer from the journal; openTrace reads such a file transparently.
 *   Only rows not yet flushed are lost. With `durable: true` both files are fdatasync'd per row
 *   group, which extends the guarantee to power loss.
 * - close() writes a standard footer and removes the journal: the file is plain Parquet.
 */
import { createOutputFile, PRIVATE_OUTPUT, type OutputAccess } from '../io/output-file.js';
import { unlink, type FileHandle } from 'node:fs/promises';
import type { TraceBatch } from './batch.js';
import { assertValidBatch } from './batch-ops.js';
import { encodeJournalHeader, encodeJournalRowGroup, journalPathOf } from './journal.js';
import { MAGIC, serializeFooter, serializeRowGroup, type FooterColumn } from './parquet-format.js';
import { RowGroupBuilder } from './row-group-builder.js';
import { encodeRowGroup } from './row-group-encoder.js';
import { COLUMNS, METADATA_KEYS, TRACE_SCHEMA_VERSION } from './schema.js';

export interface TraceWriterOptions {
  path: string;
  /** Extra key-value metadata (METADATA_KEYS.source, hostname, ...). */
  metadata?: Record<string, string>;
  /** Wall-clock Unix time in ns at start_ns = 0. */
  wallClockAnchorNs: bigint;
  /** Rows per row group (default 131072). */
  rowGroupRows?: number;
  /** Flush buffered rows at least this often, in ms (default 1000; 0 disables the timer). */
  flushIntervalMs?: number;
  /** fdatasync trace and journal after each row group (default false). */
  durable?: boolean;
  /** Return to the event loop between column encodes (default true). */
  yieldWhileEncoding?: boolean;
  /** Mode and group of the trace and its journal (default 0600: only the owner reads them). */
  access?: OutputAccess;
}

export interface TraceWriterStats {
  rowsWritten: number;
  rowGroupsWritten: number;
  bytesWritten: number;
  rowsBuffered: number;
}

export const DEFAULT_ROW_GROUP_ROWS = 131_072;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;

export class TraceWriter {
  /** The row group being filled: written batches are copied into it at once. */
  private filling = new RowGroupBuilder();
  private offset = MAGIC.length;
  private rowGroups: Uint8Array[] = [];
  private rowsWritten = 0;
  /** Flushes run one after another; `inFlight` holds those not finished yet. */
  private tail: Promise<void> = Promise.resolve();
  private inFlight: Promise<void>[] = [];
  private failure: unknown;
  /** Builders of row groups written (or being written) and free again, for the next to fill. */
  private readonly spareBuilders: RowGroupBuilder[] = [];
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = Date.now();
  private readonly columns: FooterColumn[] = COLUMNS.map(({ name, type, nullable }) => ({
    name,
    type,
    nullable,
  }));

  private constructor(
    readonly path: string,
    private readonly data: FileHandle,
    private readonly journal: FileHandle,
    private readonly keyValue: Record<string, string>,
    private readonly rowGroupRows: number,
    flushIntervalMs: number,
    private readonly durable: boolean,
    private readonly yieldWhileEncoding: boolean,
  ) {
    if (flushIntervalMs > 0) {
      this.timer = setInterval(
        () => this.onTimer(flushIntervalMs),
        Math.max(10, Math.min(flushIntervalMs, 250)),
      );
      this.timer.unref();
    }
  }

  static async open(options: TraceWriterOptions): Promise<TraceWriter> {
    const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
    if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1)
      throw new RangeError(`rowGroupRows must be a positive integer`);
    const keyValue: Record<string, string> = {
      ...options.metadata,
      [METADATA_KEYS.schemaVersion]: String(TRACE_SCHEMA_VERSION),
      [METADATA_KEYS.wallClockAnchorNs]: options.wallClockAnchorNs.toString(),
    };
    const access = options.access ?? PRIVATE_OUTPUT;
    const data = await createOutputFile(options.path, access, 'trace');
    let journal: FileHandle | undefined;
    try {
      journal = await createOutputFile(journalPathOf(options.path), access, 'trace journal');
      await data.write(MAGIC, 0, MAGIC.length, 0);
      const columns = COLUMNS.map(({ name, type, nullable }) => ({ name, type, nullable }));
      const header = encodeJournalHeader({ version: 1, keyValue, columns });
      await journal.write(header, 0, header.length);
      if (options.durable) await Promise.all([data.datasync(), journal.datasync()]);
    } catch (err) {
      await journal?.close();
      await data.close();
      throw err;
    }
    return new TraceWriter(
      options.path,
      data,
      journal,
      keyValue,
      rowGroupRows,
      options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      options.durable ?? false,
      options.yieldWhileEncoding ?? true,
    );
  }

  get stats(): TraceWriterStats {
    return {
      rowsWritten: this.rowsWritten,
      rowGroupsWritten: this.rowGroups.length,
      bytesWritten: this.offset,
      rowsBuffered: this.filling.length,
    };
  }

  /**
   * Accepts a batch. Resolves once it is buffered; waits (backpressure) while an earlier row
   * group is still being written. Its rows are copied into the row group being filled, so the
   * caller may reuse its buffers once this resolves, and the writer keeps no reference to it.
   */
  async write(batch: TraceBatch): Promise<void> {
    this.throwIfUnusable();
    assertValidBatch(batch);
    let start = 0;
    while (start < batch.length) {
      const take = Math.min(batch.length - start, this.rowGroupRows - this.filling.length);
      this.filling.append(batch, start, start + take);
      start += take;
      if (this.filling.length >= this.rowGroupRows) {
        this.startFlush();
        // Allow one row group in flight while the next fills; beyond that, wait.
        while (this.inFlight.length > 1) await this.inFlight[0];
        this.throwIfUnusable();
      }
    }
  }

  /** Writes buffered rows as a row group now and waits until it is on disk (and journaled). */
  async flush(): Promise<void> {
    this.throwIfUnusable();
    this.startFlush();
    await this.tail;
    this.throwIfUnusable();
  }

  /** Flushes, writes the footer and removes the journal. The writer is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.failure === undefined) {
        this.startFlush();
        await this.tail;
      }
      if (this.failure !== undefined) throw this.failure;
      const footer = serializeFooter(this.columns, this.rowGroups, this.rowsWritten, this.keyValue);
      await this.writeAll(footer, this.offset);
      this.offset += footer.length;
      if (this.durable) await this.data.datasync();
    } finally {
      await this.journal.close().catch(() => undefined);
      await this.data.close().catch(() => undefined);
    }
    // Only once the footer is written: a crash in between leaves a valid file plus a stale journal.
    await unlink(journalPathOf(this.path)).catch(() => undefined);
  }

  private throwIfUnusable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error(`trace writer for ${this.path} is closed`);
  }

  private onTimer(intervalMs: number): void {
    if (this.closed || this.failure !== undefined || this.filling.length === 0) return;
    if (Date.now() - this.lastFlushAt < intervalMs || this.inFlight.length > 0) return;
    this.startFlush();
  }

  private startFlush(): void {
    if (this.filling.length === 0) return;
    const rows = this.filling;
    this.filling = this.spareBuilders.pop() ?? new RowGroupBuilder();
    this.lastFlushAt = Date.now();
    const job = this.tail.then(() => (this.failure === undefined ? this.writeRowGroup(rows) : undefined));
    const tracked = job
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        // Encoded and written (or failed): its arrays may take the next row group.
        rows.reset();
        this.spareBuilders.push(rows);
      });
    this.tail = tracked;
    this.inFlight.push(tracked);
    void tracked.finally(() => {
      this.inFlight.splice(this.inFlight.indexOf(tracked), 1);
    });
  }

  private async writeRowGroup(rows: RowGroupBuilder): Promise<void> {
    const rowGroup = await encodeRowGroup(COLUMNS, rows.batch(), this.offset, this.yieldWhileEncoding);
    await this.writeAllv(rowGroup.pieces, this.offset);
    if (this.durable) await this.data.datasync();
    const dataEnd = this.offset + rowGroup.byteLength;
    const rgBytes = serializeRowGroup(rowGroup.meta);
    // The journal entry goes out only after the data it describes: a crash in between loses
    // this row group, never exposes a half-written one.
    const entry = encodeJournalRowGroup({ dataEnd, rowGroup: rgBytes });
    await this.journal.write(entry, 0, entry.length);
    if (this.durable) await this.journal.datasync();
    this.offset = dataEnd;
    this.rowGroups.push(rgBytes);
    this.rowsWritten += rowGroup.meta.numRows;
  }

  private async writeAll(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.data.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  private async writeAllv(pieces: Uint8Array[], position: number): Promise<void> {
    const { bytesWritten } = await this.data.writev(pieces, position);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    if (bytesWritten === total) return;
    // Short write (rare, e.g. near a quota): finish piece by piece.
    let skip = bytesWritten;
    let at = position + bytesWritten;
    for (const p of pieces) {
      if (skip >= p.length) {
        skip -= p.length;
        continue;
      }
      const rest = p.subarray(skip);
      skip = 0;
      await this.writeAll(rest, at);
      at += rest.length;
    }
  }
}
