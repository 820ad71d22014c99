/**
 * The crash journal: `<trace>.inprogress`, an append-only sidecar the writer extends after every
 * row group it has fully written to the trace file. A Parquet footer only exists once the writer
 * closes; after a crash (kill -9, OOM, power loss with `durable`) the journal holds everything
 * needed to write one: the schema, the key-value metadata and each row group's metadata.
 *
 * Layout: "IPJ1", then records of [u32 length][u32 crc32][payload]. The first payload is the
 * JSON header; each later one is [u64 end offset of the row group in the data file][RowGroup
 * thrift]. A torn or corrupt tail record is ignored, so recovery keeps every complete row group.
 */
import { crc32 } from 'node:zlib';
import type { FooterColumn } from './parquet-format.js';

export const JOURNAL_MAGIC = new Uint8Array([0x49, 0x50, 0x4a, 0x31]); // "IPJ1"
export const JOURNAL_SUFFIX = '.inprogress';

export function journalPathOf(tracePath: string): string {
  return tracePath + JOURNAL_SUFFIX;
}

export interface JournalHeader {
  version: 1;
  keyValue: Record<string, string>;
  columns: FooterColumn[];
}

export interface JournalRowGroup {
  /** Offset just past this row group's last byte in the data file. */
  dataEnd: number;
  /** Serialized RowGroup struct, ready to list in a footer. */
  rowGroup: Uint8Array;
}

export interface Journal {
  header: JournalHeader;
  rowGroups: JournalRowGroup[];
  /** Bytes of the journal that formed complete, valid records. */
  validLength: number;
}

export class JournalError extends Error {}

function record(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, 8);
  return out;
}

export function encodeJournalHeader(header: JournalHeader): Uint8Array {
  const rec = record(new TextEncoder().encode(JSON.stringify(header)));
  const out = new Uint8Array(JOURNAL_MAGIC.length + rec.length);
  out.set(JOURNAL_MAGIC);
  out.set(rec, JOURNAL_MAGIC.length);
  return out;
}

export function encodeJournalRowGroup(entry: JournalRowGroup): Uint8Array {
  const payload = new Uint8Array(8 + entry.rowGroup.length);
  new DataView(payload.buffer).setBigUint64(0, BigInt(entry.dataEnd), true);
  payload.set(entry.rowGroup, 8);
  return record(payload);
}

/**
 * The complete, valid records of `bytes` from `start` on (a record boundary), and where the
 * next record would start: a journal that is still written is read on from there.
 */
export function readJournalRecords(
  bytes: Uint8Array,
  start: number,
): { payloads: Uint8Array[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloads: Uint8Array[] = [];
  let pos = start;
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos, true);
    const crc = view.getUint32(pos + 4, true);
    if (pos + 8 + len > bytes.length) break;
    const payload = bytes.subarray(pos + 8, pos + 8 + len);
    if (crc32(payload) !== crc) break;
    payloads.push(payload);
    pos += 8 + len;
  }
  return { payloads, end: pos };
}

export function isJournal(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && JOURNAL_MAGIC.every((b, i) => bytes[i] === b);
}

/** A row group record's payload: where its data ends in the trace, and its RowGroup struct. */
export function parseJournalRowGroup(payload: Uint8Array): JournalRowGroup {
  return {
    dataEnd: Number(
      new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigUint64(0, true),
    ),
    rowGroup: payload.subarray(8),
  };
}

/** Parses a journal; throws JournalError when even its header is unusable. */
export function parseJournal(bytes: Uint8Array): Journal {
  if (!isJournal(bytes)) throw new JournalError('not an interposer journal');
  const { payloads, end: pos } = readJournalRecords(bytes, JOURNAL_MAGIC.length);
  const [first, ...rest] = payloads;
  if (!first) throw new JournalError('journal header is missing or torn');
  return { header: parseJournalHeader(first), rowGroups: rest.map(parseJournalRowGroup), validLength: pos };
}

export function parseJournalHeader(first: Uint8Array): JournalHeader {
  let header: JournalHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(first)) as JournalHeader;
  } catch {
    throw new JournalError('journal header is not valid JSON');
  }
  if (header.version !== 1 || !Array.isArray(header.columns))
    throw new JournalError('journal header has an unknown layout');
  return header;
}
