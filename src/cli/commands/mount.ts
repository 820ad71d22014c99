import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { PRIVATE_OUTPUT, parseOutputMode, type OutputAccess } from '../../io/output-file.js';
import { resolveGroup } from '../../io/groups.js';
import { checkMountPaths, checkTracePath } from '../../record/preflight.js';
import { DEFAULT_CACHE_TIMEOUT_SEC, InterposerMount, captureClock } from '../../record/mount.js';
import { ControlServer } from '../../record/control.js';
import { PowerLossLayer } from '../../record/power-loss.js';
import { backingReader } from '../../record/backing-reader.js';
import {
  TELEMETRY_FLAGS,
  TELEMETRY_FLAGS_HELP,
  createTelemetry,
  normalizeTelemetryArgv,
  teeFaultLog,
  telemetryOptionsFromFlags,
} from '../../telemetry/index.js';
import { resolve } from 'node:path';
import { ENABLE_URING_PARAM, IO_URING_MODES, type IoUringMode } from '../../record/transport.js';
import {
  FileFaultLog,
  OVERLAY_FLAGS_HELP,
  OVERLAY_PARSE_ARGS_OPTIONS,
  Overlay,
  overlayFlagsFromParsedArgs,
  resolveOverlayConfig,
  type FaultLog,
} from '../../overlay/index.js';

export const summary = 'mount a recording passthrough of a directory (FUSE)';

