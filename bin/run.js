#!/usr/bin/env node
// Plain `migration new` calls skip oclif's start-up (src/fast-path.ts); everything else goes through oclif.
const {runFastPath} = await import('../dist/fast-path.bundle.js')
if (!(await runFastPath(process.argv.slice(2)))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
