/**
 * The control socket of a live mount: a unix socket speaking one JSON object per line each
 * way. Every request is answered only after it has taken effect (a rule added is consulted by
 * the very next operation), so a test harness can rely on the acknowledgement.
 *
 * Requests: {"cmd":"rules"} | {"cmd":"add","flag":"fault","spec":"op=write,errno=EIO"} |
 * {"cmd":"remove","id":"..."} | {"cmd":"reload"} | {"cmd":"checkpoint"} | {"cmd":"stats"} |
 * {"cmd":"drop-unsynced","tornBytes":512,"keepFraction":0.5,"seed":7} (options optional).
 * `flag` is any overlay shorthand flag name (fault, delay, throttle-read, throttle-write,
 * throttle-iops, throttle-read-iops, throttle-write-iops) and `spec` its value.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import {
  connectRefusal,
  isPrivileged,
  peerRole,
  requestRefusal,
  type ControlAccessPolicy,
  type PeerCredentials,
  type PeerRole,
} from './control-access.js';
import { loadNative } from './native.js';
import {
  overlayConfigFromFlags,
  type Overlay,
  type OverlayConfig,
  type OverlayFlags,
  type RuleConfig,
} from '../overlay/index.js';
import type { InterposerMount } from './mount.js';
import type { DropOptions, PowerLossLayer } from './power-loss.js';

export type ControlRequest =
  | { cmd: 'rules' }
  | { cmd: 'add'; flag: string; spec: string }
  | { cmd: 'remove'; id: string }
  | { cmd: 'reload' }
  | { cmd: 'checkpoint' }
  | { cmd: 'stats' }
  | ({ cmd: 'drop-unsynced' } & DropOptions);

export type ControlResponse = { ok: true; [key: string]: unknown } | { ok: false; error: string };

const FLAG_FIELDS: Record<string, keyof OverlayFlags> = {
  fault: 'fault',
  delay: 'delay',
  'throttle-read': 'throttleRead',
  'throttle-write': 'throttleWrite',
  'throttle-iops': 'throttleIops',
  'throttle-read-iops': 'throttleReadIops',
  'throttle-write-iops': 'throttleWriteIops',
};

/** The one rule a shorthand flag describes, with an id unique among the overlay's rules. */
export function ruleFromFlag(flag: string, spec: string, existingIds: ReadonlySet<string>): RuleConfig {
  const field = FLAG_FIELDS[flag];
  if (!field)
    throw new UserError(`unknown rule flag "${flag}" (one of: ${Object.keys(FLAG_FIELDS).join(', ')})`);
  const value = field === 'fault' || field === 'delay' ? [spec] : spec;
  const config = overlayConfigFromFlags({ [field]: value } as OverlayFlags);
  const rule: RuleConfig = config.throttle[0]
    ? { kind: 'throttle', ...config.throttle[0] }
    : { kind: 'fault', ...config.faults[0]! };
  if (existingIds.has(rule.id) || rule.id.startsWith('cli-')) {
    let n = 1;
    while (existingIds.has(`ctl-${n}`)) n++;
    rule.id = `ctl-${n}`;
  }
  return rule;
}

export interface ControlServerOptions {
  socketPath: string;
  mount: InterposerMount;
  overlay: Overlay;
  powerLoss?: PowerLossLayer | null;
  /** Re-reads the overlay file and flags (for "reload" and SIGHUP). */
  reloadConfig: () => Promise<OverlayConfig>;
  /** Who may connect and what they may do (see control-access.ts). */
  access: ControlAccessPolicy;
  /** Where refused connections and requests are reported (the mount's stderr). */
  log?: (line: string) => void;
  /** The connecting peer's credentials (tests substitute their own). */
  peerOf?: (socket: Socket) => PeerCredentials;
}

/** A peer that was let in, and what it may do. */
interface Caller {
  peer: PeerCredentials;
  role: PeerRole;
  privileged: boolean;
}

export class ControlServer {
  private constructor(
    private readonly server: Server,
    private readonly options: ControlServerOptions,
  ) {}

