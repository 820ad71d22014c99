/**
 * The trace row: one file-system operation. Defined once here; the recorder, the replayer,
 * the analyzer, the TUI and every exporter import it.
 *
 * Times are nanoseconds on the capture's monotonic clock, counted from the capture's start
 * (so values stay small and compress well). The file metadata carries one wall-clock anchor:
 * wall-clock ns = WALL_CLOCK_ANCHOR_KEY value + start_ns.
 */

/** Bumped on any incompatible change to the columns below. Readers refuse newer versions. */
export const TRACE_SCHEMA_VERSION = 1;

/** Parquet key-value metadata keys written into every trace file. */
export const METADATA_KEYS = {
  schemaVersion: 'interposer.schema_version',
  /** Wall-clock time (Unix epoch, ns, decimal string) at start_ns = 0. */
  wallClockAnchorNs: 'interposer.wall_clock_anchor_ns',
  /** What produced the trace: "record" (live mount) or "replay". */
  source: 'interposer.source',
  /** Backing directory of the mount, or target directory of a replay. */
  backing: 'interposer.backing',
  mountpoint: 'interposer.mountpoint',
  hostname: 'interposer.hostname',
  toolVersion: 'interposer.tool_version',
} as const;

/**
 * Every operation the interposer can record. The numeric code (index in this list) is what the
 * native binding reports; the string is what the trace stores (dictionary-encoded in Parquet).
 * Append only: never reorder, the native side shares these codes (native/src/ops.h).
 */
export const OPS = [
  'getattr',
  'readlink',
  'mknod',
  'mkdir',
  'unlink',
  'rmdir',
  'symlink',
  'rename',
  'link',
  'chmod',
  'chown',
  'truncate',
  'open',
  'read',
  'write',
  'statfs',
  'flush',
  'release',
  'fsync',
  'setxattr',
  'getxattr',
  'listxattr',
  'removexattr',
  'opendir',
  'readdir',
  'releasedir',
  'fsyncdir',
  'access',
  'create',
  'utimens',
  'fallocate',
  'copy_file_range',
  'lseek',
  /** Not a file-system call: a marker row (overlay rule change, checkpoint, drop of unsynced writes). */
  'event',
] as const;

export type Op = (typeof OPS)[number];

export const OP_CODE: Readonly<Record<Op, number>> = Object.fromEntries(
  OPS.map((op, i) => [op, i]),
) as Record<Op, number>;

/** Ops that move file data; their `bytes` column counts data bytes. */
export const DATA_OPS: ReadonlySet<Op> = new Set<Op>(['read', 'write', 'copy_file_range']);

