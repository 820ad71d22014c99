export type BackingKind = 'ext4' | 'dir';
export const BACKING_KINDS: readonly BackingKind[];
export interface BackingFs {
  description: string;
  remove(): Promise<void>;
}
export const TEMP_DIR_DESCRIPTION: string;
export function ext4Unavailable(): string | null;
export function chooseBackingKind(requested: string | undefined): {
  kind: BackingKind;
  fallback: string | null;
};
export function makeBackingFs(
  backing: string,
  o: { kind: BackingKind; imageDir: string; sizeMiB: number; log: (msg: string) => void },
): Promise<BackingFs>;
