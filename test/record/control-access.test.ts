/** The control socket's policy as a table: who may connect, and who may reach other users. */
import { describe, expect, it } from 'vitest';
import {
  isPrivileged,
  peerRole,
  requestRefusal,
  type ControlAccessPolicy,
  type PeerCredentials,
} from '../../src/record/control-access.js';
import { ruleFromFlag } from '../../src/record/control.js';

const shared: ControlAccessPolicy = { ownerUid: 0, grantedGid: 4242, sharedMount: true };
const peer = (uid: number, gid = uid, groups: number[] = []): PeerCredentials => ({
  pid: 1,
  uid,
  gid,
  groups,
});
const add = (flag: string, spec: string) => ({ cmd: 'add' as const, flag, spec });
const refusal = (who: PeerCredentials, flag: string, spec: string): string | null =>
  requestRefusal(add(flag, spec), who, ruleFromFlag(flag, spec, new Set()), new Map());

describe('control socket access policy', () => {
  it('lets in root, the owner and members of the granted group only', () => {
    expect(peerRole(shared, peer(0))).toBe('root');
    expect(peerRole(shared, peer(1000, 1000, [4242]))).toBe('group');
    expect(peerRole(shared, peer(1000, 4242))).toBe('group');
    expect(peerRole(shared, peer(1000, 1000, [27]))).toBeNull();
    expect(peerRole({ ...shared, grantedGid: null }, peer(1000, 1000, [4242]))).toBeNull();
    expect(peerRole({ ownerUid: 1000, grantedGid: null, sharedMount: false }, peer(1000))).toBe('owner');
  });

  it('gives full control to root, and to a non-root owner only when nobody else uses the mount', () => {
    expect(isPrivileged(shared, 'root')).toBe(true);
    expect(isPrivileged(shared, 'group')).toBe(false);
    expect(isPrivileged({ ownerUid: 1000, grantedGid: null, sharedMount: false }, 'owner')).toBe(true);
    expect(isPrivileged({ ownerUid: 1000, grantedGid: null, sharedMount: true }, 'owner')).toBe(false);
  });

  it('refuses unprivileged requests that reach other users, and allows rules on their own uid', () => {
    const me = peer(1000, 1000, [4242]);
    expect(refusal(me, 'fault', 'op=write,path=**,signal=SIGKILL,uid=1000')).toMatch(/signal/);
    expect(refusal(me, 'fault', 'op=write,path=**,errno=EIO')).toMatch(/uid=1000/);
    expect(refusal(me, 'fault', 'op=write,errno=EIO,uid=0')).toMatch(/uid=1000/);
    expect(refusal(me, 'fault', 'op=write,errno=EIO,uid=1000|0')).toMatch(/uid=1000/);
    expect(refusal(me, 'throttle-read', '1MiB/s')).toMatch(/throttle/);
    expect(refusal(me, 'fault', 'op=write,errno=EIO,uid=1000')).toBeNull();
    expect(requestRefusal({ cmd: 'drop-unsynced' }, me, null, new Map())).toMatch(/drop-unsynced/);
    expect(requestRefusal({ cmd: 'reload' }, me, null, new Map())).toMatch(/reload/);
    expect(requestRefusal({ cmd: 'stats' }, me, null, new Map())).toBeNull();
    const addedBy = new Map([
      ['ctl-1', 1000],
      ['ctl-2', 0],
    ]);
    expect(requestRefusal({ cmd: 'remove', id: 'ctl-1' }, me, null, addedBy)).toBeNull();
    expect(requestRefusal({ cmd: 'remove', id: 'ctl-2' }, me, null, addedBy)).toMatch(
      /not added by uid 1000/,
    );
    expect(requestRefusal({ cmd: 'remove', id: 'cli-1' }, me, null, addedBy)).toMatch(/not added/);
  });
});
