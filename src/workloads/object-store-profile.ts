/**
 * What an object store did to its file system, from a trace: objects written whole (create,
 * sequential writes, close), read whole, stat-ed, deleted, and the metadata files around them.
 * The S3 demo prints it next to `interposer analyze` so object-store patterns read as such.
 */
import type { TraceRow } from '../trace/schema.js';

export interface ObjectStoreProfile {
  /** Files created and written from offset 0 sequentially, then closed. */
  objectsWritten: number;
  /** Of those, data files (>= SMALL_FILE_BYTES) and small metadata files (checksums, JSON...). */
  dataFilesWritten: number;
  smallFilesWritten: number;
  /** Files read from offset 0 to their end (one GET each, roughly). */
  wholeReads: number;
  /** Reads by distinct file handle that started at offset 0. */
  readStreams: number;
  /**
   * Files opened read-only: one per GET. Opens always reach the server, while the reads of an
   * object read recently may be answered from the kernel's page cache (keep_cache) and never
   * become rows, so this, not readStreams, counts GETs.
   */
  readOpens: number;
  /** getattr/lookup-style metadata calls on object files. */
  metadataCalls: number;
  deletes: number;
  renames: number;
  fsyncs: number;
  /** Median bytes per written object. */
  medianObjectBytes: number;
  /** Top-level directories (buckets) that saw I/O. */
  buckets: string[];
  opCounts: Record<string, number>;
}

/** Below this a written file is counted as an object store's metadata (xl.meta, .md5, .json). */
export const SMALL_FILE_BYTES = 4096;

export function profileObjectStore(rows: readonly TraceRow[]): ObjectStoreProfile {
  const opCounts: Record<string, number> = {};
  const written = new Map<string, { next: bigint; sequential: boolean; bytes: bigint }>();
  const readStarts = new Set<string>();
  const buckets = new Set<string>();
  const objectSizes: number[] = [];
  let deletes = 0;
  let renames = 0;
  let fsyncs = 0;
  let metadataCalls = 0;
  let wholeReads = 0;
  let readOpens = 0;
  for (const row of rows) {
    opCounts[row.op] = (opCounts[row.op] ?? 0) + 1;
    if (row.errno !== 0) continue;
    const top = row.path.split('/')[1];
    if (top && row.op !== 'getattr' && row.op !== 'statfs') buckets.add(top);
    const handle = `${row.path}#${row.fh ?? ''}`;
    switch (row.op) {
      case 'create':
        written.set(handle, { next: 0n, sequential: true, bytes: 0n });
        break;
      case 'open':
        if (((row.flags ?? 0) & 3) === 0) readOpens++;
        // Opened for writing with O_TRUNC (0o1000): an overwrite, i.e. a PUT over an existing key.
        if (((row.flags ?? 0) & 3) !== 0 && ((row.flags ?? 0) & 0o1000) !== 0)
          written.set(handle, { next: 0n, sequential: true, bytes: 0n });
        break;
      case 'write': {
        const w = written.get(handle);
        if (w) {
          if (row.offset !== w.next) w.sequential = false;
          w.next = (row.offset ?? 0n) + row.bytes;
          w.bytes += row.bytes;
        }
        break;
      }
      case 'release': {
        const w = written.get(handle);
        if (w) {
          if (w.sequential && w.bytes > 0n) objectSizes.push(Number(w.bytes));
          written.delete(handle);
        }
        break;
      }
      case 'read':
        if (row.offset === 0n && !readStarts.has(handle)) readStarts.add(handle);
        // A short read past offset 0 is the end of the object: one whole read done.
        if (row.size !== null && row.bytes < row.size) wholeReads++;
        break;
      case 'unlink':
        deletes++;
        break;
      case 'rename':
        renames++;
        break;
      case 'fsync':
        fsyncs++;
        break;
      case 'getattr':
      case 'access':
      case 'getxattr':
        metadataCalls++;
        break;
      default:
        break;
    }
  }
  objectSizes.sort((a, b) => a - b);
  const small = objectSizes.filter((b) => b < SMALL_FILE_BYTES).length;
  return {
    objectsWritten: objectSizes.length,
    dataFilesWritten: objectSizes.length - small,
    smallFilesWritten: small,
    wholeReads,
    readStreams: readStarts.size,
    readOpens,
    metadataCalls,
    deletes,
    renames,
    fsyncs,
    medianObjectBytes: objectSizes.length ? objectSizes[Math.floor(objectSizes.length / 2)]! : 0,
    buckets: [...buckets].sort(),
    opCounts,
  };
}

export function formatObjectStoreProfile(p: ObjectStoreProfile): string {
  return [
    'Object-store view of the trace',
    `  buckets (top-level dirs)  ${p.buckets.join(', ') || '-'}`,
    `  files written whole       ${p.objectsWritten}: ${p.dataFilesWritten} data files, ${p.smallFilesWritten} small metadata files (< ${SMALL_FILE_BYTES} B), median ${p.medianObjectBytes} B`,
    `  object reads              ${p.readOpens} read-only opens, ${p.readStreams} read streams from offset 0 (the rest came from the page cache), ${p.wholeReads} read to the end`,
    `  metadata calls            ${p.metadataCalls} (getattr/access/getxattr: STAT and existence checks)`,
    `  deletes (unlink)          ${p.deletes}`,
    `  renames                   ${p.renames}`,
    `  fsyncs                    ${p.fsyncs}`,
  ].join('\n');
}
