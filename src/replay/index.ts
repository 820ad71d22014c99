/**
 * `interposer replay`: re-executes a recorded trace against a target directory.
 *
 *   load plan -> resolve handles -> required tree -> dependencies -> overlay verdicts  (untimed)
 *   -> pre-phase (build the tree) -> execute on worker threads (timed)
 *   -> replay trace + fault log + comparison report
 */
import { existsSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileFaultLog, type OverlayConfig } from '../overlay/index.js';
import { METADATA_KEYS } from '../trace/schema.js';
import { openTrace } from '../trace/reader.js';
import type { TraceBatch } from '../trace/batch.js';
import { loadCreds, nonRootCallers, ownPrephaseEntries, supplementaryGroups } from './caller-identity.js';
import { createContentPool } from './content.js';
import { computeSchedule } from './dependencies.js';
import { execute } from './executor.js';
import { resolveHandles } from './handles.js';
import { decideOverlay, type DecidedOverlay } from './overlay-decisions.js';
import { REPLAY_METADATA_KEYS, writeReplayTrace } from './output.js';
import { teeFaultLog, type Telemetry } from '../telemetry/index.js';
import { PLAN_COLUMNS, buildPlan, type ReplayPlan } from './plan.js';
import { buildReport, type ReplayReport } from './report.js';
import type { TimingMode } from './shared-state.js';
import { buildTree, prepareTarget, type PrephaseStats } from './target.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';
import { requiredTree } from './tree-requirements.js';

export { parseThreshold, type Threshold } from './thresholds.js';
export { formatReportText, reportJson, type ReplayReport } from './report.js';
export { buildPlan, type ReplayPlan } from './plan.js';
export { createContentPool, expectedContent, pathHash } from './content.js';

export const EXIT_THRESHOLD_EXCEEDED = 3;
export const EXIT_INTERRUPTED = 130;

export interface ReplayOptions {
  /** Label of the input in the report (and default output location). */
  input: string;
  target: string;
  /** Replay trace path; null to write none. */
  out: string | null;
  timing: TimingMode;
  speed?: number;
  /** Worker threads; default: recorded threads, at most DEFAULT_MAX_CONCURRENCY. */
  concurrency?: number;
  overlay?: OverlayConfig | null;
  /** Fault-log path (JSON lines) when an overlay is active; default `<out>.faults.jsonl`. */
  faultLog?: string | null;
  force?: boolean;
  thresholds?: readonly Threshold[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, elapsedMs: number) => void;
  progressIntervalMs?: number;
  /** Human-readable phase notes (stderr in the CLI). */
  onPhase?: (message: string) => void;
  /**
   * Telemetry for the replay (same spans/metrics/fault logs as a live mount), created once the
   * replay's wall-clock anchor is known. It is fed from the replay trace's batches, so it needs
   * `out`.
   */
  createTelemetry?: (wallClockAnchorNs: bigint) => Promise<Telemetry | null>;
}

export interface ReplayOutcome {
  report: ReplayReport;
  prephase: PrephaseStats;
  /** 0, EXIT_THRESHOLD_EXCEEDED, or EXIT_INTERRUPTED for a partial replay. */
  exitCode: number;
  rowsWritten: number;
}

export const DEFAULT_MAX_CONCURRENCY = 32;

export function defaultOutputPath(input: string): string {
  const base = basename(input).replace(/\.parquet$/i, '');
  return join(dirname(input), `${base}.replay.parquet`);
}

/**
 * Root: the workers act as each row's recorded caller and pre-created entries get their first
 * caller as owner. Otherwise every op runs as the invoking user, which the replay says when the
 * trace has other callers.
 */
function actAsCallers(
  plan: ReplayPlan,
  root: string,
  required: Parameters<typeof ownPrephaseEntries>[1],
  note: (message: string) => void,
): Map<number, Int32Array> | null {
  const callers = nonRootCallers(plan);
  if (callers.length === 0) return null;
  const list = callers.map((c) => `${c.uid}:${c.gid}`).join(', ');
  if (!loadCreds()) {
    const me = `${process.geteuid?.() ?? '?'}:${process.getegid?.() ?? '?'}`;
    note(
      `not root: every op runs as ${me}, so files belong to ${me} and permission checks are ${me}'s, not those of the recorded callers (uid:gid ${list})`,
    );
    return null;
  }
  const owned = ownPrephaseEntries(root, required, plan);
  note(
    `acting as the recorded callers (uid:gid ${list}); ${owned} pre-phase entries given to their first caller`,
  );
  const groups = supplementaryGroups(callers.map((c) => c.uid));
  return new Map([...groups].map(([uid, gids]) => [uid, Int32Array.from(gids)]));
}

/** Reads a trace file into a plan (throws TraceFormatError for unusable files). */
export async function loadPlan(path: string): Promise<ReplayPlan> {
  const trace = await openTrace(path);
  return buildPlan(trace.batches({ columns: PLAN_COLUMNS }), trace.numRows);
}

export async function replayFile(options: ReplayOptions): Promise<ReplayOutcome> {
  // Fail on a bad target before the (possibly long) trace load; a target this created is
  // removed again when the trace turns out unusable (damaged, not a trace): nothing left behind.
  const existed = existsSync(options.target);
  const root = prepareTarget(options.target, options.force ?? false);
  let plan: ReplayPlan;
  try {
    plan = await loadPlan(options.input);
  } catch (err) {
    try {
      if (!existed) rmdirSync(root); // empty: only the probe file touched it
    } catch {
      // something else put files there meanwhile: leave them
    }
    throw err;
  }
  return replayPlan(plan, { ...options, force: true });
}

