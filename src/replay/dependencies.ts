/**
 * Replay dependencies: which ops must complete before an op may be issued, so the replay keeps
 * the recorded happens-before relations while threads run freely otherwise.
 *
 * Rules (applied per op in recorded start order):
 *  1. Thread order: each recorded thread (tid) issues its ops one at a time, in recorded order
 *     (implicit: a thread is one stream; not listed as dependencies).
 *  2. Every op reads or writes "resources":
 *       ns(P)       the name P: create/mknod/mkdir/symlink/unlink/rmdir/rename (both names) and
 *                   link (the new name) write it; every other op on P reads it;
 *       listing(D)  the entries of directory D: creating/removing/renaming a name in D writes
 *                   it, opendir/readdir read it;
 *       data(F)     the contents of file F (identity follows renames): write, truncate,
 *                   fallocate and O_TRUNC opens write it; read, fsync and fgetattr read it;
 *       handle(H)   a replayed handle: open/create/opendir and release/releasedir write it, every
 *                   op through the handle reads it.
 *     A failed op (recorded errno != 0) only reads what it would have written: its outcome
 *     depends on the state, it did not change it.
 *  3. An op depends on another thread's op on a shared resource only if that op COMPLETED before
 *     this one STARTED in the trace (ops that overlapped in the trace were concurrent; their
 *     order was never observed, so none is imposed):
 *       - any access waits for the latest such writer (read-after-write, write-after-write);
 *       - a write also waits for each other thread's latest such reader since that writer
 *         (write-after-read: an unlink waits for the read of the file another thread finished).
 * Every dependency points to an op with an earlier start, so the graph is acyclic and any
 * scheduler that runs the earliest runnable op can never deadlock.
 */
import { OP_CODE } from '../trace/schema.js';
import { FileIdentities, type HandleTable } from './handles.js';
import { CREATES_PATH, DIRECTORY_OP, O_TRUNC, REMOVES_PATH, UNSUPPORTED } from './op-classes.js';
import { NULL32, type ReplayPlan } from './plan.js';
import { parentOf } from './tree-requirements.js';

export interface Schedule {
  /** Streams (one per recorded tid), each its ops in start order: CSR over streamOps. */
  streamCount: number;
  streamStart: Int32Array;
  streamOps: Int32Array;
  /** The recorded tid of each stream. */
  streamTid: Int32Array;
  /** Cross-thread dependencies of op i: deps[depStart[i] .. depStart[i+1]). */
  depStart: Int32Array;
  deps: Int32Array;
  /** 1 for ops replay skips (unsupported or not file-system calls). */
  skip: Uint8Array;
}

const NS = 0;
const LISTING = 1;
const DATA = 2;
const HANDLE = 3;
const WRITER_HISTORY = 4;

interface Resource {
  writers: number[];
  /** Latest reader per thread since the last writer (parallel arrays: threads are few). */
  readerTids: number[];
  readerOps: number[];
}

class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

function sharedCopy(values: Int32Array, length: number): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(Math.max(1, length) * 4));
  out.set(values.subarray(0, length));
  return out;
}

