import { parseArgs } from 'node:util';
import { recoverTrace } from '../../trace/recover.js';
import { UsageError } from '../errors.js';

export const summary = 'repair a trace whose recorder crashed (keeps every complete row group)';

const HELP = `usage: interposer recover <trace.parquet>...

Turns a trace left without a Parquet footer (recorder killed, crashed or out of space) into a
valid Parquet file. Every row group that was flushed is kept, using the journal the writer keeps
next to the trace (<trace.parquet>.inprogress); only rows that were still buffered are lost.
A trace whose pages fail their checksum (damaged on disk or in transit) keeps every row group
before the first damaged one. A trace that is already complete and intact is left unchanged.

options:
  -h, --help   show this help`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(`recover: ${(err as Error).message}\n\n${HELP}`);
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length === 0) throw new UsageError(`recover: which trace file?\n\n${HELP}`);
  for (const path of parsed.positionals) {
    const r = await recoverTrace(path);
    if (r.alreadyComplete) {
      console.log(
        `${path}: already complete, ${r.rowsKept} rows in ${r.rowGroupsKept} row groups; nothing to do`,
      );
    } else {
      const lost =
        r.bytesDropped === 0
          ? ''
          : r.damage
            ? `, cut ${r.rowGroupsDropped} row group(s) (${r.bytesDropped} bytes) from the first damaged one on`
            : `, cut ${r.bytesDropped} bytes of an unfinished row group`;
      console.log(`${path}: recovered ${r.rowsKept} rows in ${r.rowGroupsKept} row groups${lost}`);
      if (r.damage) console.error(`recover: ${r.damage}`);
    }
  }
  return 0;
}
