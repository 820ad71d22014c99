export interface MetaStormResult {
  files: number;
  bytes: number;
  createS: number;
  statS: number;
  unlinkS: number;
  totalS: number;
  opsPerSec: number;
  secondsPer1000: number;
}
export function runMetaStorm(
  binary: string,
  dir: string,
  o: { files: number; bytes: number; timeoutMs?: number },
): Promise<MetaStormResult>;
export function parseMetaStorm(text: string): MetaStormResult;
export interface MetaStormSpec {
  key: 'meta' | 'meta4';
  label: string;
  clients: number;
}
export const STORMS: MetaStormSpec[];
export function runMetaStormParallel(
  binary: string,
  dirPrefix: string,
  o: { clients: number; files: number; bytes: number; timeoutMs?: number },
): Promise<MetaStormResult & { clients: number }>;
