/**
 * A trace that is still being recorded, re-opened cheaply again and again (`--follow`).
 *
 * openTrace on a live trace reads the whole journal and rebuilds a footer from it: fine once, but
 * a recording that runs for an hour has thousands of row groups, and doing that every second
 * costs seconds. LiveTrace keeps what it parsed and reads only the journal's new bytes each time,
 * parsing only the new row groups' metadata. Once the recorder closes the file (footer written,
 * journal removed), it opens the finished file once and keeps it while it does not change.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import {
  isJournal,
  JOURNAL_MAGIC,
  journalPathOf,
  parseJournalHeader,
  parseJournalRowGroup,
  readJournalRecords,
  JournalError,
} from './journal.js';
import {
  MAGIC,
  parseFooter,
  parseRowGroup,
  serializeFooter,
  type FileMeta,
  type RowGroupMeta,
} from './parquet-format.js';
import { openTrace, traceFromMeta, TraceFormatError, type TraceFile } from './reader.js';
import { ThriftReader } from './thrift.js';

async function readRange(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(Math.max(0, length));
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

async function hasFooter(path: string, size: number): Promise<boolean> {
  if (size < 12) return false;
  const fh = await open(path, 'r');
  try {
    const tail = await readRange(fh, size - 4, 4);
    return MAGIC.every((b, i) => tail[i] === b);
  } finally {
    await fh.close();
  }
}

export class LiveTrace {
  /** Journal bytes consumed so far (complete records only). */
  private journalOffset = 0;
  /** Bytes of a record cut at the end of the last read, kept until it is complete. */
  private carry = new Uint8Array(0);
  /** The footer's fixed part (schema, key-value metadata) from the journal header. */
  private base: FileMeta | undefined;
  /** Row groups whose data is in the file, in order. */
  private readonly rowGroups: RowGroupMeta[] = [];
  private numRows = 0;
  /** Journal entries whose data had not reached the file yet when last looked. */
  private pending: { dataEnd: number; rowGroup: RowGroupMeta }[] = [];
  private finished: { size: number; mtimeMs: number; trace: TraceFile } | undefined;

  constructor(readonly path: string) {}

  /** The trace as it is now: every row group written so far (same indices as any later call). */
  async open(): Promise<TraceFile> {
    let st;
    try {
      st = await stat(this.path);
    } catch {
      // openTrace words every way a path can fail (missing, permission, ...).
      return openTrace(this.path);
    }
    if (this.finished && this.finished.size === st.size && this.finished.mtimeMs === st.mtimeMs)
      return this.finished.trace;
    if (await hasFooter(this.path, st.size)) {
      const trace = await openTrace(this.path);
      this.finished = { size: st.size, mtimeMs: st.mtimeMs, trace };
      return trace;
    }
    this.finished = undefined;
    if (!(await this.readJournal())) return openTrace(this.path); // no journal: its own error
    let taken = 0;
    for (const p of this.pending) {
      if (p.dataEnd > st.size) break; // journaled before its data reached the file: next time
      this.rowGroups.push(p.rowGroup);
      this.numRows += p.rowGroup.numRows;
      taken++;
    }
    this.pending = this.pending.slice(taken);
    const meta: FileMeta = { ...this.base!, rowGroups: this.rowGroups, numRows: this.numRows };
    return traceFromMeta(this.path, meta, true, st.size);
  }

  /** Reads the journal's new records; false when there is no journal. */
  private async readJournal(): Promise<boolean> {
    const journal = journalPathOf(this.path);
    let fh: FileHandle;
    try {
      fh = await open(journal, 'r');
    } catch {
      return false;
    }
    let fresh: Uint8Array;
    try {
      const size = (await fh.stat()).size;
      // A journal shorter than what was read is another recording's: start over.
      if (size < this.journalOffset)
        throw new TraceFormatError(`${this.path}: its journal was replaced while following`);
      fresh = await readRange(fh, this.journalOffset, size - this.journalOffset);
      this.journalOffset += fresh.length;
    } finally {
      await fh.close();
    }
    const bytes = this.carry.length ? concat(this.carry, fresh) : fresh;
    let start = 0;
    if (this.base === undefined) {
      if (bytes.length < JOURNAL_MAGIC.length) return this.keep(bytes, 0);
      if (!isJournal(bytes))
        throw new TraceFormatError(`${this.path}: has no Parquet footer and ${journal} is not a journal`);
      start = JOURNAL_MAGIC.length;
    }
    const { payloads, end } = readJournalRecords(bytes, start);
    let records = payloads;
    if (this.base === undefined) {
      const [first, ...rest] = payloads;
      if (!first) return this.keep(bytes, 0);
      try {
        const header = parseJournalHeader(first);
        // The footer's fixed part, as planRecovery would build it with no row groups.
        const footer = serializeFooter(header.columns, [], 0, header.keyValue);
        this.base = parseFooter(footer.subarray(0, footer.length - 8));
      } catch (err) {
        if (err instanceof JournalError)
          throw new TraceFormatError(
            `${this.path}: has no Parquet footer and its journal is unusable (${err.message})`,
          );
        throw err;
      }
      records = rest;
    }
    for (const payload of records) {
      const entry = parseJournalRowGroup(payload);
      this.pending.push({
        dataEnd: entry.dataEnd,
        rowGroup: parseRowGroup(new ThriftReader(entry.rowGroup).struct()),
      });
    }
    return this.keep(bytes, end);
  }

  /** Consumes `bytes` up to `end`; the rest (a record still being written) waits for more. */
  private keep(bytes: Uint8Array, end: number): true {
    this.carry = bytes.slice(end);
    return true;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
