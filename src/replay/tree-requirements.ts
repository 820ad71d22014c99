/**
 * What must exist in the target before the replay starts: every file, directory and symlink
 * the trace uses before (or without) creating it, with the size its reads need.
 *
 * Walks the ops in recorded start order keeping, per path, whether it exists at that point:
 *  - a successful op on a path not seen yet means the path existed before the capture (needed);
 *    an ENOENT on it means it did not (left absent, so the replay fails the same way);
 *  - create/mkdir/mknod/symlink succeeding means it did not exist (EEXIST: it did); FUSE sends
 *    `create` only for a missing name, so a successful `open` (even with O_CREAT) is a use;
 *  - rename moves existence (and file identity) from path to path2; unlink/rmdir end it;
 *  - the parent of anything needed or created must exist: needed directories follow;
 *  - a needed file's size is the largest offset+bytes of any read that returned bytes the trace
 *    itself had not written (or truncated away) in that file before: written ranges are tracked
 *    per file, so a read-back of the trace's own appends does not inflate the pre-existing size.
 */
import { OP_CODE } from '../trace/schema.js';
import { FileIdentities, type HandleTable } from './handles.js';
import { CREATES_PATH, DIRECTORY_OP, EEXIST, ENOENT, REMOVES_PATH, O_TRUNC } from './op-classes.js';
import { NULL32, type ReplayPlan } from './plan.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface RequiredEntry {
  /** Path relative to the mount root, "/"-prefixed. */
  path: string;
  kind: EntryKind;
  /** Files: bytes of deterministic content to write. */
  size: number;
}

interface FileState {
  /** The requirement that created this identity in the pre-phase, if it predates the capture. */
  required: RequiredEntry | null;
  /** Byte ranges the trace itself defined (written, or cut off by a truncate): [start, end) pairs. */
  defined: DefinedRanges;
}

/** Disjoint, non-adjacent, sorted [start, end) ranges. */
export class DefinedRanges {
  private ranges: number[] = [];

  add(start: number, end: number): void {
    if (!(end > start)) return;
    const out: number[] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (let k = 0; k < this.ranges.length; k += 2) {
      const rs = this.ranges[k]!;
      const re = this.ranges[k + 1]!;
      if (re < s) out.push(rs, re);
      else if (rs > e) {
        if (!placed) {
          out.push(s, e);
          placed = true;
        }
        out.push(rs, re);
      } else {
        s = Math.min(s, rs);
        e = Math.max(e, re);
      }
    }
    if (!placed) out.push(s, e);
    this.ranges = out;
  }

  /**
   * The smallest pre-existing size that serves a read of [start, end): end, unless the tail of
   * the range was defined by the trace (then the start of that defined run); 0 if all defined.
   */
  neededFor(start: number, end: number): number {
    for (let k = 0; k < this.ranges.length; k += 2) {
      const rs = this.ranges[k]!;
      const re = this.ranges[k + 1]!;
      if (rs <= end - 1 && end - 1 < re) return rs > start ? rs : 0;
    }
    return end;
  }
}

