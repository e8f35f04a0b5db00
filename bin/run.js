#!/usr/bin/env node
// Plain `migration new` calls skip oclif's start-up (src/fast-path.ts, bundled into one file at build);
// everything else goes straight to oclif without loading that bundle.
const [topic, command] = process.argv.slice(2)
const fast = topic === 'migration' && command === 'new' ? await import('../dist/fast-path.bundle.js') : undefined
if (!(await fast?.runFastPath(process.argv.slice(2)))) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