export function computeSchedule(plan: ReplayPlan, handles: HandleTable): Schedule {
  const n = plan.n;
  const { op, tid, startNs, endNs, errno, paths } = plan;
  const resources = new Map<number, Resource>();
  const dirIds = new Map<string, number>(paths.map((p, i) => [p, i]));
  const identities = new FileIdentities();
  const slotIdentity = new Map<number, number>();
  const depStart = new Int32Array(new SharedArrayBuffer((n + 1) * 4));
  const deps = new GrowableInt32();
  const skip = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)));

  const nameId = (p: string): number => {
    let id = dirIds.get(p);
    if (id === undefined) {
      id = dirIds.size;
      dirIds.set(p, id);
    }
    return id;
  };
  // Parent name of each path id, resolved once (not per op).
  const parentIds = Int32Array.from(paths, (p) => nameId(parentOf(p)));

  let current = 0; // op being analysed
  let depsFrom = 0; // where its deps begin in `deps`
  const addDep = (d: number) => {
    for (let k = depsFrom; k < deps.length; k++) if (deps.data[k] === d) return;
    deps.push(d);
  };
  const access = (kind: number, id: number, write: boolean) => {
    const key = id * 4 + kind;
    let r = resources.get(key);
    if (!r) {
      r = { writers: [], readerTids: [], readerOps: [] };
      resources.set(key, r);
    }
    const me = current;
    const myTid = tid[me]!;
    const myStart = startNs[me]!;
    for (let k = r.writers.length - 1; k >= 0; k--) {
      const w = r.writers[k]!;
      if (endNs[w]! <= myStart) {
        if (tid[w] !== myTid) addDep(w);
        break;
      }
    }
    if (write) {
      for (let k = 0; k < r.readerTids.length; k++) {
        const reader = r.readerOps[k]!;
        if (r.readerTids[k] !== myTid && endNs[reader]! <= myStart) addDep(reader);
      }
      r.readerTids.length = 0;
      r.readerOps.length = 0;
      r.writers.push(me);
      if (r.writers.length > WRITER_HISTORY) r.writers.shift();
    } else {
      const k = r.readerTids.indexOf(myTid);
      if (k >= 0) r.readerOps[k] = me;
      else {
        r.readerTids.push(myTid);
        r.readerOps.push(me);
      }
    }
  };
  const dataOf = (slot: number, pathId: number): number => {
    if (slot < 0) return identities.of(pathId);
    let id = slotIdentity.get(slot);
    if (id === undefined) {
      id = identities.of(handles.slotPath[slot]!);
      slotIdentity.set(slot, id);
    }
    return id;
  };

  for (let i = 0; i < n; i++) {
    depStart[i] = deps.length;
    current = i;
    depsFrom = deps.length;
    const code = op[i]!;
    if (UNSUPPORTED[code] === 1) {
      skip[i] = 1;
      continue;
    }
    const ok = errno[i] === 0;
    const pathId = plan.path[i]!;
    const slot = handles.slotOf[i]!;
    const parent = parentIds[pathId]!;

    if (CREATES_PATH[code] === 1 || REMOVES_PATH[code] === 1) {
      access(NS, pathId, ok);
      access(LISTING, parent, ok);
      access(NS, parent, false);
      if (code === OP_CODE.rmdir) access(LISTING, pathId, ok);
      if (ok && REMOVES_PATH[code] === 1) identities.remove(pathId);
      if (ok && CREATES_PATH[code] === 1) {
        identities.remove(pathId);
        if (code === OP_CODE.create) access(DATA, dataOf(slot, pathId), true);
      }
      if (slot >= 0) access(HANDLE, slot, true);
      continue;
    }
    if (code === OP_CODE.rename || code === OP_CODE.link) {
      const p2 = plan.path2[i]!;
      access(NS, pathId, ok && code === OP_CODE.rename);
      access(LISTING, parent, ok && code === OP_CODE.rename);
      if (p2 >= 0) {
        access(NS, p2, ok);
        access(LISTING, parentIds[p2]!, ok);
        if (ok && code === OP_CODE.rename) identities.rename(pathId, p2);
      }
      continue;
    }
    if (slot >= 0) {
      const opensOrCloses =
        code === OP_CODE.open ||
        code === OP_CODE.opendir ||
        code === OP_CODE.release ||
        code === OP_CODE.releasedir;
      access(HANDLE, slot, opensOrCloses);
    }
    switch (code) {
      case OP_CODE.open: {
        access(NS, pathId, false);
        const flags = plan.flags[i]!;
        if (ok && flags !== NULL32 && (flags & O_TRUNC) !== 0) access(DATA, dataOf(slot, pathId), true);
        break;
      }
      case OP_CODE.read:
      case OP_CODE.fsync:
        access(DATA, dataOf(slot, pathId), false);
        break;
      case OP_CODE.write:
      case OP_CODE.truncate:
      case OP_CODE.fallocate:
        access(DATA, dataOf(slot, pathId), ok);
        if (slot < 0) access(NS, pathId, false);
        break;
      case OP_CODE.getattr:
        if (slot >= 0) access(DATA, dataOf(slot, pathId), false);
        else access(NS, pathId, false);
        break;
      case OP_CODE.readdir:
        access(LISTING, slot >= 0 ? handles.slotPath[slot]! : pathId, false);
        break;
      default:
        if (slot < 0) access(NS, pathId, false);
        if (DIRECTORY_OP[code] === 1) access(LISTING, pathId, false);
    }
  }
  depStart[n] = deps.length;

  // Streams: one per tid, ops in start order (the plan already is in start order).
  const streamIndex = new Map<number, number>();
  const counts: number[] = [];
  const streamOfOp = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = streamIndex.get(tid[i]!);
    if (s === undefined) {
      s = counts.length;
      streamIndex.set(tid[i]!, s);
      counts.push(0);
    }
    counts[s]!++;
    streamOfOp[i] = s;
  }
  const streamCount = counts.length;
  const streamStart = new Int32Array(new SharedArrayBuffer((streamCount + 1) * 4));
  for (let s = 0; s < streamCount; s++) streamStart[s + 1] = streamStart[s]! + counts[s]!;
  const fill = Int32Array.from(streamStart.subarray(0, streamCount));
  const streamOps = new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
  for (let i = 0; i < n; i++) streamOps[fill[streamOfOp[i]!]!++] = i;
  const streamTid = new Int32Array(new SharedArrayBuffer(Math.max(1, streamCount) * 4));
  for (const [t, s] of streamIndex) streamTid[s] = t;

  return {
    streamCount,
    streamStart,
    streamOps,
    streamTid,
    depStart,
    deps: sharedCopy(deps.data, deps.length),
    skip,
  };
}
