export interface MountHandle {
  /** where workloads run */
  root: string;
  /** the FUSE server's pid, if there is one */
  pid: number | undefined;
  /** always leaves the mountpoint clean; returns the steps taken */
  unmount(): Promise<string[]>;
  /** extra figures known after unmount (e.g. traceBytes) */
  info?: () => Record<string, number>;
}
export interface FsSpec {
  name: string;
  description: string;
  unavailable(): Promise<string | null>;
  mount(backing: string, mnt: string, scratch: string): Promise<MountHandle>;
}
export const REPO_ROOT: string;
export const IDLE_OVERLAY_YAML: string;
export const DEFAULT_CACHE_TIMEOUT_S: number;
export function directSpec(): FsSpec;
export function cPassthroughSpec(
  binary: string,
  opts?: { singleThreaded?: boolean; cacheTimeoutS?: number },
): FsSpec;
export function fuseNativeSpec(opts?: { cacheTimeoutS?: number }): FsSpec;
export function interposerSpec(
  mode: 'record' | 'no-trace' | 'overlay',
  opts?: { cli?: string; overlayConfig?: string; cacheTimeoutS?: number },
): FsSpec;