/** Kinds of injected fault an overlay can record on a row. */
export const FAULT_KINDS = ['errno', 'truncate', 'delay', 'corrupt', 'throttle', 'signal', 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One operation. Optional fields are null in Parquet when absent. */
export interface TraceRow {
  /** Order in which the operation completed, from 0, unique in a trace. */
  seq: bigint;
  op: Op;
  /** Path relative to the mount root, starting with "/". */
  path: string;
  /** Second path: rename/link destination, symlink target. */
  path2: string | null;
  /** File handle the op used or returned (open/create/opendir return one). */
  fh: bigint | null;
  offset: bigint | null;
  /** Bytes (or entries) the caller asked for. */
  size: bigint | null;
  /** Bytes actually moved (read/write), 0 otherwise; never negative. */
  bytes: bigint;
  /** 0 on success, else the positive errno the caller saw. */
  errno: number;
  /** open/create flags, or the rename/xattr flags, where the op has them. */
  flags: number | null;
  /** mode for create/mknod/mkdir/chmod. */
  mode: number | null;
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  /** Caller's process id (thread group), thread id, uid and gid as FUSE reports them. */
  pid: number;
  tid: number;
  uid: number;
  gid: number;
  /** Caller's command name (/proc/PID/comm), cached per pid. */
  comm: string | null;
  /** Overlay effects on this row; all null when no overlay touched it. */
  faultKind: FaultKind | null;
  faultErrno: number | null;
  faultDelayNs: bigint | null;
  faultTruncatedTo: bigint | null;
  throttleWaitNs: bigint | null;
}

export type ColumnType = 'int64' | 'int32' | 'string';

export interface ColumnDef {
  /** Column name in Parquet (snake_case). */
  name: string;
  /** Field of TraceRow it holds. */
  field: keyof TraceRow;
  type: ColumnType;
  nullable: boolean;
  /** Strings with few distinct values: dictionary-encode. */
  dictionary?: boolean;
  doc: string;
}

/** Column order and Parquet types of a trace file. */
export const COLUMNS: readonly ColumnDef[] = [
  { name: 'seq', field: 'seq', type: 'int64', nullable: false, doc: 'completion order, from 0' },
  { name: 'op', field: 'op', type: 'string', nullable: false, dictionary: true, doc: 'operation name (OPS)' },
  {
    name: 'path',
    field: 'path',
    type: 'string',
    nullable: false,
    dictionary: true,
    doc: 'path under the mount root',
  },
  {
    name: 'path2',
    field: 'path2',
    type: 'string',
    nullable: true,
    dictionary: true,
    doc: 'rename/link target',
  },
  { name: 'fh', field: 'fh', type: 'int64', nullable: true, doc: 'file handle' },
  { name: 'offset', field: 'offset', type: 'int64', nullable: true, doc: 'file offset' },
  { name: 'size', field: 'size', type: 'int64', nullable: true, doc: 'bytes requested' },
  { name: 'bytes', field: 'bytes', type: 'int64', nullable: false, doc: 'bytes done' },
  { name: 'errno', field: 'errno', type: 'int32', nullable: false, doc: '0 or positive errno' },
  { name: 'flags', field: 'flags', type: 'int32', nullable: true, doc: 'open/rename/xattr flags' },
  { name: 'mode', field: 'mode', type: 'int32', nullable: true, doc: 'file mode' },
  {
    name: 'start_ns',
    field: 'startNs',
    type: 'int64',
    nullable: false,
    doc: 'start, ns since capture start',
  },
  { name: 'end_ns', field: 'endNs', type: 'int64', nullable: false, doc: 'end, ns since capture start' },
  { name: 'duration_ns', field: 'durationNs', type: 'int64', nullable: false, doc: 'end_ns - start_ns' },
  { name: 'pid', field: 'pid', type: 'int32', nullable: false, doc: 'caller process id' },
  { name: 'tid', field: 'tid', type: 'int32', nullable: false, doc: 'caller thread id' },
  { name: 'uid', field: 'uid', type: 'int32', nullable: false, doc: 'caller uid' },
  { name: 'gid', field: 'gid', type: 'int32', nullable: false, doc: 'caller gid' },
  {
    name: 'comm',
    field: 'comm',
    type: 'string',
    nullable: true,
    dictionary: true,
    doc: 'caller command name',
  },
  {
    name: 'fault_kind',
    field: 'faultKind',
    type: 'string',
    nullable: true,
    dictionary: true,
    doc: 'injected fault',
  },
  { name: 'fault_errno', field: 'faultErrno', type: 'int32', nullable: true, doc: 'injected errno' },
  { name: 'fault_delay_ns', field: 'faultDelayNs', type: 'int64', nullable: true, doc: 'injected delay' },
  {
    name: 'fault_truncated_to',
    field: 'faultTruncatedTo',
    type: 'int64',
    nullable: true,
    doc: 'short I/O length',
  },
  {
    name: 'throttle_wait_ns',
    field: 'throttleWaitNs',
    type: 'int64',
    nullable: true,
    doc: 'time spent throttled',
  },
];

export const COLUMN_NAMES: readonly string[] = COLUMNS.map((c) => c.name);
