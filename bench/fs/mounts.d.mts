export interface MountEntry {
  mountpoint: string;
  major: number;
  minor: number;
  fstype: string;
  source: string;
}
export function parseMountinfo(text: string): MountEntry[];
export function findMount(mnt: string): MountEntry | undefined;
export function isFuseMounted(mnt: string): boolean;
export function waitForFuseMount(
  mnt: string,
  opts?: { timeoutMs?: number; child?: import('node:child_process').ChildProcess },
): Promise<void>;
export function forceUnmount(mnt: string): Promise<string[]>;
