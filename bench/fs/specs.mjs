// The file systems under test. A spec is { name, description, unavailable(), mount() }:
//   unavailable(): Promise<string | null>   a reason to skip this row, or null
//   mount(backing, mnt, scratch): Promise<MountHandle>   (see daemon-mount.mjs)
// All FUSE rows run with the same kernel-side settings: allow_other,default_permissions, no
// kernel_cache/auto_cache (the interposer runs with --no-keep-cache, so fio measures the round
// trip to the server, not pages kept from an earlier job), no writeback cache, and the same
// entry/attr/negative timeout (cacheTimeoutS, default 1 = the interposer's own default).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { mountDaemon } from './daemon-mount.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = join(here, '..', '..');

/** The plain backing directory: the upper limit every FUSE row is measured against. */
export function directSpec() {
  return {
    name: 'direct',
    description: 'the backing directory itself, no FUSE (the limit)',
    unavailable: async () => null,
    mount: async (backing) => ({ root: backing, pid: undefined, unmount: async () => [] }),
  };
}

/**
 * Our libfuse3 passthrough (bench/c-passthrough/passthrough.c), multithreaded loop unless
 * singleThreaded.
 * @param {string} binary  built by buildTools()
 */
export const DEFAULT_CACHE_TIMEOUT_S = 1;

const timeoutOptions = (s) => `entry_timeout=${s},attr_timeout=${s},negative_timeout=${s}`;

export function cPassthroughSpec(
  binary,
  { singleThreaded = false, cacheTimeoutS = DEFAULT_CACHE_TIMEOUT_S } = {},
) {
  return {
    name: singleThreaded ? 'c-passthrough-st' : 'c-passthrough',
    description: `small C libfuse3 passthrough, ${singleThreaded ? 'single-threaded loop (-s)' : 'multithreaded loop'}`,
    unavailable: async () => (existsSync(binary) ? null : `${binary} not built`),
    mount: (backing, mnt) =>
      mountDaemon({
        command: binary,
        args: [
          backing,
          mnt,
          '-f',
          ...(singleThreaded ? ['-s'] : []),
          '-o',
          `allow_other,default_permissions,fsname=c-passthrough,${timeoutOptions(cacheTimeoutS)}`,
        ],
        mnt,
        stop: 'fusermount',
      }),
  };
}

/** libfuse's own example/passthrough_hp (3.18), built by scripts/libfuse.sh. */
export const PASSTHROUGH_HP = join(REPO_ROOT, 'native', 'vendor', 'libfuse', 'bin', 'passthrough_hp');
const ENABLE_URING_PARAM = '/sys/module/fuse/parameters/enable_uring';

/** Why FUSE over io_uring cannot be benchmarked here, or null. */
function uringUnavailable() {
  if (!existsSync(ENABLE_URING_PARAM)) return 'this kernel has no FUSE over io_uring (Linux >= 6.14)';
  const on = readFileSync(ENABLE_URING_PARAM, 'utf8').trim();
  return on === 'Y' || on === '1' ? null : `${ENABLE_URING_PARAM} is N (root: echo 1 > it)`;
}

/**
 * libfuse's passthrough_hp, the reference a user would pick instead of us: --nopassthrough (by
 * default it hands reads and writes to the kernel's FUSE passthrough and never sees them), over
 * /dev/fuse or io_uring. Its caching is all or nothing: with cacheTimeoutS 0 it runs --nocache
 * (the same as the interposer with --cache-timeout 0 --no-keep-cache); otherwise its own
 * default (a day of attribute cache, keep_cache and writeback cache), which no other row has.
 */
export function passthroughHpSpec({ uring = false, cacheTimeoutS = DEFAULT_CACHE_TIMEOUT_S } = {}) {
  return {
    name: uring ? 'passthrough-hp-uring' : 'passthrough-hp',
    description:
      `libfuse 3.18 example/passthrough_hp --nopassthrough${cacheTimeoutS === 0 ? ' --nocache' : ' (its own caching)'}, ` +
      (uring ? 'FUSE over io_uring' : '/dev/fuse'),
    unavailable: async () => {
      if (!existsSync(PASSTHROUGH_HP)) return `${PASSTHROUGH_HP} not built (bash scripts/libfuse.sh)`;
      return uring ? uringUnavailable() : null;
    },
    mount: (backing, mnt) =>
      mountDaemon({
        command: PASSTHROUGH_HP,
        args: [
          '--foreground',
          '--nopassthrough',
          ...(cacheTimeoutS === 0 ? ['--nocache'] : []),
          '-o',
          `allow_other,fsname=passthrough-hp${uring ? ',io_uring' : ''}`,
          backing,
          mnt,
        ],
        mnt,
        stop: 'fusermount',
      }),
  };
}

