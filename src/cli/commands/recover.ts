/** `interposer recover`: make a crashed recorder's trace readable again. */
import { recoverTrace } from '../../trace/recover.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'recover',
  summary: 'repair a trace whose recorder crashed (keeps every complete row group)',
  description:
    'Turns a trace left without a Parquet footer (recorder killed, crashed or out of space) into a\n' +
    'valid Parquet file. Every row group that was flushed is kept, using the journal the writer keeps\n' +
    'next to the trace (<trace.parquet>.inprogress); only rows that were still buffered are lost.\n' +
    'A trace that is already complete is left unchanged.',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'one or more traces to repair',
      variadic: true,
      path: { pathKind: 'file', role: 'input', noun: 'trace file' },
    },
  ],
  options: {},
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ positionals }) => {
  for (const path of positionals) {
    const r = await recoverTrace(path);
    if (r.alreadyComplete) {
      console.log(
        `${path}: already complete, ${r.rowsKept} rows in ${r.rowGroupsKept} row groups; nothing to do`,
      );
    } else {
      const lost = r.bytesDropped > 0 ? `, cut ${r.bytesDropped} bytes of an unfinished row group` : '';
      console.log(`${path}: recovered ${r.rowsKept} rows in ${r.rowGroupsKept} row groups${lost}`);
    }
  }
  return 0;
});

export const run = command.run;
