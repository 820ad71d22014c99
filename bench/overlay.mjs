#!/usr/bin/env node
// node bench/overlay.mjs — cost of Overlay.decide() per call, on the paths the FUSE worker hits:
// an op no rule is interested in, an interesting op that matches nothing (NO_EFFECT), a matching
// throttle rule, a glob-filtered fault rule, and a mixed config. Needs the compiled code
// (npm run build:ts; or OVERLAY_BENCH_DIST=path/to/overlay/index.js). Markdown to stdout; JSON to $BENCH_JSON_OUT when set.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';

benchArgs(`usage: node bench/overlay.mjs

ns per Overlay.decide() call on the paths the FUSE threads hit (OVERLAY_BENCH_ITERATIONS calls
per round, default 2000000). Needs npm run build:ts (or OVERLAY_BENCH_DIST).`);

const DIST =
  process.env.OVERLAY_BENCH_DIST ?? fileURLToPath(new URL('../dist/overlay/index.js', import.meta.url));
if (!existsSync(DIST)) {
  process.stderr.write('bench/overlay.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
const { Overlay, NO_EFFECT, parseOverlayConfig } = await import(DIST);

/** Counts records and drops them: the log's own I/O is not what is measured here. */
const nullFaultLog = {
  records: 0,
  record() {
    this.records++;
  },
  async flush() {},
  async close() {},
};

const ITERATIONS = Number(process.env.OVERLAY_BENCH_ITERATIONS ?? 2_000_000);
const PATHS = Array.from(
  { length: 64 },
  (_, i) => `/data/db${i % 7}/table_${i}.${i % 3 === 0 ? 'db' : 'dat'}`,
);

function contexts(op, size) {
  return PATHS.map((path) => ({
    op,
    path,
    path2: null,
    size,
    offset: 0n,
    pid: 100,
    uid: 1000,
    gid: 1000,
    nowNs: 0n,
  }));
}

/**
 * ns per decide() call, median of 5 timed rounds after a warm-up. Arrival times are BigInts made
 * up front (as the native side hands them over), so the loop itself allocates nothing; each
 * round gets a fresh overlay so its buckets see time move forward from 0.
 */
function measure(makeOverlay, ctxs, advanceNs) {
  const times = Array.from({ length: ITERATIONS }, (_, i) => BigInt(i) * advanceNs);
  const round = (n) => {
    const overlay = makeOverlay();
    let effects = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const ctx = ctxs[i & 63];
      ctx.nowNs = times[i];
      if (overlay.decide(ctx) !== NO_EFFECT) effects++;
    }
    return [Number(process.hrtime.bigint() - start) / n, effects / n];
  };
  round(ITERATIONS / 4);
  const rounds = Array.from({ length: 5 }, () => round(ITERATIONS));
  rounds.sort((a, b) => a[0] - b[0]);
  return { nsPerOp: rounds[2][0], effectRate: rounds[2][1] };
}

const config = (yaml) => parseOverlayConfig(yaml, 'bench.yaml');
const CASES = [
  {
    name: 'uninterested op (getattr; rules only on write)',
    yaml: 'faults:\n  - op: write\n    errno: EIO\n    p: 0.001\n',
    ctxs: contexts('getattr', 0),
    advance: 1000n,
  },
  {
    name: 'interested op, no rule matches (NO_EFFECT)',
    yaml: 'faults:\n  - op: read\n    path: "**/*.log"\n    errno: EIO\n',
    ctxs: contexts('read', 4096),
    advance: 1000n,
  },
  {
    name: 'matching throttle rule under its rate (1 GiB/s, 4 KiB reads every 10 us)',
    yaml: 'throttle:\n  - direction: read\n    bytes: 1GiB/s\n    burst: 1MiB\n',
    ctxs: contexts('read', 4096),
    advance: 10_000n,
  },
  {
    name: 'saturated throttle rule: every op waits (10 MiB/s)',
    yaml: 'throttle:\n  - direction: read\n    bytes: 10MiB/s\n',
    ctxs: contexts('read', 4096),
    advance: 1000n,
  },
  {
    name: 'glob fault rule (**/*.db, p=0.001)',
    yaml: 'faults:\n  - op: write\n    path: "**/*.db"\n    errno: EIO\n    p: 0.001\n',
    ctxs: contexts('write', 4096),
    advance: 1000n,
  },
  {
    name: 'mixed: 2 throttles + 3 fault rules',
    yaml: `throttle:
  - direction: read
    bytes: 1GiB/s
  - ops: [read, write]
    iops: 1000000
faults:
  - op: write
    path: "**/*.db"
    errno: EIO
    p: 0.001
  - op: read
    truncate: 50%
    every: 1000
  - op: [read, fsync]
    delay: { lognormal: { median: 1ms, sigma: 1 } }
    p: 0.01
`,
    ctxs: contexts('read', 4096),
    advance: 1000n,
  },
];

const results = [];
for (const c of CASES) {
  const parsed = config(c.yaml);
  const r = measure(() => Overlay.fromConfig(parsed, { faultLog: nullFaultLog }), c.ctxs, c.advance);
  results.push({ name: c.name, ...r });
  process.stderr.write(`  ${c.name}: ${r.nsPerOp.toFixed(1)} ns/op\n`);
}

const lines = [
  '## Overlay decide() cost',
  '',
  `Node ${process.version}, ${ITERATIONS.toLocaleString('en-US')} calls per round, median of 5 rounds.`,
  '',
  '| case | ns/op | share of calls with an effect |',
  '| --- | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | ${r.nsPerOp.toFixed(1)} | ${(r.effectRate * 100).toFixed(1)}% |`),
];
process.stdout.write(lines.join('\n') + '\n');
if (process.env.BENCH_JSON_OUT) {
  await writeFile(process.env.BENCH_JSON_OUT, JSON.stringify({ overlay: results }, null, 2));
}