export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function requiredTree(plan: ReplayPlan, handles: HandleTable): RequiredEntry[] {
  const exists = new Map<string, RequiredEntry | null>(); // path -> its requirement (null: created by the trace)
  const absent = new Set<string>();
  const required: RequiredEntry[] = [];
  const identities = new FileIdentities();
  const files = new Map<number, FileState>();
  const slotIdentity = new Map<number, number>();
  const { paths } = plan;

  const fileState = (identity: number): FileState => {
    let s = files.get(identity);
    if (!s) {
      s = { required: null, defined: new DefinedRanges() };
      files.set(identity, s);
    }
    return s;
  };
  const known = (p: string) => p === '/' || exists.has(p) || absent.has(p);
  const markDir = (p: string) => {
    const req = exists.get(p);
    if (req && req.kind === 'file') req.kind = 'dir';
  };
  const ensureParent = (p: string) => {
    const parent = parentOf(p);
    if (parent === '/') return;
    if (!known(parent)) need(parent, 'dir');
    else markDir(parent);
  };
  function need(p: string, kind: EntryKind): RequiredEntry | null {
    if (p === '/') return null;
    if (known(p)) {
      if (kind === 'dir') markDir(p);
      return exists.get(p) ?? null;
    }
    ensureParent(p);
    const entry: RequiredEntry = { path: p, kind, size: 0 };
    required.push(entry);
    exists.set(p, entry);
    return entry;
  }
  const created = (p: string, pathId: number) => {
    if (!known(p)) ensureParent(p);
    absent.delete(p);
    exists.set(p, null);
    identities.remove(pathId);
    files.set(identities.of(pathId), { required: null, defined: new DefinedRanges() });
  };
  const removed = (p: string, pathId: number) => {
    exists.delete(p);
    absent.add(p);
    identities.remove(pathId);
  };
  /** The path is used by a successful op: needed if not known yet. */
  const used = (p: string, pathId: number, kind: EntryKind) => {
    if (!known(p)) {
      const entry = need(p, kind);
      if (entry && kind === 'file') fileState(identities.of(pathId)).required = entry;
    } else if (kind === 'dir') markDir(p);
  };

  for (let i = 0; i < plan.n; i++) {
    const code = plan.op[i]!;
    if (code === OP_CODE.event) continue;
    const pathId = plan.path[i]!;
    const p = paths[pathId]!;
    const err = plan.errno[i]!;
    const slot = handles.slotOf[i]!;

    if (CREATES_PATH[code] === 1) {
      const kind: EntryKind = code === OP_CODE.mkdir ? 'dir' : code === OP_CODE.symlink ? 'symlink' : 'file';
      if (err === EEXIST) used(p, pathId, kind);
      else if (err === 0) created(p, pathId);
      if (err === 0 && code === OP_CODE.create && slot >= 0) slotIdentity.set(slot, identities.of(pathId));
      continue;
    }
    if (code === OP_CODE.rename || code === OP_CODE.link) {
      const p2Id = plan.path2[i]!;
      if (err === ENOENT && !known(p)) absent.add(p);
      if (err !== 0 || p2Id < 0) continue;
      const q = paths[p2Id]!;
      used(p, pathId, 'file');
      if (!known(q)) ensureParent(q);
      absent.delete(q);
      exists.set(q, exists.get(p) ?? null);
      if (code === OP_CODE.rename) {
        identities.rename(pathId, p2Id);
        exists.delete(p);
        absent.add(p);
      }
      continue;
    }
    if (err === ENOENT) {
      if (!known(p)) absent.add(p);
      continue;
    }
    if (err !== 0) continue;

    if (REMOVES_PATH[code] === 1) {
      used(p, pathId, code === OP_CODE.rmdir ? 'dir' : 'file');
      removed(p, pathId);
      continue;
    }
    if (code === OP_CODE.readlink) {
      used(p, pathId, 'symlink');
      continue;
    }
    used(p, pathId, DIRECTORY_OP[code] === 1 ? 'dir' : 'file');
    if (slot < 0) {
      if (code === OP_CODE.truncate) truncateTo(fileState(identities.of(pathId)), plan.size[i]!);
      continue;
    }
    if (!slotIdentity.has(slot)) slotIdentity.set(slot, identities.of(handles.slotPath[slot]!));
    const state = fileState(slotIdentity.get(slot)!);
    if (code === OP_CODE.open) {
      const flags = plan.flags[i]!;
      if (flags !== NULL32 && (flags & O_TRUNC) !== 0) truncateTo(state, 0);
    } else if (code === OP_CODE.read) {
      const start = plan.offset[i]!;
      const bytes = plan.bytes[i]!;
      if (state.required && bytes > 0 && Number.isFinite(start)) {
        const needed = state.defined.neededFor(start, start + bytes);
        if (needed > state.required.size) state.required.size = needed;
      }
    } else if (code === OP_CODE.write || code === OP_CODE.fallocate) {
      const start = plan.offset[i]!;
      if (Number.isFinite(start))
        state.defined.add(start, start + (code === OP_CODE.write ? plan.bytes[i]! : plan.size[i]!));
    } else if (code === OP_CODE.truncate) {
      truncateTo(state, plan.size[i]!);
    }
  }
  return required;
}

/** Everything from `size` on is now defined by the trace (zeros or later writes). */
function truncateTo(state: FileState, size: number): void {
  state.defined.add(Number.isFinite(size) ? size : 0, Infinity);
}
