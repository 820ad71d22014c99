/**
 * Replaying as the recorded caller. Run as root, each worker thread switches its fsuid, fsgid and
 * supplementary groups to those of the row it issues (per thread, as the mount does for its
 * callers; native/src/creds.c), so files the trace creates belong to the same users as in the
 * recording and permission checks fall the same way. Entries the pre-phase creates (they existed
 * before the capture) are given to the first caller the trace shows touching them or anything
 * below them. Not root: everything runs as the invoking user, and the replay says so.
 */
import { lchownSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplayPlan } from './plan.js';
import { targetPath } from './target.js';
import type { RequiredEntry } from './tree-requirements.js';

export interface CredsBinding {
  /** Switches the calling thread; 0, or the errno that refused it. */
  actAs(uid: number, gid: number, groups: Int32Array): number;
}

export function credsAddonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'native', 'build', 'Release', 'interposer_creds.node');
}

/** The per-thread credential switch, or null when it cannot be used (not root, not built). */
export function loadCreds(): CredsBinding | null {
  if (process.geteuid?.() !== 0) return null;
  try {
    return createRequire(import.meta.url)(credsAddonPath()) as CredsBinding;
  } catch {
    return null;
  }
}

export interface Owner {
  uid: number;
  gid: number;
}

/** uid -> its supplementary groups (primary gid included), from /etc/group, for the uids given. */
export function supplementaryGroups(uids: Iterable<number>): Map<number, number[]> {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const nameOf = new Map<number, { name: string; gid: number }>();
  for (const line of read('/etc/passwd')) {
    const [name, , uid, gid] = line.split(':');
    if (name && uid !== undefined) nameOf.set(Number(uid), { name, gid: Number(gid) });
  }
  const members = new Map<string, number[]>();
  for (const line of read('/etc/group')) {
    const [, , gid, list] = line.split(':');
    for (const user of (list ?? '').split(',').filter(Boolean)) {
      const gids = members.get(user) ?? [];
      gids.push(Number(gid));
      members.set(user, gids);
    }
  }
  const out = new Map<number, number[]>();
  for (const uid of uids) {
    const user = nameOf.get(uid);
    out.set(uid, user ? [...new Set([user.gid, ...(members.get(user.name) ?? [])])] : []);
  }
  return out;
}

/** Distinct (uid, gid) pairs other than root's, in trace order. */
export function nonRootCallers(plan: ReplayPlan): Owner[] {
  const seen = new Set<string>();
  const out: Owner[] = [];
  for (let i = 0; i < plan.n; i++) {
    const uid = plan.uid[i]!;
    const gid = plan.gid[i]!;
    if (uid === 0 && gid === 0) continue;
    const key = `${uid}:${gid}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ uid, gid });
    }
  }
  return out;
}

/**
 * The first caller to touch each path or anything below it (a directory's owner is whoever
 * first worked inside it): the owner a pre-existing entry most plausibly had.
 */
export function firstAccessors(plan: ReplayPlan): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  const claim = (p: string, owner: Owner) => {
    for (let at = p; at !== '' && at !== '/'; at = at.slice(0, Math.max(0, at.lastIndexOf('/')))) {
      if (owners.has(at)) return; // its ancestors were claimed with it
      owners.set(at, owner);
    }
  };
  for (let i = 0; i < plan.n; i++) {
    const owner = { uid: plan.uid[i]!, gid: plan.gid[i]! };
    claim(plan.paths[plan.path[i]!]!, owner);
    const p2 = plan.path2[i]!;
    if (p2 >= 0) claim(plan.paths[p2]!, owner);
  }
  return owners;
}

/** Gives each pre-created entry to its first accessor (root only); returns how many changed. */
export function ownPrephaseEntries(
  root: string,
  entries: readonly RequiredEntry[],
  plan: ReplayPlan,
): number {
  const owners = firstAccessors(plan);
  let changed = 0;
  for (const entry of entries) {
    const owner = owners.get(entry.path);
    if (!owner || (owner.uid === 0 && owner.gid === 0)) continue;
    lchownSync(targetPath(root, entry.path), owner.uid, owner.gid);
    changed++;
  }
  return changed;
}
