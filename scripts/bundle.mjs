#!/usr/bin/env node
// Bundles the two programs (dist/cli/interposer.js and dist/cli/interposer-tui.js, as tsc wrote
// them) into dist/bin/, the files package.json's "bin" names. Why: Node loads an ES module graph
// file by file, and Ink, React, gRPC and OpenTelemetry are hundreds of small files; loading Ink
// alone took 0.6-0.7 s of one core here, its bundle about 0.2 s. Commands stay lazily loaded: each
// dynamic import() becomes its own chunk, so `interposer analyze` still never loads the FUSE
// binding or gRPC.
//
// dist/bin/ sits two levels below the repository like every module that finds a file relative
// to itself (package.json, the native addons, sql/, csi.proto: `../../...` from src/<layer>/), so
// those paths work unchanged; keep such lookups in modules two levels down. The replay executor
// starts `./worker.js` next to itself: the bundle has it as an entry of that name.
// Native code stays outside the bundle: the addon and DuckDB (its binding, and its API package,
// which sql-engine.ts loads with require()).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}dist/bin`;

// Ink imports react-devtools-core (not installed) only when DEV=true; the bundle gets a stub.
const noDevtools = {
  name: 'no-react-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({
      path: 'react-devtools-core',
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export default { connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: {
    interposer: `${ROOT}dist/cli/interposer.js`,
    'interposer-tui': `${ROOT}dist/cli/interposer-tui.js`,
    // What interposer-tui loads first, for bench/analyze-tui.mjs to start the same way.
    'tui-startup': `${ROOT}dist/tui/startup.js`,
    worker: `${ROOT}dist/replay/worker.js`,
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@duckdb/*', '*.node'],
  // React's production build: the development one checks and warns on every render.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  plugins: [noDevtools],
  logLevel: 'warning',
});