const HELP = `usage: interposer mount <backing-dir> <mountpoint> [options]

Serves <backing-dir> at <mountpoint> and records every operation into a Parquet trace.
Runs in the foreground; prints "mounted <mountpoint>" when ready. SIGINT/SIGTERM (or
\`interposer unmount <mountpoint>\`) unmounts, flushes the trace and exits 0.

Recording:
  --trace FILE          Parquet trace to write (default: ./interposer-trace.parquet); injected
                        faults go to <trace>.faults.jsonl unless --fault-log says otherwise
  --no-trace            record nothing (plain passthrough, for comparison)
  --control SOCKET      unix socket for \`interposer ctl\`: add/remove rules, reload, checkpoint at run time
                        (SIGHUP also reloads the --overlay file)
  --control-group GROUP also let members of GROUP use the control socket (0660); they may only add
                        fault rules limited to their own uid and remove their own rules
  --trace-mode MODE     permissions of the trace, its journal and the fault log (default 0600:
                        they name every user's paths and processes), e.g. 0640 with --trace-group
  --trace-group GROUP   group of those files, for a team that shares traces
  --power-loss          keep undo logs of unsynced writes so \`interposer ctl SOCKET drop-unsynced\` can
                        roll every file back to its last fsync, as a crash would (needs --control)

Mount:
  --allow-nonempty      mount over a non-empty directory
  --private             only the mounting user may use the mount (default when root: allow_other)
  -o, --fuse-option OPT extra FUSE option (repeatable), e.g. -o attr_timeout=0
  --max-threads N       FUSE worker threads (default 16)
  --io-uring MODE       FUSE over io_uring: auto (default: when the kernel offers it, i.e.
                        ${ENABLE_URING_PARAM} is Y), on (fail without it), off (/dev/fuse);
                        the transport in use and why is printed at mount time
  --io-uring-depth N    io_uring requests in flight per CPU queue (default 8, libfuse's)
  --cache-timeout SEC   let the kernel cache names, attributes and missing names this long
                        (default ${DEFAULT_CACHE_TIMEOUT_SEC}; 0 with --power-loss). Use 0 when others change the backing
                        dir underneath (shared volumes); answers from the cache are not rows
  --no-keep-cache       drop a file's cached pages on every open (kept by default when caching
                        and no overlay or --control is given)
  --writeback-cache     let the kernel buffer writes and send them later in large batches (write
                        rows then come from the kernel, not the writer; default off)

${OVERLAY_FLAGS_HELP}

${TELEMETRY_FLAGS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: normalizeTelemetryArgv(argv),
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      trace: { type: 'string' },
      'no-trace': { type: 'boolean' },
      control: { type: 'string' },
      'control-group': { type: 'string' },
      'trace-mode': { type: 'string' },
      'trace-group': { type: 'string' },
      'power-loss': { type: 'boolean' },
      'allow-nonempty': { type: 'boolean' },
      private: { type: 'boolean' },
      'fuse-option': { type: 'string', short: 'o', multiple: true },
      'max-threads': { type: 'string' },
      'io-uring': { type: 'string' },
      'io-uring-depth': { type: 'string' },
      'cache-timeout': { type: 'string' },
      'no-keep-cache': { type: 'boolean' },
      'writeback-cache': { type: 'boolean' },
      ...OVERLAY_PARSE_ARGS_OPTIONS,
      ...TELEMETRY_FLAGS,
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`mount needs <backing-dir> <mountpoint>\n\n${HELP}`);
  const maxThreads = values['max-threads'] === undefined ? 16 : Number(values['max-threads']);
  if (!Number.isInteger(maxThreads) || maxThreads < 1)
    throw new UsageError('--max-threads must be a positive integer');
  const cacheTimeoutSec = values['cache-timeout'] === undefined ? undefined : Number(values['cache-timeout']);
  if (cacheTimeoutSec !== undefined && (!Number.isFinite(cacheTimeoutSec) || cacheTimeoutSec < 0))
    throw new UsageError('--cache-timeout must be a number of seconds >= 0');
  const ioUring = (values['io-uring'] ?? 'auto') as IoUringMode;
  if (!IO_URING_MODES.includes(ioUring))
    throw new UsageError(
      `--io-uring must be one of ${IO_URING_MODES.join(', ')}, not "${values['io-uring']}"`,
    );
  const depthFlag = values['io-uring-depth'];
  const ioUringQueueDepth = depthFlag === undefined ? 0 : Number(depthFlag);
  if (
    depthFlag !== undefined &&
    !(Number.isInteger(ioUringQueueDepth) && ioUringQueueDepth >= 1 && ioUringQueueDepth <= 4096)
  )
    throw new UsageError('--io-uring-depth must be an integer from 1 to 4096');
  if (values['no-trace'] && values.trace)
    throw new UsageError('--trace and --no-trace contradict each other');
  if (values['control-group'] !== undefined && values.control === undefined)
    throw new UsageError('--control-group needs --control SOCKET');
  const traceAccess: OutputAccess = {
    mode: values['trace-mode'] === undefined ? PRIVATE_OUTPUT.mode : parseOutputMode(values['trace-mode']),
    ...(values['trace-group'] !== undefined && { gid: resolveGroup(values['trace-group']) }),
  };
  const controlGid = values['control-group'] === undefined ? null : resolveGroup(values['control-group']);
  const allowOther = !values.private && process.geteuid?.() === 0;

  // Everything that can be refused is checked before anything is mounted.
  const overlayFlags = overlayFlagsFromParsedArgs(values);
  const overlayConfig = await resolveOverlayConfig(overlayFlags);
  // With a control socket, rules may arrive later: keep an (idle, free) overlay ready.
  const hasOverlay =
    overlayConfig.faults.length > 0 || overlayConfig.throttle.length > 0 || values.control !== undefined;
  const { backing, mountpoint } = checkMountPaths(
    positionals[0]!,
    positionals[1]!,
    values['allow-nonempty'] ?? false,
  );
  const tracePath = values['no-trace'] ? null : checkTracePath(values.trace ?? 'interposer-trace.parquet');
  const faultLogPath =
    values['fault-log'] ?? (hasOverlay ? `${tracePath ?? 'interposer'}.faults.jsonl` : undefined);
  const clock = captureClock();
  const telemetryOptions = telemetryOptionsFromFlags(values, {
    wallClockAnchorNs: clock.wallClockAnchorNs,
    ...(tracePath ? { tracePath } : {}),
    onError: (message) => console.error(`interposer: telemetry: ${message}`),
  });
  const fileFaultLog = faultLogPath
    ? await FileFaultLog.open(checkTracePath(faultLogPath), { access: traceAccess })
    : undefined;
  const telemetry = await createTelemetry(telemetryOptions);
  const faultLog: FaultLog | undefined = fileFaultLog && teeFaultLog(fileFaultLog, telemetry);
  const overlay = hasOverlay
    ? Overlay.fromConfig(overlayConfig, { faultLog, readOriginal: backingReader(backing) })
    : null;

  if (values['power-loss'] && !values.control)
    throw new UsageError('--power-loss needs --control SOCKET to trigger the drop');
  const powerLoss = values['power-loss'] ? new PowerLossLayer(backing) : null;
  const mount = await InterposerMount.start({
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
    ioUring,
    ioUringQueueDepth,
    clock,
    ...(telemetry ? { onBatch: (batch) => telemetry.onBatch(batch) } : {}),
  });
  const control =
    values.control && overlay
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
  const { rows, stalls } = mount.stats();
  console.error(
    `interposer: unmounted ${mountpoint}; ${rows} operations` +
      (tracePath ? ` recorded to ${tracePath}` : '') +
      (stalls ? ` (${stalls} waits for the trace writer)` : ''),
  );
  return 0;
}
