/**
 * Telemetry off must cost nothing: importing the public module (and the flag helpers the commands
 * use) must not load any OpenTelemetry package; the SDK is only reached by dynamic import.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('src/telemetry/index.ts', () => {
  it('imports OpenTelemetry packages only dynamically', async () => {
    const result = await build({
      entryPoints: ['src/telemetry/index.ts'],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      splitting: true,
      outdir: 'out', // not written
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const entry = Object.values(result.metafile.outputs).find(
      (o) => o.entryPoint === 'src/telemetry/index.ts',
    )!;
    const staticImports = entry.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path);
    expect(staticImports.filter((p) => p.includes('@opentelemetry'))).toEqual([]);
    // The whole pipeline, SDK included, sits behind one dynamic import.
    const dynamicChunks = entry.imports.filter((i) => i.kind === 'dynamic-import');
    expect(dynamicChunks).toHaveLength(1);
    const chunk = result.metafile.outputs[dynamicChunks[0]!.path]!;
    expect(chunk.imports.some((i) => i.path.startsWith('@opentelemetry/sdk-metrics'))).toBe(true);
  });
});
