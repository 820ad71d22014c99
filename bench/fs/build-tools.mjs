// Compiles the two native helpers at bench time (nothing prebuilt is committed): the C libfuse3
// passthrough baseline and the metadata-storm client.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runChecked } from './proc.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
export const PASSTHROUGH_SOURCE = join(here, '..', 'c-passthrough', 'passthrough.c');
export const META_STORM_SOURCE = join(here, 'meta-storm.c');

/**
 * @param {string} outDir
 * @returns {Promise<{ cPassthrough: string, metaStorm: string }>}
 */
export async function buildTools(outDir) {
  const pkg = await runChecked('pkg-config', ['fuse3', '--cflags', '--libs']);
  const fuseFlags = pkg.stdout.trim().split(/\s+/).filter(Boolean);
  const cPassthrough = join(outDir, 'c-passthrough');
  const metaStorm = join(outDir, 'meta-storm');
  await runChecked('gcc', ['-O2', '-Wall', PASSTHROUGH_SOURCE, ...fuseFlags, '-o', cPassthrough]);
  await runChecked('gcc', ['-O2', '-Wall', META_STORM_SOURCE, '-o', metaStorm]);
  return { cPassthrough, metaStorm };
}
