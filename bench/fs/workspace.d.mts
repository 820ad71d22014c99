export interface Workspace {
  root: string;
  backing: string;
  mnt: string;
  scratch: string;
  tools: string;
  remove(): Promise<void>;
}
export function createWorkspace(prefix?: string): Promise<Workspace>;
export function layOutDataFiles(dir: string, count: number, sizeMiB: number): Promise<void>;
export function prewarm(dir: string, count: number): Promise<void>;
