/**
 * What each signal handed to its exporter and what arrived, so a shutdown that gives up on an
 * unreachable collector can say exactly what was dropped instead of hanging or staying silent.
 */

export class ExportLedger {
  /** Items the pipeline accepted (spans emitted, log records emitted, metric exports begun). */
  offered = 0;
  /** Items an export call confirmed. */
  exported = 0;
  /** Items in export calls that failed. */
  failed = 0;
  /** Whether the latest export call succeeded (metrics: cumulative, so only the last one counts). */
  lastOk = true;

  constructor(
    /** "spans", "fault log records", "metric exports". */
    readonly items: string,
    /** Cumulative signals (metrics) lose nothing but their latest state when one export fails. */
    readonly cumulative = false,
  ) {}

  /** An export call began with `count` items (cumulative signals count their exports here). */
  handed(count: number): void {
    if (this.cumulative) this.offered += count;
  }

  settled(count: number, ok: boolean): void {
    if (ok) this.exported += count;
    else this.failed += count;
    this.lastOk = ok;
  }

  /** Items that never reached the collector: failed, still queued, or still in flight. */
  lost(): number {
    return Math.max(0, this.offered - this.exported);
  }

  /** "1000 spans", "the final metric totals"; empty when nothing was lost. */
  describeLoss(): string {
    if (this.cumulative) return this.lastOk && this.lost() === 0 ? '' : `the final ${this.items}`;
    const lost = this.lost();
    return lost === 0 ? '' : `${lost} of ${this.offered} ${this.items}`;
  }
}

/** One line for the end of a run: what each signal dropped, or '' when everything arrived. */
export function describeDropped(ledgers: readonly ExportLedger[]): string {
  const parts = ledgers.map((l) => l.describeLoss()).filter((s) => s !== '');
  return parts.length === 0 ? '' : parts.join(', ');
}