/** Stock fuse-native (libfuse 2) with a minimal JS passthrough: the JS baseline. */
export function fuseNativeSpec({ cacheTimeoutS = DEFAULT_CACHE_TIMEOUT_S } = {}) {
  const script = join(here, 'fuse-native-passthrough.mjs');
  return {
    name: 'fuse-native',
    description: 'stock fuse-native (libfuse 2) + minimal JS passthrough',
    unavailable: async () => {
      try {
        createRequire(join(REPO_ROOT, 'package.json')).resolve('fuse-native');
        return null;
      } catch {
        return 'node_modules/fuse-native is not installed';
      }
    },
    mount: (backing, mnt) =>
      mountDaemon({
        command: process.execPath,
        args: [script, backing, mnt, String(cacheTimeoutS)],
        mnt,
        stop: 'signal',
        readyLine: /^mounted /,
      }),
  };
}

/** An overlay that is loaded and consulted on every op but never shapes anything. */
export const IDLE_OVERLAY_YAML = `# Idle overlay for benchmarks: every op is checked against these rules, none ever fires.
seed: 1
throttle:
  - id: idle-throttle
    direction: both
    bytes: 1000GiB/s
faults:
  - id: idle-fault
    path: "interposer-bench-never-matches/**"
    errno: EIO
`;

/**
 * The product: `interposer mount <backing> <mnt>` with recording on, off, or with an idle
 * overlay. It prints "mounted <mnt>" when ready and unmounts + flushes on SIGTERM.
 * @param {'record' | 'no-trace' | 'overlay'} mode
 * @param {{ cli?: string, overlayConfig?: string, cacheTimeoutS?: number, uring?: boolean, writeback?: boolean, baseline?: boolean }} [opts]
 *   uring: FUSE over io_uring (--io-uring on); otherwise /dev/fuse (--io-uring off)
 *   writeback: keep_cache and the kernel's writeback cache, passthrough_hp's own caching
 *   baseline: another build (cli) with its own defaults, named baseline-<mode>
 */
export function interposerSpec(mode, opts = {}) {
  const cli = opts.cli ?? join(REPO_ROOT, 'dist', 'bin', 'interposer.js');
  const descriptions = {
    record: 'interposer, recording to a Parquet trace',
    'no-trace': 'interposer, recording off (--no-trace)',
    overlay: 'interposer, recording + idle overlay',
  };
  return {
    name: opts.baseline ? `baseline-${mode}` : `interposer-${mode}${opts.uring ? '-uring' : ''}`,
    description: opts.baseline
      ? `${descriptions[mode]}: the build at ${cli}, its own defaults`
      : `${descriptions[mode]}, ${opts.uring ? 'FUSE over io_uring' : '/dev/fuse'}`,
    unavailable: async () => {
      if (!existsSync(cli)) return `${cli} not found (run npm run build)`;
      if (opts.uring && uringUnavailable()) return uringUnavailable();
      if (opts.overlayConfig && !existsSync(opts.overlayConfig)) return `${opts.overlayConfig} not found`;
      return null;
    },
    mount: async (backing, mnt, scratch) => {
      const traceFile = join(scratch, `trace-${mode}.parquet`);
      const args = [
        cli,
        'mount',
        backing,
        mnt,
        // An older build runs with its own defaults (its caching, its transport): before/after.
        ...(opts.baseline
          ? []
          : [
              '--cache-timeout',
              String(opts.cacheTimeoutS ?? DEFAULT_CACHE_TIMEOUT_S),
              ...(opts.writeback ? ['--writeback-cache'] : ['--no-keep-cache']),
              '--io-uring',
              opts.uring ? 'on' : 'off',
            ]),
      ];
      if (mode === 'no-trace') args.push('--no-trace');
      else args.push('--trace', traceFile);
      if (mode === 'overlay') {
        let config = opts.overlayConfig;
        if (!config) {
          config = join(scratch, 'idle-overlay.yaml');
          await writeFile(config, IDLE_OVERLAY_YAML);
        }
        args.push('--overlay', config);
      }
      const handle = await mountDaemon({
        command: process.execPath,
        args,
        mnt,
        stop: 'signal',
        readyLine: /^mounted /,
        stopTimeoutMs: 60_000,
      });
      return {
        ...handle,
        // Known only after unmount (the writer flushes on SIGTERM).
        info: () =>
          mode === 'no-trace' || !existsSync(traceFile)
            ? {}
            : { traceFile, traceBytes: statSync(traceFile).size },
      };
    },
  };
}
