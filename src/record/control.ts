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
import { UserError } from '../errors.js';
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
}

export class ControlServer {
  private constructor(
    private readonly server: Server,
    private readonly options: ControlServerOptions,
  ) {}

  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    rmSync(options.socketPath, { force: true });
    const holder: { control?: ControlServer } = {};
    const server = createServer((socket) => holder.control?.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new UserError(`cannot listen on control socket ${options.socketPath}: ${err.message}`)),
      );
      server.listen(options.socketPath, resolve);
    });
    server.unref(); // the mount, not the socket, decides when the process ends
    holder.control = new ControlServer(server, options);
    return holder.control;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  /** Applies a request; resolves once it has taken effect. */
  async handle(request: ControlRequest): Promise<ControlResponse> {
    const { mount, overlay } = this.options;
    switch (request.cmd) {
      case 'rules':
        return { ok: true, rules: overlay.rules() };
      case 'add': {
        const ids = new Set(overlay.rules().map((r) => r.config.id));
        const rule = ruleFromFlag(request.flag, request.spec, ids);
        overlay.addRule(rule);
        mount.refreshOverlayInterest();
        await mount.recordEvent('rule-add', JSON.stringify(rule));
        return { ok: true, id: rule.id };
      }
      case 'remove': {
        if (!overlay.removeRule(request.id)) return { ok: false, error: `no rule with id "${request.id}"` };
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

  private serve(socket: Socket): void {
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
          const response = await this.respond(line);
          if (!socket.destroyed) socket.write(`${JSON.stringify(response, bigintToString)}\n`);
        });
      }
    });
    socket.on('error', () => socket.destroy());
  }

  private async respond(line: string): Promise<ControlResponse> {
    try {
      return await this.handle(JSON.parse(line) as ControlRequest);
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
