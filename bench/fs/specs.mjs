// The file systems under test. A spec is { name, description, unavailable(), mount() }:
//   unavailable(): Promise<string | null>   a reason to skip this row, or null
//   mount(backing, mnt, scratch): Promise<MountHandle>   (see daemon-mount.mjs)
// All FUSE rows run with the same kernel-side settings: allow_other,default_permissions, no
// kernel_cache/auto_cache (the interposer runs with --no-keep-cache, so fio measures the round
// trip to the server, not pages kept from an earlier job), no writeback cache, and the same
// entry/attr/negative timeout (cacheTimeoutS, default 1 = the interposer's own default).
import { existsSync, statSync } from 'node:fs';
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
 * @param {{ cli?: string, overlayConfig?: string, cacheTimeoutS?: number }} [opts]
 */
export function interposerSpec(mode, opts = {}) {
  const cli = opts.cli ?? join(REPO_ROOT, 'dist', 'cli', 'interposer.js');
  const descriptions = {
    record: 'interposer, recording to a Parquet trace',
    'no-trace': 'interposer, recording off (--no-trace)',
    overlay: 'interposer, recording + idle overlay',
  };
  return {
    name: `interposer-${mode}`,
    description: descriptions[mode],
    unavailable: async () => {
      if (!existsSync(cli)) return `${cli} not found (run npm run build)`;
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
        '--cache-timeout',
        String(opts.cacheTimeoutS ?? DEFAULT_CACHE_TIMEOUT_S),
        '--no-keep-cache',
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
