/**
 * Who may steer a live mount through its control socket, and with which requests.
 *
 * The mount is usually run by root and shared with every local user (allow_other). A rule added
 * through the socket shapes the I/O of whoever it matches, so the socket is the mount's most
 * dangerous surface: a signal rule kills other users' processes, `drop-unsynced` rolls every
 * file back to its last fsync, a throttle slows everyone. The policy:
 *
 * - connect: root, the mount's owner (the uid that started it), and members of an explicitly
 *   granted group (`--control-group`); anyone else is refused before any request is read;
 * - full control: root, and the owner when nobody else's I/O goes through the mount (a private
 *   mount, or an owner who is root anyway);
 * - everyone else allowed to connect (group members, the non-root owner of a shared mount) may
 *   only add fault rules that reach no one but themselves (uid=<their uid>, no signal), remove
 *   the rules they added, and read rules and stats.
 *
 * Identities come from the kernel (SO_PEERCRED at connect time), never from the request.
 */
import type { ControlRequest } from './control.js';
import type { RuleConfig } from '../overlay/index.js';

/** The kernel's record of the connecting process. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary groups (SO_PEERGROUPS). */
  groups: readonly number[];
}

export interface ControlAccessPolicy {
  /** The uid that started the mount. */
  ownerUid: number;
  /** Group granted access to the socket (`--control-group`), or null. */
  grantedGid: number | null;
  /** True when other users' I/O goes through the mount (allow_other). */
  sharedMount: boolean;
}

export type PeerRole = 'root' | 'owner' | 'group';

/** How a connecting peer is treated: its role, or null when it may not connect at all. */
export function peerRole(policy: ControlAccessPolicy, peer: PeerCredentials): PeerRole | null {
  if (peer.uid === 0) return 'root';
  if (peer.uid === policy.ownerUid) return 'owner';
  const g = policy.grantedGid;
  if (g !== null && (peer.gid === g || peer.groups.includes(g))) return 'group';
  return null;
}

/** Whether a peer of this role may make requests that reach other users. */
export function isPrivileged(policy: ControlAccessPolicy, role: PeerRole): boolean {
  return role === 'root' || (role === 'owner' && (!policy.sharedMount || policy.ownerUid === 0));
}

/** Why a peer may not connect, as the one line it is told. */
export function connectRefusal(policy: ControlAccessPolicy, peer: PeerCredentials): string {
  const group = policy.grantedGid === null ? '' : ` or members of group ${policy.grantedGid}`;
  return `permission denied: this mount is steered only by uid ${policy.ownerUid}, root${group} (you are uid ${peer.uid})`;
}

/**
 * Why an unprivileged peer may not make `request` (null when it may). `rule` is the rule an "add"
 * would create; `addedBy` maps rule ids to the uid that added them through the socket.
 */
export function requestRefusal(
  request: ControlRequest,
  peer: PeerCredentials,
  rule: RuleConfig | null,
  addedBy: ReadonlyMap<string, number>,
): string | null {
  const denied = (what: string): string => `permission denied: ${what} (only root or the mount's owner may)`;
  switch (request.cmd) {
    case 'rules':
    case 'stats':
    case 'checkpoint':
      return null;
    case 'drop-unsynced':
      return denied("drop-unsynced rolls back every user's files");
    case 'reload':
      return denied("reload replaces every rule, including other users'");
    case 'remove':
      return addedBy.get(request.id) === peer.uid
        ? null
        : denied(`rule "${request.id}" was not added by uid ${peer.uid}`);
    case 'add':
      if (!rule) return null;
      if (rule.kind === 'throttle') return denied('a throttle slows every user of the mount');
      if (rule.signal) return denied('signal rules kill or stop other processes');
      if (rule.uids === null || rule.uids.some((uid) => uid !== peer.uid))
        return denied(`a rule must be limited to your own processes: add uid=${peer.uid} to it`);
      return null;
    default:
      return null; // unknown commands are answered as such by the server
  }
}
