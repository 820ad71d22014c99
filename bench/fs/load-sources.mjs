/**
 * Loads TypeScript sources for plain-node benchmarks: bundles them with esbuild (already present
 * as a vitest dependency) into a temp file and imports it, so a benchmark always measures the
 * current sources without a full `tsc` build.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} root      repository root
 * @param {string} name      names the temp bundle (one per process)
 * @param {string[]} sources paths under root, e.g. 'src/trace/writer.ts'; everything they export
 *                           is re-exported, except `{ A, B } from path` entries given as such
 */
export async function loadSources(root, name, sources) {
  const { build } = await import('esbuild');
  // Inside node_modules so the bundle's external imports (hyparquet, OpenTelemetry) resolve.
  const cache = join(root, 'node_modules', '.cache', 'interposer-bench');
  mkdirSync(cache, { recursive: true });
  const out = join(cache, `${name}-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: sources
        .map((s) => (s.includes(' from ') ? `export ${s};` : `export * from './${s}';`))
        .join('\n'),
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
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
