// Bundles dist/fast-path.js and everything it loads into one file: `migration new` then reads one module
// instead of ~25, about 16% less CPU per call (measured: 0.119 s against 0.142 s).
import {build} from 'esbuild'

await build({
  entryPoints: ['dist/fast-path.js'],
  outfile: 'dist/fast-path.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // proper-lockfile and its dependencies are CommonJS and call require() for Node's own modules.
  banner: {
    js: "import {createRequire as sbxCreateRequire} from 'node:module'; const require = sbxCreateRequire(import.meta.url);",
  },
})
