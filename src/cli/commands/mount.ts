/** `interposer mount`: serve a directory through FUSE and record every operation. */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PRIVATE_OUTPUT, parseOutputMode, type OutputAccess } from '../../io/output-file.js';
import { resolveGroup } from '../../io/groups.js';
import { checkFuseOptions, checkMountPaths, checkTracePath } from '../../record/preflight.js';
import { DEFAULT_CACHE_TIMEOUT_SEC, InterposerMount, captureClock } from '../../record/mount.js';
import { ENABLE_URING_PARAM, IO_URING_MODES } from '../../record/transport.js';
import { ControlServer } from '../../record/control.js';
import { PowerLossLayer } from '../../record/power-loss.js';
import { backingReader } from '../../record/backing-reader.js';
import { createTelemetry, teeFaultLog, telemetryOptionsFromFlags } from '../../telemetry/index.js';
import { FileFaultLog, Overlay, resolveOverlayConfig, type FaultLog } from '../../overlay/index.js';
import { cliCommand, defineCommand } from '../args/index.js';
import { OVERLAY_OPTIONS, overlayFlagsFromOptions } from '../options/overlay.js';
import { TELEMETRY_OPTIONS, telemetryFlagValues } from '../options/telemetry.js';

const RECORDING = 'Recording';
const MOUNT = 'Mount';

/** One `-o` value: comma-separated FUSE options, each NAME or NAME=VALUE. */
function parseFuseOption(text: string): string {
  for (const option of text.split(',')) {
    if (!/^[A-Za-z_][\w.-]*(=.*)?$/.test(option))
      throw new Error(`"${option}" is not a FUSE option (NAME or NAME=VALUE, e.g. attr_timeout=0)`);
  }
  return text;
}

