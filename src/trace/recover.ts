/**
 * Makes a crashed trace permanent: keeps every complete row group listed in the crash journal,
 * cuts the torn tail, appends a footer and removes the journal. The result is plain Parquet.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { journalPathOf, JournalError, parseJournal } from './journal.js';
import { MAGIC } from './parquet-format.js';
import { openTrace, planRecovery, TraceFormatError } from './reader.js';

export interface RecoverResult {
  path: string;
  /** The file already had a footer: nothing was rewritten (a stale journal is removed). */
  alreadyComplete: boolean;
  rowsKept: number;
  rowGroupsKept: number;
  /** Row groups the journal announced whose data never fully reached the file. */
  rowGroupsDropped: number;
  /** Bytes of torn data (unfinished row group) cut from the end. */
  bytesDropped: number;
}

export async function recoverTrace(path: string): Promise<RecoverResult> {
  const trace = await openTrace(path); // validates; reads crashed files through the journal
  if (!trace.recovered) {
    await unlink(journalPathOf(path)).catch(() => undefined);
    return {
      path,
      alreadyComplete: true,
      rowsKept: trace.numRows,
      rowGroupsKept: trace.numRowGroups,
      rowGroupsDropped: 0,
      bytesDropped: 0,
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
  const size = (await stat(path)).size;
  const plan = planRecovery(journal, size);
  const fh = await open(path, 'r+');
  try {
    if (size < MAGIC.length) await fh.write(MAGIC, 0, MAGIC.length, 0);
    await fh.truncate(plan.dataEnd);
    let done = 0;
    while (done < plan.footer.length) {
      done += (await fh.write(plan.footer, done, plan.footer.length - done, plan.dataEnd + done))
        .bytesWritten;
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await unlink(journalPathOf(path));
  return {
    path,
    alreadyComplete: false,
    rowsKept: plan.meta.numRows,
    rowGroupsKept: plan.keptRowGroups,
    rowGroupsDropped: plan.droppedRowGroups,
    bytesDropped: Math.max(0, size - plan.dataEnd),
  };
}