/** Replays in-memory batches (tests, generated workloads). */
export async function replayBatches(
  batches: readonly TraceBatch[],
  options: ReplayOptions,
): Promise<ReplayOutcome> {
  const plan = await buildPlan(
    batches,
    batches.reduce((n, b) => n + b.length, 0),
  );
  return replayPlan(plan, options);
}

export async function replayPlan(plan: ReplayPlan, options: ReplayOptions): Promise<ReplayOutcome> {
  const speed = options.speed ?? 1;
  const note = options.onPhase ?? (() => {});
  const root = prepareTarget(options.target, options.force ?? false);

  let phaseStart = Date.now();
  const took = () => {
    const ms = Date.now() - phaseStart;
    phaseStart = Date.now();
    return `${ms} ms`;
  };
  const handles = resolveHandles(plan);
  const schedule = computeSchedule(plan, handles);
  const required = requiredTree(plan, handles);
  let decided: DecidedOverlay | null = null;
  if (options.overlay && (options.overlay.faults.length > 0 || options.overlay.throttle.length > 0)) {
    decided = decideOverlay(plan, options.overlay, options.timing, speed);
  }
  note(
    `analysis: ${plan.n} ops, ${schedule.streamCount} threads, ${handles.count} handles, ${schedule.deps.length} cross-thread dependencies (${took()})`,
  );
  const pool = createContentPool();
  const prephase = buildTree(root, required, pool);
  note(
    `pre-phase: ${prephase.files} files (${prephase.bytes} bytes), ${prephase.dirs} directories, ${prephase.symlinks} symlinks created (${took()})`,
  );
  const callerGroups = actAsCallers(plan, root, required, note);

  const concurrency = Math.max(
    1,
    options.concurrency ?? Math.min(schedule.streamCount, DEFAULT_MAX_CONCURRENCY),
  );
  const started = Date.now();
  const run = await execute({
    plan,
    handles,
    schedule,
    decisions: decided?.decisions ?? null,
    timing: options.timing,
    speed,
    concurrency,
    targetRoot: root,
    pool,
    callerGroups,
    signal: options.signal,
    progressIntervalMs: options.progressIntervalMs,
    onProgress: options.onProgress
      ? (done) => options.onProgress!(done, plan.n, Date.now() - started)
      : undefined,
  });

  note(
    `executed ${run.partial ? 'part of ' : ''}the trace in ${(run.elapsedNs / 1e6).toFixed(0)} ms on ${run.workers} workers (${took()} with start-up)`,
  );
  let rowsWritten = 0;
  const telemetry = (await options.createTelemetry?.(run.wallClockAnchorNs)) ?? null;
  if (options.out) {
    rowsWritten = await writeReplayTrace({
      ...(telemetry ? { onBatch: (batch: TraceBatch) => telemetry.onBatch(batch) } : {}),
      path: options.out,
      plan,
      results: run.results,
      decisions: decided?.decisions ?? null,
      wallClockAnchorNs: run.wallClockAnchorNs,
      metadata: {
        [METADATA_KEYS.backing]: root,
        [REPLAY_METADATA_KEYS.input]: options.input,
        [REPLAY_METADATA_KEYS.timing]: options.timing,
        [REPLAY_METADATA_KEYS.speed]: String(speed),
        [REPLAY_METADATA_KEYS.partial]: String(run.partial),
      },
    });
  }
  if (options.out) note(`wrote ${rowsWritten} rows to ${options.out} (${took()})`);
  if (decided && decided.records.length > 0) {
    const logPath = options.faultLog ?? (options.out ? `${options.out}.faults.jsonl` : null);
    if (logPath)
      await writeFaultLog(
        logPath,
        decided,
        run.results.startNs,
        run.results.seq,
        run.wallClockAnchorNs,
        telemetry,
      );
  }
  await telemetry?.shutdown();

  const { report, thresholdInputs } = buildReport({
    plan,
    results: run.results,
    decisions: decided?.decisions ?? null,
    skip: schedule.skip,
    input: options.input,
    target: root,
    output: options.out,
    partial: run.partial,
    timing: options.timing,
    speed,
    workers: run.workers,
  });
  report.thresholds = evaluateThresholds(options.thresholds ?? [], thresholdInputs);
  const exitCode = run.partial
    ? EXIT_INTERRUPTED
    : report.thresholds.some((t) => t.failed)
      ? EXIT_THRESHOLD_EXCEEDED
      : 0;
  return { report, prephase, exitCode, rowsWritten };
}

/** Writes the fault records of ops that ran, re-timed to when they actually ran in the replay. */
async function writeFaultLog(
  path: string,
  decided: DecidedOverlay,
  startNs: Float64Array,
  seq: Int32Array,
  wallClockAnchorNs: bigint,
  telemetry: Telemetry | null,
): Promise<void> {
  const log = teeFaultLog(await FileFaultLog.open(path), telemetry);
  try {
    for (const { op, record } of decided.records) {
      if (seq[op]! < 0) continue;
      const t = BigInt(Math.round(startNs[op]!));
      const wall = wallClockAnchorNs + t;
      log.record({
        ...record,
        tNs: t.toString(),
        timeNs: wall.toString(),
        time: new Date(Number(wall / 1_000_000n)).toISOString(),
      });
    }
  } finally {
    await log.close();
  }
}
