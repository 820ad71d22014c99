/**
 * Child process for the crash test: writes synthetic batches, flushing after each, and reports
 * on stdout how many rows were flushed so far ("flushed N"). The parent kill -9s it mid-way.
 */
import { SyntheticTrace } from '../../src/trace/synthetic.js';
import { TraceWriter } from '../../src/trace/writer.js';

const [path, seedText] = process.argv.slice(2);
const writer = await TraceWriter.open({
  path: path!,
  wallClockAnchorNs: 123n,
  rowGroupRows: 1_000_000,
  flushIntervalMs: 0,
});
const gen = new SyntheticTrace({ seed: Number(seedText) });
for (let i = 0; ; i++) {
  await writer.write(gen.next(1000 + (i % 7) * 100));
  await writer.flush();
  process.stdout.write(`flushed ${writer.stats.rowsWritten}\n`);
  // Rows still buffered when the kill lands are the ones allowed to be lost.
  await writer.write(gen.next(333));
}
