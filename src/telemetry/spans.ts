/**
 * One span per sampled trace row, with the row's own start and end times (wall clock = anchor +
 * start_ns). Sampling is decided from seq before anything else is read, so unsampled rows cost a
 * hash and a compare.
 *
 * The rows are finished operations, so they are built directly as ReadableSpans (the interface
 * span processors and exporters consume) instead of being started and ended through a Tracer:
 * that skips a live Span object, attribute validation done twice and per-span tracer metrics.
 * Ids come from a pool of crypto-random bytes.
 */
import { randomBytes } from 'node:crypto';
import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type HrTime,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Int32Column, Int64Column, StringColumn, TraceBatch } from '../trace/batch.js';
import { int32Column, int64Column, stringColumn } from './columns.js';
import { errnoName } from './errno.js';
import { int64At, int64Low32, int64View, type Int64View } from './int64.js';
import type { HeadSampler } from './sampling.js';

const NS_PER_S = 1_000_000_000;

/** Converts capture-relative ns to wall-clock HrTime without BigInt arithmetic per row. */
class WallClock {
  private readonly anchorSeconds: number;
  private readonly anchorRemainderNs: number;

  constructor(anchorNs: bigint) {
    this.anchorSeconds = Number(anchorNs / 1_000_000_000n);
    this.anchorRemainderNs = Number(anchorNs % 1_000_000_000n);
  }

  at(relativeNs: number): HrTime {
    const ns = this.anchorRemainderNs + relativeNs;
    const carry = Math.floor(ns / NS_PER_S);
    return [this.anchorSeconds + carry, ns - carry * NS_PER_S];
  }
}

function hrDuration(ns: number): HrTime {
  const seconds = Math.floor(ns / NS_PER_S);
  return [seconds, ns - seconds * NS_PER_S];
}

/** Trace and span ids as hex, cut from a refilled pool of random bytes. */
class RandomIds {
  private pool = Buffer.alloc(0);
  private offset = 0;

  private hex(bytes: number): string {
    if (this.offset + bytes > this.pool.length) {
      this.pool = randomBytes(65_536);
      this.offset = 0;
    }
    const id = this.pool.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    return id;
  }

  /** Non-zero, as the W3C trace context requires. */
  id(bytes: number): string {
    for (;;) {
      const id = this.hex(bytes);
      if (!/^0+$/.test(id)) return id;
    }
  }
}

const OK_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** A finished operation as a span. */
class RowSpan implements ReadableSpan {
  readonly kind = SpanKind.INTERNAL;
  readonly parentSpanContext = undefined;
  readonly links = [];
  readonly events = [];
  readonly ended = true;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;

  constructor(
    readonly name: string,
    private readonly context: SpanContext,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly duration: HrTime,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    readonly resource: Resource,
    readonly instrumentationScope: { name: string; version?: string },
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }
}

function stringAt(col: StringColumn, i: number): string | null {
  const idx = col.indices[i]!;
  return idx < 0 ? null : (col.dictionary[idx] ?? null);
}

/** Reads a nullable int64 column through a view; null where invalid. */
class NullableInt64 {
  private readonly view: Int64View;
  private readonly valid: Uint8Array | undefined;
  constructor(col: Int64Column) {
    this.view = int64View(col.values);
    this.valid = col.valid;
  }
  at(i: number): number | null {
    return this.valid !== undefined && this.valid[i] === 0 ? null : int64At(this.view, i);
  }
}

function int32At(col: Int32Column, i: number): number | null {
  return col.valid !== undefined && col.valid[i] === 0 ? null : col.values[i]!;
}

export interface SpanSink {
  /** Where finished spans go: a span processor's onEnd. */
  onEnd(span: ReadableSpan): void;
}

export class SpanEmitter {
  private readonly clock: WallClock;
  private readonly ids = new RandomIds();
  private readonly errorStatus: SpanStatus[] = [];

  constructor(
    private readonly sink: SpanSink,
    private readonly sampler: HeadSampler,
    wallClockAnchorNs: bigint,
    private readonly resource: Resource,
    private readonly scope: { name: string; version?: string },
  ) {
    this.clock = new WallClock(wallClockAnchorNs);
  }

  /** Starts and ends one span per sampled row; returns how many. */
  emit(batch: TraceBatch): number {
    if (this.sampler.ratio === 0) return 0;
    const seq = int64View(int64Column(batch, 'seq').values);
    let cols: RowColumns | undefined;
    let emitted = 0;
    for (let i = 0; i < batch.length; i++) {
      if (!this.sampler.sampled(int64Low32(seq, i))) continue;
      cols ??= new RowColumns(batch);
      this.emitRow(cols, i, int64At(seq, i));
      emitted++;
    }
    return emitted;
  }

