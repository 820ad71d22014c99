/**
 * Maps recorded handle ids (fh) to replay handle slots. Every successful open/create/opendir
 * gets a fresh slot; later ops carrying that fh use the slot of the most recent open of that fh
 * that had COMPLETED when they started (handles may be reused after release, and an open that
 * returns a reused id may start before the old handle's release). An fh used without a
 * recorded open (the file was opened before the capture began) gets an "orphan" slot, opened
 * by the pre-phase.
 */
import { OP_CODE } from '../trace/schema.js';
import { DIR_HANDLE_OP, OPENS_HANDLE } from './op-classes.js';
import type { ReplayPlan } from './plan.js';

export interface HandleTable {
  /** Slot each op uses or opens, -1 if none (shared memory). */
  slotOf: Int32Array;
  count: number;
  /** Path id the slot was opened on. */
  slotPath: Int32Array;
  /** Op index of the opener, -1 for orphans. */
  slotOpener: Int32Array;
  slotIsDir: Uint8Array;
}

/** How many earlier handles with the same id are remembered (reuse is rare, overlap rarer). */
const HISTORY = 4;

export function resolveHandles(plan: ReplayPlan): HandleTable {
  const n = plan.n;
  const slotOf = new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4)).fill(-1);
  const slotPath: number[] = [];
  const slotOpener: number[] = [];
  const slotIsDir: number[] = [];
  const openedEnd: number[] = [];
  // Separate id spaces for files and directories: a recorder may number them independently.
  const history = [new Map<number, number[]>(), new Map<number, number[]>()];
  const { op, fh, errno, startNs, endNs, path } = plan;

  const newSlot = (pathId: number, opener: number, isDir: number, end: number): number => {
    slotPath.push(pathId);
    slotOpener.push(opener);
    slotIsDir.push(isDir);
    openedEnd.push(end);
    return slotPath.length - 1;
  };

  for (let i = 0; i < n; i++) {
    const id = fh[i]!;
    if (Number.isNaN(id)) continue;
    const code = op[i]!;
    if (code === OP_CODE.event) continue;
    const isDir = DIR_HANDLE_OP[code]!;
    const map = history[isDir]!;
    if (OPENS_HANDLE[code] === 1) {
      if (errno[i] !== 0) continue;
      const slot = newSlot(path[i]!, i, isDir, endNs[i]!);
      slotOf[i] = slot;
      const list = map.get(id);
      if (list) {
        list.push(slot);
        if (list.length > HISTORY) list.shift();
      } else map.set(id, [slot]);
      continue;
    }
    const list = map.get(id);
    let slot = -1;
    if (list) {
      for (let k = list.length - 1; k >= 0; k--) {
        const s = list[k]!;
        if (openedEnd[s]! <= startNs[i]!) {
          slot = s;
          break;
        }
      }
    }
    if (slot < 0) {
      slot = newSlot(path[i]!, -1, isDir, -Infinity);
      if (list) list.unshift(slot);
      else map.set(id, [slot]);
    }
    slotOf[i] = slot;
  }
  const sharedInt32 = (values: number[]) => {
    const a = new Int32Array(new SharedArrayBuffer(Math.max(1, values.length) * 4));
    a.set(values);
    return a;
  };
  const dirs = new Uint8Array(new SharedArrayBuffer(Math.max(1, slotIsDir.length)));
  dirs.set(slotIsDir);
  return {
    slotOf,
    count: slotPath.length,
    slotPath: sharedInt32(slotPath),
    slotOpener: sharedInt32(slotOpener),
    slotIsDir: dirs,
  };
}

/**
 * Which file each path names as the trace goes on: a rename moves the identity, an unlink ends
 * it. Lets a read through a handle opened as /a find writes made through /b after `mv /a /b`.
 * (Renaming a directory does not move the identities of the files below it.)
 */
export class FileIdentities {
  private readonly byPath = new Map<number, number>();
  private next = 0;

  of(pathId: number): number {
    let id = this.byPath.get(pathId);
    if (id === undefined) {
      id = this.next++;
      this.byPath.set(pathId, id);
    }
    return id;
  }

  /** The id `of` would return, without creating one. */
  peek(pathId: number): number | undefined {
    return this.byPath.get(pathId);
  }

  rename(from: number, to: number): void {
    const id = this.of(from);
    this.byPath.delete(from);
    this.byPath.set(to, id);
  }

  remove(pathId: number): void {
    this.byPath.delete(pathId);
  }
}
