/**
 * Which transport a mount's FUSE requests take: the classic read/write loop on /dev/fuse, or FUSE
 * over io_uring (per-core rings; Linux >= 6.14 with the fuse module's `enable_uring`, libfuse >=
 * 3.18). Whether the module parameter is on is the host admin's decision; this module only reads
 * it and says why a transport was chosen.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

export type IoUringMode = 'auto' | 'on' | 'off';
export const IO_URING_MODES: readonly IoUringMode[] = ['auto', 'on', 'off'];

export const ENABLE_URING_PARAM = '/sys/module/fuse/parameters/enable_uring';
const IO_URING_DISABLED_SYSCTL = '/proc/sys/kernel/io_uring_disabled';

/** What the host offers, read once per mount. */
export interface TransportProbe {
  /** The FUSE binding was built against a libfuse that can serve over io_uring (>= 3.18). */
  libfuseHasUring: boolean;
  /** The fuse module's enable_uring: true/false, or null when this kernel has no such parameter. */
  kernelEnableUring: boolean | null;
  /** kernel.io_uring_disabled: 0 allowed, 1 only for privileged users, 2 never; null if absent. */
  ioUringDisabled: number | null;
  isRoot: boolean;
}

export interface TransportChoice {
  ioUring: boolean;
  /** Why, in words a user can act on. */
  reason: string;
}

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function probeTransport(libfuseHasUring: boolean): TransportProbe {
  const param = readTrimmed(ENABLE_URING_PARAM);
  const disabled = readTrimmed(IO_URING_DISABLED_SYSCTL);
  return {
    libfuseHasUring,
    kernelEnableUring: param === null ? null : param === 'Y' || param === '1',
    ioUringDisabled: disabled === null ? null : Number(disabled),
    isRoot: process.geteuid?.() === 0,
  };
}

/** Why io_uring cannot be used on this host, or null when it can. */
export function ioUringUnavailable(probe: TransportProbe): string | null {
  if (!probe.libfuseHasUring)
    return 'the FUSE binding was built against libfuse < 3.18, which has no io_uring (run scripts/setup.sh)';
  if (probe.kernelEnableUring === null)
    return `this kernel has no FUSE over io_uring (${ENABLE_URING_PARAM} is missing; it needs Linux >= 6.14)`;
  if (!probe.kernelEnableUring)
    return `the kernel's FUSE over io_uring is switched off (${ENABLE_URING_PARAM} is N; root can turn it on with \`echo 1 > ${ENABLE_URING_PARAM}\`)`;
  if (probe.ioUringDisabled === 2 || (probe.ioUringDisabled === 1 && !probe.isRoot))
    return `io_uring is disabled for this process (kernel.io_uring_disabled=${probe.ioUringDisabled})`;
  return null;
}

/**
 * auto: io_uring when the host offers it, else /dev/fuse; on: io_uring or an error; off: /dev/fuse.
 * Throws (with the reason) only for `on` on a host without io_uring.
 */
export function chooseTransport(mode: IoUringMode, probe: TransportProbe): TransportChoice {
  if (mode === 'off') return { ioUring: false, reason: '--io-uring off' };
  const unavailable = ioUringUnavailable(probe);
  if (unavailable === null)
    return { ioUring: true, reason: `the kernel offers FUSE over io_uring (--io-uring ${mode})` };
  if (mode === 'on') throw new UserError(`--io-uring on: ${unavailable}`);
  return { ioUring: false, reason: unavailable };
}

/** The transport the native side reports once the kernel's INIT was answered. */
export type NativeTransportState = 'pending' | 'dev-fuse' | 'io_uring' | 'io_uring-failed';

export type Transport = 'io_uring' | '/dev/fuse';

/** One line for the user: which transport is in use, and why. */
export function describeTransport(
  choice: TransportChoice,
  state: NativeTransportState,
): { transport: Transport; line: string } {
  if (state === 'io_uring') return { transport: 'io_uring', line: `transport io_uring: ${choice.reason}` };
  if (state === 'io_uring-failed')
    return {
      transport: '/dev/fuse',
      line: 'transport /dev/fuse: libfuse could not start io_uring (see its message above)',
    };
  if (choice.ioUring)
    // Asked for and the module parameter is on, but INIT did not offer it (parameter flipped
    // between the probe and the mount, or the kernel refused).
    return { transport: '/dev/fuse', line: "transport /dev/fuse: the kernel's INIT did not offer io_uring" };
  return { transport: '/dev/fuse', line: `transport /dev/fuse: ${choice.reason}` };
}
