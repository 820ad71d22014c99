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
// Native code stays outside the bundle: the addon and DuckDB's binding (its JavaScript API is
// bundled, see src/analyze/duckdb.ts). So do the CommonJS packages that are loaded with
// import(): esbuild's chunk for such a package exports only `default`, where Node's import() also
// gives the named exports. Import packages statically from a module of ours and import() that
// module (as ui.ts and telemetry/otlp-*.ts do); scripts/bundle.mjs fails the build otherwise.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
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
  // Left to Node: native code, and the CommonJS packages that are loaded with import() (by us or
  // inside themselves), which in a split bundle would lose their named exports.
  external: [
    '@duckdb/node-bindings',
    '@duckdb/node-bindings-*',
    '*.node',
    '@opentelemetry/*',
    '@aws-sdk/*',
    's3rver',
  ],
  // React's production build: the development one checks and warns on every render.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  plugins: [noDevtools],
  logLevel: 'warning',
});

// A CommonJS package reached through import() becomes a chunk that exports only `default`.
const defaultOnly = readdirSync(OUT).filter((f) =>
  /^export default require_/m.test(readFileSync(`${OUT}/${f}`, 'utf8')),
);
if (defaultOnly.length > 0) {
  process.stderr.write(
    `bundle: CommonJS packages loaded with import() (named exports would be missing): ${defaultOnly.join(', ')}\n` +
      'import them statically from a module of ours and import() that module, or list them as external\n',
  );
  process.exit(1);
}
