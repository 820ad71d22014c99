/**
 * Makes a damaged trace usable again:
 * - a crashed trace (no footer): keeps every complete row group listed in the crash journal,
 *   cuts the torn tail, appends a footer and removes the journal;
 * - a trace with damaged pages (a page fails its CRC-32 or does not decode): keeps every row
 *   group before the first damaged one, cuts the rest and appends a footer listing those.
 * The result is plain Parquet.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { journalPathOf, JournalError, parseJournal } from './journal.js';
import { MAGIC } from './parquet-format.js';
import { findDamage, openTrace, planRecovery, planTruncation, TraceFormatError } from './reader.js';

export interface RecoverResult {
  path: string;
  /** The file already had a footer and no damaged page: nothing was rewritten (a stale journal is removed). */
  alreadyComplete: boolean;
  rowsKept: number;
  rowGroupsKept: number;
  /** Row groups the journal announced whose data never fully reached the file, or damaged and after. */
  rowGroupsDropped: number;
  /** Bytes of torn or damaged data cut from the end. */
  bytesDropped: number;
  /** What was wrong with the first dropped row group, when it was damage (not a torn tail). */
  damage?: string;
}

async function rewriteTail(path: string, size: number, dataEnd: number, footer: Uint8Array): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    if (size < MAGIC.length) await fh.write(MAGIC, 0, MAGIC.length, 0);
    await fh.truncate(dataEnd);
    let done = 0;
    while (done < footer.length) {
      done += (await fh.write(footer, done, footer.length - done, dataEnd + done)).bytesWritten;
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export async function recoverTrace(path: string): Promise<RecoverResult> {
  const trace = await openTrace(path); // validates; reads crashed files through the journal
  const damage = await findDamage(trace);
  const size = (await stat(path)).size;
  if (!trace.recovered) {
    await unlink(journalPathOf(path)).catch(() => undefined);
    if (!damage) {
      return {
        path,
        alreadyComplete: true,
        rowsKept: trace.numRows,
        rowGroupsKept: trace.numRowGroups,
        rowGroupsDropped: 0,
        bytesDropped: 0,
      };
    }
    const plan = planTruncation(trace.meta, damage.rowGroup);
    await rewriteTail(path, size, plan.dataEnd, plan.footer);
    return {
      path,
      alreadyComplete: false,
      rowsKept: plan.rows,
      rowGroupsKept: damage.rowGroup,
      rowGroupsDropped: trace.numRowGroups - damage.rowGroup,
      bytesDropped: size - plan.dataEnd,
      damage: damage.message,
    };
  }
  let journal;
  try {
    journal = parseJournal(await readFile(journalPathOf(path)));
  } catch (err) {
    const why = err instanceof JournalError ? err.message : String(err);
    throw new TraceFormatError(
      `${path}: cannot recover, journal ${journalPathOf(path)} is unusable (${why})`,
    );
  }
  const plan = planRecovery(journal, size, damage?.rowGroup);
  await rewriteTail(path, size, plan.dataEnd, plan.footer);
  await unlink(journalPathOf(path));
  return {
    path,
    alreadyComplete: false,
    rowsKept: plan.meta.numRows,
    rowGroupsKept: plan.keptRowGroups,
    rowGroupsDropped: plan.droppedRowGroups,
    bytesDropped: Math.max(0, size - plan.dataEnd),
    ...(damage ? { damage: damage.message } : {}),
  };
}
