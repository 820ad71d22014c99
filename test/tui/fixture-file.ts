/** Writes the fixture trace to a real Parquet file with the product's TraceWriter. */
import { TraceWriter } from '../../src/trace/writer.js';
import { fixtureBatches } from './fixture.js';

export async function writeFixtureTrace(path: string, slowdown = 1): Promise<void> {
  const writer = await TraceWriter.open({
    path,
    wallClockAnchorNs: 1_764_000_000_000_000_000n,
    metadata: { 'interposer.source': 'record' },
    rowGroupRows: 256,
    flushIntervalMs: 0,
  });
  for (const batch of fixtureBatches(slowdown)) await writer.write(batch);
  await writer.close();
}