  /**
   * Listens on `socketPath`, which is owner-only (0600) from the moment it appears there, or
   * 0660 with the granted group: the socket is bound inside a fresh 0700 directory, given its
   * mode, then renamed into place (a bind straight at the path would leave a window at the
   * umask's mode, and chmod after the fact would follow a planted symlink).
   */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    const { socketPath, access } = options;
    const holder: { control?: ControlServer } = {};
    const server = createServer((socket) => holder.control?.serve(socket));
    let staging: string | null = null;
    try {
      staging = await mkdtemp(join(dirname(socketPath), `.${basename(socketPath)}.`));
      const bound = join(staging, 'control.sock');
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(bound, resolve);
      });
      if (access.grantedGid !== null) await chown(bound, -1, access.grantedGid);
      await chmod(bound, access.grantedGid !== null ? 0o660 : 0o600);
      await rename(bound, socketPath);
    } catch (err) {
      server.close();
      throw new UserError(`cannot listen on control socket ${socketPath}: ${(err as Error).message}`);
    } finally {
      if (staging) await rm(staging, { recursive: true, force: true });
    }
    server.unref(); // the mount, not the socket, decides when the process ends
    holder.control = new ControlServer(server, options);
    return holder.control;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  /** Rule ids added through the socket, and the uid that added each (who may remove it). */
  private readonly addedBy = new Map<string, number>();

  /** Applies a request from `caller` (default: root); resolves once it has taken effect. */
  async handle(request: ControlRequest, caller: Caller = ROOT_CALLER): Promise<ControlResponse> {
    const { mount, overlay } = this.options;
    const rule =
      request.cmd === 'add'
        ? ruleFromFlag(request.flag, request.spec, new Set(overlay.rules().map((r) => r.config.id)))
        : null;
    if (!caller.privileged) {
      const refusal = requestRefusal(request, caller.peer, rule, this.addedBy);
      if (refusal) {
        await this.refuse(caller.peer, refusal, request);
        return { ok: false, error: refusal };
      }
    }
    switch (request.cmd) {
      case 'rules':
        return { ok: true, rules: overlay.rules() };
      case 'add': {
        if (!rule) throw new Error('add without a rule'); // ruleFromFlag throws first
        this.addedBy.set(rule.id, caller.peer.uid);
        overlay.addRule(rule);
        mount.refreshOverlayInterest();
        await mount.recordEvent('rule-add', JSON.stringify(rule));
        return { ok: true, id: rule.id };
      }
      case 'remove': {
        if (!overlay.removeRule(request.id)) return { ok: false, error: `no rule with id "${request.id}"` };
        this.addedBy.delete(request.id);
        mount.refreshOverlayInterest();
        await mount.recordEvent('rule-remove', JSON.stringify({ id: request.id }));
        return { ok: true };
      }
      case 'reload': {
        overlay.reload(await this.options.reloadConfig());
        mount.refreshOverlayInterest();
        await mount.recordEvent('overlay-reload', JSON.stringify(overlay.currentConfig()));
        return { ok: true, rules: overlay.rules().length };
      }
      case 'checkpoint':
        await mount.recordEvent('checkpoint', '');
        await mount.checkpoint();
        return { ok: true, rows: mount.stats().rows };
      case 'stats':
        return { ok: true, ...mount.stats(), unsyncedWrites: this.options.powerLoss?.unsyncedWrites ?? null };
      case 'drop-unsynced': {
        const layer = this.options.powerLoss;
        if (!layer) return { ok: false, error: 'the mount was not started with --power-loss' };
        const { cmd: _cmd, ...dropOptions } = request;
        const result = layer.drop(dropOptions);
        await mount.recordEvent('drop-unsynced', JSON.stringify({ ...dropOptions, ...result }));
        return { ok: true, ...result };
      }
      default:
        return { ok: false, error: `unknown command ${JSON.stringify((request as { cmd?: unknown }).cmd)}` };
    }
  }

  /** Reports a refusal on the mount's stderr and as an event row in the trace (an audit trail). */
  private async refuse(peer: PeerCredentials, reason: string, request?: ControlRequest): Promise<void> {
    const who = `uid ${peer.uid} (pid ${peer.pid})`;
    this.options.log?.(`control: refused ${who}${request ? ` "${request.cmd}"` : ''}: ${reason}`);
    await this.options.mount
      .recordEvent(
        'control-refused',
        JSON.stringify({ uid: peer.uid, pid: peer.pid, cmd: request?.cmd ?? null, reason }),
      )
      .catch(() => undefined);
  }

  /** The connecting peer, or null (after telling it why) when it may not steer this mount. */
  private admit(socket: Socket): Caller | null {
    const { access } = this.options;
    let peer: PeerCredentials;
    try {
      peer = (this.options.peerOf ?? kernelPeerOf)(socket);
    } catch (err) {
      this.options.log?.(
        `control: cannot identify a connecting process, closing it: ${(err as Error).message}`,
      );
      socket.destroy();
      return null;
    }
    const role = peerRole(access, peer);
    if (role === null) {
      const error = connectRefusal(access, peer);
      void this.refuse(peer, error);
      socket.end(`${JSON.stringify({ ok: false, error })}\n`);
      return null;
    }
    return { peer, role, privileged: isPrivileged(access, role) };
  }

  private serve(socket: Socket): void {
    const caller = this.admit(socket);
    if (!caller) return;
    let buffered = '';
    let queue = Promise.resolve();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.trim()) continue;
        // Requests on one connection are applied in order.
        queue = queue.then(async () => {
          const response = await this.respond(line, caller);
          if (!socket.destroyed) socket.write(`${JSON.stringify(response, bigintToString)}\n`);
        });
      }
    });
    socket.on('error', () => socket.destroy());
  }

  private async respond(line: string, caller: Caller): Promise<ControlResponse> {
    try {
      return await this.handle(JSON.parse(line) as ControlRequest, caller);
    } catch (err) {
      return {
        ok: false,
        error: err instanceof SyntaxError ? `bad JSON: ${err.message}` : (err as Error).message,
      };
    }
  }
}

function bigintToString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value === Infinity ? 'Infinity' : value;
}

const ROOT_CALLER: Caller = { peer: { pid: 0, uid: 0, gid: 0, groups: [] }, role: 'root', privileged: true };

/** SO_PEERCRED through the native binding; net.Socket keeps the fd on its (internal) handle. */
function kernelPeerOf(socket: Socket): PeerCredentials {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('the connection has no file descriptor');
  return loadNative().peerCredentials(fd);
}
