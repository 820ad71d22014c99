/**
 * Loads the trace modules (TypeScript sources) for plain-node benchmarks: bundles them with
 * esbuild (already present as a vitest dependency) into a temp file, so the benchmark always
 * measures the current sources without a full `tsc` build.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadTraceModules(root) {
  const { build } = await import('esbuild');
  // Inside node_modules so the bundle's external imports (hyparquet) resolve.
  const cache = join(root, 'node_modules', '.cache', 'interposer-bench');
  mkdirSync(cache, { recursive: true });
  const out = join(cache, `trace-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `
        export * from './src/trace/writer.ts';
        export * from './src/trace/reader.ts';
        export * from './src/trace/synthetic.ts';
        export * from './src/trace/schema.ts';
        export * from './src/trace/batch.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    packages: 'external',
    logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}