  private emitRow(c: RowColumns, i: number, seq: number): void {
    const op = stringAt(c.op, i) ?? 'unknown';
    const errno = c.errno.values[i]!;
    const attributes: Attributes = {
      'fs.op': op,
      'fs.path': stringAt(c.path, i) ?? '',
      'fs.bytes': int64At(c.bytes, i),
      'fs.errno': errno,
      'process.pid': c.pid.values[i]!,
      'thread.id': c.tid.values[i]!,
      'fs.uid': c.uid.values[i]!,
      'fs.gid': c.gid.values[i]!,
      'interposer.seq': seq,
    };
    if (errno !== 0) attributes['fs.errno.name'] = errnoName(errno);
    setIfPresent(attributes, 'fs.path2', stringAt(c.path2, i));
    setIfPresent(attributes, 'fs.size', c.size.at(i));
    setIfPresent(attributes, 'fs.offset', c.offset.at(i));
    setIfPresent(attributes, 'fs.fh', c.fh.at(i));
    setIfPresent(attributes, 'process.command', stringAt(c.comm, i));
    setIfPresent(attributes, 'fault.kind', stringAt(c.faultKind, i));
    setIfPresent(attributes, 'fault.errno', int32At(c.faultErrno, i));
    setIfPresent(attributes, 'fault.delay_ns', c.faultDelayNs.at(i));
    setIfPresent(attributes, 'fault.truncated_to', c.faultTruncatedTo.at(i));
    setIfPresent(attributes, 'throttle.wait_ns', c.throttleWaitNs.at(i));

    const startNs = int64At(c.start, i);
    const endNs = int64At(c.end, i);
    const status =
      errno === 0
        ? OK_STATUS
        : (this.errorStatus[errno] ??= Object.freeze({
            code: SpanStatusCode.ERROR,
            message: errnoName(errno),
          }));
    this.sink.onEnd(
      new RowSpan(
        op,
        { traceId: this.ids.id(16), spanId: this.ids.id(8), traceFlags: TraceFlags.SAMPLED },
        this.clock.at(startNs),
        this.clock.at(endNs),
        hrDuration(Math.max(0, endNs - startNs)),
        status,
        attributes,
        this.resource,
        this.scope,
      ),
    );
  }
}

function setIfPresent(attributes: Attributes, key: string, value: string | number | null): void {
  if (value !== null) attributes[key] = value;
}

/** The columns a span reads, resolved once per batch (only when some row is sampled). */
class RowColumns {
  readonly op: StringColumn;
  readonly path: StringColumn;
  readonly path2: StringColumn;
  readonly comm: StringColumn;
  readonly faultKind: StringColumn;
  readonly errno: Int32Column;
  readonly pid: Int32Column;
  readonly tid: Int32Column;
  readonly uid: Int32Column;
  readonly gid: Int32Column;
  readonly faultErrno: Int32Column;
  readonly bytes: Int64View;
  readonly start: Int64View;
  readonly end: Int64View;
  readonly size: NullableInt64;
  readonly offset: NullableInt64;
  readonly fh: NullableInt64;
  readonly faultDelayNs: NullableInt64;
  readonly faultTruncatedTo: NullableInt64;
  readonly throttleWaitNs: NullableInt64;

  constructor(batch: TraceBatch) {
    this.op = stringColumn(batch, 'op');
    this.path = stringColumn(batch, 'path');
    this.path2 = stringColumn(batch, 'path2');
    this.comm = stringColumn(batch, 'comm');
    this.faultKind = stringColumn(batch, 'fault_kind');
    this.errno = int32Column(batch, 'errno');
    this.pid = int32Column(batch, 'pid');
    this.tid = int32Column(batch, 'tid');
    this.uid = int32Column(batch, 'uid');
    this.gid = int32Column(batch, 'gid');
    this.faultErrno = int32Column(batch, 'fault_errno');
    this.bytes = int64View(int64Column(batch, 'bytes').values);
    this.start = int64View(int64Column(batch, 'start_ns').values);
    this.end = int64View(int64Column(batch, 'end_ns').values);
    this.size = new NullableInt64(int64Column(batch, 'size'));
    this.offset = new NullableInt64(int64Column(batch, 'offset'));
    this.fh = new NullableInt64(int64Column(batch, 'fh'));
    this.faultDelayNs = new NullableInt64(int64Column(batch, 'fault_delay_ns'));
    this.faultTruncatedTo = new NullableInt64(int64Column(batch, 'fault_truncated_to'));
    this.throttleWaitNs = new NullableInt64(int64Column(batch, 'throttle_wait_ns'));
  }
}
