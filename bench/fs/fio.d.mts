export interface FioJob {
  id: string;
  label: string;
  rw: 'randread' | 'randwrite' | 'read' | 'write' | 'randrw';
  bs: string;
  numjobs: number;
  unit: 'iops' | 'mbps';
  /** O_DIRECT (fio direct=1) */
  direct?: boolean;
}
export interface FioResult {
  iops: number;
  mbps: number;
  ioBytes: number;
  runtimeMs: number;
  clatUs: { mean: number; p50: number | null; p99: number | null; p999: number | null };
}
export const FIO_JOBS: FioJob[];
export const MAX_NUMJOBS: number;
export function dataFileName(n: number): string;
export function fioArgs(job: FioJob, dir: string, o: { sizeMiB: number; runtimeS: number }): string[];
export function parseFioJson(text: string): FioResult;
