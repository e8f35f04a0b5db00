// Bundles dist/fast-path.js and everything it loads into one file: `migration new` then reads one module
// instead of ~25, about 16% less CPU per call (measured: 0.119 s against 0.142 s).
import {build} from 'esbuild'

// Split: the registry's code (pg, smol-toml, zod/mini) lands in chunks loaded only when a registry is
// configured, so `migration new` without one parses no more than before.
await build({
  entryPoints: {'fast-path.bundle': 'dist/fast-path.js'},
  outdir: 'dist',
  splitting: true,
  chunkNames: 'fast-path-chunks/[name]-[hash]',
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
