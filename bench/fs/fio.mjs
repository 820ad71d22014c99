// fio workloads and their JSON output.
//
// Caching choice (same for every row): the data files are laid out once in the backing dir and
// pre-warmed (read through the backing dir), fio runs with invalidate=0 and direct=0 (except
// the O_DIRECT jobs at the end), and each job makes exactly one pass over its file (no
// time_based; fio's random map visits every block once). So the direct row measures the page
// cache, and FUSE rows measure their round trip to a warm backing page cache without ever
// re-hitting their own page cache. runtime caps slow rows.

/**
 * @typedef {object} FioJob
 * @property {string} id        stable key in results
 * @property {string} label     table label
 * @property {'randread' | 'randwrite' | 'read' | 'write'} rw
 * @property {string} bs
 * @property {number} numjobs
 * @property {'iops' | 'mbps'} unit  which figure the table shows
 * @property {boolean} [direct]  O_DIRECT (fio direct=1): bound by the device, not the page cache
 */

/** @type {FioJob[]} */
const BUFFERED_JOBS = [1, 4].flatMap((numjobs) => [
  {
    id: `randread-4k-j${numjobs}`,
    label: `4k randread j${numjobs}`,
    rw: 'randread',
    bs: '4k',
    numjobs,
    unit: 'iops',
  },
  {
    id: `randwrite-4k-j${numjobs}`,
    label: `4k randwrite j${numjobs}`,
    rw: 'randwrite',
    bs: '4k',
    numjobs,
    unit: 'iops',
  },
  {
    id: `read-1m-j${numjobs}`,
    label: `1M seq read j${numjobs}`,
    rw: 'read',
    bs: '1M',
    numjobs,
    unit: 'mbps',
  },
  {
    id: `write-1m-j${numjobs}`,
    label: `1M seq write j${numjobs}`,
    rw: 'write',
    bs: '1M',
    numjobs,
    unit: 'mbps',
  },
]);

// O_DIRECT runs come last: their writes drop the data files from the page cache, which every
// buffered job above relies on (the next row pre-warms again). They measure what the storage
// device allows, the case where "80% of direct" is a fair question for any FUSE file system.
const O_DIRECT_JOBS = ['read', 'write'].flatMap((rw) =>
  [1, 4].map((numjobs) => ({
    id: `${rw}-1m-odirect-j${numjobs}`,
    label: `1M O_DIRECT ${rw} j${numjobs}`,
    rw,
    bs: '1M',
    numjobs,
    unit: 'mbps',
    direct: true,
  })),
);

/** @type {FioJob[]} */
export const FIO_JOBS = [...BUFFERED_JOBS, ...O_DIRECT_JOBS];

/** Data file of job number n (fio's $jobnum), shared by all workloads. */
export const dataFileName = (n) => `data.${n}`;
export const MAX_NUMJOBS = Math.max(...FIO_JOBS.map((j) => j.numjobs));

/**
 * fio command line for one job in `dir`.
 * @param {FioJob} job
 * @param {string} dir
 * @param {{ sizeMiB: number, runtimeS: number }} o
 */
export function fioArgs(job, dir, o) {
  return [
    `--name=${job.id}`,
    `--directory=${dir}`,
    '--filename_format=data.$jobnum',
    `--size=${o.sizeMiB}M`,
    `--rw=${job.rw}`,
    `--bs=${job.bs}`,
    `--numjobs=${job.numjobs}`,
    '--ioengine=psync',
    `--direct=${job.direct ? 1 : 0}`,
    '--invalidate=0',
    `--runtime=${o.runtimeS}`,
    '--group_reporting',
    '--output-format=json',
  ];
}

const PERCENTILES = { p50: '50.000000', p99: '99.000000', p999: '99.900000' };

/**
 * Extracts the figures of a group-reported fio JSON run.
 * @param {string} text  fio stdout (may carry warning lines before the JSON)
 * @returns {{ iops: number, mbps: number, ioBytes: number, runtimeMs: number,
 *   clatUs: { mean: number, p50: number | null, p99: number | null, p999: number | null } }}
 */
export function parseFioJson(text) {
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`fio printed no JSON: ${text.slice(0, 200)}`);
  const doc = JSON.parse(text.slice(start));
  const job = doc.jobs?.[0];
  if (!job) throw new Error('fio JSON has no jobs');
  if (job.error) throw new Error(`fio job failed with error ${job.error}`);
  // Whichever direction moved bytes (jobs here are pure read or pure write).
  const side = job.write?.io_bytes > 0 ? job.write : job.read;
  if (!side || !(side.io_bytes > 0)) throw new Error('fio job moved no bytes');
  const pct = side.clat_ns?.percentile ?? {};
  const us = (key) => (pct[key] === undefined ? null : pct[key] / 1000);
  return {
    iops: side.iops,
    mbps: side.bw_bytes / 1e6,
    ioBytes: side.io_bytes,
    runtimeMs: side.runtime,
    ios: side.total_ios ?? 0,
    clatUs: {
      mean: (side.clat_ns?.mean ?? 0) / 1000,
      p50: us(PERCENTILES.p50),
      p99: us(PERCENTILES.p99),
      p999: us(PERCENTILES.p999),
    },
  };
}