const spec = defineCommand({
  name: 'mount',
  summary: 'mount a recording passthrough of a directory (FUSE)',
  description:
    'Serves <backing-dir> at <mountpoint> and records every operation into a Parquet trace.\n' +
    'Runs in the foreground; prints "mounted <mountpoint>" when ready. SIGINT/SIGTERM (or\n' +
    '`interposer unmount <mountpoint>`) unmounts, flushes the trace and exits 0.',
  positionals: [
    { name: 'backing-dir', help: 'the directory to serve', path: { pathKind: 'dir', role: 'input' } },
    { name: 'mountpoint', help: 'an empty directory to mount on', path: { pathKind: 'dir', role: 'input' } },
  ],
  options: {
    trace: {
      kind: 'path',
      pathKind: 'file',
      role: 'output',
      default: 'interposer-trace.parquet',
      metavar: 'FILE',
      group: RECORDING,
      help:
        'Parquet trace to write; injected faults go to <trace>.faults.jsonl\n' +
        'unless --fault-log says otherwise',
    },
    'no-trace': {
      kind: 'flag',
      group: RECORDING,
      help: 'record nothing (plain passthrough, for comparison)',
    },
    control: {
      kind: 'path',
      pathKind: 'socket',
      role: 'output',
      group: RECORDING,
      help:
        'unix socket for `interposer ctl`: add/remove rules, reload, checkpoint at run time\n' +
        '(SIGHUP also reloads the --overlay file)',
    },
    'control-group': {
      kind: 'custom',
      parse: (text: string): number => resolveGroup(text),
      metavar: 'GROUP',
      group: RECORDING,
      help:
        'also let members of GROUP use the control socket (0660); they may only add\n' +
        'fault rules limited to their own uid and remove their own rules',
    },
    'trace-mode': {
      kind: 'custom',
      parse: parseOutputMode,
      metavar: 'MODE',
      group: RECORDING,
      help:
        'permissions of the trace, its journal and the fault log (default: 0600, as\n' +
        "they name every user's paths and processes), e.g. 0640 with --trace-group",
    },
    'trace-group': {
      kind: 'custom',
      parse: (text: string): number => resolveGroup(text),
      metavar: 'GROUP',
      group: RECORDING,
      help: 'group of those files, for a team that shares traces',
    },
    'power-loss': {
      kind: 'flag',
      group: RECORDING,
      help:
        'keep undo logs of unsynced writes so `interposer ctl SOCKET drop-unsynced` can\n' +
        'roll every file back to its last fsync, as a crash would (needs --control)',
    },
    'allow-nonempty': { kind: 'flag', group: MOUNT, help: 'mount over a non-empty directory' },
    private: {
      kind: 'flag',
      group: MOUNT,
      help: 'only the mounting user may use the mount (default when root: allow_other)',
    },
    'fuse-option': {
      kind: 'custom',
      short: 'o',
      multiple: true,
      parse: parseFuseOption,
      metavar: 'OPT',
      group: MOUNT,
      help: 'extra FUSE option (repeatable), e.g. -o attr_timeout=0',
    },
    'max-threads': {
      kind: 'number',
      integer: true,
      min: 1,
      default: 16,
      group: MOUNT,
      help: 'FUSE worker threads',
    },
    'io-uring': {
      kind: 'enum',
      choices: IO_URING_MODES,
      default: 'auto',
      metavar: 'MODE',
      group: MOUNT,
      help:
        `FUSE over io_uring: auto (when the kernel offers it, i.e. ${ENABLE_URING_PARAM}\n` +
        'is Y), on (fail without it), off (/dev/fuse); the transport in use is printed at mount time',
    },
    'io-uring-depth': {
      kind: 'number',
      integer: true,
      min: 1,
      max: 4096,
      metavar: 'N',
      group: MOUNT,
      help: "io_uring requests in flight per CPU queue (default 8, libfuse's)",
    },
    'io-uring-pin': {
      kind: 'flag',
      group: MOUNT,
      help:
        "keep libfuse's pinning of each ring's thread to that ring's CPU (default: pinned, but a thread\n" +
        'serving readahead may run on any CPU the mount may use, so a reader busy on its CPU does not\n' +
        'hold up its own next readahead)',
    },
    'cache-timeout': {
      kind: 'number',
      min: 0,
      metavar: 'SEC',
      group: MOUNT,
      help:
        `let the kernel cache names, attributes and missing names this long (default ${DEFAULT_CACHE_TIMEOUT_SEC};\n` +
        '0 with --power-loss). Use 0 when others change the backing dir underneath (shared\n' +
        'volumes); answers from the cache are not rows',
    },
    'no-keep-cache': {
      kind: 'flag',
      group: MOUNT,
      help: "drop a file's cached pages on every open (kept by default when caching and no\noverlay or --control is given)",
    },
    'writeback-cache': {
      kind: 'flag',
      group: MOUNT,
      help: 'let the kernel buffer writes and send them later in large batches (write rows then\ncome from the kernel, not the writer; default off)',
    },
    ...OVERLAY_OPTIONS,
    ...TELEMETRY_OPTIONS,
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options: values, positionals, given }) => {
  if (values['no-trace'] && given.has('trace'))
    throw new UsageError('--trace and --no-trace contradict each other');
  if (values['power-loss'] && values.control === undefined)
    throw new UsageError('--power-loss needs --control SOCKET to trigger the drop');
  if (values['control-group'] !== undefined && values.control === undefined)
    throw new UsageError('--control-group needs --control SOCKET');
  const traceAccess: OutputAccess = {
    mode: values['trace-mode'] ?? PRIVATE_OUTPUT.mode,
    ...(values['trace-group'] !== undefined && { gid: values['trace-group'] }),
  };
  const controlGid = values['control-group'] ?? null;
  const allowOther = !values.private && process.geteuid?.() === 0;
  checkFuseOptions(values['fuse-option']);
  const maxThreads = values['max-threads'];
  const cacheTimeoutSec = values['cache-timeout'];

  // Everything that can be refused is checked before anything is mounted.
  const overlayFlags = overlayFlagsFromOptions(values);
  const overlayConfig = await resolveOverlayConfig(overlayFlags);
  // With a control socket, rules may arrive later: keep an (idle, free) overlay ready.
  const hasOverlay =
    overlayConfig.faults.length > 0 || overlayConfig.throttle.length > 0 || values.control !== undefined;
  const { backing, mountpoint } = checkMountPaths(
    positionals[0]!,
    positionals[1]!,
    values['allow-nonempty'] ?? false,
  );
  const tracePath = values['no-trace'] ? null : checkTracePath(values.trace);
  const faultLogPath =
    values['fault-log'] ?? (hasOverlay ? `${tracePath ?? 'interposer'}.faults.jsonl` : undefined);
  const clock = captureClock();
  const telemetryOptions = telemetryOptionsFromFlags(telemetryFlagValues(values), {
    wallClockAnchorNs: clock.wallClockAnchorNs,
    ...(tracePath ? { tracePath } : {}),
    onError: (message) => console.error(`interposer: telemetry: ${message}`),
  });
  const faultLogExisted = faultLogPath !== undefined && existsSync(faultLogPath);
  const fileFaultLog = faultLogPath
    ? await FileFaultLog.open(checkTracePath(faultLogPath), { access: traceAccess })
    : undefined;
  const telemetry = await createTelemetry(telemetryOptions);
  const faultLog: FaultLog | undefined = fileFaultLog && teeFaultLog(fileFaultLog, telemetry);
  const overlay = hasOverlay
    ? Overlay.fromConfig(overlayConfig, { faultLog, readOriginal: backingReader(backing) })
    : null;

  const powerLoss = values['power-loss'] ? new PowerLossLayer(backing) : null;
  let mount: InterposerMount;
  try {
    mount = await InterposerMount.start({
      backing,
      mountpoint,
      tracePath,
      traceAccess,
      overlay,
      powerLoss,
      allowOther,
      fuseOptions: values['fuse-option'],
      maxThreads,
      ...(cacheTimeoutSec !== undefined ? { cacheTimeoutSec } : {}),
      ...(values['no-keep-cache'] ? { keepCache: false } : {}),
      writebackCache: values['writeback-cache'] ?? false,
      ioUring: values['io-uring'],
      ioUringQueueDepth: values['io-uring-depth'] ?? 0,
      ioUringPinThreads: values['io-uring-pin'] ?? false,
      clock,
      ...(telemetry ? { onBatch: (batch) => telemetry.onBatch(batch) } : {}),
    });
  } catch (err) {
    // A mount that never started leaves nothing behind: no fault log it created, no exporters.
    await faultLog?.close();
    if (faultLogPath !== undefined && !faultLogExisted) rmSync(faultLogPath, { force: true });
    await telemetry?.shutdown();
    throw err;
  }
  const control =
    values.control !== undefined && overlay
      ? await ControlServer.listen({
          socketPath: resolve(values.control),
          mount,
          overlay,
          powerLoss,
          reloadConfig: () => resolveOverlayConfig(overlayFlags),
          access: { ownerUid: process.getuid?.() ?? 0, grantedGid: controlGid, sharedMount: allowOther },
          log: (line) => console.error(`interposer: ${line}`),
        })
      : undefined;
  if (control)
    console.error(
      `interposer: control socket ${resolve(values.control!)} (uid ${process.getuid?.() ?? 0}` +
        (controlGid === null ? ' only' : `, and group ${controlGid} for rules on their own uid`) +
        ')',
    );
  const stop = (): void => {
    void mount.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', () => {
    if (!overlay) return;
    resolveOverlayConfig(overlayFlags).then(
      (config) => {
        overlay.reload(config);
        mount.refreshOverlayInterest();
        void mount.recordEvent('overlay-reload', JSON.stringify(config));
        console.error('interposer: overlay reloaded');
      },
      (err: Error) =>
        console.error(`interposer: overlay reload refused, keeping the old rules: ${err.message}`),
    );
  });
  console.error(`interposer: ${mount.transportReason}`);
  console.log(`mounted ${mountpoint}`);
  await mount.closed;
  await control?.close();
  await faultLog?.close();
  await telemetry?.shutdown();
  const { operations, events, stalls } = mount.stats();
  console.error(
    `interposer: unmounted ${mountpoint}; ${operations} operations` +
      (tracePath ? ` recorded to ${tracePath}` : '') +
      (events ? ` (plus ${events} event rows)` : '') +
      (stalls ? ` (${stalls} waits for the trace writer)` : ''),
  );
  return 0;
});

export const run = command.run;
