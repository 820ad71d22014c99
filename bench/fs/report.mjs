// Markdown rendering of suite results and writing them into bench/results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_DIR_DESCRIPTION } from './backing-fs.mjs';
import { STORMS } from './meta-storm.mjs';

const MiB = 1024 * 1024;

/** 12345 -> "12.3k", 1234567 -> "1.23M" */
export function compact(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${(n / 1e3).toPrecision(3)}k`;
  return n >= 100 ? String(Math.round(n)) : n.toPrecision(3);
}

/** value of one cell in its unit, or null */
function figure(row, job) {
  const cell = row.fio[job.id];
  if (!cell || cell.error) return null;
  return job.unit === 'iops' ? cell.iops : cell.mbps;
}

const stormFigure = (row, storm) => {
  const m = row[storm.key];
  return m && !m.error ? m.opsPerSec : null;
};

function percent(value, base) {
  if (value === null || base === null || !(base > 0)) return '–';
  const p = (100 * value) / base;
  return p >= 10 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

function ratio(value, base) {
  if (value === null || base === null || !(base > 0)) return '–';
  const r = value / base;
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

/**
 * @param {ReturnType<typeof import('./suite.mjs').runSuite> extends Promise<infer R> ? R : never} results
 * @param {{ title?: string }} [opts]
 */
export function renderMarkdown(results, opts = {}) {
  const ok = results.rows.filter((r) => r.status === 'ok');
  const direct = ok.find((r) => r.name === 'direct');
  const cpt = ok.find((r) => r.name === 'c-passthrough');
  // Results written before the 4-client storm existed have only `meta`.
  const storms = STORMS.filter((storm) => ok.some((r) => r[storm.key]));
  const lines = [];
  lines.push(`## ${opts.title ?? 'File-system overhead'}`, '');
  lines.push(
    `${results.startedAt} · ${results.host.cpus} CPUs · kernel ${results.host.kernel} · load ${results.host.loadBefore
      .map((l) => l.toFixed(2))
      .join('/')} before, ${results.host.loadAfter.map((l) => l.toFixed(2)).join('/')} after`,
    '',
  );
  const s = results.settings;
  lines.push(
    // Results written before the backing file system was recorded served a temp directory.
    `Backing: ${s.backing ?? TEMP_DIR_DESCRIPTION}.`,
    `fio: ${s.fio}; ${s.sizeMiB} MiB per file, runtime cap ${s.runtimeS} s; best of ${s.repeat} round(s).`,
    `FUSE rows: ${s.fuse}.`,
    `Metadata storm: ${s.metaFiles} files of ${s.metaBytes} B per client, create + stat + unlink ` +
      '(3 ops per file); j4 = four clients at once, each in its own directory.',
    ...(s.warmupFiles ? [`Warm-up: an unmeasured ${s.warmupFiles}-file storm first in each row.`] : []),
    '',
  );

  const rowsTable = [
    { label: 'workload', values: ok.map((r) => r.name) },
    ...results.jobs.map((job) => ({
      label: `${job.label} (${job.unit === 'iops' ? 'IOPS' : 'MB/s'})`,
      values: ok.map((r) => compact(figure(r, job))),
    })),
    ...storms.flatMap((storm) => [
      { label: `${storm.label} (ops/s)`, values: ok.map((r) => compact(stormFigure(r, storm))) },
      {
        label: `${storm.label} (s per 1000 files)`,
        values: ok.map((r) =>
          stormFigure(r, storm) === null ? '–' : r[storm.key].secondsPer1000.toFixed(3),
        ),
      },
    ]),
    {
      label: 'server peak RSS (MiB)',
      values: ok.map((r) => (r.rss?.peakHwmBytes ? (r.rss.peakHwmBytes / MiB).toFixed(0) : '–')),
    },
  ];
  rowsTable.push({
    label: 'host load at row start (1 min)',
    values: ok.map((r) => (r.loadAtStart ?? []).map((l) => l.toFixed(1)).join(' / ') || '–'),
  });
  if (ok.some((r) => r.traceBytes)) {
    rowsTable.push({
      label: 'trace file (MiB)',
      values: ok.map((r) => (r.traceBytes ? (r.traceBytes / MiB).toFixed(1) : '–')),
    });
  }
  lines.push(...table(rowsTable), '');

  if (direct || cpt) {
    lines.push('Relative: % of direct · multiple of C passthrough (higher is better).', '');
    const relTable = [{ label: 'workload', values: ok.map((r) => r.name) }];
    const relRow = (label, valueOf) => {
      const d = direct ? valueOf(direct) : null;
      const c = cpt ? valueOf(cpt) : null;
      relTable.push({ label, values: ok.map((r) => `${percent(valueOf(r), d)} · ${ratio(valueOf(r), c)}`) });
    };
    for (const job of results.jobs) relRow(job.label, (r) => figure(r, job));
    for (const storm of storms) relRow(storm.label, (r) => stormFigure(r, storm));
    lines.push(...table(relTable), '');
  }

  const latency = results.jobs.filter((j) => j.unit === 'iops');
  if (latency.length) {
    lines.push('Completion latency p50 / p99 (µs):', '');
    const latTable = [{ label: 'workload', values: ok.map((r) => r.name) }];
    for (const job of latency) {
      latTable.push({
        label: job.label,
        values: ok.map((r) => {
          const c = r.fio[job.id];
          return c && !c.error ? `${compact(c.clatUs.p50)} / ${compact(c.clatUs.p99)}` : '–';
        }),
      });
    }
    lines.push(...table(latTable), '');
  }

  const withCpu = ok.filter((r) => Object.values(r.fio).some((c) => c?.serverCpuUsPerOp !== undefined));
  if (withCpu.length) {
    lines.push('Server CPU per fio request, µs (time on CPU of all its threads; lower is better):', '');
    const cpuTable = [{ label: 'workload', values: withCpu.map((r) => r.name) }];
    for (const job of results.jobs) {
      cpuTable.push({
        label: job.label,
        values: withCpu.map((r) => {
          const c = r.fio[job.id];
          return c?.serverCpuUsPerOp === undefined ? '–' : compact(c.serverCpuUsPerOp);
        }),
      });
    }
    lines.push(...table(cpuTable), '');
  }

  const notOk = results.rows.filter((r) => r.status !== 'ok');
  for (const r of notOk) lines.push(`- **${r.name}** ${r.status}: ${r.reason}`);
  const errors = ok.flatMap((r) =>
    [...Object.entries(r.fio), ...STORMS.map((storm) => [storm.label, r[storm.key]])]
      .filter(([, c]) => c?.error)
      .map(([id, c]) => `- **${r.name}** ${id}: ${c.error}`),
  );
  lines.push(...errors);
  if (notOk.length || errors.length) lines.push('');
  return lines.join('\n');
}

function table(rows) {
  const [head, ...body] = rows;
  const out = [
    `| ${head.label} | ${head.values.join(' | ')} |`,
    `|---|${head.values.map(() => '---:').join('|')}|`,
  ];
  for (const r of body) out.push(`| ${r.label} | ${r.values.join(' | ')} |`);
  return out;
}

/**
 * Writes <name>-<timestamp>.json/.md and <name>-latest.md (+ latest.md when asked).
 * @returns {Promise<{ json: string, md: string }>}
 */
export async function writeResults(dir, name, results, markdown, { latest = true } = {}) {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = join(dir, `${name}-${stamp}.json`);
  const md = join(dir, `${name}-${stamp}.md`);
  await writeFile(json, JSON.stringify(results, null, 2) + '\n');
  await writeFile(md, markdown + '\n');
  await writeFile(join(dir, `${name}-latest.md`), markdown + '\n');
  await writeFile(join(dir, `${name}-latest.json`), JSON.stringify(results, null, 2) + '\n');
  if (latest) await writeFile(join(dir, 'latest.md'), markdown + '\n');
  return { json, md };
}
